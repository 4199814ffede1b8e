import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from './context.js';
import { clearedSessionCookie, sessionCookie, wantsSecure } from './cookie.js';
import { errorSchema, fail, guardErrors, rejectedInput, roleSchema, TAG } from './http.js';
import { MAX_PASSWORD, MIN_PASSWORD } from './password.js';
import { USER_NAME } from './users.js';

const meSchema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    role: roleSchema,
    via: { type: 'string', enum: ['session', 'token'] },
    csrfToken: { type: 'string' },
  },
  required: ['user', 'role', 'via'],
} as const;

const newPassword = { type: 'string', minLength: MIN_PASSWORD, maxLength: MAX_PASSWORD } as const;

function tooMany(reply: FastifyReply, seconds: number): FastifyReply {
  reply.header('retry-after', String(seconds));
  return fail(reply, 429, 'VIGIL_AUTH_RATE_LIMITED', `too many failed attempts; try again in ${seconds} s`);
}

/** Login, logout, who-am-I and changing one's own password. */
export function registerSessionRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const { access, users, sessions, hasher, limits, auditLog } = ctx;

  app.post<{ Body: { user: string; password: string } }>(
    '/api/auth/login',
    {
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: 'Log in: sets the session cookie and returns the CSRF token',
        body: {
          type: 'object',
          properties: {
            user: { type: 'string', maxLength: 256 },
            password: { type: 'string', maxLength: MAX_PASSWORD },
          },
          required: ['user', 'password'],
        },
        response: { 200: meSchema, 400: errorSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const name = request.body.user.trim().toLowerCase();
      const ip = request.ip;
      reply.header('cache-control', 'no-store');
      // Checked before the password, and for unknown names too, so the answer reveals nothing about either.
      const wait = Math.max(limits.ip.retryAfter(ip), limits.user.retryAfter(name));
      if (wait > 0) {
        auditLog.append({ user: name, via: null, action: 'auth.login.blocked', target: name, ip });
        return tooMany(reply, wait);
      }
      const user = USER_NAME.test(name) ? users.get(name) : undefined;
      // Unknown users cost one scrypt too, so timing does not tell which names exist.
      const ok = user
        ? await hasher.verify(request.body.password, user.password)
        : await hasher.verifyNobody(request.body.password);
      if (!ok || !user || user.disabled) {
        limits.ip.fail(ip);
        limits.user.fail(name);
        const reason = !user ? 'unknown user' : !ok ? 'wrong password' : 'user disabled';
        auditLog.append({
          user: name,
          via: null,
          action: 'auth.login.failed',
          target: name,
          details: { reason },
          ip,
        });
        return fail(reply, 401, 'VIGIL_AUTH_FAILED', 'wrong user name or password');
      }
      limits.user.reset(name);
      // A fresh session id on every login: a session planted before login is never promoted.
      const previous = access.identify(request)?.session;
      if (previous) sessions.delete(previous.idHash);
      const session = sessions.create(user.name, ip);
      users.recordLogin(user.name);
      auditLog.append({ user: user.name, via: 'session', action: 'auth.login', target: user.name, ip });
      reply.header(
        'set-cookie',
        sessionCookie(session.id, wantsSecure(request, ctx.secureCookies), Math.floor(ctx.absoluteMs / 1000)),
      );
      return { user: user.name, role: user.role, via: 'session', csrfToken: session.csrf };
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: [TAG],
        summary: 'The logged-in user or token, its role and (for sessions) the CSRF token',
        response: { 200: meSchema, 401: errorSchema },
      },
    },
    async (request: FastifyRequest, reply) => {
      reply.header('cache-control', 'no-store');
      const identity = access.identify(request);
      if (!identity) return fail(reply, 401, 'VIGIL_AUTH_REQUIRED', 'log in or send an API token');
      return { ...identity.principal, ...(identity.session ? { csrfToken: identity.session.csrf } : {}) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      preHandler: access.require('viewer'),
      schema: {
        tags: [TAG],
        summary: 'Log out: ends the session and clears the cookie',
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...guardErrors },
      },
    },
    async (request, reply) => {
      const identity = access.identify(request)!;
      if (identity.session) {
        sessions.delete(identity.session.idHash);
        access.audit(identity.principal, 'auth.logout', identity.principal.user);
      }
      reply.header('set-cookie', clearedSessionCookie(wantsSecure(request, ctx.secureCookies)));
      return { ok: true };
    },
  );

  app.post<{ Body: { current: string; password: string } }>(
    '/api/auth/password',
    {
      preHandler: access.require('viewer'),
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: 'Change your own password (needs the current one); ends your other sessions',
        body: {
          type: 'object',
          properties: { current: { type: 'string', maxLength: MAX_PASSWORD }, password: newPassword },
          required: ['current', 'password'],
        },
        response: {
          200: {
            type: 'object',
            properties: { ok: { type: 'boolean' }, endedSessions: { type: 'integer' } },
          },
          ...guardErrors,
          429: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const identity = access.identify(request)!;
      const user = identity.session ? users.get(identity.principal.user) : undefined;
      if (!user)
        return fail(reply, 400, 'VIGIL_BAD_REQUEST', 'API tokens have no password; log in to change yours');
      // A stolen session must not become a password-guessing oracle: failures count like failed logins.
      const wait = limits.user.retryAfter(user.name);
      if (wait > 0) return tooMany(reply, wait);
      if (!(await hasher.verify(request.body.current, user.password))) {
        limits.user.fail(user.name);
        access.audit(identity.principal, 'auth.password.change.failed', user.name);
        return fail(reply, 403, 'VIGIL_AUTH_FAILED', 'current: wrong password');
      }
      users.setPassword(user.name, await hasher.hash(request.body.password));
      const ended = sessions.deleteForUser(user.name, identity.session!.idHash);
      access.audit(identity.principal, 'auth.password.change', user.name, { endedSessions: ended });
      return { ok: true, endedSessions: ended };
    },
  );
}
