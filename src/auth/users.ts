import type Database from 'better-sqlite3';
import type { Role } from '../api/types.js';

/** User names: lower case letters, digits and `._@-`, 1–64 characters (e-mail addresses fit). */
export const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

export interface User {
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
  lastLoginAt: number | null;
}

interface Row {
  name: string;
  role: Role;
  password: string;
  disabled: number;
  created_at: number;
  updated_at: number;
  password_changed_at: number;
  last_login_at: number | null;
}

function toUser(row: Row): User {
  return {
    name: row.name,
    role: row.role,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordChangedAt: row.password_changed_at,
    lastLoginAt: row.last_login_at,
  };
}

export type UserStore = ReturnType<typeof createUserStore>;

/** Users and their password hashes in `auth_users`. Fixed SQL with bound parameters only. */
export function createUserStore(db: Database.Database, now: () => number) {
  const byName = db.prepare('SELECT * FROM auth_users WHERE name = ?');
  const all = db.prepare('SELECT * FROM auth_users ORDER BY name');
  const insert = db.prepare(
    `INSERT OR IGNORE INTO auth_users (name, role, password, disabled, created_at, updated_at, password_changed_at)
     VALUES (?, ?, ?, 0, ?, ?, ?)`,
  );
  const role = db.prepare('UPDATE auth_users SET role = ?, updated_at = ? WHERE name = ?');
  const disabled = db.prepare('UPDATE auth_users SET disabled = ?, updated_at = ? WHERE name = ?');
  const password = db.prepare(
    'UPDATE auth_users SET password = ?, password_changed_at = ?, updated_at = ? WHERE name = ?',
  );
  const login = db.prepare('UPDATE auth_users SET last_login_at = ? WHERE name = ?');
  const count = db.prepare('SELECT count(*) AS n FROM auth_users');
  const admins = db.prepare(
    "SELECT count(*) AS n FROM auth_users WHERE role = 'admin' AND disabled = 0 AND name <> ?",
  );
  return {
    /** The user with its password hash, or undefined. */
    get(name: string): (User & { password: string }) | undefined {
      const row = byName.get(name) as Row | undefined;
      return row ? { ...toUser(row), password: row.password } : undefined;
    },
    list: (): User[] => (all.all() as Row[]).map(toUser),
    count: (): number => (count.get() as { n: number }).n,
    /** Enabled admins other than `name`: guards against locking everyone out. */
    otherAdmins: (name: string): number => (admins.get(name) as { n: number }).n,
    /** False when the name is taken. */
    create(name: string, r: Role, hash: string): boolean {
      const t = now();
      return insert.run(name, r, hash, t, t, t).changes === 1;
    },
    setRole: (name: string, r: Role): boolean => role.run(r, now(), name).changes === 1,
    setDisabled: (name: string, d: boolean): boolean => disabled.run(d ? 1 : 0, now(), name).changes === 1,
    setPassword(name: string, hash: string): boolean {
      const t = now();
      return password.run(hash, t, t, name).changes === 1;
    },
    recordLogin: (name: string): void => void login.run(now(), name),
  };
}
