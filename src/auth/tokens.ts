import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Role } from '../api/types.js';
import { sha256 } from './sessions.js';

export const TOKEN_PREFIX = 'vgl_';
const TOKEN = /^vgl_[A-Za-z0-9_-]{43}$/;
const TOUCH_EVERY_MS = 60_000;

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  /** The first characters of the secret, enough to recognise it, too few to use it. */
  prefix: string;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

interface Row {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

const toToken = (r: Row): ApiToken => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

export type TokenStore = ReturnType<typeof createTokenStore>;

/**
 * API tokens for scripts (`Authorization: Bearer vgl_…`) in `auth_tokens`. The secret has 256 random
 * bits, so a plain SHA-256 is enough to store it: it cannot be guessed, only stolen, and the hash is
 * useless to a thief. Revoked tokens stay listed (who had access, until when).
 */
export function createTokenStore(db: Database.Database, now: () => number) {
  const insert = db.prepare(
    `INSERT INTO auth_tokens (hash, prefix, name, role, created_by, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const byHash = db.prepare('SELECT * FROM auth_tokens WHERE hash = ?');
  const byId = db.prepare('SELECT * FROM auth_tokens WHERE id = ?');
  const all = db.prepare('SELECT * FROM auth_tokens ORDER BY id DESC');
  const activeName = db.prepare('SELECT 1 FROM auth_tokens WHERE name = ? AND revoked_at IS NULL');
  const touch = db.prepare('UPDATE auth_tokens SET last_used_at = ? WHERE id = ?');
  const revoke = db.prepare('UPDATE auth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  return {
    /** Issues a token; the secret is returned once and never stored. Undefined when the name is in use. */
    create(input: {
      name: string;
      role: Role;
      createdBy: string;
      expiresAt: number | null;
    }): { secret: string; token: ApiToken } | undefined {
      if (activeName.get(input.name)) return undefined;
      const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const prefix = secret.slice(0, TOKEN_PREFIX.length + 4);
      const id = Number(
        insert.run(sha256(secret), prefix, input.name, input.role, input.createdBy, now(), input.expiresAt)
          .lastInsertRowid,
      );
      return { secret, token: toToken(byId.get(id) as Row) };
    },
    /** The live token a bearer secret names, or undefined (unknown, revoked or expired). */
    find(secret: string): ApiToken | undefined {
      if (!TOKEN.test(secret)) return undefined;
      const row = byHash.get(sha256(secret)) as Row | undefined;
      const t = now();
      if (!row || row.revoked_at !== null || (row.expires_at !== null && t >= row.expires_at))
        return undefined;
      if (row.last_used_at === null || t - row.last_used_at >= TOUCH_EVERY_MS) touch.run(t, row.id);
      return toToken(row);
    },
    get: (id: number): ApiToken | undefined => {
      const row = byId.get(id) as Row | undefined;
      return row ? toToken(row) : undefined;
    },
    list: (): ApiToken[] => (all.all() as Row[]).map(toToken),
    revoke: (id: number): boolean => revoke.run(now(), id).changes === 1,
  };
}
