import type { FastifyInstance } from 'fastify';
import type { EventStore, S3DataQuery, TimelineQuery } from '../store/events-types.js';
import type { S3ChangeCategory } from '../store/events-s3.js';
import type { ApiAccess } from './types.js';
import {
  ACTIVITY_FILTER_PROPERTIES,
  BUCKET_PROPERTY,
  ERROR_RESPONSES,
  ERROR_SCHEMA,
  EVENT_SUMMARY_SCHEMA,
  handle,
  ParamError,
  parseBucket,
  parseRange,
  parseTime,
  pick,
  RANGE_PROPERTIES,
  SERIES_SCHEMA,
} from './event-params.js';

/**
 * Stored events (issue 4, drill-down and S3 security events): search with keyset pagination, one
 * event's raw record, an actor's timeline around a moment, S3 security-setting changes and S3
 * data-event volumes. Viewer role. Every string returned comes from a log: the UI renders it as text.
 */
export interface EventsApiDeps {
  access: ApiAccess;
  events: EventStore;
  now?: () => number;
}

const str = (maxLength = 2048) => ({ type: 'string', minLength: 1, maxLength }) as const;
const CURSOR = { ...str(200), description: 'the `nextCursor` of the previous page' } as const;
const PAGE_RESPONSE = (key: string, item: object) => ({
  type: 'object',
  properties: {
    [key]: { type: 'array', items: item },
    nextCursor: { type: ['string', 'null'] },
  },
});

const SEARCH_KEYS = [
  'account',
  'region',
  'service',
  'eventName',
  'principal',
  'accessKeyId',
  'sourceIp',
  'errorCode',
  'errors',
  'cursor',
] as const;

interface SearchQuery {
  since?: string;
  until?: string;
  account?: string;
  region?: string;
  service?: string;
  eventName?: string;
  principal?: string;
  accessKeyId?: string;
  sourceIp?: string;
  errorCode?: string;
  errors?: 'errors' | 'denied';
  q?: string;
  limit?: number;
  cursor?: string;
}

const S3_CHANGE_SCHEMA = {
  ...EVENT_SUMMARY_SCHEMA,
  properties: {
    ...EVENT_SUMMARY_SCHEMA.properties,
    category: { type: 'string', enum: ['policy', 'acl', 'public-access-block', 'encryption', 'ownership'] },
    action: { type: 'string', enum: ['set', 'removed'] },
    scope: { type: 'string', enum: ['bucket', 'account'] },
    weakening: { type: 'boolean', description: 'removes a protection or opens access to everyone' },
  },
} as const;

