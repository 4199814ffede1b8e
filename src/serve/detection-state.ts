import type Database from 'better-sqlite3';
import type { EngineState, StateRow } from '../detect/stateful/engine-state.js';

/**
 * The state of stateful detections (windows, sequences, first-seen keys, learning clocks) in the serve
 * state database, beside the source checkpoints. `save` writes only the entries changed since the last
 * save and is meant to run inside the transaction that commits the batch's checkpoint: after a crash the
 * restored state is exactly that of the committed records, so replayed records are counted once.
 * Rows are (owner, key) → JSON value, with the fingerprint of the owner's definition: rows of a changed
 * or removed detection are deleted at start-up. `seq` orders rows by last write, so a restore rebuilds
 * the least-recently-used order (approximately: a read does not count as a use).
 */
export const DETECTION_STATE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE detection_state (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    value TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (owner, key)
  ) WITHOUT ROWID;
  `,
];

const SCHEMA_KEY = 'schema:detection_state';

export interface DetectionStateStore {
  /**
   * Replaces the engine's state with the saved one (at start-up, and after a batch failed before its
   * commit). Deletes rows of owners that are gone or changed. Returns how many entries were restored.
   */
  restore(): number;
  /** Writes the changes since the last save; returns how many rows it wrote or deleted. */
  save(): number;
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS vigil_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare('SELECT value FROM vigil_meta WHERE key = ?').get(SCHEMA_KEY) as
    { value: string } | undefined;
  const version = row === undefined ? 0 : Number(row.value);
  if (!Number.isInteger(version) || version < 0 || version > DETECTION_STATE_MIGRATIONS.length)
    throw new Error(`detection state: unsupported schema version ${JSON.stringify(row?.value)}`);
  for (let v = version; v < DETECTION_STATE_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(DETECTION_STATE_MIGRATIONS[v]!);
      db.prepare(
        'INSERT INTO vigil_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ).run(SCHEMA_KEY, String(v + 1));
    }).immediate();
  }
}

export function openDetectionState(db: Database.Database, state: EngineState): DetectionStateStore {
  migrate(db);
  const upsert = db.prepare(
    `INSERT INTO detection_state (owner, key, fingerprint, value, seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, value = excluded.value, seq = excluded.seq`,
  );
  const remove = db.prepare('DELETE FROM detection_state WHERE owner = ? AND key = ?');
  const owners = db.prepare('SELECT DISTINCT owner, fingerprint FROM detection_state');
  const dropOwner = db.prepare('DELETE FROM detection_state WHERE owner = ? AND fingerprint = ?');
  const all = db.prepare('SELECT owner, key, fingerprint, value FROM detection_state ORDER BY seq');
  let seq =
    (db.prepare('SELECT max(seq) AS seq FROM detection_state').get() as { seq: number | null }).seq ?? 0;

  const write = (rows: readonly StateRow[]): number => {
    for (const r of rows) {
      if (r.value === undefined) remove.run(r.owner, r.key);
      else upsert.run(r.owner, r.key, r.fingerprint, JSON.stringify(r.value), ++seq);
    }
    return rows.length;
  };

  function* read(): Generator<StateRow> {
    for (const row of all.iterate() as IterableIterator<
      Record<'owner' | 'key' | 'fingerprint' | 'value', string>
    >) {
      let value: unknown;
      try {
        value = JSON.parse(row.value);
      } catch {
        continue; // a damaged row is forgotten state, not a failed start
      }
      yield { owner: row.owner, key: row.key, fingerprint: row.fingerprint, value };
    }
  }

  return {
    restore() {
      return db.transaction(() => {
        for (const { owner, fingerprint } of owners.all() as { owner: string; fingerprint: string }[])
          if (state.owners.get(owner) !== fingerprint) dropOwner.run(owner, fingerprint);
        let restored = 0;
        state.importAll(
          (function* counted() {
            for (const row of read()) {
              restored++;
              yield row;
            }
          })(),
        );
        // What did not fit (a smaller maxGroups) was evicted on import: delete it now.
        write(state.takeChanges());
        return restored;
      })();
    },
    save() {
      const rows = state.takeChanges();
      return rows.length ? db.transaction(write)(rows) : 0;
    },
  };
}
