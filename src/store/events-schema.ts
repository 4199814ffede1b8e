/**
 * Schema of the events database (a SQLite file of its own, apart from the findings store, so a burst of
 * ingest never waits on triage writes). `PRAGMA user_version` counts the migrations that have run;
 * append new ones, never edit a released one.
 *
 * - `events`: one row per ingested event, the indexed columns plus the raw record as JSON. `seq` (the
 *   rowid) breaks ties between events of the same millisecond for keyset pagination.
 * - `activity_minute` / `activity_hour`: call counts per time slot × account × service × event name ×
 *   region × principal × error class (0 none, 1 AccessDenied/Unauthorized, 2 other error). Missing
 *   values are stored as '' so the key is total. The hour table answers wide ranges.
 * - `s3_data_minute`: S3 data-event counts and bytes per minute × account × bucket × principal × operation.
 */
export const EVENT_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,
    account TEXT,
    region TEXT,
    source TEXT NOT NULL,
    event_source TEXT,
    service TEXT,
    event_name TEXT,
    principal TEXT,
    principal_type TEXT,
    access_key TEXT,
    source_ip TEXT,
    user_agent TEXT,
    error_code TEXT,
    error_class INTEGER NOT NULL,
    read_only INTEGER,
    bucket TEXT,
    bytes INTEGER,
    raw TEXT NOT NULL
  );
  CREATE INDEX events_ts ON events (ts, seq);
  CREATE INDEX events_principal ON events (principal, ts);
  CREATE INDEX events_access_key ON events (access_key, ts);
  CREATE INDEX events_source_ip ON events (source_ip, ts);
  CREATE INDEX events_name ON events (event_name, ts);
  CREATE TABLE activity_minute (
    slot INTEGER NOT NULL,
    account TEXT NOT NULL,
    service TEXT NOT NULL,
    event_name TEXT NOT NULL,
    region TEXT NOT NULL,
    principal TEXT NOT NULL,
    error_class INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (slot, account, service, event_name, region, principal, error_class)
  ) WITHOUT ROWID;
  CREATE TABLE activity_hour (
    slot INTEGER NOT NULL,
    account TEXT NOT NULL,
    service TEXT NOT NULL,
    event_name TEXT NOT NULL,
    region TEXT NOT NULL,
    principal TEXT NOT NULL,
    error_class INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (slot, account, service, event_name, region, principal, error_class)
  ) WITHOUT ROWID;
  CREATE TABLE s3_data_minute (
    slot INTEGER NOT NULL,
    account TEXT NOT NULL,
    bucket TEXT NOT NULL,
    principal TEXT NOT NULL,
    operation TEXT NOT NULL,
    count INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (slot, account, bucket, principal, operation)
  ) WITHOUT ROWID;
  `,
];
