import type Database from 'better-sqlite3';
import type { Finding } from '../core/finding.js';
import type { Overview, OverviewOptions, SeverityCounts } from './types.js';

const HOUR = 3_600_000;
/** The severity band of a row, in SQL, for GROUP BY (same bands as severityLabel). */
const BAND = `CASE WHEN severity >= 9 THEN 'CRITICAL' WHEN severity >= 7 THEN 'HIGH' WHEN severity >= 4 THEN 'MEDIUM' ELSE 'LOW' END`;
const OPEN = `status IN ('NEW', 'ACKNOWLEDGED')`;

const zero = (): SeverityCounts => ({ LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 });
const clamp = (v: number | undefined, def: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, Math.floor(v ?? def)));

/**
 * The overview's queries, prepared once. Each is fixed SQL over indexed columns: the time series and top
 * lists read only the window's rows (index on last_seen_ms / first_seen_ms), the open counts use the
 * status index.
 */
export function createOverview(db: Database.Database, now: () => number) {
  const stmt = {
    open: db.prepare<[], { band: keyof SeverityCounts; n: number }>(
      `SELECT ${BAND} AS band, COUNT(*) AS n FROM findings WHERE ${OPEN} GROUP BY band`,
    ),
    overTime: db.prepare<
      [number, number, number, number],
      { b: number; band: keyof SeverityCounts; n: number }
    >(
      // Bound numbers arrive as REAL, so the bucket number is cast: a fractional one names no bucket.
      `SELECT CAST((first_seen_ms - ?) / ? AS INTEGER) AS b, ${BAND} AS band, COUNT(*) AS n FROM findings
       WHERE first_seen_ms >= ? AND first_seen_ms <= ? GROUP BY b, band`,
    ),
    newest: db.prepare<[number], { json: string }>(
      `SELECT j.json FROM findings AS f JOIN finding_json AS j ON j.n = f.n
       ORDER BY f.first_seen_ms DESC, f.severity DESC, f.n DESC LIMIT ?`,
    ),
    types: db.prepare<[number, number], { type: string; count: number }>(
      `SELECT type, COUNT(*) AS count FROM findings WHERE last_seen_ms >= ?
       GROUP BY type ORDER BY count DESC, type LIMIT ?`,
    ),
    principals: db.prepare<[number, number], { principal: string; count: number }>(
      `SELECT principal, COUNT(*) AS count FROM findings WHERE last_seen_ms >= ? AND principal IS NOT NULL
       GROUP BY principal ORDER BY count DESC, principal LIMIT ?`,
    ),
    ips: db.prepare<[number, number], { ip: string; country: string | null; count: number }>(
      `SELECT ip, MAX(country) AS country, COUNT(*) AS count FROM findings WHERE last_seen_ms >= ? AND ip IS NOT NULL
       GROUP BY ip ORDER BY count DESC, ip LIMIT ?`,
    ),
    accounts: db.prepare<[number], { accountId: string; count: number; open: number }>(
      `SELECT account_id AS accountId, COUNT(*) AS count, SUM(${OPEN}) AS open FROM findings
       WHERE last_seen_ms >= ? GROUP BY account_id ORDER BY count DESC, account_id LIMIT 100`,
    ),
    regions: db.prepare<[number], { region: string; count: number; open: number }>(
      `SELECT region, COUNT(*) AS count, SUM(${OPEN}) AS open FROM findings
       WHERE last_seen_ms >= ? GROUP BY region ORDER BY count DESC, region LIMIT 100`,
    ),
  };

  return (options: OverviewOptions = {}): Overview => {
    const to = now();
    const windowMs = clamp(options.windowMs, 24 * HOUR, 60_000, 366 * 24 * HOUR);
    const buckets = clamp(options.buckets, 24, 1, 500);
    const top = clamp(options.top, 10, 1, 100);
    const bucketMs = Math.ceil(windowMs / buckets);
    const from = to - bucketMs * buckets;

    const open = { ...zero(), total: 0 };
    for (const r of stmt.open.all()) {
      open[r.band] = r.n;
      open.total += r.n;
    }
    const overTime = Array.from({ length: buckets }, (_, i) => ({
      start: new Date(from + i * bucketMs).toISOString(),
      ...zero(),
    }));
    for (const r of stmt.overTime.all(from, bucketMs, from, to)) {
      const bucket = overTime[Math.min(buckets - 1, r.b)];
      if (bucket) bucket[r.band] += r.n;
    }
    return {
      generatedAt: new Date(to).toISOString(),
      window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucketMs },
      open,
      overTime,
      newest: stmt.newest.all(clamp(options.newest, 10, 0, 100)).map((r) => JSON.parse(r.json) as Finding),
      topTypes: stmt.types.all(from, top),
      topPrincipals: stmt.principals.all(from, top),
      topIps: stmt.ips
        .all(from, top)
        .map((r) => ({ ip: r.ip, ...(r.country ? { country: r.country } : {}), count: r.count })),
      accounts: stmt.accounts.all(from),
      regions: stmt.regions.all(from),
    };
  };
}
