import type Database from 'better-sqlite3';
import { backoffDelay } from './backoff.js';
import { createTokenBucket, type TokenBucket } from './rate-limit.js';
import { migrateOutbox } from './schema.js';
import { sendWithTimeout } from './send.js';
import { createDeliveryStore, type Claim } from './store.js';
import { createLoop } from './loop.js';
import type { DeliveryResult } from '../notify/types.js';
import type { DeliverySummary, Outbox, OutboxOptions, Timers } from './types.js';

const DEFAULTS = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  timeoutMs: 10_000,
  leaseMarginMs: 30_000,
};
/** Sends per channel in one pass; more due deliveries wait for the next pass (which comes at once). */
const MAX_PER_PASS = 1000;

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

function positive(name: string, value: number, integer = false): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`outbox option ${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/**
 * The persisted alert outbox over a better-sqlite3 database (see openOutboxDatabase and README.md):
 * deliveries survive restarts, are retried with backoff and jitter, bounded by a per-channel timeout
 * and rate limit, and end delivered or as dead letters.
 */
export function createOutbox(db: Database.Database, options: OutboxOptions): Outbox {
  migrateOutbox(db);
  const store = createDeliveryStore(db);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const timers = options.timers ?? realTimers;
  const maxAttempts = positive('maxAttempts', options.maxAttempts ?? DEFAULTS.maxAttempts, true);
  const backoff = {
    baseDelayMs: positive('baseDelayMs', options.baseDelayMs ?? DEFAULTS.baseDelayMs),
    maxDelayMs: positive('maxDelayMs', options.maxDelayMs ?? DEFAULTS.maxDelayMs),
  };
  const leaseMarginMs = options.leaseMarginMs ?? DEFAULTS.leaseMarginMs;
  if (!(leaseMarginMs >= 0)) throw new RangeError('outbox option leaseMarginMs must not be negative');
  const timeouts = options.timeoutMs ?? DEFAULTS.timeoutMs;
  if (typeof timeouts === 'number') positive('timeoutMs', timeouts);
  else for (const [id, ms] of Object.entries(timeouts)) positive(`timeoutMs.${id}`, ms);
  const buckets = new Map<string, TokenBucket>();
  for (const [id, perMinute] of Object.entries(options.ratePerMinute ?? {})) {
    buckets.set(id, createTokenBucket(perMinute, now));
  }

  const digests = new Map<string, { everyMs: number; severities: Set<string> }>();
  for (const [id, d] of Object.entries(options.digests ?? {})) {
    positive(`digests.${id}.everyMs`, d.everyMs);
    const channel = options.channels.get(id);
    if (channel && !channel.sendDigest)
      throw new RangeError(`outbox option digests.${id}: a ${channel.kind} channel cannot send digests`);
    digests.set(id, { everyMs: d.everyMs, severities: new Set(d.severities) });
  }

  /** The end of the channel's window if this alert waits for a digest; resolved alerts never do. */
  function holdUntil(alert: Parameters<Outbox['enqueue']>[0], at: number) {
    return (channelId: string): number | undefined => {
      const d = digests.get(channelId);
      if (!d || alert.reason === 'resolved' || !d.severities.has(alert.finding.severityLabel))
        return undefined;
      return at + d.everyMs;
    };
  }

  /**
   * Cuts a digest for every channel whose window has ended (all its held alerts, the window being measured
   * from the first), and releases what is held for a channel that no longer has a digest.
   */
  function cutDigests(t: number): void {
    for (const [channelId, due] of store.heldChannels()) {
      if (!digests.has(channelId)) store.release(channelId, t);
      else if (due <= t) while (store.cutDigest(channelId, t) !== undefined);
    }
  }

  function timeoutFor(channelId: string): number {
    if (typeof timeouts === 'number') return timeouts;
    return Object.hasOwn(timeouts, channelId) ? timeouts[channelId]! : DEFAULTS.timeoutMs;
  }

  async function attempt(claim: Claim, summary: DeliverySummary): Promise<void> {
    const channel = options.channels.get(claim.channelId)!;
    const { digest, alert } = claim;
    const send = digest
      ? channel.sendDigest
        ? (o: { signal: AbortSignal }) => channel.sendDigest!(digest, o)
        : async (): Promise<DeliveryResult> => ({
            ok: false,
            retryable: false,
            error: `a ${channel.kind} channel cannot send digests`,
          })
      : (o: { signal: AbortSignal }) => channel.send(alert!, o);
    const result = await sendWithTimeout(send, timeoutFor(claim.channelId), timers);
    const t = now();
    const told = (outcome: 'delivered' | 'retry' | 'dead') =>
      options.onOutcome?.(claim.channelId, outcome, claim.alert);
    if (result.ok) {
      if (store.markDelivered(claim, t, result.providerId)) {
        summary.delivered++;
        told('delivered');
      }
    } else if (!result.retryable) {
      if (store.markDead(claim, t, 'not-retryable', result.error)) {
        summary.dead++;
        told('dead');
      }
    } else if (claim.attempts >= maxAttempts) {
      if (store.markDead(claim, t, 'attempts-exhausted', result.error)) {
        summary.dead++;
        told('dead');
      }
    } else {
      const nextAt = t + backoffDelay(claim.attempts, backoff, random());
      if (store.markRetry(claim, t, nextAt, result.error)) {
        summary.failed++;
        told('retry');
      }
    }
  }

  async function deliverChannel(channelId: string, summary: DeliverySummary): Promise<void> {
    if (!options.channels.has(channelId)) {
      summary.dead += store.killChannel(channelId, now(), `channel "${channelId}" is not configured`);
      return;
    }
    const bucket = buckets.get(channelId);
    for (let sent = 0; sent < MAX_PER_PASS; sent++) {
      if (bucket && bucket.waitMs() > 0) {
        summary.deferred += store.dueCount(channelId, now());
        return;
      }
      const t = now();
      const claim = store.claim(channelId, t, t + timeoutFor(channelId) + leaseMarginMs);
      if (!claim) return;
      if (claim.attempts > maxAttempts) {
        // Only an attempt interrupted by a crash gets here: the budget was spent without an outcome.
        if (store.markDead(claim, t, 'attempts-exhausted', claim.lastError ?? 'attempts exhausted')) {
          summary.dead++;
        }
        continue;
      }
      bucket?.take();
      await attempt(claim, summary);
    }
  }

  /** Channels are served in parallel; deliveries of one channel one after another, in due order. */
  // One worker per channel at a time. A delivery enqueued while a pass runs starts its channel's worker at
  // once (see enqueue) instead of waiting for a slow channel's worker to finish the pass.
  const workers = new Map<string, Promise<void>>();
  let pass: { summary: DeliverySummary; failures: unknown[] } | undefined;

  function startWorkers(current: { summary: DeliverySummary; failures: unknown[] }): void {
    for (const id of store.dueChannels(now())) {
      if (workers.has(id)) continue;
      const worker = deliverChannel(id, current.summary)
        .catch((err: unknown) => void current.failures.push(err))
        .finally(() => workers.delete(id));
      workers.set(id, worker);
    }
  }

  async function deliverDue(): Promise<DeliverySummary> {
    const current = { summary: { delivered: 0, failed: 0, dead: 0, deferred: 0 }, failures: [] as unknown[] };
    pass = current;
    try {
      cutDigests(now());
      startWorkers(current);
      while (workers.size) await Promise.all([...workers.values()]);
    } finally {
      pass = undefined;
    }
    if (current.failures.length) throw current.failures[0];
    return current.summary;
  }

  /** When the loop must next run: each channel's earliest due time, pushed back by its rate limit. */
  function nextWake(): number | undefined {
    let wake: number | undefined;
    const t = now();
    for (const [channelId, due] of store.nextDue()) {
      const bucket = options.channels.has(channelId) ? buckets.get(channelId) : undefined;
      const at = Math.max(due, bucket ? t + bucket.waitMs() : due);
      wake = wake === undefined ? at : Math.min(wake, at);
    }
    return wake;
  }

  const loop = createLoop({
    run: deliverDue,
    nextWake,
    now,
    timers,
    pollMs: options.pollMs,
    onError: options.onError,
  });

  return {
    enqueue(alert, channelIds) {
      const t = now();
      const added = store.insert(alert, channelIds, t, holdUntil(alert, t));
      if (added > 0) {
        if (pass) startWorkers(pass);
        loop.wake();
      }
      return added;
    },
    deliverDue,
    start() {
      if (options.soleOwner) store.expireLeases(now());
      loop.start();
    },
    stop: loop.stop,
    idle: loop.idle,
    list: (filter = {}) => store.list(filter),
    deadLetters: (limit) => store.list({ status: 'dead', limit }),
    retry(id) {
      const requeued = store.requeue(id, now());
      if (requeued) loop.wake();
      return requeued;
    },
    stats: () => store.stats(),
    nextDueAt() {
      let min: number | undefined;
      for (const due of store.nextDue().values()) min = min === undefined ? due : Math.min(min, due);
      return min === undefined ? undefined : new Date(min).toISOString();
    },
  };
}
