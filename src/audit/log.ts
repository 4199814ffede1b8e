import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { canonicalJson } from './canonical-json.js';

/**
 * The append-only, hash-chained audit log (`audit_log`): response actions, approvals, user actions in
 * the dashboard — anything that must be accounted for later. Each row's hash covers its own content and
 * the previous row's hash, so changing, deleting, inserting or reordering a row breaks the chain from
 * that row on, and `verify` names the first row that does not fit.
 *
 * What the chain cannot show on its own: rows cut from the end (the shorter chain is still a valid
 * chain), or a whole chain recomputed by someone who can write the file. Both are caught only against
 * an anchor kept elsewhere — a `seq:hash` pair printed by `vigil audit verify` and recorded outside this
 * machine. The triggers that refuse UPDATE and DELETE are defence in depth; the chain is the proof.
 */

/** `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Data whose canonical text is larger is replaced by its size and digest: the log records, not stores. */
export const MAX_DATA_BYTES = 256 * 1024;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  ts TEXT NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_kind ON audit_log(kind, seq);
CREATE INDEX IF NOT EXISTS audit_log_subject ON audit_log(subject, seq);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

export interface AuditRecord {
  seq: number;
  /** ISO 8601 time of the append. */
  ts: string;
  /** What happened, dotted by area: `response.action`, `finding.status`, `suppression.create`, … */
  kind: string;
  /** Who: a user name, `token:<name>`, or `vigil` for automatic decisions. */
  actor: string;
  /** What it happened to: a run, action, finding or suppression id. */
  subject: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditAppend {
  kind: string;
  actor: string;
  subject?: string | null;
  data: Record<string, unknown>;
  /** Defaults to the log's clock. */
  ts?: string;
}

export interface AuditListQuery {
  /** Rows with a seq above this one (paging oldest first, or following the tail). */
  after?: number;
  /** Rows with a seq below this one (paging newest first). */
  before?: number;
  /** 1 to 1000; default 100. */
  limit?: number;
  kind?: string;
  subject?: string;
  /** Default `asc` (oldest first). */
  order?: 'asc' | 'desc';
}

export type AuditProblemCode = 'unparsable' | 'modified' | 'gap' | 'unlinked' | 'anchor';

export interface AuditVerifyResult {
  ok: boolean;
  /** Rows read, up to and including the first bad one. */
  rows: number;
  /** The last row's seq and hash (0 and {@link GENESIS_HASH} for an empty log). */
  lastSeq: number;
  lastHash: string;
  /** The first row that does not fit, and why. */
  problem?: { seq: number; code: AuditProblemCode; reason: string };
}

export interface AuditVerifyOptions {
  /** The chain must end with this hash (nothing may have been appended since it was recorded). */
  expectLastHash?: string;
  /** Row `seq` must exist and carry `hash`; rows appended after it are fine. */
  anchor?: { seq: number; hash: string };
}

export interface AuditLogOptions {
  /** Clock for `ts` (ms since the epoch). */
  now?: () => number;
  /** Open an existing file for reading only (verify, list): nothing is created. */
  readonly?: boolean;
}

export class AuditLogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditLogError';
  }
}

interface Row {
  seq: number;
  ts: string;
  kind: string;
  actor: string;
  subject: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The file `vigil serve` keeps the audit log in, beside its findings database (`<base>-audit.db`). */
export function auditLogFile(findingsDb: string): string {
  return `${findingsDb.replace(/\.db$/, '')}-audit.db`;
}

/**
 * The SHA-256 of a row: canonical JSON of every field but the hash itself, so the same row hashes the
 * same in any process and any version that keeps this function.
 */
export function rowHash(row: {
  seq: number;
  ts: string;
  kind: string;
  actor: string;
  subject: string | null;
  data: unknown;
  prevHash: string;
}): string {
  const text = canonicalJson({
    seq: row.seq,
    ts: row.ts,
    kind: row.kind,
    actor: row.actor,
    subject: row.subject,
    data: row.data,
    prev_hash: row.prevHash,
  });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Canonical text of the data, or a stand-in naming the size and digest of text too large to keep. */
function dataText(data: Record<string, unknown>): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new AuditLogError('audit data must be a JSON object');
  const text = canonicalJson(data);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_DATA_BYTES) return text;
  return canonicalJson({
    truncated: true,
    bytes,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  });
}

