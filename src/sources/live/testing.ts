import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { InputProblem } from '../../core/errors.js';
import { openCheckpointStore, type CheckpointStore } from './checkpoint-store.js';
import type { RecordBatch, Timers } from './types.js';

/** Test doubles for the live-source tests: timers fired by hand, a clock, a recorder of batches. */

export interface ManualTimers extends Timers {
  /** Delays of the timers waiting to fire. */
  pending(): number[];
  /** Fires every pending timer; returns how many. */
  fire(): number;
}

export function manualTimers(): ManualTimers {
  let next = 1;
  let waiting: { id: number; fn: () => void; ms: number }[] = [];
  return {
    setTimeout(fn, ms) {
      const id = next++;
      waiting.push({ id, fn, ms });
      return id;
    },
    clearTimeout(handle) {
      waiting = waiting.filter((t) => t.id !== handle);
    },
    pending: () => waiting.map((t) => t.ms),
    fire() {
      const due = waiting;
      waiting = [];
      due.forEach((t) => t.fn());
      return due.length;
    },
  };
}

/** Waits (bounded, polling every 5 ms) until `cond` holds; fails naming what it waited for. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Fires the pending timer and waits until the source has re-armed (its step or poll has ended). */
export async function tick(timers: ManualTimers): Promise<void> {
  if (timers.fire() === 0) throw new Error('no timer was pending');
  await waitFor(() => timers.pending().length > 0, 'the source to schedule its next step');
}

export interface Recorder {
  batches: RecordBatch[];
  problems: InputProblem[];
  onRecords(batch: RecordBatch): void;
  onProblem(problem: InputProblem): void;
}

export function recorder(): Recorder {
  const r: Recorder = {
    batches: [],
    problems: [],
    onRecords: (b) => void r.batches.push(b),
    onProblem: (p) => void r.problems.push(p),
  };
  return r;
}

/** A temp folder with a SQLite file; `open()` opens the checkpoint store afresh (as a restarted process would). */
export function tempState(): {
  dir: string;
  open(): CheckpointStore;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-live-'));
  const dbs: Database.Database[] = [];
  return {
    dir,
    open() {
      const db = new Database(join(dir, 'state.db'));
      dbs.push(db);
      return openCheckpointStore(db);
    },
    cleanup() {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CloudTrail record with the fields the tests look at. */
export function ctRecord(
  eventID: string,
  eventTime: string,
  eventName = 'ListBuckets',
): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventTime,
    eventSource: 's3.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    eventID,
    recipientAccountId: '123456789012',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' },
  };
}

export function ids(batches: RecordBatch[]): unknown[] {
  return batches.flatMap((b) => b.records.map((r) => r.record.eventID));
}
