import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { VigilError } from '../../core/errors.js';
import { MAX_EVIDENCE_IDS, type Finding } from '../../core/finding.js';
import { severityLabel } from '../../core/severity.js';
import { MAX_RESOURCES } from '../../findings/aggregate.js';
import { shouldAlert } from '../../outbox/suppress.js';
import { findingsFromEvent } from '../../sources/findings/index.js';
import { alertId, findingFromDetail, type AlertDetail } from '../alert.js';
import { parseEventBridgeBody, PoisonRecordError, processBatch } from '../batch.js';
import { awsParameterSource, configLoader } from '../config.js';
import { defaultPublisher, defaultTable } from '../env.js';
import { jsonLogger, type Logger } from '../log.js';
import type { Publish } from '../publish.js';
import { SK, ttlAfter, type Item, type Table } from '../table.js';
import { emfFields } from '../metrics.js';
import {
  ALERT_DETAIL_TYPE,
  FINDING_DETAIL_TYPE,
  VIGIL_SOURCE,
  type SQSBatchResponse,
  type SQSEvent,
} from '../types.js';

export interface TriageDeps {
  table: Table;
  publish: Publish;
  /** minSeverity and the re-alert window (from the config document). */
  settings: () => Promise<{ minSeverity: number; realertWindowMs: number }>;
  log?: Logger;
  now?: () => number;
}

/** How long an aggregate outlives its last update. */
export const FINDING_TTL_MS = 90 * 86_400_000;
/** EventBridge event ids remembered per finding, to recognise a redelivered event. */
const RECENT_EVENTS = 50;

interface FindingItem extends Item {
  finding: Finding;
  ver: number;
  /** EventBridge ids of the events merged, newest last. */
  recent: string[];
  /** What was last alerted: severity, and the finding's lastSeen then. */
  alerted?: { severity: number; lastAlertAt: string };
  /** An alert decided but not yet published (published, then removed). */
  pending?: AlertDetail;
}

const findingPk = (id: string) => `finding#${id}`;

function unionInto<T>(list: T[], values: readonly T[], max: number, same = (a: T, b: T) => a === b): void {
  for (const v of values) {
    if (list.length >= max) return;
    if (!list.some((x) => same(x, v))) list.push(v);
  }
}

/**
 * Merges an update into the stored finding. An AWS detector's finding carries its own running count
 * and current severity (`countIsTotal`); Vigil's own findings add their count, keep the highest severity
 * and grow their evidence, unless every event id they bring is already known (a redelivery).
 */
export function mergeFinding(stored: Finding | undefined, incoming: Finding, countIsTotal: boolean): Finding {
  if (!stored) return structuredClone(incoming);
  const f = structuredClone(stored);
  if (incoming.firstSeen < f.firstSeen) f.firstSeen = incoming.firstSeen;
  if (incoming.lastSeen > f.lastSeen) f.lastSeen = incoming.lastSeen;
  if (countIsTotal) {
    f.count = Math.max(f.count, incoming.count);
    f.severity = incoming.severity;
    f.title = incoming.title;
    f.description = incoming.description;
    f.status = incoming.status;
  } else {
    const known = new Set(f.evidence.eventIds);
    const fresh = incoming.evidence.eventIds.filter((id) => !known.has(id));
    if (incoming.evidence.eventIds.length && !fresh.length) return f;
    f.count += incoming.count;
    f.severity = Math.max(f.severity, incoming.severity);
  }
  f.severityLabel = severityLabel(f.severity);
  unionInto(f.evidence.eventIds, incoming.evidence.eventIds, MAX_EVIDENCE_IDS);
  unionInto(f.evidence.eventNames, incoming.evidence.eventNames, Infinity);
  unionInto(f.resources, incoming.resources, MAX_RESOURCES, (a, b) => a.type === b.type && a.id === b.id);
  return f;
}

/**
 * Triage: findings from GuardDuty, Security Hub and Vigil's own detect function are aggregated per
 * finding id in DynamoDB and alerted with `vigil serve`'s rule (src/outbox shouldAlert: new, severity
 * raised, or recurring after the re-alert window); findings below minSeverity are kept but not alerted.
 * An alert is written into the aggregate (`pending`) in the same conditional write as the decision and
 * published afterwards: a crash in between publishes it on the next delivery, and a concurrent update
 * of the same finding loses its version check and is delivered again by SQS.
 */
