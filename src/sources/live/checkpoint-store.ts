import type Database from 'better-sqlite3';
import { VigilError } from '../../core/errors.js';

/**
 * Where each live source has got to. The schema version is kept in `vigil_meta` under
 * `schema:source_checkpoints`, not in `PRAGMA user_version` (which another module owns in a shared
 * database file). Append migrations; never edit a released one.
 */
export const CHECKPOINT_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE source_checkpoints (
    source_id TEXT NOT NULL,
    key TEXT NOT NULL,
    position TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source_id, key)
  ) WITHOUT ROWID;
  `,
];

export const CHECKPOINT_SCHEMA_KEY = 'schema:source_checkpoints';

export interface Checkpoint {
  key: string;
  position: string;
  /** Milliseconds since the epoch. */
  updatedAt: number;
}

export interface CheckpointStore {
  get(sourceId: string, key: string): string | undefined;
  set(sourceId: string, key: string, position: string): void;
  /** Every checkpoint of one source, by key. */
  list(sourceId: string): Checkpoint[];
  /** Runs `fn` in one SQLite transaction (nested calls become savepoints), so findings and checkpoints commit together. */
  transaction<T>(fn: () => T): T;
}

function storeError(message: string, cause?: unknown): VigilError {
  return new VigilError(
    'VIGIL_STORE',
    `source checkpoints: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function requireText(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw storeError(
      `${what} must be a non-empty string, got ${value === '' ? 'an empty string' : typeof value}`,
    );
  }
  return value;
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS vigil_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare('SELECT value FROM vigil_meta WHERE key = ?').get(CHECKPOINT_SCHEMA_KEY) as
    { value: string } | undefined;
  const version = row === undefined ? 0 : Number(row.value);
  if (!Number.isInteger(version) || version < 0) {
    throw storeError(`vigil_meta holds an invalid schema version ${JSON.stringify(row?.value)}`);
  }
  if (version > CHECKPOINT_MIGRATIONS.length) {
    throw storeError(
      `the schema (version ${version}) is newer than this Vigil understands (${CHECKPOINT_MIGRATIONS.length})`,
    );
  }
  const setVersion = db.prepare(
    'INSERT INTO vigil_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  for (let v = version; v < CHECKPOINT_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(CHECKPOINT_MIGRATIONS[v]!);
      setVersion.run(CHECKPOINT_SCHEMA_KEY, String(v + 1));
    }).immediate();
  }
}

/**
 * Opens the checkpoint table in `db` (creating or migrating it). The database may be shared with other
 * modules: nothing here touches `user_version`.
 */
export function openCheckpointStore(
  db: Database.Database,
  options: { now?: () => number } = {},
): CheckpointStore {
  const now = options.now ?? Date.now;
  try {
    migrate(db);
  } catch (err) {
    if (err instanceof VigilError) throw err;
    throw storeError(err instanceof Error ? err.message : String(err), err);
  }
  const getStmt = db.prepare('SELECT position FROM source_checkpoints WHERE source_id = ? AND key = ?');
  const setStmt = db.prepare(
    `INSERT INTO source_checkpoints (source_id, key, position, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source_id, key) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  );
  const listStmt = db.prepare(
    'SELECT key, position, updated_at AS updatedAt FROM source_checkpoints WHERE source_id = ? ORDER BY key',
  );
  return {
    get(sourceId, key) {
      const row = getStmt.get(requireText('source id', sourceId), requireText('checkpoint key', key)) as
        { position: string } | undefined;
      return row?.position;
    },
    set(sourceId, key, position) {
      setStmt.run(
        requireText('source id', sourceId),
        requireText('checkpoint key', key),
        requireText('checkpoint position', position),
        now(),
      );
    },
    list(sourceId) {
      return listStmt.all(requireText('source id', sourceId)) as Checkpoint[];
    },
    transaction(fn) {
      return db.transaction(fn)();
    },
  };
}
