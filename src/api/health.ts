import type { FastifyInstance } from 'fastify';
import type { PipelineSnapshot, PipelineStats } from '../serve/stats.js';
import { GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

/** Latency percentiles in milliseconds; the p-fields are absent when `count` is 0. */
export const PERCENTILES_SCHEMA = {
  type: 'object',
  required: ['count'],
  properties: {
    count: { type: 'integer', description: 'Samples' },
    p50Ms: { type: 'number' },
    p95Ms: { type: 'number' },
    p99Ms: { type: 'number' },
    maxMs: { type: 'number' },
  },
} as const;

const CHANNEL_SCHEMA = {
  type: 'object',
  required: ['channel', 'delivered', 'retried', 'dead'],
  properties: {
    channel: { type: 'string' },
    delivered: { type: 'integer' },
    retried: { type: 'integer', description: 'Failed attempts that will be tried again' },
    dead: { type: 'integer', description: 'Failed attempts given up (dead letters)' },
  },
} as const;

const PIPELINE_SCHEMA = {
  type: 'object',
  required: ['at', 'windowMinutes', 'now', 'series'],
  properties: {
    at: { type: 'string', format: 'date-time' },
    windowMinutes: { type: 'integer' },
    now: {
      type: 'object',
      description: 'The last `minutes` minutes, summed',
      required: ['minutes', 'sources', 'detection', 'errorsByDetection', 'channels', 'endToEnd'],
      properties: {
        minutes: { type: 'integer' },
        sources: {
          type: 'array',
          items: {
            type: 'object',
            required: ['source', 'records', 'ratePerSecond'],
            properties: {
              source: { type: 'string' },
              records: { type: 'integer' },
              ratePerSecond: { type: 'number' },
              lagMs: { type: 'number', description: 'Now − newest event time the source delivered' },
            },
          },
        },
        detection: { ...PERCENTILES_SCHEMA, description: 'Time to run detection over one batch' },
        errorsByDetection: {
          type: 'array',
          items: {
            type: 'object',
            required: ['detectionId', 'errors'],
            properties: { detectionId: { type: 'string' }, errors: { type: 'integer' } },
          },
        },
        channels: { type: 'array', items: CHANNEL_SCHEMA },
        endToEnd: { ...PERCENTILES_SCHEMA, description: "From a record's arrival to its alert delivered" },
      },
    },
    series: {
      type: 'array',
      description: 'One entry per minute, oldest first, ending with the current minute',
      items: {
        type: 'object',
        required: ['start', 'ingested', 'sources', 'detection', 'deliveries', 'endToEnd'],
        properties: {
          start: { type: 'string', format: 'date-time' },
          ingested: { type: 'integer' },
          sources: {
            type: 'array',
            items: {
              type: 'object',
              required: ['source', 'records'],
              properties: {
                source: { type: 'string' },
                records: { type: 'integer' },
                maxLagMs: { type: 'number' },
              },
            },
          },
          detection: {
            type: 'object',
            required: [...PERCENTILES_SCHEMA.required, 'errors'],
            properties: { ...PERCENTILES_SCHEMA.properties, errors: { type: 'integer' } },
          },
          deliveries: {
            type: 'object',
            required: ['delivered', 'failed', 'channels'],
            properties: {
              delivered: { type: 'integer' },
              failed: { type: 'integer' },
              channels: { type: 'array', items: CHANNEL_SCHEMA },
            },
          },
          endToEnd: PERCENTILES_SCHEMA,
        },
      },
    },
  },
} as const;

/**
 * GET /api/health/pipeline (viewer): ingest rate and lag per source, detection time and errors per
 * detection, deliveries and failures per channel, end-to-end latency percentiles — now (the last few
 * minutes) and per minute over the last hour, from the in-process collector of src/serve/stats.ts.
 * `?minutes=N` trims the series to its last N minutes.
 */
export function registerHealthApi(
  app: FastifyInstance,
  deps: { access: ApiAccess; stats: Pick<PipelineStats, 'snapshot'> },
): void {
  app.get(
    '/api/health/pipeline',
    {
      schema: {
        tags: ['health'],
        summary: 'Pipeline health: ingest, detection, deliveries, end-to-end latency',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            minutes: {
              type: 'integer',
              minimum: 1,
              maximum: 1440,
              description: 'Series length (default: all)',
            },
          },
        },
        response: { 200: PIPELINE_SCHEMA, ...GUARD_RESPONSES },
      },
      preHandler: deps.access.require('viewer'),
    },
    async (request): Promise<PipelineSnapshot> => {
      const { minutes } = request.query as { minutes?: number };
      const snapshot = deps.stats.snapshot();
      return minutes === undefined ? snapshot : { ...snapshot, series: snapshot.series.slice(-minutes) };
    },
  );
}