export function createTriageHandler(deps: TriageDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const log = deps.log ?? jsonLogger();
  const now = deps.now ?? Date.now;

  async function publishPending(item: FindingItem): Promise<void> {
    if (!item.pending) return;
    await deps.publish([
      {
        detailType: ALERT_DETAIL_TYPE,
        detail: item.pending,
        resources: item.pending.resources.map((r) => r.id).filter((r) => r.startsWith('arn:')),
      },
    ]);
    const { pending: _p, ...rest } = item;
    void _p;
    // Only this version's pending alert is cleared; a newer version keeps its own.
    await deps.table.putIf({ ...rest, ver: item.ver + 1 }, 'ver = :ver', { ':ver': item.ver });
  }

  async function triage(finding: Finding, countIsTotal: boolean, eventId: string, messageId: string) {
    const { minSeverity, realertWindowMs } = await deps.settings();
    const stored = (await deps.table.get(findingPk(finding.id))) as FindingItem | undefined;
    if (stored?.pending) await publishPending(stored); // left by a delivery that stopped half-way
    if (stored?.recent.includes(eventId)) {
      log('info', 'finding event already triaged', { messageId, findingId: finding.id, eventId });
      return;
    }
    const merged = mergeFinding(stored?.finding, finding, countIsTotal);
    const previous = stored?.alerted;
    const alert = merged.severity >= minSeverity && shouldAlert(previous, merged, realertWindowMs);
    const item: FindingItem = {
      pk: findingPk(finding.id),
      sk: SK,
      finding: merged,
      ver: (stored?.ver ?? 0) + (stored?.pending ? 1 : 0) + 1,
      recent: [...(stored?.recent ?? []), eventId].slice(-RECENT_EVENTS),
      severity: merged.severity,
      ttl: ttlAfter(now(), FINDING_TTL_MS),
      ...(stored?.alerted ? { alerted: stored.alerted } : {}),
    };
    if (alert) {
      const reason = previous && merged.severity > previous.severity ? 'severity-raised' : 'new';
      item.alerted = { severity: merged.severity, lastAlertAt: merged.lastSeen };
      item.pending = {
        ...merged,
        alert: { id: alertId(merged, reason, previous ? merged.lastSeen : ''), reason },
      };
    }
    const expected = item.ver - 1;
    const written = stored
      ? await deps.table.putIf(item, 'ver = :ver', { ':ver': expected })
      : await deps.table.putIf(item);
    if (!written) throw new Error(`finding ${finding.id} was updated concurrently; retrying`);
    log('info', alert ? 'finding alerted' : 'finding aggregated', {
      messageId,
      findingId: finding.id,
      detector: merged.detector,
      severity: merged.severityLabel,
      count: merged.count,
      ...(alert ? { reason: item.pending!.alert.reason } : {}),
      ...(merged.severity < minSeverity ? { belowMinSeverity: true } : {}),
    });
    // Dashboard metrics (Embedded Metric Format in the log line): new findings by severity, alerts sent.
    if (!stored) log('info', 'metric', emfFields('Findings', { Severity: merged.severityLabel }, 1, now()));
    if (alert) {
      await publishPending(item);
      log('info', 'metric', emfFields('Alerts', {}, 1, now()));
    }
  }

  return (event) =>
    processBatch(
      event,
      async (record) => {
        const body = parseEventBridgeBody(record.body);
        let findings: Finding[];
        let countIsTotal = true;
        if (body.source === VIGIL_SOURCE && body['detail-type'] === FINDING_DETAIL_TYPE) {
          findings = [findingFromDetail(body.detail)];
          countIsTotal = false;
        } else {
          try {
            const found = findingsFromEvent(body);
            if (!found)
              throw new PoisonRecordError(`detail-type "${body['detail-type']}" carries no finding`);
            findings = found;
          } catch (err) {
            if (err instanceof VigilError) throw new PoisonRecordError(err.message);
            throw err;
          }
        }
        // A Security Hub event holds several findings: each is its own aggregate, keyed by the event id
        // and its position so a redelivery is recognised for every one of them.
        for (const [i, f] of findings.entries())
          await triage(f, countIsTotal, findings.length > 1 ? `${body.id}#${i}` : body.id, record.messageId);
      },
      log,
    );
}

let cold: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!cold) {
    const load = configLoader(awsParameterSource(new SSMClient({}), new SecretsManagerClient({})));
    cold = createTriageHandler({
      table: defaultTable(),
      publish: defaultPublisher(),
      settings: async () => (await load()).config,
    });
  }
  return cold(event);
};
