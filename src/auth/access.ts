import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLE_RANK, type ApiAccess, type Principal } from '../api/types.js';
import type { AuditLog } from './audit-log.js';
import { cookieValues, SESSION_COOKIE } from './cookie.js';
import type { SessionStore } from './sessions.js';
import type { TokenStore } from './tokens.js';
import type { UserStore } from './users.js';

/** Who a request is, with what it needs beyond the principal: the session (for CSRF and logout). */
export interface Identity {
  principal: Principal;
  session?: { idHash: string; csrf: string };
  tokenId?: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export type Access = ApiAccess & {
  /** The identity a request presents (cached per request), or undefined when it presents none that is valid. */
  identify(request: FastifyRequest): Identity | undefined;
  /** Answers 401/403 and returns false unless the request has an identity and, for cookies, the CSRF token. */
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
};

/**
 * The real ApiAccess. A request is identified by `Authorization: Bearer vgl_…` when it sends one (an
 * invalid token is not silently replaced by the cookie), otherwise by the `vigil_session` cookie. The
 * role is read from the user row on every request, so a role change or a disable takes effect at once.
 * Cookie-authenticated requests that change state must echo the session's CSRF token in `x-csrf-token`:
 * SameSite=Strict already stops cross-site sends, the token also stops same-site ones (a sibling
 * subdomain). Token requests are exempt: browsers never attach bearer tokens on their own.
 */
export function createAccess(deps: {
  users: UserStore;
  sessions: SessionStore;
  tokens: TokenStore;
  audit: AuditLog;
}): Access {
  const identities = new WeakMap<FastifyRequest, Identity | null>();
  const granted = new WeakMap<FastifyRequest, Principal>();
  // The IP of the request a principal came from, so `audit(principal, …)` records it without a request.
  const ipOf = new WeakMap<Principal, string>();

  function resolve(request: FastifyRequest): Identity | undefined {
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string' && authorization.trim() !== '') {
      const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization.trim());
      const token = match ? deps.tokens.find(match[1]!) : undefined;
      if (!token) return undefined;
      return {
        principal: { user: `token:${token.name}`, role: token.role, via: 'token' },
        tokenId: token.id,
      };
    }
    for (const value of cookieValues(request.headers.cookie, SESSION_COOKIE)) {
      const session = deps.sessions.find(value);
      if (!session) continue;
      const user = deps.users.get(session.user);
      if (!user || user.disabled) continue;
      return {
        principal: { user: user.name, role: user.role, via: 'session' },
        session: { idHash: session.idHash, csrf: session.csrf },
      };
    }
    return undefined;
  }

  const access: Access = {
    identify(request) {
      let identity = identities.get(request);
      if (identity === undefined) {
        identity = resolve(request) ?? null;
        if (identity) ipOf.set(identity.principal, request.ip);
        identities.set(request, identity);
      }
      return identity ?? undefined;
    },
    async authenticate(request, reply) {
      const identity = access.identify(request);
      if (!identity) {
        await reply.code(401).send({ error: 'VIGIL_AUTH_REQUIRED', message: 'log in or send an API token' });
        return false;
      }
      if (identity.session && !SAFE_METHODS.has(request.method)) {
        const given = request.headers[CSRF_HEADER];
        if (typeof given !== 'string' || !sameSecret(given, identity.session.csrf)) {
          await reply.code(403).send({
            error: 'VIGIL_AUTH_CSRF',
            message: `send the session's CSRF token (from GET /api/auth/me) in the ${CSRF_HEADER} header`,
          });
          return false;
        }
      }
      return true;
    },
    require(min) {
      return async (request, reply) => {
        if (!(await access.authenticate(request, reply))) return;
        const principal = access.identify(request)!.principal;
        if (ROLE_RANK[principal.role] < ROLE_RANK[min]) {
          await reply.code(403).send({ error: 'VIGIL_AUTH_FORBIDDEN', message: `needs the ${min} role` });
          return;
        }
        granted.set(request, principal);
      };
    },
    principalOf: (request) => granted.get(request),
    audit(principal, action, target, details) {
      deps.audit.append({
        user: principal?.user ?? null,
        via: principal?.via ?? null,
        action,
        target,
        ...(details ? { details } : {}),
        ip: principal ? (ipOf.get(principal) ?? null) : null,
      });
    },
  };
  return access;
}
