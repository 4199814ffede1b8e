import type { Alert, Channel } from '../notify/types.js';

/** Where a delivery is in its life; see README.md for the transitions. */
export type DeliveryStatus = 'pending' | 'sending' | 'retry' | 'delivered' | 'dead';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'sending',
  'retry',
  'delivered',
  'dead',
];

/** Why a delivery ended as a dead letter. */
export type DeadReason = 'not-retryable' | 'attempts-exhausted' | 'channel-missing';

/**
 * One alert on its way to one channel, as stored in the outbox, or (kind `digest`) one digest message made
 * of held alerts. Times are ISO 8601.
 */
export interface Delivery {
  id: number;
  kind: 'alert' | 'digest';
  findingId: string;
  channelId: string;
  /** `${reason}:${severity}:${event.id}`: with the finding and channel, what makes a delivery unique. */
  alertKey: string;
  status: DeliveryStatus;
  /** How many times a send was started (an attempt interrupted by a crash counts). */
  attempts: number;
  nextAttemptAt: string;
  /** While `sending`: when another worker may take the delivery over (the sender is presumed dead). */
  leaseUntil?: string;
  lastError?: string;
  deadReason?: DeadReason;
  providerId?: string;
  createdAt: string;
  updatedAt: string;
  deliveredAt?: string;
  /** While an alert waits for its channel's digest: when the window it is in ends. */
  heldUntil?: string;
  /** The digest delivery this alert was sent in (it is `delivered` once that digest is). */
  digestId?: number;
  /** Kind `alert`: the alert. */
  alert?: Alert;
  /** Kind `digest`: how many alerts it holds and the window they were held in. */
  digest?: { count: number; since: string; until: string };
}

/** A channel's digest: alerts whose finding severity label is in `severities` wait `everyMs`, then go as one. */
export interface DigestOptions {
  /** The window, measured from the first alert held. */
  everyMs: number;
  /** Finding severity labels held (`LOW`, `MEDIUM`); resolved alerts are never held. */
  severities: readonly string[];
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  channelId?: string;
  findingId?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface DeliverySummary {
  /** Sent and acknowledged by the channel. */
  delivered: number;
  /** Failed and scheduled for another attempt. */
  failed: number;
  /** Moved to the dead letters. */
  dead: number;
  /** Due but held back by the channel's rate limit; still due, nothing dropped. */
  deferred: number;
}

export interface OutboxStats {
  /** Count of deliveries per channel id and status (statuses with no delivery are 0). */
  channels: Record<string, Record<DeliveryStatus, number>>;
  total: Record<DeliveryStatus, number>;
}

/** The timer functions the outbox uses (send timeouts, the delivery loop); tests pass manual ones. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface OutboxOptions {
  channels: Map<string, Channel>;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
  /** In [0, 1); default Math.random. Drives the backoff jitter. */
  random?: () => number;
  timers?: Timers;
  /** Sends started before a delivery becomes a dead letter (default 8). */
  maxAttempts?: number;
  /** First retry delay before jitter (default 1 s). */
  baseDelayMs?: number;
  /** Cap on the retry delay before jitter (default 5 min). */
  maxDelayMs?: number;
  /** Time allowed for one send: one number for every channel, or per channel id (default 10 s). */
  timeoutMs?: number | Record<string, number>;
  /** Added to the timeout to form the lease of a delivery in flight (default 30 s). */
  leaseMarginMs?: number;
  /** Token bucket per channel id: at most this many sends per minute, bursts up to the same number. */
  ratePerMinute?: Record<string, number>;
  /** Per channel id: hold matching alerts and send them as one digest per window (see README.md). */
  digests?: Record<string, DigestOptions>;
  /**
   * The loop also wakes at least this often, to notice deliveries enqueued by another process sharing
   * the file. Off by default: enqueue() and the next due time wake the loop without polling.
   */
  pollMs?: number;
  /**
   * This process alone uses the database file (as `vigil serve` does with its own outbox file): on start,
   * deliveries a killed earlier run left `sending` are retried at once instead of after their lease.
   */
  soleOwner?: boolean;
  /** Told about every attempt's outcome (metrics); `alert` is undefined for a digest. */
  onOutcome?: (channelId: string, outcome: 'delivered' | 'retry' | 'dead', alert: Alert | undefined) => void;
  /** Called when a pass of the loop fails (the database went away, the disk is full). */
  onError?: (err: unknown) => void;
}

export interface Outbox {
  /**
   * Adds one delivery per channel in one transaction; returns how many were new. On a channel with a
   * digest, an alert of a held severity waits for the digest instead of being due at once.
   */
  enqueue(alert: Alert, channelIds: string[]): number;
  /** Sends every due delivery once (honouring rate limits) and records each outcome. */
  deliverDue(): Promise<DeliverySummary>;
  /** Starts the delivery loop: it runs when something is enqueued or the next delivery is due. */
  start(): void;
  /** Stops the loop and waits for the pass in progress, if any. */
  stop(): Promise<void>;
  /** Resolves when the loop has no pass in progress (and none requested). */
  idle(): Promise<void>;
  list(filter?: DeliveryFilter): Delivery[];
  deadLetters(limit?: number): Delivery[];
  /** Requeues a dead letter with a fresh attempt budget; false if the id is not a dead letter. */
  retry(id: number): boolean;
  stats(): OutboxStats;
  /** When the earliest undelivered delivery becomes due (ISO time), ignoring rate limits; undefined if none. */
  nextDueAt(): string | undefined;
}
