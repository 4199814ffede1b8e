import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface Session {
  idHash: string;
  user: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

interface Row {
  id_hash: string;
  user: string;
  csrf: string;
  created_at: number;
  last_seen_at: number;
}

/** A session id as issued: 32 random bytes, base64url. Anything else is rejected before hashing. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** Last-seen is written at most this often per session, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 60_000;

export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

export type SessionStore = ReturnType<typeof createSessionStore>;

/**
 * Login sessions in `auth_sessions`. Only the SHA-256 of the session id is stored, so a copy of the
 * database does not hand out live sessions. A session ends after `idleMs` without requests or
 * `absoluteMs` after login, whichever comes first.
 */
export function createSessionStore(
  db: Database.Database,
  opts: { idleMs: number; absoluteMs: number; now: () => number },
) {
  const insert = db.prepare(
    'INSERT INTO auth_sessions (id_hash, user, csrf, created_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byHash = db.prepare('SELECT * FROM auth_sessions WHERE id_hash = ?');
  const touch = db.prepare('UPDATE auth_sessions SET last_seen_at = ? WHERE id_hash = ?');
  const remove = db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?');
  const removeUser = db.prepare('DELETE FROM auth_sessions WHERE user = ? AND id_hash <> ?');
  const purge = db.prepare('DELETE FROM auth_sessions WHERE last_seen_at <= ? OR created_at <= ?');
  return {
    /** Starts a session; the returned id goes into the cookie and is never stored. */
    create(user: string, ip: string | undefined): { id: string; csrf: string } {
      const t = opts.now();
      purge.run(t - opts.idleMs, t - opts.absoluteMs);
      const id = randomBytes(32).toString('base64url');
      const csrf = randomBytes(32).toString('base64url');
      insert.run(sha256(id), user, csrf, t, t, ip ?? null);
      return { id, csrf };
    },
    /** The live session for a cookie value, or undefined (expired sessions are deleted on sight). */
    find(id: string): Session | undefined {
      if (!SESSION_ID.test(id)) return undefined;
      const row = byHash.get(sha256(id)) as Row | undefined;
      if (!row) return undefined;
      const t = opts.now();
      if (t - row.last_seen_at >= opts.idleMs || t - row.created_at >= opts.absoluteMs) {
        remove.run(row.id_hash);
        return undefined;
      }
      if (t - row.last_seen_at >= TOUCH_EVERY_MS) touch.run(t, row.id_hash);
      return {
        idHash: row.id_hash,
        user: row.user,
        csrf: row.csrf,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
      };
    },
    delete: (idHash: string): void => void remove.run(idHash),
    /** Ends every session of `user` except `keepIdHash` (password change, disable). */
    deleteForUser: (user: string, keepIdHash = ''): number => removeUser.run(user, keepIdHash).changes,
  };
}
