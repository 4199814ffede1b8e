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
import { normalizeCloudTrail } from '../sources/index.js';
import type { FieldGetter } from '../detect/types.js';

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
  onProblem(problem: InputProblem): void;
  onDetectionError?(error: DetectionError): void;
  /** Base URL of the server, for links to findings in alerts. */
  publicUrl?: string;
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
    records: { record: unknown; file: string; index: number }[],
    onProblem?: (p: InputProblem) => void,
  ): number;
  /** Findings that arrive ready-made (GuardDuty, Security Hub): stored and alerted like Vigil's own. */
  findings(findings: Finding[]): void;
  readonly engine: Engine;
}

/** The event id of an alert: stable per finding, reason and severity, so a replay enqueues nothing new. */
function alertEvent(finding: Finding, reason: Alert['reason']): RoutedEvent {
  const event = findingEvent(finding);
  const h = createHash('sha256')
    .update(`${finding.id}\u0000${reason}\u0000${finding.severity}`)
    .digest('hex');
  return {
    ...event,
    id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
  };
}

/**
 * One way through for `vigil serve`: record → Event → detections → finding → store → routed event →
 * router → outbox. Alerting is decided against the store (not memory), so a restart does not re-alert,
 * and the alert is enqueued (idempotently) before the finding is stored, so a crash between the two
 * loses nothing: the replayed records find no stored finding and enqueue the same alert again, which
 * the outbox ignores.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const aggregator = createAggregator();
  const engine = createEngine(deps.detections, {
    getField: deps.getField,
    onError: (e) => deps.onDetectionError?.(e),
  });

  function handle(finding: Finding, eventIds: string[]): void {
    const previous = deps.store.get(finding.id);
    const reason: Alert['reason'] | undefined = !previous
      ? 'new'
      : finding.severity > previous.severity
        ? 'severity-raised'
        : undefined;
    if (reason) {
      const event = alertEvent(finding, reason);
      const channels = new Set<string>();
      for (const route of deps.router.match(event)) {
        deps.metrics?.routed(route);
        for (const c of deps.targets.get(route) ?? []) channels.add(c);
      }
      if (channels.size) {
        const link = deps.publicUrl
          ? `${deps.publicUrl.replace(/\/$/, '')}/findings/${finding.id}`
          : undefined;
        deps.outbox.enqueue({ finding, event, reason, ...(link ? { link } : {}) }, [...channels]);
      }
      deps.metrics?.finding(finding.severityLabel);
    }
    deps.store.upsert(finding, eventIds);
  }

  function hit(h: Hit): void {
    const { finding } = aggregator.add(h);
    handle(finding, h.eventIds.length ? h.eventIds : h.event.eventId ? [h.event.eventId] : []);
  }

  return {
    engine,
    records(records, onProblem = deps.onProblem) {
      let accepted = 0;
      for (const { record, file, index } of records) {
        let event;
        try {
          event = normalizeCloudTrail(record);
        } catch (err) {
          onProblem({ file, record: index, code: 'VIGIL_INPUT_BAD_RECORD', message: (err as Error).message });
          continue;
        }
        accepted++;
        for (const h of engine.process(event)) hit(h);
      }
      return accepted;
    },
    findings(findings) {
      for (const f of findings) handle(f, f.evidence.eventIds);
    },
  };
}
