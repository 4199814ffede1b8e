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
  // 2: triage. The findings table is rebuilt for the dashboard's filters, sorts and counts at 100,000
  // findings. Migration 1's table keeps each finding's JSON inline in a WITHOUT ROWID b-tree keyed by text:
  // a ~1 KB record spills onto an overflow page, so every row a filter, sort or count visits costs a page
  // read (~10 µs). The new findings table is narrow: an integer key `n` (also the full-text index's rowid),
  // the indexed columns (principal, IP and country backfilled from the JSON) and the workflow's suppression
  // state; the JSON moves to finding_json and is read only for the rows a page returns. The indexes cover
  // what the overview groups by; a filter they do not cover scans the narrow rows, which is cheap.
  `
  CREATE TABLE findings_narrow (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    detector TEXT NOT NULL,
    type TEXT NOT NULL,
    severity REAL NOT NULL,
    status TEXT NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    principal TEXT,
    ip TEXT,
    country TEXT,
    updated_at TEXT NOT NULL,
    status_before TEXT,
    suppress_reason TEXT,
    suppressed_by TEXT,
    suppressed_at_ms INTEGER,
    suppressed_until_ms INTEGER,
    suppress_rule TEXT
  );
  CREATE TABLE finding_json (n INTEGER PRIMARY KEY, json TEXT NOT NULL);
  INSERT INTO findings_narrow (id, detector, type, severity, status, account_id, region, first_seen_ms,
      last_seen_ms, count, principal, ip, country, updated_at)
    SELECT id, detector, type, severity, status, account_id, region, first_seen_ms, last_seen_ms, count,
      json_extract(json, '$.actor.principal'), json_extract(json, '$.actor.ip'),
      json_extract(json, '$.actor.geo.country'), updated_at
    FROM findings ORDER BY first_seen_ms, id;
  INSERT INTO finding_json (n, json) SELECT k.n, f.json FROM findings AS f JOIN findings_narrow AS k ON k.id = f.id;
  DROP TABLE findings;
  ALTER TABLE findings_narrow RENAME TO findings;
  CREATE INDEX findings_severity ON findings (severity, last_seen_ms);
  CREATE INDEX findings_last_seen ON findings (last_seen_ms);
  CREATE INDEX findings_first_seen ON findings (first_seen_ms, severity);
  CREATE INDEX findings_count ON findings (count, last_seen_ms);
  CREATE INDEX findings_detector ON findings (detector);
  CREATE INDEX findings_status ON findings (status, severity, last_seen_ms);
  CREATE INDEX findings_type ON findings (type, last_seen_ms);
  CREATE INDEX findings_account ON findings (account_id, last_seen_ms, status);
  CREATE INDEX findings_region ON findings (region, last_seen_ms, status);
  CREATE INDEX findings_principal ON findings (principal, last_seen_ms);
  CREATE INDEX findings_ip ON findings (ip, last_seen_ms, country);
  CREATE INDEX findings_suppressed_until ON findings (suppressed_until_ms) WHERE suppressed_until_ms IS NOT NULL;
  CREATE VIRTUAL TABLE findings_fts USING fts5 (title, description, type, principal, resources, ip);
  INSERT INTO findings_fts (rowid, title, description, type, principal, resources, ip)
    SELECT f.n, json_extract(j.json, '$.title'), json_extract(j.json, '$.description'), f.type,
      coalesce(f.principal, ''),
      coalesce((SELECT group_concat(json_extract(r.value, '$.type') || ' ' || json_extract(r.value, '$.id'), ' ')
                FROM json_each(j.json, '$.resources') AS r), ''),
      coalesce(f.ip, '')
    FROM findings AS f JOIN finding_json AS j ON j.n = f.n;
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
