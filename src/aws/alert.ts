import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import type { Alert } from '../notify/types.js';
import { findingEvent, type RoutedEvent } from '../router/routed-event.js';
import { PoisonRecordError } from './batch.js';
import type { EventBridgeEvent } from './types.js';

/**
 * The "Vigil Alert" event's detail: the Finding itself (so EventBridge rules and Vigil routes match on
 * `detail.*` exactly as for a routed event), plus one extra key, `alert`, with the alert's stable id and
 * reason, which notify and respond remove before the finding reaches a channel or a playbook.
 */
export interface AlertDetail extends Finding {
  alert: { id: string; reason: Alert['reason'] };
}

/** The alert id: stable per finding, reason, severity and occurrence, as `vigil serve` computes it. */
export function alertId(finding: Finding, reason: Alert['reason'], occurrence: string): string {
  const h = createHash('sha256')
    .update(`${finding.id}\u0000${reason}\u0000${finding.severity}\u0000${occurrence}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** A Finding as it travels in an event's detail; anything unusable is poison (it can never be read). */
export function findingFromDetail(detail: unknown): Finding {
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    throw new PoisonRecordError('detail is not a finding object');
  const f = detail as Record<string, unknown>;
  for (const key of ['id', 'type', 'detector', 'title', 'accountId', 'region', 'firstSeen', 'lastSeen'])
    if (!isString(f[key])) throw new PoisonRecordError(`finding has no ${key} string`);
  if (typeof f.severity !== 'number' || !Number.isFinite(f.severity))
    throw new PoisonRecordError('finding has no numeric severity');
  if (typeof f.count !== 'number') throw new PoisonRecordError('finding has no count');
  const evidence = f.evidence as { eventIds?: unknown; eventNames?: unknown } | undefined;
  if (!evidence || !Array.isArray(evidence.eventIds) || !evidence.eventIds.every(isString))
    throw new PoisonRecordError('finding has no evidence.eventIds list');
  if (!Array.isArray(f.resources)) throw new PoisonRecordError('finding has no resources list');
  const { alert: _alert, ...finding } = f;
  void _alert;
  return finding as unknown as Finding;
}

/** The alert a "Vigil Alert" event carries, with the routed event routes and patterns see. */
export function alertFromEvent(event: EventBridgeEvent): Alert {
  const finding = findingFromDetail(event.detail);
  const meta = (event.detail as { alert?: { id?: unknown; reason?: unknown } }).alert;
  const reason: Alert['reason'] =
    meta?.reason === 'severity-raised' || meta?.reason === 'resolved' ? meta.reason : 'new';
  const routed: RoutedEvent = findingEvent(finding);
  if (isString(meta?.id)) routed.id = meta.id;
  const receivedAt = event.time ? Date.parse(event.time) : NaN;
  return { finding, event: routed, reason, ...(Number.isFinite(receivedAt) ? { receivedAt } : {}) };
}
