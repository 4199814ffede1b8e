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
  makeAlert,
  manualClock,
  manualTimers,
  type ManualClock,
  type ManualTimers,
} from './testing.js';
import type { OutboxOptions } from './types.js';

let dir: string;
let db: Database.Database;
let clock: ManualClock;
let timers: ManualTimers;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-outbox-loop-'));
  db = openOutboxDatabase(join(dir, 'outbox.db'));
  clock = manualClock();
  timers = manualTimers(clock);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function outbox(channels: Channel[], options: Partial<OutboxOptions> = {}) {
  return createOutbox(db, {
    channels: new Map(channels.map((c) => [c.id, c])),
    now: clock.now,
    random: () => 0,
    timers,
    ...options,
  });
}

/** Fires the timers whose time has come and waits for the pass they start. */
async function tick(box: ReturnType<typeof outbox>): Promise<number> {
  const fired = timers.fireDue();
  await box.idle();
  return fired;
}

describe('delivery loop (start / stop)', () => {
  it('sleeps with no timer when nothing is due and wakes when something is enqueued', async () => {
    const ch = countingChannel('log');
    const box = outbox([ch]);
    box.start();
    expect(await tick(box)).toBe(1); // the start-up pass
    expect(timers.pending()).toEqual([]); // no polling
    box.enqueue(makeAlert(), ['log']);
    expect(timers.pending().map((t) => t.ms)).toEqual([0]);
    expect(ch.sends).toHaveLength(0); // enqueue itself never sends
    await tick(box);
    expect(ch.sends).toHaveLength(1);
    expect(timers.pending()).toEqual([]);
    await box.stop();
  });

  it('serves deliveries left by an earlier run on start', async () => {
    outbox([]).enqueue(makeAlert(), ['log']);
    const ch = countingChannel('log');
    const box = outbox([ch]);
    box.start();
    await tick(box);
    expect(ch.sends).toHaveLength(1);
    await box.stop();
  });

  it('sleeps until the next retry is due, then delivers', async () => {
    const ch = countingChannel('log', (n) =>
      n === 1 ? { ok: false, retryable: true, error: 'HTTP 502' } : { ok: true },
    );
    const box = outbox([ch], { baseDelayMs: 4000 });
    box.start();
    box.enqueue(makeAlert(), ['log']);
    await tick(box);
    expect(timers.pending().map((t) => t.ms)).toEqual([2000]); // 4000 × 2^0 × 0.5
    clock.advance(1999);
    expect(await tick(box)).toBe(0);
    clock.advance(1);
    expect(await tick(box)).toBe(1);
    expect(box.list()[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(timers.pending()).toEqual([]);
    await box.stop();
  });

  it('wakes when a rate-limited channel gets its next token', async () => {
    const ch = countingChannel('pager');
    const box = outbox([ch], { ratePerMinute: { pager: 1 } });
    box.start();
    box.enqueue(makeAlert({ count: 1 }), ['pager']);
    box.enqueue(makeAlert({ count: 2 }), ['pager']);
    await tick(box);
    expect(ch.sends).toHaveLength(1);
    expect(timers.pending().map((t) => t.ms)).toEqual([60_000]);
    clock.advance(60_000);
    await tick(box);
    expect(ch.sends).toHaveLength(2);
    await box.stop();
  });

  it('an enqueue during a pass gets its own pass right after', async () => {
    let release: () => void = () => {};
    const ch = countingChannel('log', (n) =>
      n === 1 ? new Promise((resolve) => (release = () => resolve({ ok: true }))) : { ok: true },
    );
    const box = outbox([ch]);
    box.start();
    box.enqueue(makeAlert({ count: 1 }), ['log']);
    timers.fireDue();
    await Promise.resolve();
    box.enqueue(makeAlert({ count: 2 }), ['log']);
    release();
    await box.idle();
    expect(ch.sends.map((a) => a.finding.count)).toEqual([1, 2]);
    await box.stop();
  });

  it('stop waits for the pass in progress and leaves no timer', async () => {
    const ch = countingChannel('log', (n) =>
      n === 1 ? { ok: false, retryable: true, error: 'HTTP 500' } : { ok: true },
    );
    const box = outbox([ch]);
    box.start();
    box.enqueue(makeAlert(), ['log']);
    await tick(box);
    expect(timers.pending()).toHaveLength(1);
    await box.stop();
    expect(timers.pending()).toEqual([]);
    box.enqueue(makeAlert({ count: 7 }), ['log']);
    expect(timers.pending()).toEqual([]);
  });

  it('with pollMs wakes at least that often (for deliveries written by another process)', async () => {
    const box = outbox([countingChannel('log')], { pollMs: 30_000 });
    box.start();
    await tick(box);
    expect(timers.pending().map((t) => t.ms)).toEqual([30_000]);
    await box.stop();
  });

  it('reports a failed pass and tries again later', async () => {
    const errors: unknown[] = [];
    const box = outbox([countingChannel('log')], { onError: (err) => errors.push(err) });
    box.start();
    box.enqueue(makeAlert(), ['log']);
    db.close();
    await tick(box);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/database connection is not open/);
    expect(timers.pending().map((t) => t.ms)).toEqual([5000]);
    await box.stop();
    db = openOutboxDatabase(join(dir, 'outbox.db'));
  });
});
