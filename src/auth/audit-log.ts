import type Database from 'better-sqlite3';

/** Details larger than this are replaced by a marker: the audit log records actions, not payloads. */
const MAX_DETAILS = 16 * 1024;

export interface AuditEntry {
  id: number;
  at: number;
  user: string | null;
  via: string | null;
  action: string;
  target: string;
  details: Record<string, unknown> | null;
  ip: string | null;
}

export interface AuditQuery {
  user?: string;
  action?: string;
  since?: number;
  /** Entries with an id below this one (the `next` of the previous page). */
  before?: number;
  limit: number;
}

interface Row extends Omit<AuditEntry, 'details'> {
  details: string | null;
}

function serialize(details: Record<string, unknown> | undefined): string | null {
  if (!details) return null;
  let text: string;
  try {
    text = JSON.stringify(details);
  } catch {
    return JSON.stringify({ unserializable: true });
  }
  return text.length > MAX_DETAILS ? JSON.stringify({ truncated: true, bytes: text.length }) : text;
}

export type AuditLog = ReturnType<typeof createAuditLog>;

/**
 * The append-only audit log (`auth_audit`; triggers refuse UPDATE and DELETE). Newest first when read,
 * paged by id so a page stays stable while entries are appended.
 */
export function createAuditLog(
  db: Database.Database,
  now: () => number,
  /**
   * The hash-chained log (src/audit) every entry is also written to, first: the table answers the API's
   * queries, the chain proves nothing was changed or removed (`vigil audit verify`).
   */
  chain?: {
    append(e: {
      kind: string;
      actor: string;
      subject?: string | null;
      data: Record<string, unknown>;
      ts?: string;
    }): unknown;
  },
) {
  const insert = db.prepare(
    'INSERT INTO auth_audit (at, user, via, action, target, details, ip) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // One fixed statement: each filter is either bound or switched off by a NULL parameter.
  const select = db.prepare(
    `SELECT * FROM auth_audit
     WHERE (@user IS NULL OR user = @user) AND (@action IS NULL OR action = @action)
       AND (@since IS NULL OR at >= @since) AND (@before IS NULL OR id < @before)
     ORDER BY id DESC LIMIT @limit`,
  );
  return {
    append(entry: {
      user: string | null;
      via: string | null;
      action: string;
      target: string;
      details?: Record<string, unknown>;
      ip: string | null;
    }): void {
      const at = now();
      chain?.append({
        kind: `user.${entry.action}`,
        actor: entry.user ?? 'vigil',
        subject: entry.target,
        ts: new Date(at).toISOString(),
        data: JSON.parse(
          serialize({ via: entry.via, ip: entry.ip, ...(entry.details ? { details: entry.details } : {}) })!,
        ) as Record<string, unknown>,
      });
      insert.run(at, entry.user, entry.via, entry.action, entry.target, serialize(entry.details), entry.ip);
    },
    /** A page of entries, newest first, and the `before` value for the next page when there is one. */
    query(q: AuditQuery): { entries: AuditEntry[]; next: number | null } {
      const rows = select.all({
        user: q.user ?? null,
        action: q.action ?? null,
        since: q.since ?? null,
        before: q.before ?? null,
        limit: q.limit + 1,
      }) as Row[];
      const page = rows.slice(0, q.limit);
      return {
        entries: page.map((r) => ({ ...r, details: r.details === null ? null : JSON.parse(r.details) })),
        next: rows.length > q.limit ? page[page.length - 1]!.id : null,
      };
    },
  };
}
