import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { VigilError } from '../core/errors.js';
import { MAX_EVIDENCE_IDS, type Finding, type FindingStatus } from '../core/finding.js';
import { severityLabel } from '../core/severity.js';
import { ftsColumns } from './fts.js';
import { MIGRATIONS } from './migrations.js';
import { createOverview } from './overview.js';
import { compileQuery } from './query.js';
import type {
  FindingFilter,
  FindingNote,
  FindingStore,
  Suppression,
  SuppressionRule,
  UpsertItem,
  WorkflowAction,
} from './types.js';

const MAX_RESOURCES = 100;
const DEFAULT_LIMIT = 1000;

interface Row {
  json: string;
}

interface SuppressionRow {
  status_before: FindingStatus | null;
  suppress_reason: string | null;
  suppressed_by: string | null;
  suppressed_at_ms: number | null;
  suppressed_until_ms: number | null;
  suppress_rule: string | null;
}

interface NoteRow {
  id: number;
  finding_id: string;
  author: string;
  at_ms: number;
  text: string;
}

interface RuleRow {
  id: string;
  pattern: string;
  reason: string;
  owner: string;
  created_ms: number;
  expires_ms: number | null;
}

/** Below this many findings every query is fast whatever plan SQLite picks: no statistics are kept. */
const ANALYZE_FROM = 1000;
/** How many distinct query shapes keep a prepared statement (the shapes are few: one per filter set). */
const MAX_CACHED_QUERIES = 256;
const iso = (ms: number) => new Date(ms).toISOString();

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
    // A finding that links others (an attack sequence) is recomputed whole as members join: its story
    // (type, title, description, members) is the latest one, not the first stored.
    ...(incoming.related
      ? {
          type: incoming.type,
          title: incoming.title,
          description: incoming.description,
          related: incoming.related,
        }
      : {}),
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
    get: db.prepare<[string], Row>(
      'SELECT j.json FROM findings AS f JOIN finding_json AS j ON j.n = f.n WHERE f.id = ?',
    ),
    json: db.prepare<[number], Row>('SELECT json FROM finding_json WHERE n = ?'),
    insertEvent: db.prepare<[string, string, string | null]>(
      'INSERT OR IGNORE INTO finding_events (finding_id, event_id, event_time) VALUES (?, ?, ?)',
    ),
    put: db.prepare<[Record<string, string | number | null>], { n: number }>(
      `INSERT INTO findings (id, detector, type, severity, status, account_id, region, first_seen_ms, last_seen_ms, count, updated_at, principal, ip, country)
       VALUES (@id, @detector, @type, @severity, @status, @accountId, @region, @firstSeenMs, @lastSeenMs, @count, @updatedAt, @principal, @ip, @country)
       ON CONFLICT (id) DO UPDATE SET detector = excluded.detector, type = excluded.type, severity = excluded.severity,
         status = excluded.status, account_id = excluded.account_id, region = excluded.region,
         first_seen_ms = excluded.first_seen_ms, last_seen_ms = excluded.last_seen_ms, count = excluded.count,
         updated_at = excluded.updated_at, principal = excluded.principal, ip = excluded.ip,
         country = excluded.country
       RETURNING n`,
    ),
    putJson: db.prepare<[number, string]>(
      'INSERT INTO finding_json (n, json) VALUES (?, ?) ON CONFLICT (n) DO UPDATE SET json = excluded.json',
    ),
    ftsDelete: db.prepare<[number]>('DELETE FROM findings_fts WHERE rowid = ?'),
    ftsInsert: db.prepare<[number, string, string, string, string, string, string]>(
      'INSERT INTO findings_fts (rowid, title, description, type, principal, resources, ip) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    suppression: db.prepare<[string], SuppressionRow>(
      `SELECT status_before, suppress_reason, suppressed_by, suppressed_at_ms, suppressed_until_ms, suppress_rule
       FROM findings WHERE id = ?`,
    ),
    setSuppression: db.prepare<[FindingStatus, string, string, number, number | null, string | null, string]>(
      `UPDATE findings SET status_before = ?, suppress_reason = ?, suppressed_by = ?, suppressed_at_ms = ?,
         suppressed_until_ms = ?, suppress_rule = ? WHERE id = ?`,
    ),
    clearSuppression: db.prepare<[string]>(
      `UPDATE findings SET status_before = NULL, suppress_reason = NULL, suppressed_by = NULL,
         suppressed_at_ms = NULL, suppressed_until_ms = NULL, suppress_rule = NULL WHERE id = ?`,
    ),
    expired: db.prepare<[number], { id: string; status_before: FindingStatus | null; json: string }>(
      `SELECT f.id, f.status_before, j.json FROM findings AS f JOIN finding_json AS j ON j.n = f.n
       WHERE f.suppressed_until_ms <= ?`,
    ),
    addNote: db.prepare<[string, string, number, string]>(
      'INSERT INTO finding_notes (finding_id, author, at_ms, text) VALUES (?, ?, ?, ?)',
    ),
    notes: db.prepare<[string], NoteRow>('SELECT * FROM finding_notes WHERE finding_id = ? ORDER BY id'),
    addRule: db.prepare<[string, string, string, string, number, number | null]>(
      'INSERT INTO suppression_rules (id, pattern, reason, owner, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    rules: db.prepare<[], RuleRow>('SELECT * FROM suppression_rules ORDER BY created_ms, id'),
    deleteRule: db.prepare<[string]>('DELETE FROM suppression_rules WHERE id = ?'),
  };
  const queries = new Map<string, Database.Statement<(string | number)[], { n: number }>>();
  const prepared = (sql: string) => {
    let s = queries.get(sql);
    if (!s) {
      if (queries.size >= MAX_CACHED_QUERIES) queries.clear();
      s = db.prepare<(string | number)[], { n: number }>(sql);
      queries.set(sql, s);
    }
    return s;
  };
  const overview = createOverview(db, now);
  const planner = plannerStatistics(db);
  let rulesVersion = 0;
  let closed = false;

  function check(): void {
    if (closed) throw new VigilError('VIGIL_STORE', `${file}: the findings store is closed`);
  }

  /**
   * Stores a finding's row, its JSON and, when its words changed from `previous` (or it is new), its
   * full-text entry. Status changes therefore never touch the text index.
   */
  function write(f: Finding, previous?: Finding): void {
    const { n } = stmt.put.get({
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
      updatedAt: new Date(now()).toISOString(),
      principal: f.actor.principal ?? null,
      ip: f.actor.ip ?? null,
      country: f.actor.geo?.country ?? null,
    })!;
    stmt.putJson.run(n, JSON.stringify(f));
    const text = ftsColumns(f);
    if (!previous || ftsColumns(previous).some((v, i) => v !== text[i])) {
      if (previous) stmt.ftsDelete.run(n);
      stmt.ftsInsert.run(n, ...text);
    }
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
    let stored: Finding | undefined;
    if (!row) {
      planner.added++;
      result = structuredClone(finding);
    } else {
      stored = JSON.parse(row.json) as Finding;
      const added =
        ids.size === 0 ? 0 : inserted === ids.size ? finding.count : Math.min(inserted, finding.count);
      result = merge(stored, finding, added, countIsTotal);
    }
    write(result, stored);
    return result;
  }

  const transition = db.transaction((id: string, action: WorkflowAction): Finding | undefined => {
    const row = stmt.get.get(id);
    if (!row) return undefined;
    const f = JSON.parse(row.json) as Finding;
    const before = f.status;
    f.status = action.status;
    write(f, f);
    if (action.status !== 'SUPPRESSED') {
      stmt.clearSuppression.run(id);
      return f;
    }
    // Suppressing a suppressed finding again keeps the status it will return to.
    const statusBefore =
      before === 'SUPPRESSED' ? (stmt.suppression.get(id)?.status_before ?? 'NEW') : before;
    const until = action.until === undefined ? null : toMs(action.until);
    stmt.setSuppression.run(statusBefore, action.reason, action.by, now(), until, action.ruleId ?? null, id);
    return f;
  });

  const sweep = db.transaction((): number => {
    const rows = stmt.expired.all(now());
    for (const r of rows) {
      const f = JSON.parse(r.json) as Finding;
      f.status = r.status_before ?? 'NEW';
      write(f, f);
      stmt.clearSuppression.run(r.id);
    }
    return rows.length;
  });

  const page = db.transaction((q: Parameters<FindingStore['query']>[0]) => {
    const c = compileQuery(q ?? {});
    const total = prepared(`SELECT COUNT(*) AS n FROM findings${c.where}`).get(...c.params)!.n;
    // Two steps: the page's keys from the narrow rows and their indexes, then the JSON of those rows only.
    const keys = prepared(`SELECT n FROM findings${c.where}${c.orderBy} LIMIT ? OFFSET ?`).all(
      ...c.params,
      c.limit,
      c.offset,
    );
    const items = keys.map((r) => JSON.parse(stmt.json.get(r.n)!.json) as Finding);
    return { total, items };
  });

  const toNote = (r: NoteRow): FindingNote => ({
    id: r.id,
    findingId: r.finding_id,
    author: r.author,
    at: iso(r.at_ms),
    text: r.text,
  });
  const toRule = (r: RuleRow): SuppressionRule => ({
    id: r.id,
    pattern: JSON.parse(r.pattern) as Record<string, unknown>,
    reason: r.reason,
    owner: r.owner,
    created: iso(r.created_ms),
    ...(r.expires_ms === null ? {} : { expires: iso(r.expires_ms) }),
  });

  function guarded<T>(fn: () => T): T {
    check();
    try {
      return fn();
    } catch (err) {
      throw err instanceof VigilError && err.code === 'VIGIL_USAGE' ? err : storeError(file, err);
    }
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
        const out = many([{ finding, eventIds, eventTimes, ...options }])[0]!;
        planner.refresh();
        return out;
      } catch (err) {
        throw storeError(file, err);
      }
    },
    upsertMany(items) {
      check();
      try {
        const out = many(items);
        planner.refresh();
        return out;
      } catch (err) {
        throw storeError(file, err);
      }
    },
    get(id) {
      check();
      sweep();
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
        'SELECT j.json FROM findings AS f JOIN finding_json AS j ON j.n = f.n' +
        (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
        ' ORDER BY severity DESC, last_seen_ms DESC, id LIMIT ? OFFSET ?';
      return db
        .prepare<(string | number)[], Row>(sql)
        .all(...params, limit, offset)
        .map((r) => JSON.parse(r.json) as Finding);
    },
    setStatus(id: string, status: FindingStatus) {
      const action: WorkflowAction =
        status === 'SUPPRESSED' ? { status, reason: '(no reason given)', by: 'api' } : { status };
      return guarded(() => transition(id, action) !== undefined);
    },
    query: (q) =>
      guarded(() => {
        sweep();
        return page(q);
      }),
    transition: (id, action) => guarded(() => transition(id, action)),
    suppressionOf(id) {
      return guarded(() => {
        const r = stmt.suppression.get(id);
        if (!r?.status_before) return undefined;
        const s: Suppression = {
          reason: r.suppress_reason ?? '',
          by: r.suppressed_by ?? '',
          at: iso(r.suppressed_at_ms ?? 0),
          statusBefore: r.status_before,
          ...(r.suppressed_until_ms === null ? {} : { until: iso(r.suppressed_until_ms) }),
          ...(r.suppress_rule === null ? {} : { ruleId: r.suppress_rule }),
        };
        return s;
      });
    },
    expireSuppressions: () => guarded(() => sweep()),
    addNote: (id, note) =>
      guarded(() => {
        if (!stmt.get.get(id)) return undefined;
        const at = now();
        const n = Number(stmt.addNote.run(id, note.author, at, note.text).lastInsertRowid);
        return { id: n, findingId: id, author: note.author, at: iso(at), text: note.text };
      }),
    notes: (id) => guarded(() => stmt.notes.all(id).map(toNote)),
    addSuppressionRule: (rule) =>
      guarded(() => {
        const created = now();
        const id = randomUUID();
        const expires = rule.expires === undefined ? null : toMs(rule.expires);
        stmt.addRule.run(id, JSON.stringify(rule.pattern), rule.reason, rule.owner, created, expires);
        rulesVersion++;
        return toRule({
          id,
          pattern: JSON.stringify(rule.pattern),
          reason: rule.reason,
          owner: rule.owner,
          created_ms: created,
          expires_ms: expires,
        });
      }),
    suppressionRules: () => guarded(() => stmt.rules.all().map(toRule)),
    deleteSuppressionRule: (id) =>
      guarded(() => {
        const gone = stmt.deleteRule.run(id).changes > 0;
        if (gone) rulesVersion++;
        return gone;
      }),
    suppressionRulesVersion: () => rulesVersion,
    overview: (options) =>
      guarded(() => {
        sweep();
        return overview(options);
      }),
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/**
 * Keeps SQLite's planner statistics for the findings table current. Without them SQLite guesses which
 * index narrows a filter: account + region walked the region's 20,000 findings instead of the account's
 * 2,500. `ANALYZE findings` reads each index once (~0.2 s at 100,000 findings), so it runs when the table
 * has at least ANALYZE_FROM findings and twice as many as when the statistics were taken (checked at open
 * and after each write): a handful of times over the table's life.
 */
function plannerStatistics(db: Database.Database) {
  const hasStats = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    .get();
  const stat = hasStats
    ? db.prepare<[], { stat: string }>("SELECT stat FROM sqlite_stat1 WHERE tbl = 'findings' LIMIT 1").get()
    : undefined;
  let analyzed = stat ? Number.parseInt(stat.stat, 10) || 0 : 0;
  let rows = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM findings').get()!.n;
  const state = {
    /** New findings since the last check, counted by the writer. */
    added: 0,
    refresh(): void {
      rows += state.added;
      state.added = 0;
      if (rows < ANALYZE_FROM || rows < 2 * analyzed) return;
      db.exec('ANALYZE findings');
      analyzed = rows;
    },
  };
  state.refresh();
  return state;
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
