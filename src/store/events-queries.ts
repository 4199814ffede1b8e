import type Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';
import { S3_CHANGE_NAMES, S3_CHANGES, weakensProtection } from './events-s3.js';
import {
  cubeFor,
  DIM_PARAM,
  levelFor,
  segmentParams,
  segments,
  sourceSql,
  type SourceSpec,
} from './events-rollups.js';
import { ROLLUP_LEVELS, rollupTable, type RollupCube, type RollupDim } from './events-schema.js';
import { DEFAULT_SPIKE_RULE, findSpikes } from './events-spikes.js';
import type {
  ActivityFilter,
  ActivityGroup,
  Caller,
  ErrorSeries,
  EventPage,
  EventSearch,
  EventSummary,
  S3Change,
  S3ChangeQuery,
  S3DataQuery,
  S3DataSeries,
  Series,
  SeriesQuery,
  TimelineQuery,
  TimeRange,
} from './events-types.js';

const MINUTE = 60_000;
const OTHER = '(other)';

/** A row of the `events` table. */
export interface EventRow {
  seq: number;
  event_id: string;
  ts: number;
  account: string | null;
  region: string | null;
  source: string;
  event_source: string | null;
  service: string | null;
  event_name: string | null;
  principal: string | null;
  principal_type: string | null;
  access_key: string | null;
  source_ip: string | null;
  user_agent: string | null;
  error_code: string | null;
  error_class: number;
  read_only: number | null;
  bucket: string | null;
  bytes: number | null;
}

export function summaryOf(r: EventRow): EventSummary {
  return {
    eventId: r.event_id,
    time: new Date(r.ts).toISOString(),
    ts: r.ts,
    account: r.account,
    region: r.region,
    source: r.source,
    eventSource: r.event_source,
    service: r.service,
    eventName: r.event_name,
    principal: r.principal,
    principalType: r.principal_type,
    accessKeyId: r.access_key,
    sourceIp: r.source_ip,
    userAgent: r.user_agent,
    errorCode: r.error_code,
    errorClass: r.error_class === 1 ? 'denied' : r.error_class === 2 ? 'error' : null,
    readOnly: r.read_only === null ? null : r.read_only === 1,
    bucket: r.bucket,
  };
}

/** Column lists without `raw`, so lists never read the (large) raw records. */
const SUMMARY_COLUMNS = `seq, event_id, ts, account, region, source, event_source, service, event_name, principal,
  principal_type, access_key, source_ip, user_agent, error_code, error_class, read_only, bucket, bytes`;

/** The rollup dimension of each grouping (none: every row under one key). */
const GROUP_DIM: Record<ActivityGroup, RollupDim | undefined> = {
  none: undefined,
  service: 'service',
  eventName: 'event_name',
  region: 'region',
  principal: 'principal',
  account: 'account',
};

const FILTER_DIMS: readonly [keyof ActivityFilter, RollupDim][] = [
  ['account', 'account'],
  ['region', 'region'],
  ['service', 'service'],
  ['eventName', 'event_name'],
  ['principal', 'principal'],
];

/** The dimensions `f` filters by, and their bound parameters. */
function filtersOf(f: ActivityFilter): { dims: RollupDim[]; params: Record<string, string> } {
  const dims: RollupDim[] = [];
  const params: Record<string, string> = {};
  for (const [key, dim] of FILTER_DIMS) {
    const v = f[key];
    if (typeof v !== 'string') continue;
    dims.push(dim);
    params[DIM_PARAM[dim]] = v;
  }
  return { dims, params };
}

/** The finest level the events table stands in for (it has no coarser slots). */
const maxLevel = (cube: RollupCube | undefined, level: number): number => (cube ? level : 0);
const COARSEST = ROLLUP_LEVELS.length - 1;

/** Bucket starts covering [since, until), aligned to multiples of `bucketMs`. */
function bucketTimes(since: number, until: number, bucketMs: number): number[] {
  if (bucketMs % MINUTE !== 0 || bucketMs <= 0)
    throw new VigilError('VIGIL_USAGE', `bucket width ${bucketMs} ms is not a whole number of minutes`);
  const start = Math.floor(since / bucketMs) * bucketMs;
  const end = Math.max(start + bucketMs, Math.ceil(until / bucketMs) * bucketMs);
  const times: number[] = [];
  for (let t = start; t < end; t += bucketMs) times.push(t);
  return times;
}

