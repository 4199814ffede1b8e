import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../notify/types.js';
import { createOutbox } from './outbox.js';
import { openOutboxDatabase } from './schema.js';
import {
  countingChannel,
  httpChannel,
  makeAlert,
  manualClock,
  manualTimers,
  startServer,
  type ManualClock,
  type ManualTimers,
  type TestServer,
} from './testing.js';
import type { OutboxOptions } from './types.js';

let dir: string;
let file: string;
let clock: ManualClock;
let timers: ManualTimers;
const open: Database.Database[] = [];
const servers: TestServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-outbox-'));
  file = join(dir, 'outbox.db');
  clock = manualClock();
  timers = manualTimers(clock);
});
afterEach(async () => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const s of servers.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function outbox(channels: Channel[], options: Partial<OutboxOptions> = {}) {
  const db = openOutboxDatabase(file);
  open.push(db);
  const box = createOutbox(db, {
    channels: new Map(channels.map((c) => [c.id, c])),
    now: clock.now,
    random: () => 0,
    timers,
    ...options,
  });
  return { db, box };
}

async function server(handle: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handle);
  servers.push(s);
  return s;
}

const at = (ms: number) => new Date(ms).toISOString();

describe('createOutbox: delivery', () => {
  it('delivers an alert exactly once and records provider id, attempts and time', async () => {
    const ch = countingChannel('log', () => ({ ok: true, providerId: 'msg-1' }));
    const { box } = outbox([ch]);
    const alert = makeAlert();
    expect(box.enqueue(alert, ['log'])).toBe(1);
    expect(await box.deliverDue()).toEqual({ delivered: 1, failed: 0, dead: 0, deferred: 0 });
    expect(await box.deliverDue()).toEqual({ delivered: 0, failed: 0, dead: 0, deferred: 0 });
    expect(ch.sends).toEqual([alert]);
    const [d] = box.list();
    expect(d).toMatchObject({
      status: 'delivered',
      attempts: 1,
      providerId: 'msg-1',
      deliveredAt: at(clock.now()),
      findingId: alert.finding.id,
      channelId: 'log',
      alertKey: `new:${alert.finding.severity}:${alert.event.id}`,
    });
    expect(d!.alert).toEqual(alert);
    expect(timers.pending()).toEqual([]);
  });

  it('retries after a 500 and delivers once on the 200, with attempts = 2', async () => {
    const s = await server((n, _req, res) => {
      if (n === 1) res.writeHead(500).end('upstream down');
      else res.writeHead(200, { 'x-request-id': 'req-42' }).end('ok');
    });
    const { box } = outbox([httpChannel('hook', s.url)], { baseDelayMs: 1000 });
    const alert = makeAlert();
    box.enqueue(alert, ['hook']);

    expect(await box.deliverDue()).toMatchObject({ delivered: 0, failed: 1 });
    const [retrying] = box.list();
    // random() = 0: min(5 min, 1000 × 2^0) × 0.5
    expect(retrying).toMatchObject({ status: 'retry', attempts: 1, lastError: 'HTTP 500' });
    expect(retrying!.nextAttemptAt).toBe(at(clock.now() + 500));

    clock.advance(499);
    expect(await box.deliverDue()).toMatchObject({ delivered: 0, failed: 0 });
    expect(s.requests).toHaveLength(1);

    clock.advance(1);
    expect(await box.deliverDue()).toMatchObject({ delivered: 1, failed: 0 });
    expect(box.list()[0]).toMatchObject({ status: 'delivered', attempts: 2, providerId: 'req-42' });
    expect(box.list()[0]!.lastError).toBeUndefined();
    expect(await box.deliverDue()).toMatchObject({ delivered: 0 });
    expect(s.requests).toHaveLength(2);
    expect(s.requests.map((r) => r.headers['idempotency-key'])).toEqual([alert.event.id, alert.event.id]);
  });

  it('a server that never answers times out (signal aborted) and the delivery is retried', async () => {
    const s = await server(() => {
      // never answers
    });
    const { box } = outbox([httpChannel('hook', s.url)], { timeoutMs: { hook: 2500 } });
    box.enqueue(makeAlert(), ['hook']);
    const pass = box.deliverDue();
    await s.received(1);
    expect(timers.fire(2500)).toBe(1);
    expect(await pass).toMatchObject({ failed: 1, delivered: 0 });
    expect(box.list()[0]).toMatchObject({
      status: 'retry',
      attempts: 1,
      lastError: 'timed out after 2500 ms',
    });
  });

  it('times out a channel that ignores the abort signal', async () => {
    let aborted = false;
    const stuck: Channel = {
      id: 'stuck',
      kind: 'log',
      send: (_alert, { signal }) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => {});
      },
    };
    const { box } = outbox([stuck]);
    box.enqueue(makeAlert(), ['stuck']);
    const pass = box.deliverDue();
    await Promise.resolve();
    expect(timers.fire(10_000)).toBe(1); // the default timeout
    expect(await pass).toMatchObject({ failed: 1 });
    expect(aborted).toBe(true);
    expect(box.list()[0]).toMatchObject({ status: 'retry', lastError: 'timed out after 10000 ms' });
  });

  it('a non-retryable failure becomes a dead letter at once', async () => {
    const s = await server((_n, _req, res) => res.writeHead(400).end('bad payload'));
    const { box } = outbox([httpChannel('hook', s.url)]);
    box.enqueue(makeAlert(), ['hook']);
    expect(await box.deliverDue()).toMatchObject({ dead: 1, failed: 0 });
    clock.advance(60 * 60_000);
    expect(await box.deliverDue()).toMatchObject({ dead: 0, failed: 0, delivered: 0 });
    expect(s.requests).toHaveLength(1);
    const dead = box.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      status: 'dead',
      deadReason: 'not-retryable',
      attempts: 1,
      lastError: 'HTTP 400',
    });
  });

  it('retries with exponential backoff, then keeps the last error when attempts are exhausted', async () => {
    const ch = countingChannel('flaky', (n) => ({ ok: false, retryable: true, error: `boom ${n}` }));
    const { box } = outbox([ch], { maxAttempts: 3, baseDelayMs: 1000, random: () => 0.5 });
    box.enqueue(makeAlert(), ['flaky']);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = clock.now();
      const result = await box.deliverDue();
      const [d] = box.list();
      if (i < 2) {
        expect(result).toMatchObject({ failed: 1, dead: 0 });
        delays.push(Date.parse(d!.nextAttemptAt) - before);
        clock.set(Date.parse(d!.nextAttemptAt));
      } else {
        expect(result).toMatchObject({ failed: 0, dead: 1 });
      }
    }
    // factor 0.5 + 0.5 / 2 = 0.75 of 1000 × 2^(attempts − 1)
    expect(delays).toEqual([750, 1500]);
    expect(box.deadLetters()[0]).toMatchObject({
      attempts: 3,
      deadReason: 'attempts-exhausted',
      lastError: 'boom 3',
    });
    clock.advance(60 * 60_000);
    await box.deliverDue();
    expect(ch.sends).toHaveLength(3);
  });

  it('a delivery to a channel that is not configured becomes a dead letter with a clear error', async () => {
    const { box } = outbox([countingChannel('log')]);
    box.enqueue(makeAlert(), ['log', 'renamed-slack']);
    expect(await box.deliverDue()).toMatchObject({ delivered: 1, dead: 1 });
    expect(box.deadLetters()[0]).toMatchObject({
      channelId: 'renamed-slack',
      deadReason: 'channel-missing',
      lastError: 'channel "renamed-slack" is not configured',
      attempts: 0,
    });
  });

  it('treats a channel that throws or returns garbage as a retryable failure', async () => {
    const thrower: Channel = {
      id: 'thrower',
      kind: 'log',
      send: async () => {
        throw new Error('bug');
      },
    };
    const garbage = { id: 'garbage', kind: 'log', send: async () => 'ok' } as unknown as Channel;
    const { box } = outbox([thrower, garbage]);
    box.enqueue(makeAlert(), ['thrower', 'garbage']);
    expect(await box.deliverDue()).toMatchObject({ failed: 2 });
    const errors = Object.fromEntries(box.list().map((d) => [d.channelId, d.lastError]));
    expect(errors).toEqual({
      thrower: 'the channel threw: bug',
      garbage: 'the channel returned an invalid result',
    });
  });
});

