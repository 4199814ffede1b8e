import type { FastifyInstance } from 'fastify';
import type { Role } from '../api/types.js';
import type { AuthContext } from './context.js';
import { errorSchema, fail, guardErrors, iso, rejectedInput, roleSchema, TAG, timeSchema } from './http.js';
import type { ApiToken } from './tokens.js';

const DAY_MS = 86_400_000;

const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    role: roleSchema,
    prefix: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: timeSchema,
    lastUsedAt: timeSchema,
    expiresAt: timeSchema,
    revokedAt: timeSchema,
  },
  required: ['id', 'name', 'role', 'prefix', 'createdBy'],
} as const;

const tokenView = (t: ApiToken) => ({
  ...t,
  createdAt: iso(t.createdAt),
  lastUsedAt: iso(t.lastUsedAt),
  expiresAt: iso(t.expiresAt),
  revokedAt: iso(t.revokedAt),
});

/** API tokens for scripts, managed by admins: issue (the secret is shown once), list, revoke. */
export function registerTokenRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const { access, tokens } = ctx;
  const admin = access.require('admin');

  app.get(
    '/api/tokens',
    {
      preHandler: admin,
      schema: {
        tags: [TAG],
        summary: 'List API tokens (never their secrets), revoked ones included',
        response: {
          200: {
            type: 'object',
            properties: { tokens: { type: 'array', items: tokenSchema } },
            required: ['tokens'],
          },
          ...guardErrors,
        },
      },
    },
    async () => ({ tokens: tokens.list().map(tokenView) }),
  );

  app.post<{ Body: { name: string; role: Role; expiresInDays?: number } }>(
    '/api/tokens',
    {
      preHandler: admin,
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: 'Issue an API token; the secret is in this answer only',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]*$' },
            role: roleSchema,
            expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
          },
          required: ['name', 'role'],
        },
        response: {
          201: { ...tokenSchema, properties: { ...tokenSchema.properties, token: { type: 'string' } } },
          ...guardErrors,
          409: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const { name, role, expiresInDays } = request.body;
      const principal = access.principalOf(request)!;
      const created = tokens.create({
        name,
        role,
        createdBy: principal.user,
        expiresAt: expiresInDays === undefined ? null : ctx.now() + expiresInDays * DAY_MS,
      });
      if (!created) return fail(reply, 409, 'VIGIL_CONFLICT', `name: a live token is named ${name}`);
      access.audit(principal, 'token.create', `token:${name}`, { id: created.token.id, role, expiresInDays });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...tokenView(created.token), token: created.secret });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/tokens/:id',
    {
      preHandler: admin,
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: 'Revoke an API token',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
        response: { 200: tokenSchema, ...guardErrors, 404: errorSchema },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const { id } = request.params;
      if (!tokens.revoke(id)) return fail(reply, 404, 'VIGIL_NOT_FOUND', `id: no live token ${id}`);
      const token = tokens.get(id)!;
      access.audit(access.principalOf(request), 'token.revoke', `token:${token.name}`, { id });
      return tokenView(token);
    },
  );
}