function nonEmpty(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new AuditLogError(`audit ${name} must be a non-empty string`);
  return value;
}

function toRecord(row: Row): AuditRecord {
  return {
    seq: row.seq,
    ts: row.ts,
    kind: row.kind,
    actor: row.actor,
    subject: row.subject,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** What is wrong with a row, given the seq and hash the chain expects before it; undefined when it fits. */
function checkRow(
  row: Row,
  prevSeq: number,
  prevHash: string,
): { code: AuditProblemCode; reason: string } | undefined {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    return { code: 'unparsable', reason: 'unparsable data — the row was modified' };
  }
  let hash: string;
  try {
    hash = rowHash({ ...row, prevHash: row.prev_hash, data });
  } catch {
    // A value the writer could never have produced (a number column turned text is still hashable).
    return { code: 'unparsable', reason: 'data cannot be hashed — the row was modified' };
  }
  if (hash !== row.hash) return { code: 'modified', reason: 'hash mismatch — the row was modified' };
  if (row.seq !== prevSeq + 1)
    return row.seq > prevSeq + 1
      ? {
          code: 'gap',
          reason:
            row.seq === prevSeq + 2
              ? `seq gap — row ${prevSeq + 1} is missing (deleted)`
              : `seq gap — rows ${prevSeq + 1} to ${row.seq - 1} are missing (deleted)`,
        }
      : { code: 'gap', reason: `seq ${row.seq} cannot follow ${prevSeq} — the rows were renumbered` };
  if (row.prev_hash !== prevHash)
    return {
      code: 'unlinked',
      reason:
        prevSeq === 0
          ? 'prev_hash is not the genesis hash — rows before it were deleted or the row was inserted'
          : `prev_hash is not row ${prevSeq}'s hash — a row was deleted, inserted or reordered`,
    };
  return undefined;
}

export type AuditLog = ReturnType<typeof openAuditLog>;

/**
 * Opens the audit log in `db` (a better-sqlite3 handle, whose pragmas the caller owns) or in the file at
 * `db` (WAL, 5 s busy timeout, so several processes can append to it). Tables are named `audit_*`, so
 * the log can share a file with other stores.
 */
export function openAuditLog(db: Database.Database | string, options: AuditLogOptions = {}) {
  const now = options.now ?? Date.now;
  const owned = typeof db === 'string';
  let handle: Database.Database;
  if (typeof db === 'string') {
    try {
      handle = options.readonly
        ? new Database(db, { readonly: true, fileMustExist: true })
        : new Database(db);
      if (!options.readonly) handle.pragma('journal_mode = WAL');
      handle.pragma('busy_timeout = 5000');
    } catch (err) {
      throw new AuditLogError(`cannot open the audit log ${db}: ${(err as Error).message}`, { cause: err });
    }
  } else handle = db;

  if (options.readonly) {
    const table = handle
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'")
      .get();
    if (!table) {
      if (owned) handle.close();
      throw new AuditLogError(`no audit log in ${handle.name}`);
    }
  } else handle.exec(SCHEMA);

  const selectLast = handle.prepare<[], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const insert = options.readonly
    ? undefined
    : handle.prepare(
        `INSERT INTO audit_log (seq, ts, kind, actor, subject, data, prev_hash, hash)
         VALUES (@seq, @ts, @kind, @actor, @subject, @data, @prev_hash, @hash)`,
      );
  // One fixed statement per order: each filter is either bound or switched off by a NULL parameter.
  const where = `WHERE (@after IS NULL OR seq > @after) AND (@before IS NULL OR seq < @before)
      AND (@kind IS NULL OR kind = @kind) AND (@subject IS NULL OR subject = @subject)`;
  const selectAsc = handle.prepare(`SELECT * FROM audit_log ${where} ORDER BY seq ASC LIMIT @limit`);
  const selectDesc = handle.prepare(`SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT @limit`);
  const selectAll = handle.prepare('SELECT * FROM audit_log ORDER BY seq ASC');

  // The last row is read inside the write lock (BEGIN IMMEDIATE), so two writers — threads or processes
  // — can never both extend the same row and fork the chain.
  const appendTx = handle.transaction((entry: AuditAppend): AuditRecord => {
    const last = selectLast.get();
    const record = {
      seq: (last?.seq ?? 0) + 1,
      ts: entry.ts ?? new Date(now()).toISOString(),
      kind: nonEmpty('kind', entry.kind),
      actor: nonEmpty('actor', entry.actor),
      subject: entry.subject ?? null,
      data: dataText(entry.data),
      prev_hash: last?.hash ?? GENESIS_HASH,
    };
    if (record.subject !== null && typeof record.subject !== 'string')
      throw new AuditLogError('audit subject must be a string');
    const data = JSON.parse(record.data) as Record<string, unknown>;
    const hash = rowHash({ ...record, data, prevHash: record.prev_hash });
    insert!.run({ ...record, hash });
    return { ...record, data, prevHash: record.prev_hash, hash };
  });

  return {
    db: handle,

    /** Appends one row and returns it with its seq and hash. Throws if `data` is not plain JSON. */
    append(entry: AuditAppend): AuditRecord {
      if (!insert) throw new AuditLogError('the audit log was opened read-only');
      return appendTx.immediate(entry);
    },

    /** The newest row's seq and hash, or undefined for an empty log. */
    head(): { seq: number; hash: string } | undefined {
      return selectLast.get();
    },

    /** A page of rows filtered by kind and subject, after or before a seq, oldest first unless `desc`. */
    list(query: AuditListQuery = {}): AuditRecord[] {
      const limit = Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), 1000);
      const params = {
        after: query.after ?? null,
        before: query.before ?? null,
        kind: query.kind ?? null,
        subject: query.subject ?? null,
        limit,
      };
      const rows = (query.order === 'desc' ? selectDesc : selectAsc).all(params) as Row[];
      return rows.map(toRecord);
    },

    /**
     * Walks the whole chain, one row at a time (memory stays flat however long the log), and stops at the
     * first row that does not fit: data that does not parse, a hash that does not match the row (the row
     * was changed), a seq gap (rows deleted), or a prev_hash that is not the previous row's hash (a row
     * deleted, inserted or reordered). With an anchor recorded earlier it also detects a cut tail.
     */
    verify(verifyOptions: AuditVerifyOptions = {}): AuditVerifyResult {
      const expectLast = verifyOptions.expectLastHash?.toLowerCase();
      if (expectLast !== undefined && !HEX64.test(expectLast))
        throw new AuditLogError('the expected hash must be 64 hexadecimal digits');
      const anchor = verifyOptions.anchor && {
        seq: verifyOptions.anchor.seq,
        hash: verifyOptions.anchor.hash.toLowerCase(),
      };
      if (anchor && (!Number.isSafeInteger(anchor.seq) || anchor.seq < 1 || !HEX64.test(anchor.hash)))
        throw new AuditLogError('the anchor must be a row number from 1 and 64 hexadecimal digits');

      let rows = 0;
      let lastSeq = 0;
      let lastHash = GENESIS_HASH;
      for (const row of selectAll.iterate() as IterableIterator<Row>) {
        rows++;
        const problem = checkRow(row, lastSeq, lastHash);
        if (problem) {
          // Stop the walk: returning from inside the loop closes the statement's iterator.
          return { ok: false, rows, lastSeq, lastHash, problem: { seq: row.seq, ...problem } };
        }
        if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash)
          return {
            ok: false,
            rows,
            lastSeq,
            lastHash,
            problem: {
              seq: row.seq,
              code: 'anchor',
              reason: 'hash differs from the recorded anchor — the chain was rewritten',
            },
          };
        lastSeq = row.seq;
        lastHash = row.hash;
      }
      if (anchor && lastSeq < anchor.seq)
        return {
          ok: false,
          rows,
          lastSeq,
          lastHash,
          problem: {
            seq: lastSeq + 1,
            code: 'anchor',
            reason: `missing — the chain ends at row ${lastSeq}, before the recorded anchor row ${anchor.seq}: the tail was cut`,
          },
        };
      if (expectLast !== undefined && lastHash !== expectLast)
        return {
          ok: false,
          rows,
          lastSeq,
          lastHash,
          problem: {
            seq: Math.max(lastSeq, 1),
            code: 'anchor',
            reason: 'the last hash is not the expected one — rows were cut from the tail, added or rewritten',
          },
        };
      return { ok: true, rows, lastSeq, lastHash };
    },

    /** Closes the database if this log opened it (a handle passed in stays open). */
    close(): void {
      if (owned) handle.close();
    },
  };
}
