import type { Access } from './access.js';
import type { AuditLog } from './audit-log.js';
import type { LoginLimiter } from './login-limiter.js';
import type { Hasher } from './password.js';
import type { SessionStore } from './sessions.js';
import type { TokenStore } from './tokens.js';
import type { UserStore } from './users.js';

/** What the auth route modules share; built once by `registerAuth`. */
export interface AuthContext {
  users: UserStore;
  sessions: SessionStore;
  tokens: TokenStore;
  auditLog: AuditLog;
  access: Access;
  hasher: Hasher;
  limits: { ip: LoginLimiter; user: LoginLimiter };
  secureCookies: boolean | 'auto';
  absoluteMs: number;
  now: () => number;
}
