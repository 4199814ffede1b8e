import { createHash } from 'node:crypto';
import type { InputProblem } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { Detection, DetectionError, Hit } from '../detect/types.js';
import { createEngine, type Engine } from '../detect/index.js';
import { createAggregator } from '../findings/index.js';
import type { FindingStore } from '../store/index.js';
import type { Router } from '../router/index.js';
import { findingEvent, type RoutedEvent } from '../router/routed-event.js';
import type { Alert } from '../notify/types.js';
import { normalizeRecord, type RecordFormat } from '../sources/index.js';
import type { FieldGetter } from '../detect/types.js';
import { shouldAlert } from '../outbox/index.js';
import type { AlertState } from './alert-state.js';
import type { VigilEvent } from '../core/event.js';
import type { SuppressionMatcher } from '../findings/suppress.js';
import { createSequenceTracker, type SequenceOptions } from '../findings/sequence.js';
import type { BaselineDetector } from '../baseline/index.js';

/** How many stored findings seed the attack-sequence tracker at start. */
const SEQUENCE_SEED = 10_000;

/** Where a routed finding's alert goes: the outbox (persisted, retried). */
export interface AlertSink {
  enqueue(alert: Alert, channelIds: string[]): number;
}

export interface PipelineDeps {
  detections: Detection[];
  getField: FieldGetter;
  store: FindingStore;
  router: Router;
  /** Route name → channel ids. */
  targets: ReadonlyMap<string, readonly string[]>;
  outbox: AlertSink;
  /**
   * Response playbooks: called with the routes a finding matched when it is alerted; records the runs of
   * the playbooks bound to them (src/respond) synchronously, so a crash before the store cannot lose them.
   */
  respond?(finding: Finding, event: RoutedEvent, routes: readonly string[]): void;
  /** What was last alerted per finding, for the re-alert window. */
  alerts: AlertState;
  /** No new alert for the same finding within this window (event time) unless its severity rises. */
  realertWindowMs: number;
  onProblem(problem: InputProblem): void;
  onDetectionError?(error: DetectionError): void;
  /** Track changed detection state so the host can save it incrementally (`engine.state`). */
  trackState?: boolean;
  /** Every accepted event, per batch (the dashboard's event store). */
  events?: { add(events: VigilEvent[]): unknown };
  /** Suppression rules: a matching finding is stored SUPPRESSED and not alerted. */
  suppressions?: SuppressionMatcher;
  /** A finding stored (new or updated), and whether it was alerted: live updates. */
  onFinding?(finding: Finding, alerted: boolean): void;
  /** Base URL of the server, for links to findings in alerts. */
  publicUrl?: string;
  /** Location and AS of a finding actor's IP (src/enrich), for `actor.geo`. */
  actorGeo?: (ip: string) => Finding['actor']['geo'];
  /** Attack sequences: their window and rule, or `false` for none (src/findings/sequence.ts). */
  sequences?: SequenceOptions | false;
  /** Behavioural baselines, fed every accepted event after the detections (the host saves their `state`). */
  baselines?: BaselineDetector;
  metrics?: {
    finding(severityLabel: string): void;
    routed(route: string): void;
  };
}

export interface Pipeline {
  /**
   * Normalizes, detects, stores and alerts; returns how many records were accepted. Malformed records go
   * to `onProblem` (default: the pipeline's own).
   */
  records(
    records: { record: unknown; file: string; index: number; format?: RecordFormat; region?: string }[],
    onProblem?: (p: InputProblem) => void,
  ): number;
  /** Findings that arrive ready-made (GuardDuty, Security Hub): stored and alerted like Vigil's own. */
  findings(findings: Finding[]): void;
  /** A finding marked resolved: routed and sent as a `resolved` alert (PagerDuty resolves its incident). */
  resolved(finding: Finding): number;
  readonly engine: Engine;
}

/**
 * The event id of an alert: stable per finding, reason, severity and (for a recurrence after the window)
 * the occurrence, so a replay of the same records enqueues nothing new.
 */
function alertEvent(finding: Finding, reason: Alert['reason'], occurrence: string): RoutedEvent {
  const event = findingEvent(finding);
  const h = createHash('sha256')
    .update(`${finding.id}\u0000${reason}\u0000${finding.severity}\u0000${occurrence}`)
    .digest('hex');
  return {
    ...event,
    id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
  };
}

