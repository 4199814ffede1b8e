import type Database from 'better-sqlite3';
import type { Alert } from '../notify/types.js';
import {
  DELIVERY_STATUSES,
  type DeadReason,
  type Delivery,
  type DeliveryFilter,
  type DeliveryStatus,
  type OutboxStats,
} from './types.js';

/** The SQL of the outbox: fixed statements, every value a bound parameter. */

interface Row {
  id: number;
  finding_id: string;
  channel_id: string;
  alert_key: string;
  alert_json: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  dead_reason: DeadReason | null;
  provider_id: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** A delivery claimed for one send. */
export interface Claim {
  id: number;
  channelId: string;
  attempts: number;
  alert: Alert;
  lastError?: string;
}

const MAX_ERROR_CHARS = 2000;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export const INTERRUPTED =
  'the previous attempt was interrupted: its lease expired before an outcome was recorded (process stopped?)';

/** Due: waiting and its time has come, or in flight with an expired lease. */
const DUE = `((status IN ('pending', 'retry') AND next_attempt_at <= @now)
  OR (status = 'sending' AND lease_until <= @now))`;

/** The alert key: with finding and channel ids, what makes a delivery unique. */
export function alertKey(alert: Alert): string {
  return `${alert.reason}:${alert.finding.severity}:${alert.event.id}`;
}

function iso(ms: number | null): string | undefined {
  return ms === null ? undefined : new Date(ms).toISOString();
}

function toDelivery(r: Row): Delivery {
  const d: Delivery = {
    id: r.id,
    findingId: r.finding_id,
    channelId: r.channel_id,
    alertKey: r.alert_key,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: iso(r.next_attempt_at)!,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    alert: JSON.parse(r.alert_json) as Alert,
  };
  if (r.status === 'sending' && r.lease_until !== null) d.leaseUntil = iso(r.lease_until);
  if (r.last_error !== null) d.lastError = r.last_error;
  if (r.dead_reason !== null) d.deadReason = r.dead_reason;
  if (r.provider_id !== null) d.providerId = r.provider_id;
  if (r.delivered_at !== null) d.deliveredAt = iso(r.delivered_at);
  return d;
}

function clip(error: string): string {
  return error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error;
}

function emptyCounts(): Record<DeliveryStatus, number> {
  return Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;

export function createDeliveryStore(db: Database.Database) {
  const stmt = {
    insert: db.prepare(
      `INSERT INTO outbox_deliveries (finding_id, channel_id, alert_key, alert_json, status, attempts,
         next_attempt_at, created_at, updated_at)
       VALUES (@findingId, @channelId, @alertKey, @alertJson, 'pending', 0, @now, @now, @now)
       ON CONFLICT (finding_id, channel_id, alert_key) DO NOTHING`,
    ),
    dueCount: db.prepare<{ channelId: string; now: number }, { n: number }>(
      `SELECT COUNT(*) AS n FROM outbox_deliveries WHERE channel_id = @channelId AND ${DUE}`,
    ),
    expireLeases: db.prepare<{ now: number }>(
      `UPDATE outbox_deliveries SET lease_until = @now WHERE status = 'sending' AND lease_until > @now`,
    ),
    dueChannels: db.prepare<{ now: number }, { channel_id: string }>(
      `SELECT DISTINCT channel_id FROM outbox_deliveries WHERE ${DUE} ORDER BY channel_id`,
    ),
    claim: db.prepare<{ channelId: string; now: number; lease: number; interrupted: string }, Row>(
      `UPDATE outbox_deliveries
       SET status = 'sending', attempts = attempts + 1, lease_until = @lease, updated_at = @now,
           last_error = CASE WHEN status = 'sending' THEN @interrupted ELSE last_error END
       WHERE id = (SELECT id FROM outbox_deliveries WHERE channel_id = @channelId AND ${DUE}
                   ORDER BY next_attempt_at, id LIMIT 1)
       RETURNING *`,
    ),
    delivered: db.prepare(
      `UPDATE outbox_deliveries
       SET status = 'delivered', provider_id = @providerId, delivered_at = @now, updated_at = @now,
           lease_until = NULL, last_error = NULL
       WHERE id = @id AND status = 'sending' AND attempts = @attempts`,
    ),
    retry: db.prepare(
      `UPDATE outbox_deliveries
       SET status = 'retry', next_attempt_at = @nextAt, last_error = @error, updated_at = @now, lease_until = NULL
       WHERE id = @id AND status = 'sending' AND attempts = @attempts`,
    ),
    dead: db.prepare(
      `UPDATE outbox_deliveries
       SET status = 'dead', dead_reason = @reason, last_error = @error, updated_at = @now, lease_until = NULL
       WHERE id = @id AND status = 'sending' AND attempts = @attempts`,
    ),
    deadChannel: db.prepare(
      `UPDATE outbox_deliveries
       SET status = 'dead', dead_reason = 'channel-missing', last_error = @error, updated_at = @now,
           lease_until = NULL
       WHERE channel_id = @channelId AND ${DUE}`,
    ),
    requeue: db.prepare(
      `UPDATE outbox_deliveries
       SET status = 'pending', attempts = 0, next_attempt_at = @now, dead_reason = NULL, updated_at = @now
       WHERE id = @id AND status = 'dead'`,
    ),
    list: db.prepare<
      { status: string | null; channelId: string | null; findingId: string | null; limit: number },
      Row
    >(
      `SELECT * FROM outbox_deliveries
       WHERE (@status IS NULL OR status = @status)
         AND (@channelId IS NULL OR channel_id = @channelId)
         AND (@findingId IS NULL OR finding_id = @findingId)
       ORDER BY id DESC LIMIT @limit`,
    ),
    stats: db.prepare<[], { channel_id: string; status: DeliveryStatus; n: number }>(
      `SELECT channel_id, status, COUNT(*) AS n FROM outbox_deliveries GROUP BY channel_id, status`,
    ),
    nextDue: db.prepare<[], { channel_id: string; due: number }>(
      `SELECT channel_id, MIN(CASE WHEN status = 'sending' THEN lease_until ELSE next_attempt_at END) AS due
       FROM outbox_deliveries WHERE status IN ('pending', 'retry', 'sending') GROUP BY channel_id`,
    ),
  };

  const insertAll = db.transaction((alert: Alert, channelIds: string[], now: number) => {
    const key = alertKey(alert);
    const alertJson = JSON.stringify(alert);
    let added = 0;
    for (const channelId of new Set(channelIds)) {
      added += stmt.insert.run({
        findingId: alert.finding.id,
        channelId,
        alertKey: key,
        alertJson,
        now,
      }).changes;
    }
    return added;
  });

  return {
    insert(alert: Alert, channelIds: string[], now: number): number {
      return insertAll.immediate(alert, channelIds, now);
    },
    dueChannels(now: number): string[] {
      return stmt.dueChannels.all({ now }).map((r) => r.channel_id);
    },
    dueCount(channelId: string, now: number): number {
      return stmt.dueCount.get({ channelId, now })?.n ?? 0;
    },
    /** Atomically takes the next due delivery of a channel and marks it `sending` until `lease`. */
    claim(channelId: string, now: number, lease: number): Claim | undefined {
      const r = stmt.claim.get({ channelId, now, lease, interrupted: INTERRUPTED });
      if (!r) return undefined;
      const c: Claim = {
        id: r.id,
        channelId: r.channel_id,
        attempts: r.attempts,
        alert: JSON.parse(r.alert_json) as Alert,
      };
      if (r.last_error !== null) c.lastError = r.last_error;
      return c;
    },
    /** The outcome setters apply only while the claim is still ours (same status and attempt). */
    markDelivered(c: Claim, now: number, providerId: string | undefined): boolean {
      return (
        stmt.delivered.run({ id: c.id, attempts: c.attempts, now, providerId: providerId ?? null }).changes >
        0
      );
    },
    markRetry(c: Claim, now: number, nextAt: number, error: string): boolean {
      return stmt.retry.run({ id: c.id, attempts: c.attempts, now, nextAt, error: clip(error) }).changes > 0;
    },
    markDead(c: Claim, now: number, reason: DeadReason, error: string): boolean {
      return stmt.dead.run({ id: c.id, attempts: c.attempts, now, reason, error: clip(error) }).changes > 0;
    },
    /** Every due delivery of a channel that is not configured becomes a dead letter. */
    killChannel(channelId: string, now: number, error: string): number {
      return stmt.deadChannel.run({ channelId, now, error: clip(error) }).changes;
    },
    /** Makes every delivery left `sending` due now: for a process that knows no other one shares the file. */
    expireLeases(now: number): number {
      return stmt.expireLeases.run({ now }).changes;
    },
    requeue(id: number, now: number): boolean {
      return stmt.requeue.run({ id, now }).changes > 0;
    },
    list(filter: DeliveryFilter): Delivery[] {
      if (filter.status !== undefined && !DELIVERY_STATUSES.includes(filter.status)) {
        throw new RangeError(`unknown delivery status "${String(filter.status)}"`);
      }
      const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(filter.limit ?? DEFAULT_LIMIT)));
      return stmt.list
        .all({
          status: filter.status ?? null,
          channelId: filter.channelId ?? null,
          findingId: filter.findingId ?? null,
          limit: Number.isFinite(limit) ? limit : DEFAULT_LIMIT,
        })
        .map(toDelivery);
    },
    stats(): OutboxStats {
      // No prototype: a channel named `__proto__` or `constructor` is just a key.
      const out: OutboxStats = {
        channels: Object.create(null) as OutboxStats['channels'],
        total: emptyCounts(),
      };
      for (const r of stmt.stats.all()) {
        const counts = (out.channels[r.channel_id] ??= emptyCounts());
        counts[r.status] += r.n;
        out.total[r.status] += r.n;
      }
      return out;
    },
    /** Per channel, when its earliest undelivered delivery is due (or its lease expires). */
    nextDue(): Map<string, number> {
      return new Map(stmt.nextDue.all().map((r) => [r.channel_id, r.due]));
    },
  };
}
