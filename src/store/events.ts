import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { VigilEvent } from '../core/event.js';
import { VigilError } from '../core/errors.js';
import { createEventQueries, summaryOf, type EventRow } from './events-queries.js';
import { bucketOf, bytesOf, S3_DATA_OPERATIONS } from './events-s3.js';
import {
  EVENT_MIGRATIONS,
  ROLLUP_CUBES,
  ROLLUP_LEVELS,
  rollupTable,
  type RollupDim,
} from './events-schema.js';
import type { ErrorClass, EventStore, EventStoreOptions, StoredEvent } from './events-types.js';

const DAY_MS = 86_400_000;
const DENIED = /AccessDenied|Unauthorized/i;

/** Sorts an error code into the classes the rollups count: none, AccessDenied / Unauthorized, other. */
export function errorClassOf(code: string | undefined | null): ErrorClass {
  if (!code) return 0;
  return DENIED.test(code) ? 1 : 2;
}

/** The id an event is stored under: its own, or (when the log gave none) a hash of its raw record. */
export function storedEventId(event: VigilEvent): string {
  if (event.eventId) return event.eventId;
  const hash = createHash('sha256').update(JSON.stringify(event.raw)).update(`\0${event.ts}`).digest('hex');
  return `h-${hash.slice(0, 32)}`;
}

/** The dimensions an event adds to the rollups; also what pruning subtracts. */
interface RollupKey {
  minute: number;
  account: string;
  service: string;
  eventName: string;
  region: string;
  principal: string;
  errorClass: ErrorClass;
  s3Data: boolean;
  bucket: string;
  bytes: number;
}

