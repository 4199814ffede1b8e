/**
 * Schema migrations, applied in order. `PRAGMA user_version` records how many have run; each runs in a
 * transaction with its version bump. Append new ones; never edit a released one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    detector TEXT NOT NULL,
    type TEXT NOT NULL,
    severity REAL NOT NULL,
    status TEXT NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    json TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX findings_last_seen ON findings (last_seen_ms);
  CREATE INDEX findings_severity ON findings (severity, last_seen_ms);
  CREATE INDEX findings_detector ON findings (detector);
  CREATE TABLE finding_events (
    finding_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_time TEXT,
    PRIMARY KEY (finding_id, event_id)
  ) WITHOUT ROWID;
  `,
  // 2: triage. Indexed columns for the dashboard's filters (backfilled from the stored JSON), the
  // workflow's suppression state, notes, suppression rules, and a full-text index of the finding's words.
  // findings has no integer rowid (WITHOUT ROWID), so finding_keys gives each finding the integer key
  // the FTS5 table is keyed by. The indexes cover what the overview groups by: a lookup of the row itself
  // (its JSON inline) costs far more than reading the index.
  `
  ALTER TABLE findings ADD COLUMN principal TEXT;
  ALTER TABLE findings ADD COLUMN ip TEXT;
  ALTER TABLE findings ADD COLUMN country TEXT;
  ALTER TABLE findings ADD COLUMN status_before TEXT;
  ALTER TABLE findings ADD COLUMN suppress_reason TEXT;
  ALTER TABLE findings ADD COLUMN suppressed_by TEXT;
  ALTER TABLE findings ADD COLUMN suppressed_at_ms INTEGER;
  ALTER TABLE findings ADD COLUMN suppressed_until_ms INTEGER;
  ALTER TABLE findings ADD COLUMN suppress_rule TEXT;
  UPDATE findings SET
    principal = json_extract(json, '$.actor.principal'),
    ip = json_extract(json, '$.actor.ip'),
    country = json_extract(json, '$.actor.geo.country');
  CREATE INDEX findings_status ON findings (status, severity, last_seen_ms);
  CREATE INDEX findings_first_seen ON findings (first_seen_ms, severity);
  CREATE INDEX findings_count ON findings (count, last_seen_ms);
  CREATE INDEX findings_type ON findings (type, last_seen_ms);
  CREATE INDEX findings_account ON findings (account_id, last_seen_ms, status);
  CREATE INDEX findings_region ON findings (region, last_seen_ms, status);
  CREATE INDEX findings_principal ON findings (principal, last_seen_ms);
  CREATE INDEX findings_ip ON findings (ip, last_seen_ms, country);
  CREATE INDEX findings_suppressed_until ON findings (suppressed_until_ms) WHERE suppressed_until_ms IS NOT NULL;
  CREATE TABLE finding_keys (n INTEGER PRIMARY KEY, finding_id TEXT NOT NULL UNIQUE);
  INSERT INTO finding_keys (finding_id) SELECT id FROM findings;
  CREATE VIRTUAL TABLE findings_fts USING fts5 (title, description, type, principal, resources, ip);
  INSERT INTO findings_fts (rowid, title, description, type, principal, resources, ip)
    SELECT k.n, json_extract(f.json, '$.title'), json_extract(f.json, '$.description'), f.type,
      coalesce(f.principal, ''),
      coalesce((SELECT group_concat(json_extract(r.value, '$.type') || ' ' || json_extract(r.value, '$.id'), ' ')
                FROM json_each(f.json, '$.resources') AS r), ''),
      coalesce(f.ip, '')
    FROM findings AS f JOIN finding_keys AS k ON k.finding_id = f.id;
  CREATE TABLE finding_notes (
    id INTEGER PRIMARY KEY,
    finding_id TEXT NOT NULL,
    author TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX finding_notes_finding ON finding_notes (finding_id, id);
  CREATE TABLE suppression_rules (
    id TEXT PRIMARY KEY,
    pattern TEXT NOT NULL,
    reason TEXT NOT NULL,
    owner TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER
  ) WITHOUT ROWID;
  `,
];
