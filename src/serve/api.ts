import type { FastifyInstance } from 'fastify';
import type { Outbox } from '../outbox/index.js';
import { ERROR_SCHEMA, GUARD_RESPONSES } from '../api/openapi.js';
import type { ApiAccess } from '../api/types.js';

const STATUSES = ['pending', 'sending', 'retry', 'delivered', 'dead'] as const;

const DELIVERY_SCHEMA = {
  type: 'object',
  description: 'One alert (or digest) for one channel, as the outbox holds it',
  additionalProperties: true,
  required: ['id', 'kind', 'findingId', 'channelId', 'status', 'attempts', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: ['alert', 'digest'] },
    findingId: { type: 'string' },
    channelId: { type: 'string' },
    alertKey: { type: 'string' },
    status: { type: 'string', enum: [...STATUSES] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string' },
    leaseUntil: { type: 'string' },
    lastError: { type: 'string' },
    deadReason: { type: 'string' },
    providerId: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    deliveredAt: { type: 'string' },
    heldUntil: { type: 'string' },
    digestId: { type: 'integer' },
    digest: { type: 'object', additionalProperties: true },
  },
} as const;

/**
 * The deliveries API of `vigil serve`: alerts as the outbox holds them (a finding's delivery history on
 * its page), dead letters and their retry. Reading needs the viewer role, retrying the responder role.
 */
export function registerDeliveriesApi(
  app: FastifyInstance,
  deps: { outbox: Outbox; access: ApiAccess },
): void {
  app.get(
    '/api/deliveries',
    {
      preHandler: deps.access.require('viewer'),
      schema: {
        tags: ['findings'],
        summary: 'Deliveries of alerts and digests, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...STATUSES] },
            channel: { type: 'string', maxLength: 200 },
            finding: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'array', items: DELIVERY_SCHEMA }, 400: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
    },
    async (request) => {
      const q = request.query as {
        status?: (typeof STATUSES)[number];
        channel?: string;
        finding?: string;
        limit: number;
      };
      return deps.outbox
        .list({
          ...(q.status ? { status: q.status } : {}),
          ...(q.channel ? { channelId: q.channel } : {}),
          ...(q.finding ? { findingId: q.finding } : {}),
          limit: q.limit,
        })
        .map(({ alert: _alert, ...d }) => d);
    },
  );
  app.post(
    '/api/deliveries/:id/retry',
    {
      preHandler: deps.access.require('responder'),
      schema: {
        tags: ['findings'],
        summary: 'Send a dead letter again',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1 } },
        },
        response: {
          200: { type: 'object', required: ['retried'], properties: { retried: { type: 'integer' } } },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const id = (request.params as { id: number }).id;
      if (!deps.outbox.retry(id))
        return reply.code(404).send({ error: 'VIGIL_NOT_FOUND', message: `no dead letter with id ${id}` });
      deps.access.audit(deps.access.principalOf(request), 'delivery.retry', String(id));
      return { retried: id };
    },
  );
}
