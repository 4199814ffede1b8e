import type { FastifyInstance } from 'fastify';
import type { AuthContext } from './context.js';
import { fail, guardErrors, iso, rejectedInput, TAG } from './http.js';

const nullableString = { type: ['string', 'null'] } as const;

/** The audit log for admins: newest first, filtered by user, action and time, paged by `before`. */
export function registerAuditRoutes(app: FastifyInstance, ctx: AuthContext): void {
  app.get<{
    Querystring: { user?: string; action?: string; since?: string; before?: number; limit?: number };
  }>(
    '/api/audit',
    {
      preHandler: ctx.access.require('admin'),
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: 'Read the audit log of user actions (newest first)',
        querystring: {
          type: 'object',
          properties: {
            user: { type: 'string', maxLength: 256 },
            action: { type: 'string', maxLength: 128 },
            since: { type: 'string', description: 'ISO 8601 time; entries at or after it' },
            before: { type: 'integer', minimum: 1, description: 'the `next` value of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              entries: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    at: { type: 'string', format: 'date-time' },
                    user: nullableString,
                    via: nullableString,
                    action: { type: 'string' },
                    target: { type: 'string' },
                    details: { type: ['object', 'null'], additionalProperties: true },
                    ip: nullableString,
                  },
                },
              },
              next: { type: ['integer', 'null'] },
            },
            required: ['entries', 'next'],
          },
          ...guardErrors,
        },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const q = request.query;
      const since = q.since === undefined ? undefined : Date.parse(q.since);
      if (since !== undefined && !Number.isFinite(since))
        return fail(reply, 400, 'VIGIL_BAD_REQUEST', 'since must be an ISO 8601 time');
      const page = ctx.auditLog.query({
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
        limit: q.limit ?? 100,
      });
      return { entries: page.entries.map((e) => ({ ...e, at: iso(e.at) })), next: page.next };
    },
  );
}