function storeError(file: string, err: unknown): VigilError {
  if (err instanceof VigilError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new VigilError('VIGIL_STORE', `${file}: ${message}`, { cause: err });
}

/** Sums signed counts per rollup row, so a batch touches each row once. */
class RollupDelta {
  /** Per cube and level: row key → slot, dimension values, error class and signed count. */
  readonly activity = ROLLUP_CUBES.map(() =>
    ROLLUP_LEVELS.map(
      () => new Map<string, { slot: number; values: string[]; errorClass: ErrorClass; n: number }>(),
    ),
  );
  readonly s3 = new Map<string, { key: RollupKey; n: number; bytes: number }>();
  add(k: RollupKey, sign: 1 | -1): void {
    ROLLUP_CUBES.forEach((cube, c) => {
      const values = cube.dims.map((d) => k[DIM_FIELD[d]]);
      const dimKey = `${values.join('\0')}\0${k.errorClass}`;
      ROLLUP_LEVELS.forEach((level, l) => {
        const slot = Math.floor(k.minute / level.minutes);
        const rows = this.activity[c]![l]!;
        const rowKey = `${slot}\0${dimKey}`;
        const cur = rows.get(rowKey);
        if (cur) cur.n += sign;
        else rows.set(rowKey, { slot, values, errorClass: k.errorClass, n: sign });
      });
    });
    if (!k.s3Data) return;
    const s = JSON.stringify([k.minute, k.account, k.bucket, k.principal, k.eventName]);
    const s3 = this.s3.get(s);
    if (s3) {
      s3.n += sign;
      s3.bytes += sign * k.bytes;
    } else this.s3.set(s, { key: k, n: sign, bytes: sign * k.bytes });
  }
}

/** The `RollupKey` field holding each rollup dimension. */
const DIM_FIELD: Record<RollupDim, 'account' | 'region' | 'service' | 'eventName' | 'principal'> = {
  account: 'account',
  region: 'region',
  service: 'service',
  event_name: 'eventName',
  principal: 'principal',
};

/**
 * Opens (creating if needed) the events database: every ingested event with its raw record, and the
 * rollup cubes (minute, 5-minute, hour and day slots) kept in step in the same transaction as the
 * events they count, added and pruned through one signed delta, so activity charts over a million
 * events read a few thousand rollup rows instead of the events. WAL journal, 5 s busy timeout;
 * all SQL is fixed text with bound parameters.
 */
export function openEventStore(file: string, options: EventStoreOptions = {}): EventStore {
  const now = options.now ?? Date.now;
  const pruneBatch = Math.max(1, options.pruneBatch ?? 2000);
  let db: Database.Database;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    // Each batch touches a page or more of every rollup table and index: a 64 MiB page cache (instead of
    // 2 MiB) keeps them resident, about a third off the ingest time at a million events.
    db.pragma('cache_size = -65536');
    migrate(db, file);
  } catch (err) {
    throw storeError(file, err);
  }

  const insert = db.prepare(
    `INSERT OR IGNORE INTO events (event_id, ts, account, region, source, event_source, service, event_name,
       principal, principal_type, access_key, source_ip, user_agent, error_code, error_class, read_only, bucket, bytes, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  /** Per cube and level: the upsert and the removal of a row whose count fell to zero. */
  const rollupStmts = ROLLUP_CUBES.map((cube) =>
    ROLLUP_LEVELS.map((_, level) => {
      const table = rollupTable(cube, level);
      const cols = ['slot', ...cube.dims, 'error_class'];
      return {
        upsert: db.prepare(
          `INSERT INTO ${table} (${cols.join(', ')}, count) VALUES (${cols.map(() => '?').join(', ')}, ?)
           ON CONFLICT DO UPDATE SET count = count + excluded.count`,
        ),
        clean: db.prepare(
          `DELETE FROM ${table} WHERE ${cols.map((c) => `${c} = ?`).join(' AND ')} AND count <= 0`,
        ),
      };
    }),
  );
  const stmt = {
    s3: db.prepare(
      `INSERT INTO s3_data_minute (slot, account, bucket, principal, operation, count, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET count = count + excluded.count, bytes = bytes + excluded.bytes`,
    ),
    s3Clean: db.prepare(
      `DELETE FROM s3_data_minute WHERE slot = ? AND account = ? AND bucket = ? AND principal = ? AND operation = ?
         AND count <= 0`,
    ),
    get: db.prepare<[string], EventRow & { raw: string }>('SELECT * FROM events WHERE event_id = ?'),
    count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events'),
    oldest: db.prepare<[number, number], EventRow>(
      'SELECT * FROM events WHERE ts < ? ORDER BY ts, seq LIMIT ?',
    ),
    delete: db.prepare<[number]>('DELETE FROM events WHERE seq = ?'),
  };
  const queries = createEventQueries(db);
  let closed = false;

  function check(): void {
    if (closed) throw new VigilError('VIGIL_STORE', `${file}: the events store is closed`);
  }

  function applyDelta(delta: RollupDelta): void {
    delta.activity.forEach((levels, c) =>
      levels.forEach((rows, l) => {
        const { upsert, clean } = rollupStmts[c]![l]!;
        for (const r of rows.values()) {
          if (r.n === 0) continue;
          upsert.run(r.slot, ...r.values, r.errorClass, r.n);
          if (r.n < 0) clean.run(r.slot, ...r.values, r.errorClass);
        }
      }),
    );
    for (const { key: k, n, bytes } of delta.s3.values()) {
      if (n === 0) continue;
      stmt.s3.run(k.minute, k.account, k.bucket, k.principal, k.eventName, n, bytes);
      if (n < 0) stmt.s3Clean.run(k.minute, k.account, k.bucket, k.principal, k.eventName);
    }
  }

  function keyOf(r: {
    ts: number;
    account: string | null;
    service: string | null;
    event_name: string | null;
    region: string | null;
    principal: string | null;
    error_class: number;
    event_source: string | null;
    bucket: string | null;
    bytes: number | null;
  }): RollupKey {
    return {
      minute: Math.floor(r.ts / 60_000),
      account: r.account ?? '',
      service: r.service ?? '',
      eventName: r.event_name ?? '',
      region: r.region ?? '',
      principal: r.principal ?? '',
      errorClass: r.error_class as ErrorClass,
      s3Data: r.event_source === 's3.amazonaws.com' && S3_DATA_OPERATIONS.has(r.event_name ?? ''),
      bucket: r.bucket ?? '',
      bytes: r.bytes ?? 0,
    };
  }

  const addBatch = db.transaction((events: readonly VigilEvent[]): number => {
    const delta = new RollupDelta();
    let added = 0;
    for (const e of events) {
      if (!Number.isFinite(e.ts)) continue;
      const errorClass = errorClassOf(e.errorCode);
      const bucket = e.eventSource === 's3.amazonaws.com' ? bucketOf(e.raw) : undefined;
      const bytes = bucket !== undefined ? bytesOf(e.raw) : undefined;
      const res = insert.run(
        storedEventId(e),
        e.ts,
        e.accountId ?? null,
        e.region ?? null,
        e.source,
        e.eventSource ?? null,
        e.service ?? null,
        e.eventName ?? null,
        e.principal ?? null,
        e.principalType,
        e.accessKeyId ?? null,
        e.sourceIp ?? null,
        e.userAgent ?? null,
        e.errorCode ?? null,
        errorClass,
        e.readOnly === undefined ? null : e.readOnly ? 1 : 0,
        bucket ?? null,
        bytes ?? null,
        JSON.stringify(e.raw),
      );
      if (res.changes === 0) continue;
      added++;
      delta.add(
        keyOf({
          ts: e.ts,
          account: e.accountId ?? null,
          service: e.service ?? null,
          event_name: e.eventName ?? null,
          region: e.region ?? null,
          principal: e.principal ?? null,
          error_class: errorClass,
          event_source: e.eventSource ?? null,
          bucket: bucket ?? null,
          bytes: bytes ?? null,
        }),
        1,
      );
    }
    applyDelta(delta);
    return added;
  });

  /** Removes one batch of events older than `cutoff` (ms), subtracting them from the rollups. */
  const pruneOnce = db.transaction((cutoff: number, limit: number): number => {
    const rows = stmt.oldest.all(cutoff, limit);
    const delta = new RollupDelta();
    for (const r of rows) {
      delta.add(keyOf(r), -1);
      stmt.delete.run(r.seq);
    }
    applyDelta(delta);
    return rows.length;
  });

  return {
    add(events) {
      check();
      if (events.length === 0) return 0;
      try {
        return addBatch(events);
      } catch (err) {
        throw storeError(file, err);
      }
    },
    get(eventId) {
      check();
      const row = stmt.get.get(eventId);
      if (!row) return undefined;
      const stored: StoredEvent = { ...summaryOf(row), raw: JSON.parse(row.raw) as Record<string, unknown> };
      return stored;
    },
    count() {
      check();
      return stmt.count.get()!.n;
    },
    series: (q) => (check(), queries.series(q)),
    errors: (q) => (check(), queries.errors(q)),
    topCallers: (q) => (check(), queries.topCallers(q)),
    search: (q) => (check(), queries.search(q)),
    timeline: (q) => (check(), queries.timeline(q)),
    s3Changes: (q) => (check(), queries.s3Changes(q)),
    s3DataVolume: (q) => (check(), queries.s3DataVolume(q)),
    prune({ maxBatches = Infinity } = {}) {
      check();
      let removed = 0;
      let batches = 0;
      try {
        if (options.retentionDays !== undefined) {
          const cutoff = now() - options.retentionDays * DAY_MS;
          while (batches < maxBatches) {
            const n = pruneOnce(cutoff, pruneBatch);
            batches++;
            removed += n;
            if (n < pruneBatch) break;
          }
        }
        if (options.maxEvents !== undefined) {
          let excess = stmt.count.get()!.n - options.maxEvents;
          while (excess > 0 && batches < maxBatches) {
            const n = pruneOnce(Number.MAX_SAFE_INTEGER, Math.min(pruneBatch, excess));
            batches++;
            removed += n;
            excess -= n;
            if (n === 0) break;
          }
        }
      } catch (err) {
        throw storeError(file, err);
      }
      return removed;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > EVENT_MIGRATIONS.length) {
    throw new VigilError(
      'VIGIL_STORE',
      `${file}: the events database is from a newer Vigil (schema ${version}, this one knows ${EVENT_MIGRATIONS.length})`,
    );
  }
  for (let v = version; v < EVENT_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(EVENT_MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
