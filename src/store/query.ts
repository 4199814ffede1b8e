import { VigilError } from '../core/errors.js';
import { SEVERITY_FLOOR, SEVERITY_LABELS, type SeverityLabel } from '../core/severity.js';
import { ftsQuery } from './fts.js';
import type { FindingQuery, FindingSortKey } from './types.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/**
 * Sort keys to ORDER BY columns: the only way a sort reaches SQL. Each list ends with the integer key `n`
 * so pages are stable, and matches an index (every index of the findings table ends with `n`), so SQLite
 * walks the index instead of sorting.
 */
const ORDER: Readonly<Record<FindingSortKey, readonly string[]>> = {
  severity: ['severity', 'last_seen_ms', 'n'],
  lastSeen: ['last_seen_ms', 'n'],
  firstSeen: ['first_seen_ms', 'severity', 'n'],
  count: ['count', 'last_seen_ms', 'n'],
  type: ['type', 'last_seen_ms', 'n'],
};

export function toMs(t: string | number, name = 'time'): number {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new VigilError('VIGIL_USAGE', `${name} is not a time: "${String(t)}"`);
  return ms;
}

/** The severity range of a band: [floor, next band's floor). */
function band(label: SeverityLabel): [number, number] {
  const i = SEVERITY_LABELS.indexOf(label);
  const next = SEVERITY_LABELS[i + 1];
  return [label === 'LOW' ? -1 : SEVERITY_FLOOR[label], next ? SEVERITY_FLOOR[next] : 11];
}

export interface CompiledQuery {
  where: string;
  params: (string | number)[];
  orderBy: string;
  limit: number;
  offset: number;
}

/** Fixed SQL clauses for the given filters; every value is a bound parameter. */
export function compileQuery(q: FindingQuery): CompiledQuery {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number | undefined)[]) => {
    if (values.some((v) => v === undefined)) return;
    where.push(clause);
    params.push(...(values as (string | number)[]));
  };
  if (q.severity?.length) {
    const ranges = [...new Set(q.severity)].map(band);
    where.push(`(${ranges.map(() => '(severity >= ? AND severity < ?)').join(' OR ')})`);
    for (const [lo, hi] of ranges) params.push(lo, hi);
  }
  add('severity >= ?', q.minSeverity);
  add('type = ?', q.type);
  // A prefix as a range, so the type index is used; U+10FFFF sorts after every character in SQLite's
  // byte order, so every type starting with the prefix lies below the upper bound.
  if (q.typePrefix) add('type >= ? AND type < ?', q.typePrefix, `${q.typePrefix}\u{10ffff}`);
  if (q.status?.length) {
    const statuses = [...new Set(q.status)];
    where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  add('account_id = ?', q.accountId);
  add('region = ?', q.region);
  add('principal = ?', q.principal);
  add('ip = ?', q.ip);
  add('detector = ?', q.detector);
  const time = (v: string | number | undefined, name: string) =>
    v === undefined ? undefined : toMs(v, name);
  add('last_seen_ms >= ?', time(q.lastSeenFrom, 'lastSeenFrom'));
  add('last_seen_ms <= ?', time(q.lastSeenTo, 'lastSeenTo'));
  add('first_seen_ms >= ?', time(q.firstSeenFrom, 'firstSeenFrom'));
  add('first_seen_ms <= ?', time(q.firstSeenTo, 'firstSeenTo'));
  const match = q.text === undefined ? undefined : ftsQuery(q.text);
  add('n IN (SELECT rowid FROM findings_fts WHERE findings_fts MATCH ?)', match);
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  const columns = ORDER[q.sort ?? 'severity'];
  if (!columns) throw new VigilError('VIGIL_USAGE', `cannot sort by "${String(q.sort)}"`);
  return {
    where: where.length ? ` WHERE ${where.join(' AND ')}` : '',
    params,
    orderBy: ` ORDER BY ${columns.map((c) => `${c} ${dir}`).join(', ')}`,
    limit: Math.min(MAX_PAGE, Math.max(0, Math.floor(q.limit ?? DEFAULT_PAGE))),
    offset: Math.max(0, Math.floor(q.offset ?? 0)),
  };
}
