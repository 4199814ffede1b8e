import type { FastifyInstance } from 'fastify';
import type { Percentiles } from '../serve/stats.js';
import { PERCENTILES_SCHEMA } from './health.js';
import { GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

/** Counts of automated response actions in one period (or one action's, in `byAction`). */
export interface ResponseCounts {
  /** Actions started. */
  run: number;
  succeeded: number;
  failed: number;
  /** Proposed actions waiting for a responder's approval now. */
  awaitingApproval: number;
}

export interface ResponseStats extends ResponseCounts {
  /** Start of the period covered (ISO 8601). */
  since: string;
  /** From a finding's creation to its response action completing. */
  timeToRespond: Percentiles;
  byAction: (ResponseCounts & { action: string })[];
  /** Minutes per `series` entry. */
  bucketMinutes: number;
  series: { start: string; run: number; succeeded: number; failed: number }[];
}

/**
 * Where response statistics come from. The automated response issue implements it over its action log;
 * until then `noResponses` answers, honestly, that nothing has run.
 */
export interface ResponseStatsSource {
  stats(query: { sinceMs: number; nowMs: number }): ResponseStats;
}

/** No response actions exist yet: zero counts and an empty series. */
export const noResponses: ResponseStatsSource = {
  stats: ({ sinceMs }) => ({
    since: new Date(sinceMs).toISOString(),
    run: 0,
    succeeded: 0,
    failed: 0,
    awaitingApproval: 0,
    timeToRespond: { count: 0 },
    byAction: [],
    bucketMinutes: 60,
    series: [],
  }),
};

const COUNTS = {
  run: { type: 'integer', description: 'Actions started' },
  succeeded: { type: 'integer' },
  failed: { type: 'integer' },
  awaitingApproval: { type: 'integer', description: 'Waiting for a responder’s approval now' },
} as const;
const COUNT_KEYS = ['run', 'succeeded', 'failed', 'awaitingApproval'] as const;

const STATS_SCHEMA = {
  type: 'object',
  required: ['since', ...COUNT_KEYS, 'timeToRespond', 'byAction', 'bucketMinutes', 'series'],
  properties: {
    since: { type: 'string', format: 'date-time' },
    ...COUNTS,
    timeToRespond: {
      ...PERCENTILES_SCHEMA,
      description: "From a finding's creation to its response action completing",
    },
    byAction: {
      type: 'array',
      items: {
        type: 'object',
        required: ['action', ...COUNT_KEYS],
        properties: { action: { type: 'string' }, ...COUNTS },
      },
    },
    bucketMinutes: { type: 'integer' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['start', 'run', 'succeeded', 'failed'],
        properties: {
          start: { type: 'string', format: 'date-time' },
          run: COUNTS.run,
          succeeded: COUNTS.succeeded,
          failed: COUNTS.failed,
        },
      },
    },
  },
} as const;

/** GET /api/responses/stats (viewer): automated response statistics over the last `hours` (default 24). */
export function registerResponsesApi(
  app: FastifyInstance,
  deps: { access: ApiAccess; source?: ResponseStatsSource; now?: () => number },
): void {
  const source = deps.source ?? noResponses;
  const now = deps.now ?? Date.now;
  app.get(
    '/api/responses/stats',
    {
      schema: {
        tags: ['responses'],
        summary: 'Automated response statistics: actions run, succeeded, failed, awaiting approval',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { hours: { type: 'integer', minimum: 1, maximum: 720, default: 24 } },
        },
        response: { 200: STATS_SCHEMA, ...GUARD_RESPONSES },
      },
      preHandler: deps.access.require('viewer'),
    },
    async (request) => {
      const { hours } = request.query as { hours: number };
      const nowMs = now();
      return source.stats({ sinceMs: nowMs - hours * 3_600_000, nowMs });
    },
  );
}