/** Folds (bucket, key, n) rows into the `top` largest series plus `(other)`. */
function fold(
  rows: { b: number; k: string | null; n: number; bytes?: number }[],
  times: number[],
  bucketMs: number,
  top: number,
): { key: string; total: number; bytes: number; counts: number[] }[] {
  const totals = new Map<string, { total: number; bytes: number }>();
  for (const r of rows) {
    const k = r.k ?? '';
    const t = totals.get(k) ?? { total: 0, bytes: 0 };
    t.total += r.n;
    t.bytes += r.bytes ?? 0;
    totals.set(k, t);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1));
  const kept = new Map(ranked.slice(0, top).map(([k, t], i) => [k, { i, t }]));
  const out = ranked.slice(0, top).map(([key, t]) => ({
    key,
    total: t.total,
    bytes: t.bytes,
    counts: times.map(() => 0),
  }));
  let other: (typeof out)[number] | undefined;
  const first = times[0]! / bucketMs;
  for (const r of rows) {
    const idx = r.b - first;
    if (idx < 0 || idx >= times.length) continue;
    const hit = kept.get(r.k ?? '');
    let s = hit ? out[hit.i]! : other;
    if (!s) {
      other = { key: OTHER, total: 0, bytes: 0, counts: times.map(() => 0) };
      s = other;
    }
    s.counts[idx]! += r.n;
    if (!hit) {
      s.total += r.n;
      s.bytes += r.bytes ?? 0;
    }
  }
  if (other) out.push(other);
  return out;
}

