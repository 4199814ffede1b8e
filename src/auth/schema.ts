import type Database from 'better-sqlite3';

/** The version of the auth tables this code writes; kept in `auth_meta`, not `PRAGMA user_version`,
 * because the database may be shared with other stores that own that pragma. */
export const AUTH_SCHEMA_VERSION = 1;

const V1 = `
CREATE TABLE IF NOT EXISTS auth_users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  last_login_at INTEGER
);
CREATE TABLE IF NOT EXISTS auth_sessions (
  id_hash TEXT PRIMARY KEY,
  user TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ip TEXT
);
CREATE INDEX IF NOT EXISTS auth_sessions_user ON auth_sessions(user);
CREATE TABLE IF NOT EXISTS auth_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at INTEGER,
  revoked_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS auth_tokens_active_name ON auth_tokens(name) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS auth_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  user TEXT,
  via TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT,
  ip TEXT
);
CREATE INDEX IF NOT EXISTS auth_audit_at ON auth_audit(at);
CREATE INDEX IF NOT EXISTS auth_audit_user ON auth_audit(user, id);
CREATE INDEX IF NOT EXISTS auth_audit_action ON auth_audit(action, id);
CREATE TRIGGER IF NOT EXISTS auth_audit_no_update BEFORE UPDATE ON auth_audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS auth_audit_no_delete BEFORE DELETE ON auth_audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

/**
 * Creates the auth tables (all prefixed `auth_`, so they sit safely beside other stores in one file).
 * The audit table refuses UPDATE and DELETE through triggers: entries can only be appended.
 */
export function migrateAuth(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS auth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  db.transaction(() => {
    const row = db.prepare("SELECT value FROM auth_meta WHERE key = 'schema_version'").get() as
      { value: string } | undefined;
    const current = row ? Number(row.value) : 0;
    if (current > AUTH_SCHEMA_VERSION)
      throw new Error(`auth tables are version ${current}, newer than this Vigil (${AUTH_SCHEMA_VERSION})`);
    if (current < 1) db.exec(V1);
    db.prepare("INSERT OR REPLACE INTO auth_meta (key, value) VALUES ('schema_version', ?)").run(
      String(AUTH_SCHEMA_VERSION),
    );
  }).immediate();
}
