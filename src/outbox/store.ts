import type Database from 'better-sqlite3';
import type { Alert, Digest } from '../notify/types.js';
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
  kind: 'alert' | 'digest';
  hold_until: number | null;
  digest_id: number | null;
}

/** What a digest delivery's row stores in `alert_json`; its alerts are the rows whose `digest_id` is its id. */
interface DigestRecord {
  count: number;
  since: number;
  until: number;
}

/** A delivery claimed for one send: an alert, or a digest with its alerts. */
export interface Claim {
  id: number;
  channelId: string;
  attempts: number;
  alert?: Alert;
  digest?: Digest;
  lastError?: string;
}

/** The most alerts one digest carries; a bigger window is cut into several digests at once. */
export const MAX_DIGEST_ALERTS = 1000;

const MAX_ERROR_CHARS = 2000;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export const INTERRUPTED =
  'the previous attempt was interrupted: its lease expired before an outcome was recorded (process stopped?)';

/** Due: waiting and its time has come, or in flight with an expired lease. Held alerts are never due. */
const DUE = `(hold_until IS NULL AND ((status IN ('pending', 'retry') AND next_attempt_at <= @now)
  OR (status = 'sending' AND lease_until <= @now)))`;

/** Waiting for its channel's digest window to end. */
const HELD = `(status = 'pending' AND hold_until IS NOT NULL AND digest_id IS NULL)`;

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
    kind: r.kind,
    findingId: r.finding_id,
    channelId: r.channel_id,
    alertKey: r.alert_key,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: iso(r.next_attempt_at)!,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
  if (r.kind === 'digest') {
    const rec = JSON.parse(r.alert_json) as DigestRecord;
    d.digest = { count: rec.count, since: iso(rec.since)!, until: iso(rec.until)! };
  } else d.alert = JSON.parse(r.alert_json) as Alert;
  if (r.hold_until !== null && r.digest_id === null && r.status === 'pending')
    d.heldUntil = iso(r.hold_until);
  if (r.digest_id !== null) d.digestId = r.digest_id;
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
         next_attempt_at, hold_until, created_at, updated_at)
       VALUES (@findingId, @channelId, @alertKey, @alertJson, 'pending', 0, COALESCE(@holdUntil, @now),
         @holdUntil, @now, @now)
       ON CONFLICT (finding_id, channel_id, alert_key) DO NOTHING`,
    ),
    heldChannels: db.prepare<[], { channel_id: string; due: number }>(
      `SELECT channel_id, MIN(next_attempt_at) AS due FROM outbox_deliveries WHERE ${HELD} GROUP BY channel_id`,
    ),
    heldBatch: db.prepare<{ channelId: string; limit: number }, { id: number; created_at: number }>(
      `SELECT id, created_at FROM outbox_deliveries WHERE channel_id = @channelId AND ${HELD}
       ORDER BY id LIMIT @limit`,
    ),
    insertDigest: db.prepare(
      `INSERT INTO outbox_deliveries (finding_id, channel_id, alert_key, alert_json, status, attempts,
         next_attempt_at, kind, created_at, updated_at)
       VALUES ('digest', @channelId, @alertKey, @json, 'pending', 0, @now, 'digest', @now, @now)`,
    ),
    attachToDigest: db.prepare(
      `UPDATE outbox_deliveries SET digest_id = @digestId, updated_at = @now
       WHERE channel_id = @channelId AND ${HELD} AND id <= @lastId`,
    ),
    release: db.prepare(
      `UPDATE outbox_deliveries SET hold_until = NULL, next_attempt_at = @now, updated_at = @now
       WHERE channel_id = @channelId AND ${HELD}`,
    ),
    digestAlerts: db.prepare<{ digestId: number }, { alert_json: string }>(
      `SELECT alert_json FROM outbox_deliveries WHERE digest_id = @digestId ORDER BY id`,
    ),
    digestDelivered: db.prepare(
      `UPDATE outbox_deliveries
       SET status = 'delivered', provider_id = @providerId, delivered_at = @now, updated_at = @now
       WHERE digest_id = @digestId AND status = 'pending'`,
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
    // A held alert counts at its window end (its next_attempt_at); one already in a digest not at all.
    nextDue: db.prepare<[], { channel_id: string; due: number }>(
      `SELECT channel_id, MIN(CASE WHEN status = 'sending' THEN lease_until ELSE next_attempt_at END) AS due
       FROM outbox_deliveries WHERE status IN ('pending', 'retry', 'sending') AND digest_id IS NULL
       GROUP BY channel_id`,
    ),
  };

  const insertAll = db.transaction(
    (
      alert: Alert,
      channelIds: string[],
      now: number,
      holdUntil: (channelId: string) => number | undefined,
    ) => {
      const key = alertKey(alert);
      const alertJson = JSON.stringify(alert);
      let added = 0;
      for (const channelId of new Set(channelIds)) {
        added += stmt.insert.run({
          findingId: alert.finding.id,
          channelId,
          alertKey: key,
          alertJson,
          holdUntil: holdUntil(channelId) ?? null,
          now,
        }).changes;
      }
      return added;
    },
  );

  // The digest row and the marking of its alerts are one transaction: a crash leaves either the alerts
  // still held (cut again after the restart) or the digest with all of them, never both or neither.
  const cut = db.transaction((channelId: string, now: number): number | undefined => {
    const batch = stmt.heldBatch.all({ channelId, limit: MAX_DIGEST_ALERTS });
    if (!batch.length) return undefined;
    const first = batch[0]!;
    const last = batch[batch.length - 1]!;
    const record: DigestRecord = {
      count: batch.length,
      since: Math.min(...batch.map((b) => b.created_at)),
      until: now,
    };
    const digestId = Number(
      stmt.insertDigest.run({
        channelId,
        alertKey: `digest:${first.id}`,
        json: JSON.stringify(record),
        now,
      }).lastInsertRowid,
    );
    stmt.attachToDigest.run({ digestId, channelId, now, lastId: last.id });
    return digestId;
  });

  const deliveredDigest = db.transaction((c: Claim, now: number, providerId: string | null): boolean => {
    if (stmt.delivered.run({ id: c.id, attempts: c.attempts, now, providerId }).changes === 0) return false;
    stmt.digestDelivered.run({ digestId: c.id, now, providerId });
    return true;
  });

  return {
    /** `holdUntil(channel)`: the end of the channel's digest window when this alert is to be held. */
    insert(
      alert: Alert,
      channelIds: string[],
      now: number,
      holdUntil: (channelId: string) => number | undefined = () => undefined,
    ): number {
      return insertAll.immediate(alert, channelIds, now, holdUntil);
    },
    /** Per channel with held alerts, when its window ends (its first held alert's end). */
    heldChannels(): Map<string, number> {
      return new Map(stmt.heldChannels.all().map((r) => [r.channel_id, r.due]));
    },
    /** Makes the next (up to MAX_DIGEST_ALERTS) held alerts of a channel one digest; its id, or undefined. */
    cutDigest(channelId: string, now: number): number | undefined {
      return cut.immediate(channelId, now);
    },
    /** Held alerts of a channel that no longer has a digest become ordinary deliveries, due now. */
    release(channelId: string, now: number): number {
      return stmt.release.run({ channelId, now }).changes;
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
      const c: Claim = { id: r.id, channelId: r.channel_id, attempts: r.attempts };
      if (r.kind === 'digest') {
        const rec = JSON.parse(r.alert_json) as DigestRecord;
        c.digest = {
          id: String(r.id),
          channelId: r.channel_id,
          since: iso(rec.since)!,
          until: iso(rec.until)!,
          alerts: stmt.digestAlerts.all({ digestId: r.id }).map((a) => JSON.parse(a.alert_json) as Alert),
        };
      } else c.alert = JSON.parse(r.alert_json) as Alert;
      if (r.last_error !== null) c.lastError = r.last_error;
      return c;
    },
    /** The outcome setters apply only while the claim is still ours (same status and attempt). */
    markDelivered(c: Claim, now: number, providerId: string | undefined): boolean {
      // A delivered digest delivers its alerts with it, in the same transaction.
      if (c.digest) return deliveredDigest.immediate(c, now, providerId ?? null);
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
