import type { FastifyInstance } from 'fastify';
import type { FindingStore } from '../store/index.js';
import { FINDING_SCHEMA, rejectInvalid } from './finding-schemas.js';
import { ERROR_SCHEMA, GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

const HOUR = 3_600_000;
const bands = {
  LOW: { type: 'integer' },
  MEDIUM: { type: 'integer' },
  HIGH: { type: 'integer' },
  CRITICAL: { type: 'integer' },
} as const;
const BAND_NAMES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const counted = (key: string, extra: Record<string, unknown> = {}) => ({
  type: 'array',
  items: {
    type: 'object',
    required: [key, 'count', ...Object.keys(extra).filter((k) => k === 'open')],
    properties: { [key]: { type: 'string' }, count: { type: 'integer' }, ...extra },
  },
});

const OVERVIEW_SCHEMA = {
  type: 'object',
  required: [
    'generatedAt',
    'window',
    'open',
    'overTime',
    'newest',
    'topTypes',
    'topPrincipals',
    'topIps',
    'accounts',
    'regions',
  ],
  properties: {
    generatedAt: { type: 'string', format: 'date-time' },
    window: {
      type: 'object',
      required: ['from', 'to', 'bucketMs'],
      properties: {
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
        bucketMs: { type: 'integer' },
      },
    },
    open: {
      type: 'object',
      description: 'Open (NEW or ACKNOWLEDGED) findings now, by severity',
      required: [...BAND_NAMES, 'total'],
      properties: { ...bands, total: { type: 'integer' } },
    },
    overTime: {
      type: 'array',
      description: 'Findings first seen in each bucket of the window, by severity, oldest first',
      items: {
        type: 'object',
        required: ['start', ...BAND_NAMES],
        properties: { start: { type: 'string', format: 'date-time' }, ...bands },
      },
    },
    newest: { type: 'array', items: FINDING_SCHEMA, description: 'Most recently first seen' },
    topTypes: { ...counted('type'), description: 'Findings last seen in the window, by type' },
    topPrincipals: counted('principal'),
    topIps: { ...counted('ip', { country: { type: 'string' } }), description: 'With country when known' },
    accounts: counted('accountId', { open: { type: 'integer' } }),
    regions: counted('region', { open: { type: 'integer' } }),
  },
} as const;

/**
 * GET /api/overview (viewer): open findings by severity now, findings over time by severity, the newest
 * findings, top types, principals and source IPs, and the accounts and regions with findings.
 */
export function registerOverviewApi(
  app: FastifyInstance,
  deps: { access: ApiAccess; store: FindingStore },
): void {
  app.get(
    '/api/overview',
    {
      schema: {
        tags: ['overview'],
        summary: 'Findings at a glance',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            hours: { type: 'integer', minimum: 1, maximum: 24 * 90, default: 24, description: 'The window' },
            buckets: { type: 'integer', minimum: 1, maximum: 500, default: 24 },
            newest: { type: 'integer', minimum: 0, maximum: 100, default: 10 },
            top: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          },
        },
        response: { 200: OVERVIEW_SCHEMA, 400: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      attachValidation: true,
      preHandler: deps.access.require('viewer'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const q = request.query as { hours: number; buckets: number; newest: number; top: number };
      return deps.store.overview({
        windowMs: q.hours * HOUR,
        buckets: q.buckets,
        newest: q.newest,
        top: q.top,
      });
    },
  );
}
