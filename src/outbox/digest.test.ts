import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { startServer, testAlert, type TestServer } from '../notify/test-support.js';
import type { Alert, Channel, Digest } from '../notify/types.js';
import { createWebhookChannel, DIGEST_HEADER, verifyWebhookSignature } from '../notify/webhook.js';
import { until } from '../testing/until.js';
import { createOutbox } from './outbox.js';
import { openOutboxDatabase } from './schema.js';
import { MAX_DIGEST_ALERTS } from './store.js';
import {
  countingChannel,
  manualClock,
  manualTimers,
  type ManualClock,
  type ManualTimers,
} from './testing.js';
import type { OutboxOptions } from './types.js';

const MIN = 60_000;
const SECRET = 'digest-secret';
let dir: string;
let file: string;
let clock: ManualClock;
let timers: ManualTimers;
let receiver: TestServer;
const open: Database.Database[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-digest-'));
  file = join(dir, 'outbox.db');
  clock = manualClock();
  timers = manualTimers(clock);
  receiver = await startServer();
});
afterEach(async () => {
  for (const db of open.splice(0)) if (db.open) db.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

function alert(id: string, label: 'LOW' | 'MEDIUM' | 'HIGH', reason: Alert['reason'] = 'new'): Alert {
  const severity = { LOW: 2, MEDIUM: 5, HIGH: 8 }[label];
  const overrides: Partial<Finding> = { id, severity, severityLabel: label, title: `finding ${id}` };
  return testAlert(overrides, { reason, link: `https://vigil.example.com/findings/${id}` });
}

function hook(): Channel {
  return createWebhookChannel(
    { id: 'hook', url: `${receiver.url}/alerts`, secret: SECRET },
    {
      fetch: globalThis.fetch,
      now: clock.now,
    },
  );
}

function outbox(channels: Channel[], options: Partial<OutboxOptions> = {}) {
  const db = openOutboxDatabase(file);
  open.push(db);
  const box = createOutbox(db, {
    channels: new Map(channels.map((c) => [c.id, c])),
    now: clock.now,
    random: () => 0,
    timers,
    digests: { hook: { everyMs: 15 * MIN, severities: ['LOW'] } },
    ...options,
  });
  return { db, box };
}

/** Fires the loop's timers that are due on the manual clock and waits for the pass they start. */
async function tick(box: { idle(): Promise<void> }): Promise<void> {
  timers.fireDue();
  await box.idle();
}

function bodies(): unknown[] {
  return receiver.requests.map((r) => JSON.parse(r.body) as unknown);
}

describe('per-channel digest', () => {
  it('holds LOW alerts and sends them as one signed digest at the window end; HIGH and resolved go at once', async () => {
    const { box } = outbox([hook()]);
    const t0 = clock.now();
    box.start();
    await tick(box);

    box.enqueue(alert('low-1', 'LOW'), ['hook']);
    await tick(box);
    clock.advance(MIN);
    box.enqueue(alert('high-1', 'HIGH'), ['hook']);
    await tick(box);
    clock.advance(4 * MIN);
    box.enqueue(alert('low-2', 'LOW'), ['hook']);
    box.enqueue(alert('low-0', 'LOW', 'resolved'), ['hook']);
    await tick(box);
    box.enqueue(alert('low-3', 'LOW'), ['hook']);
    await tick(box);

    // The HIGH and the resolved alert went out on their own, nothing else.
    expect(receiver.requests).toHaveLength(2);
    expect(bodies().map((b) => (b as { event: { detail: { id: string } } }).event.detail.id)).toEqual([
      'high-1',
      'low-0',
    ]);
    const held = box.list({ status: 'pending' });
    expect(held.map((d) => d.findingId).sort()).toEqual(['low-1', 'low-2', 'low-3']);
    // The window is measured from the first held alert, and the loop sleeps until then.
    expect(held.every((d) => d.heldUntil !== undefined && d.digestId === undefined)).toBe(true);
    expect(box.nextDueAt()).toBe(new Date(t0 + 15 * MIN).toISOString());
    expect(timers.pending().map((t) => t.at)).toEqual([t0 + 15 * MIN]);

    clock.set(t0 + 15 * MIN - 1);
    await tick(box);
    expect(receiver.requests).toHaveLength(2);

    clock.set(t0 + 15 * MIN);
    await tick(box);
    await until(() => receiver.requests.length === 3, 'the digest');
    await box.idle();

    const digestRequest = receiver.requests[2]!;
    const digest = JSON.parse(digestRequest.body) as { event: { detail: { id: string } }; reason: string }[];
    expect(Array.isArray(digest)).toBe(true);
    expect(digest.map((a) => a.event.detail.id)).toEqual(['low-1', 'low-2', 'low-3']);
    expect(digest.every((a) => a.reason === 'new')).toBe(true);
    const ts = String(digestRequest.headers['x-vigil-timestamp']);
    const sig = String(digestRequest.headers['x-vigil-signature']);
    expect(verifyWebhookSignature(SECRET, ts, digestRequest.body, sig, clock.now())).toBe(true);

    const [digestRow] = box.list({ findingId: 'digest' });
    expect(digestRow).toMatchObject({ kind: 'digest', status: 'delivered', attempts: 1 });
    expect(digestRow!.digest).toEqual({
      count: 3,
      since: new Date(t0).toISOString(),
      until: new Date(t0 + 15 * MIN).toISOString(),
    });
    expect(digestRequest.headers[DIGEST_HEADER.toLowerCase()]).toBe(String(digestRow!.id));
    for (const id of ['low-1', 'low-2', 'low-3']) {
      expect(box.list({ findingId: id })[0]).toMatchObject({
        status: 'delivered',
        digestId: digestRow!.id,
        deliveredAt: new Date(t0 + 15 * MIN).toISOString(),
      });
    }

    // Nothing is sent twice, and with nothing left the loop sets no timer.
    clock.advance(60 * MIN);
    await tick(box);
    expect(receiver.requests).toHaveLength(3);
    expect(timers.pending()).toEqual([]);
    await box.stop();
  });

  it('keeps held alerts across a restart, measures the window from the first, and sends the digest once', async () => {
    const t0 = clock.now();
    const run1 = outbox([hook()]);
    run1.box.enqueue(alert('low-1', 'LOW'), ['hook']);
    clock.advance(10 * MIN);
    run1.box.enqueue(alert('low-2', 'LOW'), ['hook']);
    await run1.box.deliverDue();
    run1.db.close(); // the process stops with both alerts held

    // Back before the window ends: still held, due at the first alert's window end.
    clock.advance(2 * MIN);
    const run2 = outbox([hook()]);
    expect(run2.box.enqueue(alert('low-1', 'LOW'), ['hook'])).toBe(0); // replayed: nothing new
    await run2.box.deliverDue();
    expect(receiver.requests).toHaveLength(0);
    expect(run2.box.nextDueAt()).toBe(new Date(t0 + 15 * MIN).toISOString());
    run2.db.close();

    // Back long after the window ended: flushed at once on start.
    clock.set(t0 + 40 * MIN);
    const run3 = outbox([hook()]);
    run3.box.start();
    await tick(run3.box);
    await until(() => receiver.requests.length === 1, 'the digest after the restart');
    await run3.box.stop();
    const ids = (JSON.parse(receiver.requests[0]!.body) as { event: { detail: { id: string } } }[]).map(
      (a) => a.event.detail.id,
    );
    expect(ids).toEqual(['low-1', 'low-2']);
    run3.db.close();

    const run4 = outbox([hook()]);
    run4.box.enqueue(alert('low-2', 'LOW'), ['hook']);
    await run4.box.deliverDue();
    clock.advance(60 * MIN);
    await run4.box.deliverDue();
    expect(receiver.requests).toHaveLength(1);
    expect(run4.box.stats().total).toMatchObject({ delivered: 3, pending: 0, sending: 0, dead: 0 });
  });

  it('a digest cut just before a crash is sent once after the restart, never cut twice', async () => {
    const hung = countingChannel('hook', () => new Promise(() => {}));
    const digests: Digest[] = [];
    (hung as Channel).sendDigest = (d) => {
      digests.push(d);
      return new Promise(() => {});
    };
    const run1 = outbox([hung], { timeoutMs: 5000, leaseMarginMs: 1000 });
    run1.box.enqueue(alert('low-1', 'LOW'), ['hook']);
    run1.box.enqueue(alert('low-2', 'LOW'), ['hook']);
    clock.advance(15 * MIN);
    void run1.box.deliverDue();
    await until(() => digests.length === 1, 'the first attempt');
    run1.db.close(); // dies with the digest in flight

    const run2 = outbox([hook()], { soleOwner: true });
    run2.box.start();
    await tick(run2.box);
    await until(() => receiver.requests.length === 1, 'the resent digest');
    await run2.box.stop();
    expect(JSON.parse(receiver.requests[0]!.body)).toHaveLength(2);
    expect(receiver.requests[0]!.headers[DIGEST_HEADER.toLowerCase()]).toBe(digests[0]!.id);
    const rows = run2.box.list({ findingId: 'digest' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('retries a failed digest with backoff, then marks its alerts delivered', async () => {
    receiver.respond({ status: 503, body: 'busy' });
    const { box } = outbox([hook()]);
    box.enqueue(alert('low-1', 'LOW'), ['hook']);
    clock.advance(15 * MIN);
    expect(await box.deliverDue()).toMatchObject({ failed: 1, delivered: 0 });
    expect(box.list({ findingId: 'low-1' })[0]).toMatchObject({ status: 'pending' });
    expect(box.list({ findingId: 'digest' })[0]).toMatchObject({
      status: 'retry',
      lastError: 'HTTP 503: busy',
    });
    clock.advance(500);
    expect(await box.deliverDue()).toMatchObject({ delivered: 1 });
    expect(box.list({ findingId: 'low-1' })[0]).toMatchObject({ status: 'delivered' });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]!.body).toBe(receiver.requests[1]!.body);
  });

  it('holds only the configured severities, and cuts a huge window into digests of at most 1000', async () => {
    const sent: Digest[] = [];
    const ch = countingChannel('hook');
    (ch as Channel).sendDigest = async (d) => {
      sent.push(d);
      return { ok: true };
    };
    const { box, db } = outbox([ch], { digests: { hook: { everyMs: MIN, severities: ['LOW', 'MEDIUM'] } } });
    db.pragma('synchronous = OFF'); // a test of the cut, not of the disk
    box.enqueue(alert('med', 'MEDIUM'), ['hook']);
    box.enqueue(alert('high', 'HIGH'), ['hook']);
    for (let i = 0; i < MAX_DIGEST_ALERTS + 4; i++) box.enqueue(alert(`low-${i}`, 'LOW'), ['hook']);
    await box.deliverDue();
    expect(ch.sends.map((a) => a.finding.id)).toEqual(['high']);
    clock.advance(MIN);
    await box.deliverDue();
    expect(sent.map((d) => d.alerts.length)).toEqual([MAX_DIGEST_ALERTS, 5]);
    expect(sent[0]!.alerts[0]!.finding.id).toBe('med');
    expect(box.stats().total).toMatchObject({ delivered: MAX_DIGEST_ALERTS + 6 + 2, pending: 0 });
  });

  it('releases held alerts as ordinary deliveries when the channel no longer has a digest', async () => {
    const run1 = outbox([hook()]);
    run1.box.enqueue(alert('low-1', 'LOW'), ['hook']);
    run1.db.close();
    const run2 = outbox([hook()], { digests: {} });
    expect(await run2.box.deliverDue()).toMatchObject({ delivered: 1 });
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ reason: 'new' });
  });

  it('refuses a digest for a channel that cannot send one', () => {
    expect(() => outbox([countingChannel('hook')])).toThrow(/cannot send digests/);
  });
});
