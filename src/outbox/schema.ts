import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';

/**
 * The outbox schema, one migration per released version. `PRAGMA user_version` records how many have
 * run; each runs in a transaction with its version bump. Append new ones; never edit a released one.
 *
 * `next_attempt_at` is when a pending/retry delivery is due; `lease_until` is when a `sending` one may
 * be taken over because its sender is presumed dead. Times are milliseconds since the epoch.
 */
export const OUTBOX_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE outbox_deliveries (
    id INTEGER PRIMARY KEY,
    finding_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    alert_key TEXT NOT NULL,
    alert_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'retry', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    dead_reason TEXT,
    provider_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (finding_id, channel_id, alert_key)
  );
  CREATE INDEX outbox_due ON outbox_deliveries (channel_id, status, next_attempt_at);
  CREATE INDEX outbox_status ON outbox_deliveries (status, id);
  `,
  // Per-channel digests. `kind` 'digest' is one message made of held alerts; a held alert is `pending`
  // with `hold_until` set (its channel's window end, also its `next_attempt_at`) and is never due itself;
  // `digest_id` is the digest delivery it was cut into.
  `
  ALTER TABLE outbox_deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'digest'));
  ALTER TABLE outbox_deliveries ADD COLUMN hold_until INTEGER;
  ALTER TABLE outbox_deliveries ADD COLUMN digest_id INTEGER;
  CREATE INDEX outbox_held ON outbox_deliveries (channel_id, id)
    WHERE status = 'pending' AND hold_until IS NOT NULL AND digest_id IS NULL;
  CREATE INDEX outbox_digest_items ON outbox_deliveries (digest_id) WHERE digest_id IS NOT NULL;
  `,
];

function outboxError(message: string, cause?: unknown): VigilError {
  return new VigilError('VIGIL_STORE', `outbox: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Brings the outbox schema up to date. The outbox owns `user_version` of its database, so it needs a
 * file of its own: a database versioned by something else (the findings store) is refused rather than
 * migrated, and so is one written by a newer Vigil.
 */
export function migrateOutbox(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const hasTable =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_deliveries'").get() !==
    undefined;
  if (version > 0 && !hasTable) {
    throw outboxError(
      `the database is versioned (user_version ${version}) by something else; give the outbox its own file`,
    );
  }
  if (version > OUTBOX_MIGRATIONS.length) {
    throw outboxError(
      `the database schema (version ${version}) is newer than this Vigil understands (${OUTBOX_MIGRATIONS.length})`,
    );
  }
  for (let v = version; v < OUTBOX_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(OUTBOX_MIGRATIONS[v]!);
      // PRAGMA takes no bound parameter; `v + 1` is an integer computed here, never input.
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/**
 * Opens (creating if needed) an outbox database file: WAL journal, synchronous FULL (an acknowledged
 * enqueue survives a power cut, not only a process crash), a 5 s busy timeout so several processes can
 * share it, schema migrated.
 */
export function openOutboxDatabase(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    migrateOutbox(db);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof VigilError) throw err;
    throw outboxError(`${file}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
