/**
 * Schema of the events database (a SQLite file of its own, apart from the findings store, so a burst of
 * ingest never waits on triage writes). `PRAGMA user_version` counts the migrations that have run;
 * append new ones, never edit a released one.
 *
 * - `events`: one row per ingested event, the indexed columns plus the raw record as JSON. `seq` (the
 *   rowid) breaks ties between events of the same millisecond for keyset pagination.
 * - `rollup_<cube>_<level>`: call counts per time slot × the cube's dimensions × error class (0 none,
 *   1 AccessDenied/Unauthorized, 2 other error). Missing values are stored as '' so the key is total.
 *   One wide rollup keyed by every dimension keeps about one row per event (each principal multiplies
 *   the rows), so a week's chart read most of a million rows; narrow cubes keep only the dimensions a
 *   query needs, and each exists at four resolutions so a query reads the coarsest slots its buckets
 *   allow. See `ROLLUP_CUBES` and `ROLLUP_LEVELS`.
 * - `s3_data_minute`: S3 data-event counts and bytes per minute × account × bucket × principal × operation.
 */

/** A rollup dimension: a column of `events` (NULL stored as ''). */
export type RollupDim = 'account' | 'region' | 'service' | 'event_name' | 'principal';

export interface RollupCube {
  name: string;
  dims: readonly RollupDim[];
  /**
   * Indexed as (column, slot) above the minute level, so the per-bucket counts of a few top keys are
   * read without a scan. Minute slots are read only for short ranges and edges, where a scan is cheap,
   * and their index would cost most of all on ingest.
   */
  keyIndex?: RollupDim;
}

/**
 * The cubes, narrowest first: a query reads the first one holding every dimension it groups or filters
 * by (and the events themselves for the rare combination none holds: a principal with an API name).
 * Part of migration 1: a new cube needs a new migration.
 */
export const ROLLUP_CUBES: readonly RollupCube[] = [
  { name: 'total', dims: [] },
  { name: 'service', dims: ['account', 'region', 'service'] },
  { name: 'name', dims: ['service', 'event_name'], keyIndex: 'event_name' },
  { name: 'principal', dims: ['principal', 'service'], keyIndex: 'principal' },
  { name: 'api', dims: ['account', 'region', 'service', 'event_name'], keyIndex: 'event_name' },
  { name: 'caller', dims: ['account', 'region', 'principal', 'service'], keyIndex: 'principal' },
];

/** Slot lengths in minutes, finest first. Part of migration 1. */
export const ROLLUP_LEVELS: readonly { name: string; minutes: number }[] = [
  { name: 'minute', minutes: 1 },
  { name: 'min5', minutes: 5 },
  { name: 'hour', minutes: 60 },
  { name: 'day', minutes: 1440 },
];

export function rollupTable(cube: RollupCube, level: number): string {
  return `rollup_${cube.name}_${ROLLUP_LEVELS[level]!.name}`;
}

function rollupDdl(): string {
  const out: string[] = [];
  for (const cube of ROLLUP_CUBES)
    for (let level = 0; level < ROLLUP_LEVELS.length; level++) {
      const table = rollupTable(cube, level);
      const key = ['slot', ...cube.dims, 'error_class'].join(', ');
      out.push(`CREATE TABLE ${table} (
        slot INTEGER NOT NULL,${cube.dims.map((d) => `\n        ${d} TEXT NOT NULL,`).join('')}
        error_class INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (${key})
      ) WITHOUT ROWID;`);
      if (cube.keyIndex && level > 0)
        out.push(`CREATE INDEX ${table}_key ON ${table} (${cube.keyIndex}, slot);`);
    }
  return out.join('\n');
}

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
  ${rollupDdl()}
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
