import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_MIGRATIONS, CHECKPOINT_SCHEMA_KEY, openCheckpointStore } from './checkpoint-store.js';
import { tempState } from './testing.js';

describe('openCheckpointStore', () => {
  let state: ReturnType<typeof tempState> | undefined;
  afterEach(() => state?.cleanup());

  it('keeps positions per source and key across reopening, with their update time', () => {
    state = tempState();
    const file = join(state.dir, 'cp.db');
    const db = new Database(file);
    let t = 1000;
    const store = openCheckpointStore(db, { now: () => t });
    expect(store.get('a', 'x.json')).toBeUndefined();
    store.set('a', 'x.json', '4');
    t = 2000;
    store.set('a', 'x.json', 'done');
    store.set('b', 'x.json', '7');
    db.close();

    const again = new Database(file);
    const reopened = openCheckpointStore(again);
    expect(reopened.get('a', 'x.json')).toBe('done');
    expect(reopened.list('a')).toEqual([{ key: 'x.json', position: 'done', updatedAt: 2000 }]);
    expect(reopened.get('b', 'x.json')).toBe('7');
    again.close();
  });

  it('versions its schema in vigil_meta and leaves user_version to its owner', () => {
    state = tempState();
    const db = new Database(join(state.dir, 'shared.db'));
    db.pragma('user_version = 3');
    openCheckpointStore(db);
    openCheckpointStore(db); // idempotent
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT value FROM vigil_meta WHERE key = ?').get(CHECKPOINT_SCHEMA_KEY)).toEqual({
      value: String(CHECKPOINT_MIGRATIONS.length),
    });
    db.close();
  });

  it('refuses a schema newer than it knows', () => {
    state = tempState();
    const db = new Database(join(state.dir, 'new.db'));
    openCheckpointStore(db);
    db.prepare('UPDATE vigil_meta SET value = ? WHERE key = ?').run('99', CHECKPOINT_SCHEMA_KEY);
    expect(() => openCheckpointStore(db)).toThrow(/version 99.*newer/);
    db.close();
  });

  it('rolls back a transaction that throws, checkpoint included', () => {
    state = tempState();
    const db = new Database(join(state.dir, 'tx.db'));
    const store = openCheckpointStore(db);
    db.exec('CREATE TABLE stored (id TEXT)');
    expect(() =>
      store.transaction(() => {
        db.prepare('INSERT INTO stored VALUES (?)').run('finding');
        store.set('a', 'f.json', 'done');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(store.get('a', 'f.json')).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n FROM stored').get()).toEqual({ n: 0 });
    expect(store.transaction(() => 42)).toBe(42);
    db.close();
  });

  it('rejects empty ids and positions with a message naming the field', () => {
    state = tempState();
    const db = new Database(join(state.dir, 'bad.db'));
    const store = openCheckpointStore(db);
    expect(() => store.set('', 'k', 'done')).toThrow(/source id must be a non-empty string/);
    expect(() => store.set('a', 'k', '')).toThrow(/checkpoint position must be a non-empty string/);
    db.close();
  });
});
