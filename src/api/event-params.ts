import type { FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../core/errors.js';
import type { TimeRange } from '../store/events-types.js';

/**
 * Query parameters shared by the activity, events and S3 routes, and the 400 answers that name the
 * parameter at fault. Routes validate with their JSON schema (`attachValidation`, so the role guard
 * still answers 401/403 first) and then with these parsers for what a schema cannot say (times,
 * ranges, bucket widths).
 */
export class ParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
  }
}

const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 400;
export const MAX_BUCKETS = 2000;
/** Bucket widths (seconds) the automatic choice picks from, aiming at no more than 300 buckets. */
const AUTO_BUCKETS = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];

export const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

export const ERROR_RESPONSES = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 403: ERROR_SCHEMA } as const;

const str = (maxLength = 2048) => ({ type: 'string', minLength: 1, maxLength }) as const;

export const RANGE_PROPERTIES = {
  since: { ...str(40), description: 'ISO-8601 time or epoch ms; default: 24 hours before `until`' },
  until: { ...str(40), description: 'ISO-8601 time or epoch ms (exclusive); default: now' },
} as const;

export const ACTIVITY_FILTER_PROPERTIES = {
  ...RANGE_PROPERTIES,
  account: str(64),
  region: str(64),
  service: { ...str(128), description: 'short service name, e.g. `iam`' },
  eventName: str(256),
  principal: str(),
} as const;

export const BUCKET_PROPERTY = {
  bucket: {
    type: 'integer',
    minimum: 60,
    maximum: 30 * 86_400,
    description: 'bucket width in seconds, a multiple of 60; default: chosen for at most 300 buckets',
  },
} as const;

const nullable = { type: ['string', 'null'] } as const;

export const EVENT_SUMMARY_SCHEMA = {
  type: 'object',
  properties: {
    eventId: { type: 'string' },
    time: { type: 'string' },
    ts: { type: 'integer' },
    account: nullable,
    region: nullable,
    source: { type: 'string' },
    eventSource: nullable,
    service: nullable,
    eventName: nullable,
    principal: nullable,
    principalType: nullable,
    accessKeyId: nullable,
    sourceIp: nullable,
    userAgent: nullable,
    errorCode: nullable,
    errorClass: { type: ['string', 'null'], enum: ['denied', 'error', null] },
    readOnly: { type: ['boolean', 'null'] },
    bucket: nullable,
  },
  required: ['eventId', 'time', 'ts', 'source'],
} as const;

export const SERIES_SCHEMA = {
  type: 'object',
  properties: {
    since: { type: 'integer' },
    until: { type: 'integer' },
    bucket: { type: 'integer', description: 'bucket width in seconds' },
    times: { type: 'array', items: { type: 'integer' }, description: 'bucket starts, epoch ms' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          total: { type: 'integer' },
          bytes: { type: 'integer' },
          counts: { type: 'array', items: { type: 'integer' } },
        },
        required: ['key', 'total', 'counts'],
      },
    },
  },
  required: ['since', 'until', 'bucket', 'times', 'series'],
} as const;

/** Epoch ms from an ISO-8601 time or a string of digits (epoch ms). */
export function parseTime(param: string, value: string): number {
  const ms = /^-?\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ParamError(param, `"${value.slice(0, 40)}" is not an ISO-8601 time or epoch ms`);
  return ms;
}

export function parseRange(q: { since?: string; until?: string }, now: number): TimeRange {
  const until = q.until === undefined ? now : parseTime('until', q.until);
  const since = q.since === undefined ? until - DAY_MS : parseTime('since', q.since);
  if (since >= until) throw new ParamError('since', 'must be before until');
  if (until - since > MAX_RANGE_DAYS * DAY_MS)
    throw new ParamError('since', `the range is longer than ${MAX_RANGE_DAYS} days`);
  return { since, until };
}

/** Bucket width in ms: the one asked for (a multiple of a minute, at most MAX_BUCKETS buckets), or automatic. */
export function parseBucket(seconds: number | undefined, range: TimeRange): number {
  const span = range.until - range.since;
  if (seconds === undefined) {
    const pick = AUTO_BUCKETS.find((s) => span / (s * 1000) <= 300) ?? AUTO_BUCKETS[AUTO_BUCKETS.length - 1]!;
    return pick * 1000;
  }
  if (seconds % 60 !== 0) throw new ParamError('bucket', 'must be a multiple of 60 seconds');
  if (span / (seconds * 1000) > MAX_BUCKETS)
    throw new ParamError('bucket', `too small for the range: more than ${MAX_BUCKETS} buckets`);
  return seconds * 1000;
}

/** The defined, non-undefined entries of `q` named in `keys`. */
export function pick<T extends object, K extends keyof T>(q: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (q[k] !== undefined) out[k] = q[k];
  return out;
}

/**
 * Wraps a route handler: answers schema failures and ParamErrors with 400 naming the parameter, and a
 * store's usage error (a bad cursor) likewise.
 */
export function handle<Q>(
  fn: (query: Q, request: FastifyRequest, reply: FastifyReply) => unknown,
): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  return async (request, reply) => {
    if (request.validationError) {
      const v = request.validationError as Error & {
        validation?: { instancePath?: string; params?: Record<string, unknown> }[];
      };
      const first = v.validation?.[0];
      const extra = first?.params?.additionalProperty;
      const param =
        typeof extra === 'string' ? extra : (first?.instancePath ?? '').replace(/^\//, '') || 'query';
      const detail =
        typeof extra === 'string'
          ? 'unknown parameter'
          : v.message.replace(/^(querystring|params)\/?\S*\s*/, '');
      return reply.code(400).send({ error: 'VIGIL_BAD_REQUEST', message: `${param}: ${detail}` });
    }
    try {
      return await fn(request.query as Q, request, reply);
    } catch (err) {
      if (err instanceof ParamError)
        return reply.code(400).send({ error: 'VIGIL_BAD_REQUEST', message: err.message });
      if (err instanceof VigilError && err.code === 'VIGIL_USAGE')
        return reply.code(400).send({ error: 'VIGIL_BAD_REQUEST', message: err.message });
      throw err;
    }
  };
}
