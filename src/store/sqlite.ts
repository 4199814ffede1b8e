import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';
import { MAX_EVIDENCE_IDS, type Finding, type FindingStatus } from '../core/finding.js';
import { severityLabel } from '../core/severity.js';
import { MIGRATIONS } from './migrations.js';
import type { FindingFilter, FindingStore, UpsertItem } from './types.js';

const MAX_RESOURCES = 100;
const DEFAULT_LIMIT = 1000;

interface Row {
  json: string;
}

function storeError(file: string, err: unknown): VigilError {
  if (err instanceof VigilError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new VigilError('VIGIL_STORE', `${file}: ${message}`, { cause: err });
}

function toMs(t: string | number): number {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new VigilError('VIGIL_USAGE', `not a time: "${String(t)}"`);
  return ms;
}

function union(a: string[], b: readonly string[], max = Infinity): string[] {
  const out = [...a];
  for (const v of b) {
    if (out.length >= max) break;
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** Merges an incoming finding into the stored one; `added` is how much `count` grows. */
function merge(stored: Finding, incoming: Finding, added: number, countIsTotal: boolean): Finding {
  const severity = Math.max(stored.severity, incoming.severity);
  const first =
    Date.parse(incoming.firstSeen) < Date.parse(stored.firstSeen) ? incoming.firstSeen : stored.firstSeen;
  const last =
    Date.parse(incoming.lastSeen) > Date.parse(stored.lastSeen) ? incoming.lastSeen : stored.lastSeen;
  const resources = [...stored.resources];
  for (const r of incoming.resources) {
    if (resources.length >= MAX_RESOURCES) break;
    if (!resources.some((x) => x.type === r.type && x.id === r.id))
      resources.push({ type: r.type, id: r.id });
  }
  return {
    ...stored,
    severity,
    severityLabel: severityLabel(severity),
    firstSeen: first,
    lastSeen: last,
    count: countIsTotal ? Math.max(stored.count, incoming.count) : stored.count + added,
    resources,
    evidence: {
      eventIds: union(stored.evidence.eventIds, incoming.evidence.eventIds, MAX_EVIDENCE_IDS),
      eventNames: union(stored.evidence.eventNames, incoming.evidence.eventNames),
    },
    mitre: {
      tactics: union(stored.mitre.tactics, incoming.mitre.tactics),
      techniques: union(stored.mitre.techniques, incoming.mitre.techniques),
    },
    references: union(stored.references, incoming.references),
  };
}

/**
 * Opens (creating if needed) a SQLite findings store: WAL journal, a 5 s busy timeout so several
 * processes can share the file, schema migrated to the latest `PRAGMA user_version`. All SQL is fixed
 * text with bound parameters; no finding field ever becomes SQL.
 */
export function openFindingStore(file: string, options: { now?: () => number } = {}): FindingStore {
  const now = options.now ?? Date.now;
  let db: Database.Database;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, file);
  } catch (err) {
    throw storeError(file, err);
  }

  const stmt = {
    get: db.prepare<[string], Row>('SELECT json FROM findings WHERE id = ?'),
    insertEvent: db.prepare<[string, string, string | null]>(
      'INSERT OR IGNORE INTO finding_events (finding_id, event_id, event_time) VALUES (?, ?, ?)',
    ),
    put: db.prepare(
      `INSERT INTO findings (id, detector, type, severity, status, account_id, region, first_seen_ms, last_seen_ms, count, json, updated_at)
       VALUES (@id, @detector, @type, @severity, @status, @accountId, @region, @firstSeenMs, @lastSeenMs, @count, @json, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET detector = excluded.detector, type = excluded.type, severity = excluded.severity,
         status = excluded.status, account_id = excluded.account_id, region = excluded.region,
         first_seen_ms = excluded.first_seen_ms, last_seen_ms = excluded.last_seen_ms, count = excluded.count,
         json = excluded.json, updated_at = excluded.updated_at`,
    ),
  };
  let closed = false;

  function check(): void {
    if (closed) throw new VigilError('VIGIL_STORE', `${file}: the findings store is closed`);
  }

  function write(f: Finding): void {
    stmt.put.run({
      id: f.id,
      detector: f.detector,
      type: f.type,
      severity: f.severity,
      status: f.status,
      accountId: f.accountId,
      region: f.region,
      firstSeenMs: Date.parse(f.firstSeen),
      lastSeenMs: Date.parse(f.lastSeen),
      count: f.count,
      json: JSON.stringify(f),
      updatedAt: new Date(now()).toISOString(),
    });
  }

  function upsertOne(
    finding: Finding,
    eventIds: string[],
    eventTimes?: string[],
    countIsTotal = false,
  ): Finding {
    if (!Number.isFinite(Date.parse(finding.firstSeen)) || !Number.isFinite(Date.parse(finding.lastSeen))) {
      throw new VigilError(
        'VIGIL_STORE',
        `${file}: finding ${finding.id} has an unreadable firstSeen/lastSeen`,
      );
    }
    const ids = new Set<string>();
    let inserted = 0;
    eventIds.forEach((id, i) => {
      if (ids.has(id)) return;
      ids.add(id);
      inserted += stmt.insertEvent.run(finding.id, id, eventTimes?.[i] ?? null).changes;
    });
    const row = stmt.get.get(finding.id);
    let result: Finding;
    if (!row) {
      result = structuredClone(finding);
    } else {
      const stored = JSON.parse(row.json) as Finding;
      const added =
        ids.size === 0 ? 0 : inserted === ids.size ? finding.count : Math.min(inserted, finding.count);
      result = merge(stored, finding, added, countIsTotal);
    }
    write(result);
    return result;
  }

  const many = db.transaction((items: Iterable<UpsertItem>) => {
    const out: Finding[] = [];
    for (const it of items) out.push(upsertOne(it.finding, it.eventIds, it.eventTimes, it.countIsTotal));
    return out;
  });

  return {
    upsert(finding, eventIds, eventTimes, options) {
      check();
      try {
        return many([{ finding, eventIds, eventTimes, ...options }])[0]!;
      } catch (err) {
        throw storeError(file, err);
      }
    },
    upsertMany(items) {
      check();
      try {
        return many(items);
      } catch (err) {
        throw storeError(file, err);
      }
    },
    get(id) {
      check();
      const row = stmt.get.get(id);
      return row ? (JSON.parse(row.json) as Finding) : undefined;
    },
    list(filter: FindingFilter = {}) {
      check();
      // Fixed clauses only; every value is a bound parameter.
      const where: string[] = [];
      const params: (string | number)[] = [];
      const add = (clause: string, value: string | number | undefined) => {
        if (value === undefined) return;
        where.push(clause);
        params.push(value);
      };
      add('status = ?', filter.status);
      add('detector = ?', filter.detector);
      add('type = ?', filter.type);
      add('account_id = ?', filter.accountId);
      add('region = ?', filter.region);
      add('severity >= ?', filter.minSeverity);
      add('last_seen_ms >= ?', filter.since === undefined ? undefined : toMs(filter.since));
      add('last_seen_ms <= ?', filter.until === undefined ? undefined : toMs(filter.until));
      const limit = Math.max(0, Math.floor(filter.limit ?? DEFAULT_LIMIT));
      const offset = Math.max(0, Math.floor(filter.offset ?? 0));
      const sql =
        'SELECT json FROM findings' +
        (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
        ' ORDER BY severity DESC, last_seen_ms DESC, id LIMIT ? OFFSET ?';
      return db
        .prepare<(string | number)[], Row>(sql)
        .all(...params, limit, offset)
        .map((r) => JSON.parse(r.json) as Finding);
    },
    setStatus(id: string, status: FindingStatus) {
      check();
      const row = stmt.get.get(id);
      if (!row) return false;
      const f = JSON.parse(row.json) as Finding;
      f.status = status;
      write(f);
      return true;
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
  if (version > MIGRATIONS.length) {
    throw new VigilError(
      'VIGIL_STORE',
      `${file}: the findings database is at schema version ${version}, newer than this Vigil knows (${MIGRATIONS.length}); upgrade Vigil`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      // user_version takes no bound parameter; v + 1 is a number computed here, not input.
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
