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
];
