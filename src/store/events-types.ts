import type { VigilEvent } from '../core/event.js';
import type { S3ChangeCategory } from './events-s3.js';
import type { SpikeRule } from './events-spikes.js';

/** 0: no error; 1: AccessDenied* / *Unauthorized*; 2: any other error code. */
export type ErrorClass = 0 | 1 | 2;

/** One stored event without its raw record: what lists and tables show. */
export interface EventSummary {
  eventId: string;
  time: string;
  ts: number;
  account: string | null;
  region: string | null;
  source: string;
  eventSource: string | null;
  service: string | null;
  eventName: string | null;
  principal: string | null;
  principalType: string | null;
  accessKeyId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  errorCode: string | null;
  errorClass: 'denied' | 'error' | null;
  readOnly: boolean | null;
  bucket: string | null;
}

export interface StoredEvent extends EventSummary {
  raw: Record<string, unknown>;
}

/** A time range in epoch ms, [since, until). Rollup answers have minute resolution (range rounded outward). */
export interface TimeRange {
  since: number;
  until: number;
}

export interface ActivityFilter extends TimeRange {
  account?: string;
  region?: string;
  service?: string;
  eventName?: string;
  principal?: string;
}

export type ActivityGroup = 'none' | 'service' | 'eventName' | 'region' | 'principal' | 'account';

export interface SeriesQuery extends ActivityFilter {
  /** Bucket width in ms, a multiple of one minute. Buckets are aligned to multiples of it (UTC). */
  bucketMs: number;
  group: ActivityGroup;
  /** Keep the `top` largest groups; the rest are summed under `(other)`. */
  top: number;
}

export interface Series {
  /** Start of the first bucket and end of the last (the range rounded outward to whole buckets). */
  since: number;
  until: number;
  bucketMs: number;
  /** Start of each bucket, epoch ms. */
  times: number[];
  series: { key: string; total: number; counts: number[] }[];
}

export interface ErrorSeries {
  since: number;
  until: number;
  bucketMs: number;
  times: number[];
  total: number[];
  errors: number[];
  denied: number[];
  spikes: {
    time: number;
    kind: 'errors' | 'denied';
    count: number;
    mean: number;
    stddev: number;
    threshold: number;
  }[];
  rule: SpikeRule;
}

export interface Caller {
  principal: string;
  calls: number;
  errors: number;
  denied: number;
  services: number;
  /** Start of the last minute in the range with a call (matching the filters). */
  lastSeen: number;
}

export interface EventSearch extends ActivityFilter {
  accessKeyId?: string;
  sourceIp?: string;
  errorCode?: string;
  /** `errors`: any error code; `denied`: AccessDenied / Unauthorized only. */
  errors?: 'errors' | 'denied';
  /** Case-insensitive substring of event name, principal, source IP, user agent or error code. */
  text?: string;
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface EventPage {
  events: EventSummary[];
  nextCursor: string | null;
}

export interface TimelineQuery {
  by: 'principal' | 'accessKeyId' | 'sourceIp';
  value: string;
  at: number;
  minutes: number;
  limit: number;
}

export interface S3ChangeQuery extends TimeRange {
  account?: string;
  bucket?: string;
  principal?: string;
  category?: S3ChangeCategory;
  limit: number;
  cursor?: string;
}

export interface S3Change extends EventSummary {
  category: S3ChangeCategory;
  action: 'set' | 'removed';
  scope: 'bucket' | 'account';
  /** Removes a protection or opens access to everyone (see `weakensProtection`). */
  weakening: boolean;
}

export interface S3DataQuery extends TimeRange {
  account?: string;
  bucket?: string;
  principal?: string;
  operation?: string;
  bucketMs: number;
  group: 'bucket' | 'principal' | 'operation';
  top: number;
}

export interface S3DataSeries extends Series {
  series: { key: string; total: number; bytes: number; counts: number[] }[];
}

export interface EventStoreOptions {
  now?: () => number;
  /** Keep events for at most this many days (by event time). */
  retentionDays?: number;
  /** Keep at most this many events (the oldest go first). */
  maxEvents?: number;
  /** Events removed per pruning transaction (default 2,000), so a prune never blocks ingest for long. */
  pruneBatch?: number;
}

export interface EventStore {
  /** Stores events idempotently (by event id, or a hash of the raw record); returns how many were new. */
  add(events: readonly VigilEvent[]): number;
  get(eventId: string): StoredEvent | undefined;
  count(): number;
  series(q: SeriesQuery): Series;
  errors(q: ActivityFilter & { bucketMs: number; rule?: SpikeRule }): ErrorSeries;
  topCallers(q: ActivityFilter & { limit: number }): Caller[];
  search(q: EventSearch): EventPage;
  timeline(q: TimelineQuery): EventSummary[];
  s3Changes(q: S3ChangeQuery): { changes: S3Change[]; nextCursor: string | null };
  s3DataVolume(q: S3DataQuery): S3DataSeries;
  /** Applies the retention limits in small transactions; returns how many events were removed. */
  prune(options?: { maxBatches?: number }): number;
  close(): void;
}
