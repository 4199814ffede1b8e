import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * JSON schemas shared by the findings, overview and suppressions API. Fastify's serializer drops every
 * property a response schema does not name, so the Finding is spelled out in full (schema/finding.schema.json
 * is the contract it follows).
 */
const strings = { type: 'array', items: { type: 'string' } } as const;

export const FINDING_SCHEMA = {
  type: 'object',
  required: [
    'id',
    'type',
    'detector',
    'title',
    'description',
    'severity',
    'severityLabel',
    'status',
    'accountId',
    'region',
    'firstSeen',
    'lastSeen',
    'count',
    'actor',
    'resources',
    'evidence',
    'mitre',
    'remediation',
    'references',
  ],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    detector: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    severity: { type: 'number' },
    severityLabel: { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
    status: { type: 'string', enum: ['NEW', 'ACKNOWLEDGED', 'RESOLVED', 'SUPPRESSED'] },
    accountId: { type: 'string' },
    region: { type: 'string' },
    firstSeen: { type: 'string', format: 'date-time' },
    lastSeen: { type: 'string', format: 'date-time' },
    count: { type: 'integer' },
    actor: {
      type: 'object',
      properties: {
        principal: { type: 'string' },
        principalType: { type: 'string' },
        accessKeyId: { type: 'string' },
        ip: { type: 'string' },
        userAgent: { type: 'string' },
        geo: {
          type: 'object',
          properties: { country: { type: 'string' }, asn: { type: 'integer' }, org: { type: 'string' } },
        },
      },
    },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'id'],
        properties: { type: { type: 'string' }, id: { type: 'string' } },
      },
    },
    evidence: {
      type: 'object',
      required: ['eventIds', 'eventNames'],
      properties: { eventIds: strings, eventNames: strings },
    },
    mitre: {
      type: 'object',
      required: ['tactics', 'techniques'],
      properties: { tactics: strings, techniques: strings },
    },
    remediation: { type: 'string' },
    references: strings,
  },
} as const;

export const SUPPRESSION_SCHEMA = {
  type: 'object',
  description: 'Why and until when a SUPPRESSED finding is suppressed',
  required: ['reason', 'by', 'at', 'statusBefore'],
  properties: {
    reason: { type: 'string' },
    by: { type: 'string', description: 'The user, or rule:<id> when a suppression rule did it' },
    at: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time', description: 'Absent: until reopened' },
    statusBefore: { type: 'string', description: 'The status the finding returns to when it expires' },
    ruleId: { type: 'string' },
  },
} as const;

export const NOTE_SCHEMA = {
  type: 'object',
  required: ['id', 'findingId', 'author', 'at', 'text'],
  properties: {
    id: { type: 'integer' },
    findingId: { type: 'string' },
    author: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    text: { type: 'string' },
  },
} as const;

/** A finding with its triage state: the Finding's own fields at the top level, plus its suppression. */
export const TRIAGED_FINDING_SCHEMA = {
  ...FINDING_SCHEMA,
  properties: {
    ...FINDING_SCHEMA.properties,
    suppression: SUPPRESSION_SCHEMA,
    notes: { type: 'array', items: NOTE_SCHEMA },
  },
} as const;

export const ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export function fail(reply: FastifyReply, code: number, error: string, message: string) {
  return reply.code(code).send({ error, message });
}

/**
 * Routes declare `attachValidation`, so a request their schema rejects arrives here and gets the API's
 * error shape (the message names the parameter, e.g. "querystring/limit must be <= 500").
 */
export async function rejectInvalid(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if (!request.validationError) return false;
  await fail(reply, 400, 'VIGIL_BAD_REQUEST', request.validationError.message);
  return true;
}

/** A time parameter: ISO-8601 or epoch milliseconds; undefined when absent, NaN when unreadable. */
export function parseTime(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}
