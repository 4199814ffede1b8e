import { hash } from 'node:crypto';
import type { EventSource, VigilEvent } from '../core/event.js';

/**
 * A stable id for a record that has none of its own (flow, DNS and S3 access records): a hash of the
 * format and the record's own fields, so the same record read twice, from any file or path, gets the same
 * id and the stores count it once.
 */
export function contentEventId(source: EventSource, raw: Record<string, unknown>): string {
  // One-shot hashing (no Hash object per record): the same digest as hashing the parts in turn.
  return hash('sha256', `${source}\n${JSON.stringify(raw)}`, 'hex').slice(0, 32);
}

/** ISO-8601 of epoch milliseconds in CloudTrail's style (`2024-05-01T12:00:00Z`, no zero milliseconds). */
export function isoTime(ts: number): string {
  // Records of one file share their times (flow records: their capture window), so the last answer is kept.
  if (ts === lastTs) return lastIso;
  const iso = new Date(ts).toISOString();
  lastTs = ts;
  lastIso = iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  return lastIso;
}
let lastTs = NaN;
let lastIso = '';

/** What differs between the non-CloudTrail sources; everything else of the Event is fixed. */
export interface NetworkEventFields {
  time: string;
  ts: number;
  source: EventSource;
  accountId: string | undefined;
  region: string | undefined;
  eventName: string | undefined;
  eventSource: string;
  service: string;
  principal: string | undefined;
  principalAccountId: string | undefined;
  sourceIp: string | undefined;
  userAgent: string | undefined;
  errorCode: string | undefined;
  raw: Record<string, unknown>;
}

/**
 * An Event of a network, DNS or S3 access record. Built with the same key order as CloudTrail events, so
 * every event has one object shape. The principal is an address, instance or requester, not an IAM
 * identity: its type is `Unknown`.
 */
export function networkEvent(f: NetworkEventFields): VigilEvent {
  return {
    time: f.time,
    ts: f.ts,
    source: f.source,
    accountId: f.accountId,
    region: f.region,
    eventName: f.eventName,
    eventSource: f.eventSource,
    service: f.service,
    principal: f.principal,
    principalType: 'Unknown',
    principalAccountId: f.principalAccountId,
    principalName: undefined,
    sessionName: undefined,
    accessKeyId: undefined,
    mfa: undefined,
    sourceIp: f.sourceIp,
    sourceIsService: false,
    userAgent: f.userAgent,
    errorCode: f.errorCode,
    readOnly: undefined,
    eventId: contentEventId(f.source, f.raw),
    raw: f.raw,
  };
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