describe('createOutbox: idempotence and persistence', () => {
  it('enqueueing the same alert twice (or one channel twice) adds one row', () => {
    const { box, db } = outbox([countingChannel('a'), countingChannel('b')]);
    const alert = makeAlert();
    expect(box.enqueue(alert, ['a', 'a', 'b'])).toBe(2);
    expect(box.enqueue(structuredClone(alert), ['a', 'b'])).toBe(0);
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox_deliveries').get()).toEqual({ n: 2 });
    // A severity rise, a resolve or a new occurrence is a new alert.
    expect(box.enqueue(makeAlert({ severity: 9.5 }, 'severity-raised'), ['a'])).toBe(1);
    expect(box.enqueue(makeAlert({}, 'resolved'), ['a'])).toBe(1);
    expect(box.enqueue(makeAlert({ count: 99 }), ['a'])).toBe(1);
  });

  it('after a restart pending deliveries resume and delivered ones are not resent', async () => {
    const first = countingChannel('log', (_n, alert) =>
      alert.finding.count === 1 ? { ok: true } : { ok: false, retryable: true, error: 'HTTP 503' },
    );
    const a = makeAlert({ count: 1 });
    const b = makeAlert({ count: 2 });
    const c = makeAlert({ count: 3 });
    const run1 = outbox([first]);
    run1.box.enqueue(a, ['log']);
    run1.box.enqueue(b, ['log']);
    expect(await run1.box.deliverDue()).toMatchObject({ delivered: 1, failed: 1 });
    run1.box.enqueue(c, ['log']);
    run1.db.close();

    clock.advance(60_000);
    const second = countingChannel('log');
    const run2 = outbox([second]);
    // The router re-enqueues everything it had after the restart: nothing new.
    expect(run2.box.enqueue(a, ['log']) + run2.box.enqueue(b, ['log']) + run2.box.enqueue(c, ['log'])).toBe(
      0,
    );
    expect(await run2.box.deliverDue()).toMatchObject({ delivered: 2, failed: 0 });
    expect(second.sends.map((s) => s.finding.count).sort()).toEqual([2, 3]);
    expect(run2.box.stats().total).toEqual({ pending: 0, sending: 0, retry: 0, delivered: 3, dead: 0 });
    expect(run2.box.list({ findingId: a.finding.id, status: 'delivered' })).toHaveLength(3);
  });

  it('a delivery left `sending` by a crashed process is retried once its lease expires', async () => {
    const hung = countingChannel('hook', () => new Promise(() => {}));
    const crashed = outbox([hung], { timeoutMs: 5000, leaseMarginMs: 1000 });
    crashed.box.enqueue(makeAlert(), ['hook']);
    void crashed.box.deliverDue();
    await Promise.resolve();
    expect(hung.sends).toHaveLength(1);
    expect(crashed.box.list()[0]).toMatchObject({
      status: 'sending',
      attempts: 1,
      leaseUntil: at(clock.now() + 6000),
    });
    crashed.db.close(); // the process dies with the send in flight

    const ch = countingChannel('hook', () => ({ ok: true, providerId: 'dedup-ok' }));
    const restarted = outbox([ch], { timeoutMs: 5000, leaseMarginMs: 1000 });
    clock.advance(5999);
    expect(await restarted.box.deliverDue()).toMatchObject({ delivered: 0 });
    expect(ch.sends).toHaveLength(0);
    expect(restarted.box.nextDueAt()).toBe(at(clock.now() + 1));
    clock.advance(1);
    expect(await restarted.box.deliverDue()).toMatchObject({ delivered: 1 });
    expect(restarted.box.list()[0]).toMatchObject({
      status: 'delivered',
      attempts: 2,
      providerId: 'dedup-ok',
    });
  });

  it('a sole owner resends at start what a killed run left `sending`, without waiting for the lease', async () => {
    const hung = countingChannel('hook', () => new Promise(() => {}));
    const crashed = outbox([hung], { timeoutMs: 5000, leaseMarginMs: 1000 });
    crashed.box.enqueue(makeAlert(), ['hook']);
    void crashed.box.deliverDue();
    await Promise.resolve();
    crashed.db.close(); // killed with the send in flight

    const ch = countingChannel('hook', () => ({ ok: true }));
    const restarted = outbox([ch], { timeoutMs: 5000, leaseMarginMs: 1000, soleOwner: true });
    restarted.box.start(); // expires the dead run's lease; the pass itself runs on the (manual) timers
    expect(await restarted.box.deliverDue()).toMatchObject({ delivered: 1 });
    await restarted.box.stop();
    expect(ch.sends).toHaveLength(1);
    expect(restarted.box.list()[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('an interrupted last attempt ends as a dead letter saying so (written row state)', async () => {
    const ch = countingChannel('hook');
    const { box, db } = outbox([ch], { maxAttempts: 2 });
    box.enqueue(makeAlert(), ['hook']);
    db.prepare(
      "UPDATE outbox_deliveries SET status = 'sending', attempts = 2, lease_until = ?, last_error = 'HTTP 502'",
    ).run(clock.now() + 1000);
    expect(await box.deliverDue()).toMatchObject({ dead: 0, delivered: 0 });
    clock.advance(1000);
    expect(await box.deliverDue()).toMatchObject({ dead: 1, delivered: 0 });
    expect(ch.sends).toHaveLength(0);
    expect(box.deadLetters()[0]).toMatchObject({ deadReason: 'attempts-exhausted', attempts: 3 });
    expect(box.deadLetters()[0]!.lastError).toMatch(/interrupted: its lease expired/);
  });

  it('keeps attacker-controlled finding text as data', async () => {
    const title = "x'); DROP TABLE outbox_deliveries; --\u001b[2J";
    const ch = countingChannel('log');
    const { box } = outbox([ch]);
    const alert = makeAlert({ title, id: "id' OR '1'='1" });
    box.enqueue(alert, ['log']);
    await box.deliverDue();
    expect(ch.sends[0]!.finding.title).toBe(title);
    expect(box.list({ findingId: "id' OR '1'='1" })).toHaveLength(1);
    expect(box.list({ findingId: 'x' })).toHaveLength(0);
  });
});

describe('createOutbox: rate limits, dead letters, listing', () => {
  it('holds deliveries over the rate limit back without losing them, in order', async () => {
    const ch = countingChannel('slack');
    const { box } = outbox([ch, countingChannel('log')], { ratePerMinute: { slack: 2 } });
    const alerts = [1, 2, 3, 4, 5].map((count) => makeAlert({ count }));
    for (const a of alerts) box.enqueue(a, ['slack', 'log']);

    expect(await box.deliverDue()).toEqual({ delivered: 7, failed: 0, dead: 0, deferred: 3 });
    expect(box.stats().channels.slack).toMatchObject({ delivered: 2, pending: 3 });
    clock.advance(29_999);
    expect(await box.deliverDue()).toMatchObject({ delivered: 0, deferred: 3 });
    clock.advance(1);
    expect(await box.deliverDue()).toMatchObject({ delivered: 1, deferred: 2 });
    clock.advance(10 * 60_000); // the bucket holds at most 2
    expect(await box.deliverDue()).toMatchObject({ delivered: 2, deferred: 0 });
    expect(ch.sends.map((a) => a.finding.count)).toEqual([1, 2, 3, 4, 5]);
    expect(box.stats().channels.slack).toMatchObject({ delivered: 5, pending: 0, dead: 0 });
  });

  it('retry(id) requeues a dead letter with a fresh attempt budget', async () => {
    const ch = countingChannel('hook', (n) =>
      n === 1 ? { ok: false, retryable: false, error: 'HTTP 403' } : { ok: true },
    );
    const { box } = outbox([ch]);
    box.enqueue(makeAlert(), ['hook']);
    await box.deliverDue();
    const [dead] = box.deadLetters();
    expect(box.retry(dead!.id)).toBe(true);
    expect(box.list()[0]).toMatchObject({ status: 'pending', attempts: 0, lastError: 'HTTP 403' });
    expect(box.list()[0]!.deadReason).toBeUndefined();
    expect(await box.deliverDue()).toMatchObject({ delivered: 1 });
    expect(box.deadLetters()).toEqual([]);
    expect(box.retry(dead!.id)).toBe(false); // delivered, not a dead letter
    expect(box.retry(12345)).toBe(false);
  });

  it('lists by status, channel and finding, newest first, and counts by channel and status', async () => {
    const { box } = outbox([
      countingChannel('ok'),
      countingChannel('no', () => ({ ok: false, retryable: false, error: 'nope' })),
    ]);
    const a = makeAlert({ id: 'f-a' });
    const b = makeAlert({ id: 'f-b' });
    box.enqueue(a, ['ok', 'no']);
    box.enqueue(b, ['ok']);
    await box.deliverDue();
    expect(box.list().map((d) => [d.findingId, d.channelId])).toEqual([
      ['f-b', 'ok'],
      ['f-a', 'no'],
      ['f-a', 'ok'],
    ]);
    expect(box.list({ channelId: 'ok', status: 'delivered' })).toHaveLength(2);
    expect(box.list({ findingId: 'f-a', channelId: 'no' })[0]).toMatchObject({ status: 'dead' });
    expect(box.list({ limit: 1 })).toHaveLength(1);
    expect(() => box.list({ status: 'bogus' as never })).toThrow(/unknown delivery status/);
    const stats = box.stats();
    expect(stats.channels.ok).toEqual({ pending: 0, sending: 0, retry: 0, delivered: 2, dead: 0 });
    expect(stats.channels.no).toEqual({ pending: 0, sending: 0, retry: 0, delivered: 0, dead: 1 });
    expect(stats.total).toMatchObject({ delivered: 2, dead: 1 });
  });
});

describe('outbox passes', () => {
  it('does not let a slow channel hold back deliveries to another channel enqueued during its pass', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowSent: string[] = [];
    const fastSent: string[] = [];
    const slow: Channel = {
      id: 'slow',
      kind: 'email',
      send: async (alert) => {
        slowSent.push(alert.finding.id);
        await gate;
        return { ok: true };
      },
    };
    const fast: Channel = {
      id: 'fast',
      kind: 'webhook',
      send: async (alert) => (fastSent.push(alert.finding.id), { ok: true }),
    };
    const { box } = outbox([slow, fast]);
    box.enqueue(makeAlert({ id: 'f1' }), ['slow', 'fast']);
    const pass = box.deliverDue();
    await new Promise((r) => setImmediate(r));
    expect(fastSent).toEqual(['f1']);
    // The slow channel is still sending f1: a new alert for the fast channel goes out at once.
    box.enqueue(makeAlert({ id: 'f2' }), ['fast']);
    await new Promise((r) => setImmediate(r));
    expect(fastSent).toEqual(['f1', 'f2']);
    release();
    const summary = await pass;
    expect(summary.delivered).toBe(3);
    expect(slowSent).toEqual(['f1']);
  });
});
