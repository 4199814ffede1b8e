import type Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';
import { S3_CHANGE_NAMES, S3_CHANGES, weakensProtection } from './events-s3.js';
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

/** Group-by columns of the activity rollups, from a fixed allow-list. */
const GROUP_COLUMN: Record<ActivityGroup, string> = {
  none: "''",
  service: 'service',
  eventName: 'event_name',
  region: 'region',
  principal: 'principal',
  account: 'account',
};

/**
 * The minute slots of [since, until) (rounded outward to whole minutes) split so that whole hours are
 * read from the hour rollup and only the ragged edges from the minute rollup.
 */
function slotParams(since: number, until: number): Record<string, number> {
  const m0 = Math.floor(since / MINUTE);
  const m3 = Math.max(m0, Math.ceil(until / MINUTE));
  const h0 = Math.ceil(m0 / 60);
  const h1 = Math.floor(m3 / 60);
  if (h0 >= h1) return { h0: 0, h1: 0, m0, m1: m3, m2: m3, m3 };
  return { h0, h1, m0, m1: h0 * 60, m2: h1 * 60, m3 };
}

/** The activity rows of a range as (minute, dimensions…, count), hour rows standing at their first minute. */
const ACTIVITY_CTE = `WITH r AS (
  SELECT slot * 60 AS minute, account, service, event_name, region, principal, error_class, count
    FROM activity_hour WHERE slot >= @h0 AND slot < @h1
  UNION ALL
  SELECT slot AS minute, account, service, event_name, region, principal, error_class, count
    FROM activity_minute WHERE slot >= @m0 AND slot < @m1
  UNION ALL
  SELECT slot AS minute, account, service, event_name, region, principal, error_class, count
    FROM activity_minute WHERE slot >= @m2 AND slot < @m3
)`;

const ACTIVITY_WHERE = `(@account IS NULL OR account = @account) AND (@region IS NULL OR region = @region)
  AND (@service IS NULL OR service = @service) AND (@eventName IS NULL OR event_name = @eventName)
  AND (@principal IS NULL OR principal = @principal)`;

function filterParams(f: ActivityFilter): Record<string, string | null> {
  return {
    account: f.account ?? null,
    region: f.region ?? null,
    service: f.service ?? null,
    eventName: f.eventName ?? null,
    principal: f.principal ?? null,
  };
}

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

  const GROUPED_SERIES = Object.fromEntries(
    Object.entries(GROUP_COLUMN).map(([group, col]) => [
      group,
      db.prepare(
        `${ACTIVITY_CTE} SELECT (minute * ${MINUTE}) / CAST(@bucketMs AS INTEGER) AS b, ${col} AS k, SUM(count) AS n
         FROM r WHERE ${ACTIVITY_WHERE} GROUP BY b, k`,
      ),
    ]),
  ) as Record<ActivityGroup, Database.Statement>;

  const ERRORS = db.prepare(
    `${ACTIVITY_CTE} SELECT (minute * ${MINUTE}) / CAST(@bucketMs AS INTEGER) AS b, error_class AS c, SUM(count) AS n
     FROM r WHERE ${ACTIVITY_WHERE} GROUP BY b, c`,
  );

  const TOP_CALLERS = db.prepare(
    `${ACTIVITY_CTE} SELECT principal, SUM(count) AS calls,
       SUM(CASE WHEN error_class = 0 THEN 0 ELSE count END) AS errors,
       SUM(CASE WHEN error_class = 1 THEN count ELSE 0 END) AS denied,
       COUNT(DISTINCT service) AS services, MAX(minute) AS last
     FROM r WHERE ${ACTIVITY_WHERE} AND principal <> '' GROUP BY principal ORDER BY calls DESC, principal LIMIT @limit`,
  );

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
    series(q: SeriesQuery): Series {
      const times = bucketTimes(q.since, q.until, q.bucketMs);
      const since = times[0]!;
      const until = times[times.length - 1]! + q.bucketMs;
      const rows = GROUPED_SERIES[q.group].all({
        ...slotParams(since, until),
        ...filterParams(q),
        bucketMs: q.bucketMs,
      }) as { b: number; k: string | null; n: number }[];
      const series = fold(rows, times, q.bucketMs, q.group === 'none' ? 1 : q.top).map(
        ({ key, total, counts }) => ({ key, total, counts }),
      );
      return { since, until, bucketMs: q.bucketMs, times, series };
    },

    errors(q: ActivityFilter & { bucketMs: number; rule?: ErrorSeries['rule'] }): ErrorSeries {
      const rule = q.rule ?? { ...DEFAULT_SPIKE_RULE };
      const times = bucketTimes(q.since, q.until, q.bucketMs);
      const since = times[0]!;
      const until = times[times.length - 1]! + q.bucketMs;
      const rows = ERRORS.all({ ...slotParams(since, until), ...filterParams(q), bucketMs: q.bucketMs }) as {
        b: number;
        c: number;
        n: number;
      }[];
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

    topCallers(q: ActivityFilter & { limit: number }): Caller[] {
      const rows = TOP_CALLERS.all({
        ...slotParams(q.since, q.until),
        ...filterParams(q),
        limit: q.limit,
      }) as {
        principal: string;
        calls: number;
        errors: number;
        denied: number;
        services: number;
        last: number;
      }[];
      return rows.map((r) => ({
        principal: r.principal,
        calls: r.calls,
        errors: r.errors,
        denied: r.denied,
        services: r.services,
        lastSeen: r.last * MINUTE,
      }));
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
