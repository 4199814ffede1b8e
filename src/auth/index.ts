import type Database from 'better-sqlite3';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiAccess } from '../api/types.js';
import { VigilError } from '../core/errors.js';
import { createAccess } from './access.js';
import { createAuditLog } from './audit-log.js';
import { registerAuditRoutes } from './audit-routes.js';
import type { AuthContext } from './context.js';
import { createLoginLimiter } from './login-limiter.js';
import {
  createHasher,
  DEFAULT_SCRYPT,
  generatePassword,
  passwordProblem,
  type ScryptParams,
} from './password.js';
import { migrateAuth } from './schema.js';
import { createSessionStore } from './sessions.js';
import { registerSessionRoutes } from './session-routes.js';
import { createTokenStore } from './tokens.js';
import { registerTokenRoutes } from './token-routes.js';
import { registerUserRoutes } from './user-routes.js';
import { createUserStore } from './users.js';

export { CSRF_HEADER } from './access.js';
export { SESSION_COOKIE } from './cookie.js';
export { DEFAULT_SCRYPT, type ScryptParams } from './password.js';

export const ADMIN_PASSWORD_ENV = 'VIGIL_ADMIN_PASSWORD';

export interface AuthDeps {
  /** Where users, sessions, tokens and the audit log live (tables prefixed `auth_`). */
  db: Database.Database;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  now?: () => number;
  /** Secure flag of the session cookie; `'auto'` (default) as `wantsSecure` in cookie.ts explains. */
  secureCookies?: boolean | 'auto';
  /** A session ends after this long without requests (default 60 minutes)… */
  sessionIdleMinutes?: number;
  /** …and this long after login in any case (default 12 hours). */
  sessionMaxHours?: number;
  /** Failed logins allowed per user name / per IP address in the window (defaults 5 / 20 in 15 minutes). */
  loginFailuresPerUser?: number;
  loginFailuresPerIp?: number;
  loginWindowMinutes?: number;
  /** scrypt cost for new hashes (tests lower it; existing hashes keep their stored parameters). */
  scrypt?: ScryptParams;
  /** The hash-chained audit log (src/audit) that also receives every user action. */
  auditChain?: Parameters<typeof createAuditLog>[2];
}

/** Routes anyone may call: logging in, and asking whether one is logged in (401 when not). */
const PUBLIC = new Set(['POST /api/auth/login', 'GET /api/auth/me', 'HEAD /api/auth/me']);

function isApiPath(request: FastifyRequest): boolean {
  // The matched route when there is one, and the raw path otherwise (a 404 under /api must not answer
  // differently to anonymous callers), compared case-insensitively.
  const paths = [request.routeOptions.url, request.url.split('?', 1)[0]];
  return paths.some((p) => p !== undefined && /^\/api(\/|$)/i.test(p));
}

/** Creates the first admin when there are no users at all; its password is logged at most once, ever. */
function ensureAdmin(ctx: AuthContext, env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  if (ctx.users.count() > 0) return;
  const fromEnv = env[ADMIN_PASSWORD_ENV] || undefined;
  if (fromEnv !== undefined) {
    const problem = passwordProblem(fromEnv);
    if (problem) throw new VigilError('VIGIL_USAGE', `${ADMIN_PASSWORD_ENV}: ${problem}`);
  }
  const password = fromEnv ?? generatePassword();
  // INSERT OR IGNORE: when two processes start at once, only the one that inserts prints.
  if (!ctx.users.create('admin', 'admin', ctx.hasher.hashSync(password))) return;
  ctx.auditLog.append({
    user: null,
    via: null,
    action: 'user.create',
    target: 'admin',
    details: { role: 'admin', firstRun: true, password: fromEnv ? ADMIN_PASSWORD_ENV : 'generated' },
    ip: null,
  });
  log(
    fromEnv
      ? `vigil: created the admin user "admin" with the password from ${ADMIN_PASSWORD_ENV}`
      : `vigil: created the admin user "admin" with password ${password} — shown only this once; change it after logging in`,
  );
}

/**
 * Access control of the dashboard API: users (scrypt-hashed passwords), sessions in an HttpOnly,
 * SameSite=Strict cookie with a CSRF token, API tokens for scripts, roles, login rate limiting and the
 * audit log. Registers /api/auth/*, /api/users*, /api/tokens* and /api/audit, and a hook that refuses
 * every other /api request without an identity, so a route that forgets its guard is still not public.
 * Call it before registering the other API modules so the hook covers them.
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps): ApiAccess {
  const now = deps.now ?? Date.now;
  migrateAuth(deps.db);
  const users = createUserStore(deps.db, now);
  const sessions = createSessionStore(deps.db, {
    idleMs: (deps.sessionIdleMinutes ?? 60) * 60_000,
    absoluteMs: (deps.sessionMaxHours ?? 12) * 3_600_000,
    now,
  });
  const tokens = createTokenStore(deps.db, now);
  const auditLog = createAuditLog(deps.db, now, deps.auditChain);
  const windowMs = (deps.loginWindowMinutes ?? 15) * 60_000;
  const ctx: AuthContext = {
    users,
    sessions,
    tokens,
    auditLog,
    access: createAccess({ users, sessions, tokens, audit: auditLog }),
    hasher: createHasher(deps.scrypt ?? DEFAULT_SCRYPT),
    limits: {
      user: createLoginLimiter({ max: deps.loginFailuresPerUser ?? 5, windowMs, now }),
      ip: createLoginLimiter({ max: deps.loginFailuresPerIp ?? 20, windowMs, now }),
    },
    secureCookies: deps.secureCookies ?? 'auto',
    absoluteMs: (deps.sessionMaxHours ?? 12) * 3_600_000,
    now,
  };
  ensureAdmin(ctx, deps.env, deps.log);

  app.addHook('onRequest', async (request, reply) => {
    if (!isApiPath(request)) return;
    if (PUBLIC.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return;
    await ctx.access.authenticate(request, reply);
  });
  registerSessionRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  const { require, principalOf, audit } = ctx.access;
  return { require, principalOf, audit };
}