function encodeCursor(ts: number, seq: number): string {
  return Buffer.from(`${ts}.${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): { ts: number; seq: number } {
  const m = /^(-?\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new VigilError('VIGIL_USAGE', 'cursor: not a cursor this API returned');
  return { ts: Number(m[1]), seq: Number(m[2]) };
}

/** A LIKE pattern matching `text` anywhere, with the LIKE wildcards in it escaped. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Optional filters of the event search: each a fixed SQL fragment with its bound parameter, so the
 * statement text depends only on which filters are present (and is prepared once per combination).
 */
const SEARCH_FILTERS: readonly [keyof EventSearch, string][] = [
  ['account', 'account = @account'],
  ['region', 'region = @region'],
  ['service', 'service = @service'],
  ['eventName', 'event_name = @eventName'],
  ['principal', 'principal = @principal'],
  ['accessKeyId', 'access_key = @accessKeyId'],
  ['sourceIp', 'source_ip = @sourceIp'],
  ['errorCode', 'error_code = @errorCode'],
];

const TEXT_FILTER = `(event_name LIKE @text ESCAPE '\\' OR principal LIKE @text ESCAPE '\\'
  OR source_ip LIKE @text ESCAPE '\\' OR user_agent LIKE @text ESCAPE '\\' OR error_code LIKE @text ESCAPE '\\')`;

const TIMELINE_COLUMN: Record<TimelineQuery['by'], string> = {
  principal: 'principal',
  accessKeyId: 'access_key',
  sourceIp: 'source_ip',
};

export function createEventQueries(db: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };

  /** Rows of `spec` over [since, until) from the cube (or events) at levels up to `level`, then `outer`. */
  function rollup(
    cube: RollupCube | undefined,
    range: { since: number; until: number; level: number },
    spec: SourceSpec,
    outer: string,
    params: Record<string, unknown>,
  ): unknown[] {
    const segs = segments(range.since, range.until, maxLevel(cube, range.level));
    const sql = `WITH r AS (${sourceSql(cube, segs, spec)}) ${outer}`;
    return prepare(sql).all({ ...params, ...segmentParams(segs) });
  }

  /** Count per bucket of every row matching the filters (the narrowest cube holding them). */
  function bucketTotals(
    f: { dims: RollupDim[]; params: Record<string, string> },
    since: number,
    until: number,
    bucketMs: number,
    group: 'error_class' | "''",
  ): { b: number; c: number; n: number }[] {
    const cube = cubeFor(f.dims);
    return rollup(
      cube,
      { since, until, level: levelFor(bucketMs) },
      { select: () => `${group} AS c`, filters: f.dims },
      `SELECT (minute * ${MINUTE}) / CAST(@bucketMs AS INTEGER) AS b, c, SUM(count) AS n FROM r GROUP BY b, c`,
      { ...f.params, bucketMs },
    ) as { b: number; c: number; n: number }[];
  }

  const S3_DATA_GROUP = { bucket: 'bucket', principal: 'principal', operation: 'operation' } as const;
  const S3_DATA = Object.fromEntries(
    Object.entries(S3_DATA_GROUP).map(([group, col]) => [
      group,
      db.prepare(
        `SELECT (slot * ${MINUTE}) / CAST(@bucketMs AS INTEGER) AS b, ${col} AS k, SUM(count) AS n, SUM(bytes) AS bytes
         FROM s3_data_minute WHERE slot >= @m0 AND slot < @m3
           AND (@account IS NULL OR account = @account) AND (@bucket IS NULL OR bucket = @bucket)
           AND (@principal IS NULL OR principal = @principal) AND (@operation IS NULL OR operation = @operation)
         GROUP BY b, k`,
      ),
    ]),
  ) as Record<S3DataQuery['group'], Database.Statement>;

  /**
   * The last minute of the range with a call by a principal, matching the filters: the last 5-minute
   * slots with one (through the principal index), then their minutes. Only the slots straddling the
   * range's ends can hold calls outside it, so three slots always suffice.
   */
  function lastMinute(
    cube: RollupCube | undefined,
    f: { dims: RollupDim[]; params: Record<string, string> },
    range: TimeRange,
  ): (principal: string) => number {
    const m0 = Math.floor(range.since / MINUTE);
    const m1 = Math.max(m0, Math.ceil(range.until / MINUTE));
    if (!cube) {
      const stmt = prepare(
        `SELECT ts / ${MINUTE} AS m FROM events WHERE principal = @p AND ts >= @m0 * ${MINUTE} AND ts < @m1 * ${MINUTE}
         ${f.dims.map((d) => `AND ${d} IS NULLIF(@${DIM_PARAM[d]}, '')`).join(' ')} ORDER BY ts DESC LIMIT 1`,
      );
      return (p) => (stmt.get({ ...f.params, p, m0, m1 }) as { m: number } | undefined)?.m ?? m0;
    }
    const filters = f.dims.map((d) => `AND ${d} = @${DIM_PARAM[d]}`).join(' ');
    const size = ROLLUP_LEVELS[1]!.minutes;
    const coarse = prepare(
      `SELECT slot FROM ${rollupTable(cube, 1)} WHERE principal = @p AND slot >= @s0 AND slot < @s1 ${filters}
       ORDER BY slot DESC LIMIT 3`,
    );
    const fine = prepare(
      `SELECT MAX(slot) AS m FROM ${rollupTable(cube, 0)} WHERE slot >= @lo AND slot < @hi AND principal = @p ${filters}`,
    );
    return (p) => {
      const slots = coarse.all({ ...f.params, p, s0: Math.floor(m0 / size), s1: Math.ceil(m1 / size) }) as {
        slot: number;
      }[];
      for (const { slot } of slots) {
        const lo = Math.max(m0, slot * size);
        const hi = Math.min(m1, (slot + 1) * size);
        const m = (fine.get({ ...f.params, p, lo, hi }) as { m: number | null }).m;
        if (m !== null) return m;
      }
      return m0;
    };
  }

  function page(
    where: string[],
    params: Record<string, unknown>,
    limit: number,
    cursor: string | undefined,
  ): { rows: EventRow[]; nextCursor: string | null } {
    const clauses = [...where];
    if (cursor !== undefined) {
      const c = decodeCursor(cursor);
      clauses.push('(ts < @cursorTs OR (ts = @cursorTs AND seq < @cursorSeq))');
      params.cursorTs = c.ts;
      params.cursorSeq = c.seq;
    }
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM events WHERE ${clauses.join(' AND ')}
      ORDER BY ts DESC, seq DESC LIMIT @limitPlusOne`;
    const rows = prepare(sql).all({ ...params, limitPlusOne: limit + 1 }) as EventRow[];
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    return { rows, nextCursor: more && last ? encodeCursor(last.ts, last.seq) : null };
  }

  return {
    /**
     * In three reads, so the work follows the `top` groups kept rather than every group: each key's
     * total over the range (coarsest slots), the per-bucket counts of the top keys only (through the
     * cube's key index), and the per-bucket count of everything, of which `(other)` is the rest.
     */
    series(q: SeriesQuery): Series {
      const times = bucketTimes(q.since, q.until, q.bucketMs);
      const since = times[0]!;
      const until = times[times.length - 1]! + q.bucketMs;
      const dim = GROUP_DIM[q.group];
      const f = filtersOf(q);
      const cube = cubeFor(dim ? [dim, ...f.dims] : f.dims);
      const key = (col: (d: RollupDim) => string) => `${dim ? col(dim) : "''"} AS k`;
      return db.transaction((): Series => {
        const totals = rollup(
          cube,
          { since, until, level: COARSEST },
          { select: key, filters: f.dims },
          'SELECT k, SUM(count) AS n FROM r GROUP BY k',
          f.params,
        ) as { k: string; n: number }[];
        totals.sort((a, b) => b.n - a.n || (a.k < b.k ? -1 : 1));
        const top = q.group === 'none' ? 1 : q.top;
        const kept = totals.slice(0, top);
        const index = new Map(kept.map((t, i) => [t.k, i]));
        const series = kept.map((t) => ({ key: t.k, total: t.n, counts: times.map(() => 0) }));
        const first = since / q.bucketMs;
        const keyed = dim
          ? {
              where: (col: (d: RollupDim) => string) => [
                `${col(dim)} IN (SELECT value FROM json_each(@keys))`,
              ],
            }
          : {};
        const rows = rollup(
          cube,
          { since, until, level: levelFor(q.bucketMs) },
          { select: key, filters: f.dims, ...keyed },
          `SELECT (minute * ${MINUTE}) / CAST(@bucketMs AS INTEGER) AS b, k, SUM(count) AS n FROM r GROUP BY b, k`,
          { ...f.params, bucketMs: q.bucketMs, keys: JSON.stringify(kept.map((t) => t.k)) },
        ) as { b: number; k: string; n: number }[];
        const keptPerBucket = times.map(() => 0);
        for (const r of rows) {
          const i = r.b - first;
          const s = index.get(r.k);
          if (i < 0 || i >= times.length || s === undefined) continue;
          series[s]!.counts[i]! += r.n;
          keptPerBucket[i]! += r.n;
        }
        if (totals.length > top) {
          const other = { key: OTHER, total: 0, counts: times.map(() => 0) };
          for (const t of totals.slice(top)) other.total += t.n;
          for (const r of bucketTotals(f, since, until, q.bucketMs, "''")) {
            const i = r.b - first;
            if (i >= 0 && i < times.length) other.counts[i]! += r.n;
          }
          other.counts = other.counts.map((n, i) => n - keptPerBucket[i]!);
          series.push(other);
        }
        return { since, until, bucketMs: q.bucketMs, times, series };
      })();
    },

    errors(q: ActivityFilter & { bucketMs: number; rule?: ErrorSeries['rule'] }): ErrorSeries {
      const rule = q.rule ?? { ...DEFAULT_SPIKE_RULE };
      const times = bucketTimes(q.since, q.until, q.bucketMs);
      const since = times[0]!;
      const until = times[times.length - 1]! + q.bucketMs;
      const rows = bucketTotals(filtersOf(q), since, until, q.bucketMs, 'error_class');
      const total = times.map(() => 0);
      const errors = times.map(() => 0);
      const denied = times.map(() => 0);
      const first = since / q.bucketMs;
      for (const r of rows) {
        const i = r.b - first;
        if (i < 0 || i >= times.length) continue;
        total[i]! += r.n;
        if (r.c !== 0) errors[i]! += r.n;
        if (r.c === 1) denied[i]! += r.n;
      }
      const spikes: ErrorSeries['spikes'] = [];
      for (const [kind, counts] of [
        ['errors', errors],
        ['denied', denied],
      ] as const) {
        for (const s of findSpikes(counts, rule))
          spikes.push({
            time: times[s.index]!,
            kind,
            count: s.count,
            mean: s.mean,
            stddev: s.stddev,
            threshold: s.threshold,
          });
      }
      spikes.sort((a, b) => a.time - b.time || (a.kind < b.kind ? -1 : 1));
      return { since, until, bucketMs: q.bucketMs, times, total, errors, denied, spikes, rule };
    },

    /**
     * Calls and errors per principal from the narrowest cube with principals; then, for the callers
     * kept, the distinct services (a cube that has them, through its principal index) and the last
     * minute with a call.
     */
    topCallers(q: ActivityFilter & { limit: number }): Caller[] {
      const f = filtersOf(q);
      const range = { since: q.since, until: q.until, level: COARSEST };
      return db.transaction((): Caller[] => {
        const cube = cubeFor(['principal', ...f.dims]);
        const rows = rollup(
          cube,
          range,
          {
            select: (col) => `${col('principal')} AS k`,
            filters: f.dims,
            where: (col) => [`${col('principal')} <> ''`],
          },
          `SELECT k AS principal, SUM(count) AS calls,
             SUM(CASE WHEN error_class = 0 THEN 0 ELSE count END) AS errors,
             SUM(CASE WHEN error_class = 1 THEN count ELSE 0 END) AS denied
           FROM r GROUP BY k ORDER BY calls DESC, k LIMIT @limit`,
          { ...f.params, limit: q.limit },
        ) as { principal: string; calls: number; errors: number; denied: number }[];
        if (rows.length === 0) return [];
        const keys = JSON.stringify(rows.map((r) => r.principal));
        const services = new Map(
          (
            rollup(
              cubeFor(['principal', 'service', ...f.dims]),
              range,
              {
                select: (col) => `${col('principal')} AS k, ${col('service')} AS svc`,
                filters: f.dims,
                where: (col) => [`${col('principal')} IN (SELECT value FROM json_each(@keys))`],
              },
              'SELECT k, COUNT(DISTINCT svc) AS n FROM r GROUP BY k',
              { ...f.params, keys },
            ) as { k: string; n: number }[]
          ).map((r) => [r.k, r.n]),
        );
        const last = lastMinute(cube, f, q);
        return rows.map((r) => ({
          ...r,
          services: services.get(r.principal) ?? 0,
          lastSeen: last(r.principal) * MINUTE,
        }));
      })();
    },

    search(q: EventSearch): EventPage {
      const where = ['ts >= @since', 'ts < @until'];
      const params: Record<string, unknown> = { since: q.since, until: q.until };
      for (const [key, clause] of SEARCH_FILTERS) {
        const v = q[key];
        if (v === undefined) continue;
        where.push(clause);
        params[key] = v;
      }
      if (q.errors === 'errors') where.push('error_class <> 0');
      if (q.errors === 'denied') where.push('error_class = 1');
      if (q.text !== undefined && q.text !== '') {
        where.push(TEXT_FILTER);
        params.text = containsPattern(q.text);
      }
      const { rows, nextCursor } = page(where, params, q.limit, q.cursor);
      return { events: rows.map(summaryOf), nextCursor };
    },

    timeline(q: TimelineQuery): EventSummary[] {
      const col = TIMELINE_COLUMN[q.by];
      const rows = prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM events WHERE ${col} = @value AND ts >= @from AND ts <= @to
         ORDER BY ts, seq LIMIT @limit`,
      ).all({
        value: q.value,
        from: q.at - q.minutes * MINUTE,
        to: q.at + q.minutes * MINUTE,
        limit: q.limit,
      });
      return (rows as EventRow[]).map(summaryOf);
    },

    s3Changes(q: S3ChangeQuery): { changes: S3Change[]; nextCursor: string | null } {
      const names = q.category
        ? S3_CHANGE_NAMES.filter((n) => S3_CHANGES[n]!.category === q.category)
        : S3_CHANGE_NAMES;
      const params: Record<string, unknown> = { since: q.since, until: q.until };
      names.forEach((n, i) => (params[`n${i}`] = n));
      const where = [
        'ts >= @since',
        'ts < @until',
        `event_name IN (${names.map((_, i) => `@n${i}`).join(', ')})`,
        "(event_source IS NULL OR event_source IN ('s3.amazonaws.com', 's3-control.amazonaws.com'))",
      ];
      for (const key of ['account', 'bucket', 'principal'] as const) {
        if (q[key] === undefined) continue;
        where.push(`${key} = @${key}`);
        params[key] = q[key];
      }
      const { rows, nextCursor } = page(where, params, q.limit, q.cursor);
      const raws = prepare('SELECT raw FROM events WHERE seq = ?');
      const changes = rows.map((r): S3Change => {
        const kind = S3_CHANGES[r.event_name!]!;
        const raw = JSON.parse((raws.get(r.seq) as { raw: string }).raw) as Record<string, unknown>;
        return {
          ...summaryOf(r),
          category: kind.category,
          action: kind.action,
          scope: kind.account || r.bucket === null ? 'account' : 'bucket',
          weakening: weakensProtection(r.event_name!, raw),
        };
      });
      return { changes, nextCursor };
    },

    s3DataVolume(q: S3DataQuery): S3DataSeries {
      const times = bucketTimes(q.since, q.until, q.bucketMs);
      const since = times[0]!;
      const until = times[times.length - 1]! + q.bucketMs;
      const rows = S3_DATA[q.group].all({
        m0: Math.floor(since / MINUTE),
        m3: Math.ceil(until / MINUTE),
        account: q.account ?? null,
        bucket: q.bucket ?? null,
        principal: q.principal ?? null,
        operation: q.operation ?? null,
        bucketMs: q.bucketMs,
      }) as { b: number; k: string | null; n: number; bytes: number }[];
      return { since, until, bucketMs: q.bucketMs, times, series: fold(rows, times, q.bucketMs, q.top) };
    },
  };
}