export function registerEventsApi(app: FastifyInstance, deps: EventsApiDeps): void {
  const now = deps.now ?? Date.now;
  const viewer = deps.access.require('viewer');

  app.get(
    '/api/events',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: ['events'],
        summary: 'Search stored events, newest first (keyset pagination)',
        querystring: {
          type: 'object',
          properties: {
            ...ACTIVITY_FILTER_PROPERTIES,
            accessKeyId: str(128),
            sourceIp: str(128),
            errorCode: str(256),
            errors: {
              type: 'string',
              enum: ['errors', 'denied'],
              description: 'only failed calls, or only AccessDenied',
            },
            q: {
              ...str(200),
              description: 'case-insensitive text in event name, principal, IP, user agent or error code',
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: CURSOR,
          },
        },
        response: { 200: PAGE_RESPONSE('events', EVENT_SUMMARY_SCHEMA), ...ERROR_RESPONSES },
      },
    },
    handle<SearchQuery>((q) => {
      const range = parseRange(q, now());
      return deps.events.search({
        ...range,
        ...pick(q, SEARCH_KEYS),
        ...(q.q !== undefined ? { text: q.q } : {}),
        limit: q.limit ?? 50,
      });
    }),
  );

  app.get(
    '/api/events/timeline',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: ['events'],
        summary: "An actor's events (by principal, access key or source IP) within ±minutes of a time",
        querystring: {
          type: 'object',
          properties: {
            principal: str(),
            accessKeyId: str(128),
            sourceIp: str(128),
            at: { ...str(40), description: 'ISO-8601 time or epoch ms' },
            minutes: { type: 'integer', minimum: 1, maximum: 1440, default: 30 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
          },
          required: ['at'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              events: { type: 'array', items: EVENT_SUMMARY_SCHEMA },
            },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    handle<{
      principal?: string;
      accessKeyId?: string;
      sourceIp?: string;
      at: string;
      minutes?: number;
      limit?: number;
    }>((q) => {
      const actors = (['principal', 'accessKeyId', 'sourceIp'] as const).filter((k) => q[k] !== undefined);
      if (actors.length !== 1)
        throw new ParamError('principal', 'give exactly one of principal, accessKeyId or sourceIp');
      const by: TimelineQuery['by'] = actors[0]!;
      const at = parseTime('at', q.at);
      const minutes = q.minutes ?? 30;
      const events = deps.events.timeline({ by, value: q[by]!, at, minutes, limit: q.limit ?? 500 });
      return { from: at - minutes * 60_000, to: at + minutes * 60_000, events };
    }),
  );

  app.get(
    '/api/events/:id',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: ['events'],
        summary: 'One stored event with its raw record',
        params: { type: 'object', properties: { id: str(256) }, required: ['id'] },
        response: {
          200: {
            ...EVENT_SUMMARY_SCHEMA,
            properties: {
              ...EVENT_SUMMARY_SCHEMA.properties,
              raw: {
                type: 'object',
                additionalProperties: true,
                description: 'the record as the log gave it',
              },
            },
          },
          404: ERROR_SCHEMA,
          ...ERROR_RESPONSES,
        },
      },
    },
    handle<unknown>((_q, request, reply) => {
      const { id } = request.params as { id: string };
      const event = deps.events.get(id);
      if (event) return event;
      return reply.code(404).send({ error: 'VIGIL_NOT_FOUND', message: 'no stored event has this id' });
    }),
  );

  app.get(
    '/api/s3/changes',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: ['s3'],
        summary:
          'Changes to S3 bucket policies, ACLs, Block Public Access, encryption and ownership controls',
        description:
          'Reads of the same settings (GetBucketPolicy, GetBucketAcl…) are not changes and are not listed.',
        querystring: {
          type: 'object',
          properties: {
            ...RANGE_PROPERTIES,
            account: str(64),
            bucketName: str(255),
            principal: str(),
            category: {
              type: 'string',
              enum: ['policy', 'acl', 'public-access-block', 'encryption', 'ownership'],
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            cursor: CURSOR,
          },
        },
        response: { 200: PAGE_RESPONSE('changes', S3_CHANGE_SCHEMA), ...ERROR_RESPONSES },
      },
    },
    handle<{
      since?: string;
      until?: string;
      account?: string;
      bucketName?: string;
      principal?: string;
      category?: S3ChangeCategory;
      limit?: number;
      cursor?: string;
    }>((q) => {
      const range = parseRange(q, now());
      return deps.events.s3Changes({
        ...range,
        ...pick(q, ['account', 'principal', 'category', 'cursor'] as const),
        ...(q.bucketName !== undefined ? { bucket: q.bucketName } : {}),
        limit: q.limit ?? 100,
      });
    }),
  );

  app.get(
    '/api/s3/data-volume',
    {
      preHandler: viewer,
      attachValidation: true,
      schema: {
        tags: ['s3'],
        summary: 'S3 data-event counts and bytes over time, by bucket, principal or operation',
        querystring: {
          type: 'object',
          properties: {
            ...RANGE_PROPERTIES,
            ...BUCKET_PROPERTY,
            account: str(64),
            bucketName: str(255),
            principal: str(),
            operation: str(64),
            group: { type: 'string', enum: ['bucket', 'principal', 'operation'], default: 'bucket' },
            top: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
          },
        },
        response: { 200: SERIES_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    handle<{
      since?: string;
      until?: string;
      bucket?: number;
      account?: string;
      bucketName?: string;
      principal?: string;
      operation?: string;
      group?: S3DataQuery['group'];
      top?: number;
    }>((q) => {
      const range = parseRange(q, now());
      const bucketMs = parseBucket(q.bucket, range);
      const s = deps.events.s3DataVolume({
        ...range,
        ...pick(q, ['account', 'principal', 'operation'] as const),
        ...(q.bucketName !== undefined ? { bucket: q.bucketName } : {}),
        bucketMs,
        group: q.group ?? 'bucket',
        top: q.top ?? 10,
      });
      return { since: s.since, until: s.until, bucket: bucketMs / 1000, times: s.times, series: s.series };
    }),
  );
}