/**
 * One way through for `vigil serve`: record → Event → detections (and baselines) → finding → alert decision → routed
 * event → router → outbox → store. Alerting is decided against persisted alert state (not memory): a new
 * finding, a severity rise, or a recurrence after the re-alert window alerts; anything else does not, so a
 * restart does not re-alert. The alert is enqueued (idempotently) before its state and the finding are
 * stored, so a crash in between loses nothing: the replayed records enqueue the same alert again, which
 * the outbox ignores.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const aggregator = createAggregator({ geo: deps.actorGeo });
  const engine = createEngine(deps.detections, {
    getField: deps.getField,
    onError: (e) => deps.onDetectionError?.(e),
    trackState: deps.trackState ?? false,
  });

  // Attack sequences: every stored finding is offered to the tracker (seeded from the store's most
  // severe and recent findings, so a restart keeps the members); a sequence it completes or grows is
  // stored and alerted like any finding.
  const sequences = deps.sequences === false ? undefined : createSequenceTracker(deps.sequences);
  sequences?.seed(deps.store.list({ limit: SEQUENCE_SEED }));

  function route(finding: Finding, reason: Alert['reason'], occurrence: string): number {
    const event = alertEvent(finding, reason, occurrence);
    const channels = new Set<string>();
    const matched = deps.router.match(event);
    for (const r of matched) {
      deps.metrics?.routed(r);
      for (const c of deps.targets.get(r) ?? []) channels.add(c);
    }
    // Playbooks bound to these routes record their runs now, before the finding is stored (see respond).
    if (matched.length) deps.respond?.(finding, event, matched);
    if (!channels.size) return 0;
    const link = deps.publicUrl ? `${deps.publicUrl.replace(/\/$/, '')}/findings/${finding.id}` : undefined;
    return deps.outbox.enqueue(
      { finding, event, reason, receivedAt: Date.now(), ...(link ? { link } : {}) },
      [...channels],
    );
  }

  function handle(finding: Finding, eventIds: string[], count: number, countIsTotal = false): void {
    const previous = deps.alerts.get(finding.id);
    // Suppressed, by a rule or by a responder: stored and visible, never alerted.
    const rule = deps.suppressions?.matches(finding);
    const suppressed = rule !== undefined || deps.store.get(finding.id)?.status === 'SUPPRESSED';
    const alerted = !suppressed && shouldAlert(previous, finding, deps.realertWindowMs);
    if (alerted) {
      const reason: Alert['reason'] =
        previous && finding.severity > previous.severity ? 'severity-raised' : 'new';
      route(finding, reason, previous ? finding.lastSeen : '');
      deps.alerts.set(finding.id, { severity: finding.severity, lastAlertAt: finding.lastSeen });
      deps.metrics?.finding(finding.severityLabel);
    }
    // For Vigil's own hits the aggregator's finding carries this process's running count: the store is
    // given this hit's share (it counts event ids itself, so replays add nothing).
    const stored = deps.store.upsert({ ...finding, count }, eventIds, undefined, { countIsTotal });
    let latest = stored;
    if (rule) {
      deps.suppressions!.suppress(stored, rule);
      latest = deps.store.get(finding.id) ?? stored;
      deps.onFinding?.(latest, false);
    } else {
      deps.onFinding?.(stored, alerted);
    }
    // A sequence's count is its number of members: a total, like an AWS detector's.
    for (const s of sequences?.add(latest) ?? []) handle(s, s.evidence.eventIds, s.count, true);
  }

  function hit(h: Hit): void {
    const { finding } = aggregator.add(h);
    const ids = h.eventIds.length ? h.eventIds : h.event.eventId ? [h.event.eventId] : [];
    handle(finding, ids, Math.max(1, ids.length));
  }

  return {
    engine,
    records(records, onProblem = deps.onProblem) {
      let accepted = 0;
      const batch: VigilEvent[] | undefined = deps.events ? [] : undefined;
      for (const { record, file, index, format, region } of records) {
        let event;
        try {
          event = normalizeRecord(record, format, region === undefined ? undefined : { region });
        } catch (err) {
          onProblem({ file, record: index, code: 'VIGIL_INPUT_BAD_RECORD', message: (err as Error).message });
          continue;
        }
        accepted++;
        batch?.push(event);
        for (const h of engine.process(event)) hit(h);
        if (deps.baselines) for (const h of deps.baselines.process(event)) hit(h);
      }
      if (batch?.length) deps.events!.add(batch);
      return accepted;
    },
    findings(findings) {
      // An AWS detector's count is its own running total over updates of the same finding.
      for (const f of findings) handle(f, f.evidence.eventIds, f.count, true);
    },
    resolved(finding) {
      return route({ ...finding, status: 'RESOLVED' }, 'resolved', finding.lastSeen);
    },
  };
}
