import type { FastifyInstance } from 'fastify';
import type { ActivityGroup, EventStore } from '../store/events-types.js';
import type { ApiAccess } from './types.js';
import {
  ACTIVITY_FILTER_PROPERTIES,
  BUCKET_PROPERTY,
  ERROR_RESPONSES,
  handle,
  parseBucket,
  parseRange,
  pick,
  SERIES_SCHEMA,
} from './event-params.js';

/**
 * API activity (issue 4, "API activity"): calls over time by service, API, region or principal, error
 * and AccessDenied rates with spikes, and top callers. All read the minute/5-minute/hour/day rollups of the
 * events store (the events themselves only for a principal combined with an API name). Viewer role.
 */
export interface ActivityApiDeps {
  access: ApiAccess;
  events: EventStore;
  now?: () => number;
}

interface ActivityQuery {
  since?: string;
  until?: string;
  account?: string;
  region?: string;
  service?: string;
  eventName?: string;
  principal?: string;
  bucket?: number;
  group?: ActivityGroup;
  top?: number;
  limit?: number;
}

const FILTER_KEYS = ['account', 'region', 'service', 'eventName', 'principal'] as const;
const TAGS = ['activity'];

export function registerActivityApi(app: FastifyInstance, deps: ActivityApiDeps): void {
  const now = deps.now ?? Date.now;
  const viewer = deps.access.require('viewer');

  app.get(
    '/api/activity/series',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'API calls over time, grouped by service, API (eventName), region, principal or account',
        querystring: {
          type: 'object',
          properties: {
            ...ACTIVITY_FILTER_PROPERTIES,
            ...BUCKET_PROPERTY,
            group: {
              type: 'string',
              enum: ['none', 'service', 'eventName', 'region', 'principal', 'account'],
              default: 'service',
            },
            top: {
              type: 'integer',
              minimum: 1,
              maximum: 50,
              default: 10,
              description: 'largest groups kept; the rest sum under "(other)"',
            },
          },
        },
        response: { 200: SERIES_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    handle<ActivityQuery>((q) => {
      const range = parseRange(q, now());
      const bucketMs = parseBucket(q.bucket, range);
      const s = deps.events.series({
        ...range,
        ...pick(q, FILTER_KEYS),
        bucketMs,
        group: q.group ?? 'service',
        top: q.top ?? 10,
      });
      return { since: s.since, until: s.until, bucket: bucketMs / 1000, times: s.times, series: s.series };
    }),
  );

  app.get(
    '/api/activity/errors',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'Error and AccessDenied counts and rates over time, with spikes flagged',
        description:
          'A bucket is a spike when its count is at least `rule.minCount` and above mean + `rule.sigma` × standard ' +
          'deviation of the up to `rule.window` buckets before it (at least `rule.minHistory` of them). ' +
          'AccessDenied counts error codes containing AccessDenied or Unauthorized.',
        querystring: { type: 'object', properties: { ...ACTIVITY_FILTER_PROPERTIES, ...BUCKET_PROPERTY } },
        response: {
          200: {
            type: 'object',
            properties: {
              since: { type: 'integer' },
              until: { type: 'integer' },
              bucket: { type: 'integer' },
              times: { type: 'array', items: { type: 'integer' } },
              total: { type: 'array', items: { type: 'integer' } },
              errors: { type: 'array', items: { type: 'integer' } },
              denied: { type: 'array', items: { type: 'integer' } },
              errorRate: { type: 'array', items: { type: 'number' } },
              deniedRate: { type: 'array', items: { type: 'number' } },
              spikes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    time: { type: 'integer' },
                    kind: { type: 'string', enum: ['errors', 'denied'] },
                    count: { type: 'integer' },
                    mean: { type: 'number' },
                    stddev: { type: 'number' },
                    threshold: { type: 'number' },
                  },
                },
              },
              rule: {
                type: 'object',
                properties: {
                  sigma: { type: 'number' },
                  minCount: { type: 'integer' },
                  window: { type: 'integer' },
                  minHistory: { type: 'integer' },
                },
              },
            },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    handle<ActivityQuery>((q) => {
      const range = parseRange(q, now());
      const bucketMs = parseBucket(q.bucket, range);
      const r = deps.events.errors({ ...range, ...pick(q, FILTER_KEYS), bucketMs });
      const rate = (part: number[]) => part.map((n, i) => (r.total[i] ? n / r.total[i]! : 0));
      return {
        since: r.since,
        until: r.until,
        bucket: bucketMs / 1000,
        times: r.times,
        total: r.total,
        errors: r.errors,
        denied: r.denied,
        errorRate: rate(r.errors),
        deniedRate: rate(r.denied),
        spikes: r.spikes,
        rule: r.rule,
      };
    }),
  );

  app.get(
    '/api/activity/top-callers',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'Principals with the most API calls, with their errors and AccessDenied counts',
        querystring: {
          type: 'object',
          properties: {
            ...ACTIVITY_FILTER_PROPERTIES,
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              callers: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    principal: { type: 'string' },
                    calls: { type: 'integer' },
                    errors: { type: 'integer' },
                    denied: { type: 'integer' },
                    services: { type: 'integer' },
                    lastSeen: {
                      type: 'integer',
                      description: 'start of the last minute in the range with a call, epoch ms',
                    },
                  },
                },
              },
            },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    handle<ActivityQuery>((q) => {
      const range = parseRange(q, now());
      return { callers: deps.events.topCallers({ ...range, ...pick(q, FILTER_KEYS), limit: q.limit ?? 20 }) };
    }),
  );
}
