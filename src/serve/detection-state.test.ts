import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../detect/engine.js';
import { createFieldGetter } from '../detect/fields/index.js';
import { cloudTrailRecord } from '../detect/test-records.js';
import type { Detection } from '../detect/types.js';
import { normalizeCloudTrail } from '../sources/index.js';
import { openCheckpointStore } from '../sources/live/checkpoint-store.js';
import { openDetectionState } from './detection-state.js';

const getField = createFieldGetter();
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-detection-state-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const burst = (threshold: number): Detection => ({
  id: 'burst',
  title: 'burst',
  type: 'Test:IAMUser/Example',
  severity: 5,
  maturity: 'stable',
  source: 'cloudtrail',
  description: 'd',
  mitre: { tactics: [], techniques: [] },
  detection: { selection: { eventName: 'GetUser' }, condition: 'selection' },
  aggregate: { kind: 'count', groupBy: ['vigil.principal'], window: 3_600_000, threshold },
  dedupKey: ['vigil.principal'],
  resources: [],
  remediation: 'r',
  references: [],
  falsepositives: ['f'],
  tests: [],
  origin: 'builtin',
  file: 'burst.yml',
});
const getUser = (at: number) => normalizeCloudTrail(cloudTrailRecord({ eventName: 'GetUser', at }));

/** A serve-like process: an engine and its state saved with each checkpoint. */
function open(threshold = 3) {
  const db = new Database(join(dir, 'state.db'));
  const checkpoints = openCheckpointStore(db);
  const engine = createEngine([burst(threshold)], { getField, trackState: true });
  const state = openDetectionState(db, engine.state);
  const restored = state.restore();
  const rows = () => (db.prepare('SELECT count(*) AS n FROM detection_state').get() as { n: number }).n;
  return { db, checkpoints, engine, state, restored, rows };
}

describe('detection state in the serve state database', () => {
  it('commits with the checkpoint, or not at all: a failed batch is forgotten in memory too', () => {
    const a = open();
    a.engine.process(getUser(0));
    a.checkpoints.transaction(() => {
      a.checkpoints.set('trail', 'file', '0');
      expect(a.state.save()).toBe(1);
    });
    expect(a.state.save()).toBe(0); // nothing changed since
    a.engine.process(getUser(1));
    expect(() =>
      a.checkpoints.transaction(() => {
        a.state.save();
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(a.state.restore()).toBe(1);
    expect(a.engine.process(getUser(1))).toHaveLength(0); // the failed batch, read again: counted once
    a.db.close(); // killed before this batch committed

    const b = open();
    expect(b.restored).toBe(1);
    expect(b.checkpoints.get('trail', 'file')).toBe('0');
    expect(b.engine.process(getUser(1))).toHaveLength(0);
    expect(b.engine.process(getUser(2))).toHaveLength(1);
    b.db.close();
  });

  it('deletes the rows of a detection whose definition changed', () => {
    const a = open(3);
    a.engine.process(getUser(0));
    a.state.save();
    expect(a.rows()).toBe(1);
    a.db.close();
    const b = open(4);
    expect(b.restored).toBe(0);
    expect(b.rows()).toBe(0);
    b.db.close();
  });
});
