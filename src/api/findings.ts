import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Finding, FindingStatus } from '../core/finding.js';
import { SEVERITY_LABELS, type SeverityLabel } from '../core/severity.js';
import {
  FINDING_SORT_KEYS,
  type FindingQuery,
  type FindingStore,
  type WorkflowAction,
} from '../store/index.js';
import {
  fail,
  FINDING_SCHEMA,
  ID_PARAMS,
  NOTE_SCHEMA,
  parseTime,
  rejectInvalid,
  TRIAGED_FINDING_SCHEMA,
} from './finding-schemas.js';
import { ERROR_SCHEMA, GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

const STATUSES: readonly FindingStatus[] = ['NEW', 'ACKNOWLEDGED', 'RESOLVED', 'SUPPRESSED'];
export const MAX_BULK = 1000;
export const MAX_NOTE = 10_000;
const MAX_REASON = 1000;

export interface FindingsApiDeps {
  access: ApiAccess;
  store: FindingStore;
  /** Called once for each finding that becomes RESOLVED, so the pipeline sends its resolved alert. */
  onResolved?: (finding: Finding) => void;
  now?: () => number;
}

/** A list parameter: repeated (`status=NEW&status=RESOLVED`) or comma-separated (`status=NEW,RESOLVED`). */
const list = {
  type: 'array',
  items: { type: 'string', maxLength: 200 },
  maxItems: 20,
} as const;
const text = { type: 'string', maxLength: 500 } as const;
const time = { type: 'string', maxLength: 40, description: 'ISO-8601 or epoch milliseconds' } as const;

const QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severity: { ...list, description: 'Severity bands: LOW, MEDIUM, HIGH, CRITICAL (any of them)' },
    minSeverity: { type: 'number', minimum: 0, maximum: 10 },
    type: { ...text, description: 'Exactly this finding type' },
    typePrefix: { ...text, description: 'Finding types starting with this text' },
    status: { ...list, description: 'NEW, ACKNOWLEDGED, RESOLVED, SUPPRESSED (any of them)' },
    account: text,
    region: text,
    principal: text,
    ip: text,
    detector: text,
    lastSeenFrom: time,
    lastSeenTo: time,
    firstSeenFrom: time,
    firstSeenTo: time,
    q: { ...text, description: 'Words to find (plain words; no search syntax)' },
    sort: { type: 'string', enum: [...FINDING_SORT_KEYS] },
    order: { type: 'string', enum: ['asc', 'desc'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

type QueryString = Partial<Record<string, string | string[] | number>>;

const STATUS_BODY = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...STATUSES] },
    reason: { type: 'string', maxLength: MAX_REASON, description: 'Required to suppress' },
    until: { type: 'string', format: 'date-time', description: 'When a suppression ends (optional)' },
  },
} as const;

interface StatusBody {
  status: FindingStatus;
  reason?: string;
  until?: string;
}

const split = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s: unknown) =>
    String(s)
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

/** The query string as a FindingQuery, or the name of the parameter that is wrong. */
export function parseFindingQuery(q: QueryString): FindingQuery | { bad: string; message: string } {
  const severity = split(q.severity).map((s) => s.toUpperCase());
  const badSeverity = severity.find((s) => !SEVERITY_LABELS.includes(s as SeverityLabel));
  if (badSeverity !== undefined)
    return {
      bad: 'severity',
      message: `severity must be LOW, MEDIUM, HIGH or CRITICAL, not "${badSeverity}"`,
    };
  const status = split(q.status).map((s) => s.toUpperCase());
  const badStatus = status.find((s) => !STATUSES.includes(s as FindingStatus));
  if (badStatus !== undefined)
    return { bad: 'status', message: `status must be one of ${STATUSES.join(', ')}, not "${badStatus}"` };
  const out: FindingQuery = {
    ...(severity.length ? { severity: severity as SeverityLabel[] } : {}),
    ...(status.length ? { status: status as FindingStatus[] } : {}),
  };
  for (const name of ['lastSeenFrom', 'lastSeenTo', 'firstSeenFrom', 'firstSeenTo'] as const) {
    const ms = parseTime(q[name] as string | undefined);
    if (ms === undefined) continue;
    if (!Number.isFinite(ms))
      return { bad: name, message: `${name} must be an ISO-8601 time or epoch milliseconds` };
    out[name] = ms;
  }
  const strings = { type: 'type', typePrefix: 'typePrefix', account: 'accountId', region: 'region' } as const;
  for (const [from, to] of Object.entries(strings)) if (typeof q[from] === 'string') out[to] = q[from];
  for (const name of ['principal', 'ip', 'detector', 'sort', 'order'] as const)
    if (typeof q[name] === 'string') (out as Record<string, unknown>)[name] = q[name];
  if (typeof q.q === 'string' && q.q.trim()) out.text = q.q;
  if (typeof q.minSeverity === 'number') out.minSeverity = q.minSeverity;
  if (typeof q.limit === 'number') out.limit = q.limit;
  if (typeof q.offset === 'number') out.offset = q.offset;
  return out;
}

/**
 * The findings API: the dashboard's filtered, sorted, paged table; one finding with its suppression and
 * notes; the workflow (acknowledge, resolve, suppress with reason and optional expiry, reopen), one at a
 * time or in bulk; notes. Reads need the viewer role, actions the responder role, and every action is
 * audited. Resolving calls `onResolved` so the routes get their resolved alert.
 */
export function registerFindingsApi(app: FastifyInstance, deps: FindingsApiDeps): void {
  const { access, store } = deps;
  const now = deps.now ?? Date.now;
  const viewer = access.require('viewer');
  const responder = access.require('responder');
  const who = (request: FastifyRequest) => access.principalOf(request)?.user ?? 'unknown';

  /** The action a status body asks for, or a message naming the bad parameter. */
  function actionOf(body: StatusBody, by: string): WorkflowAction | string {
    if (body.status !== 'SUPPRESSED') {
      return body.reason !== undefined || body.until !== undefined
        ? 'reason and until apply only to status SUPPRESSED'
        : { status: body.status };
    }
    const reason = body.reason?.trim();
    if (!reason) return 'reason: a suppression needs a reason';
    if (body.until !== undefined && Date.parse(body.until) <= now()) return 'until must be in the future';
    return { status: 'SUPPRESSED', reason, by, ...(body.until !== undefined ? { until: body.until } : {}) };
  }

  /** Applies one action, audits it and sends the resolved alert when the finding became RESOLVED. */
  function apply(request: FastifyRequest, id: string, action: WorkflowAction, bulk: boolean) {
    const before = store.get(id);
    if (!before) return undefined;
    const after = store.transition(id, action)!;
    const { status, ...details } = action;
    access.audit(access.principalOf(request), `finding.${status.toLowerCase()}`, id, {
      from: before.status,
      ...details,
      ...(bulk ? { bulk: true } : {}),
    });
    if (status === 'RESOLVED' && before.status !== 'RESOLVED') deps.onResolved?.(after);
    return after;
  }

  const triaged = (f: Finding) => {
    const suppression = store.suppressionOf(f.id);
    return suppression ? { ...f, suppression } : f;
  };

  app.get(
    '/api/findings',
    {
      schema: {
        tags: ['findings'],
        summary: 'Findings: filtered, sorted and paged',
        description:
          'Every filter given must hold. `q` is read as plain words (each must occur; the last also as a prefix).',
        querystring: QUERY_SCHEMA,
        response: {
          200: {
            type: 'object',
            required: ['total', 'offset', 'limit', 'items'],
            properties: {
              total: { type: 'integer', description: 'Findings matching the filters' },
              offset: { type: 'integer' },
              limit: { type: 'integer' },
              items: { type: 'array', items: FINDING_SCHEMA },
            },
          },
          400: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: viewer,
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const query = parseFindingQuery(request.query as QueryString);
      if ('bad' in query) return fail(reply, 400, 'VIGIL_BAD_REQUEST', query.message);
      const page = store.query(query);
      return { total: page.total, offset: query.offset ?? 0, limit: query.limit ?? 50, items: page.items };
    },
  );

  app.get(
    '/api/findings/:id',
    {
      schema: {
        tags: ['findings'],
        summary: 'One finding with its suppression and notes',
        params: ID_PARAMS,
        response: { 200: TRIAGED_FINDING_SCHEMA, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      attachValidation: true,
      preHandler: viewer,
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const { id } = request.params as { id: string };
      const f = store.get(id);
      if (!f) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no finding with id ${id}`);
      return { ...triaged(f), notes: store.notes(id) };
    },
  );

  app.post(
    '/api/findings/:id/status',
    {
      schema: {
        tags: ['findings'],
        summary: 'Acknowledge, resolve, suppress or reopen (status NEW) a finding',
        params: ID_PARAMS,
        body: STATUS_BODY,
        response: { 200: TRIAGED_FINDING_SCHEMA, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      attachValidation: true,
      preHandler: responder,
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const { id } = request.params as { id: string };
      const action = actionOf(request.body as StatusBody, who(request));
      if (typeof action === 'string') return fail(reply, 400, 'VIGIL_BAD_REQUEST', action);
      const after = apply(request, id, action, false);
      return after ? triaged(after) : fail(reply, 404, 'VIGIL_NOT_FOUND', `no finding with id ${id}`);
    },
  );

  app.post(
    '/api/findings/bulk',
    {
      schema: {
        tags: ['findings'],
        summary: `One workflow action over up to ${MAX_BULK} findings`,
        body: {
          ...STATUS_BODY,
          required: ['ids', 'status'],
          properties: {
            ...STATUS_BODY.properties,
            ids: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_BULK,
              uniqueItems: true,
              items: { type: 'string', minLength: 1, maxLength: 200 },
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['updated', 'missing'],
            properties: {
              updated: { type: 'integer' },
              missing: { type: 'array', items: { type: 'string' }, description: 'Ids with no finding' },
            },
          },
          400: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: responder,
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const body = request.body as StatusBody & { ids: string[] };
      const action = actionOf(body, who(request));
      if (typeof action === 'string') return fail(reply, 400, 'VIGIL_BAD_REQUEST', action);
      const missing: string[] = [];
      let updated = 0;
      for (const id of body.ids) {
        if (apply(request, id, action, true)) updated++;
        else missing.push(id);
      }
      return { updated, missing };
    },
  );

  app.get(
    '/api/findings/:id/notes',
    {
      schema: {
        tags: ['findings'],
        summary: "A finding's notes, oldest first",
        params: ID_PARAMS,
        response: {
          200: { type: 'array', items: NOTE_SCHEMA },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: viewer,
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const { id } = request.params as { id: string };
      if (!store.get(id)) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no finding with id ${id}`);
      return store.notes(id);
    },
  );

  app.post(
    '/api/findings/:id/notes',
    {
      schema: {
        tags: ['findings'],
        summary: 'Adds a note to a finding',
        params: ID_PARAMS,
        body: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: { text: { type: 'string', minLength: 1, maxLength: MAX_NOTE } },
        },
        response: { 200: NOTE_SCHEMA, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      attachValidation: true,
      preHandler: responder,
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const { id } = request.params as { id: string };
      const { text: note } = request.body as { text: string };
      if (!note.trim()) return fail(reply, 400, 'VIGIL_BAD_REQUEST', 'text: a note cannot be blank');
      const added = store.addNote(id, { author: who(request), text: note });
      if (!added) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no finding with id ${id}`);
      access.audit(access.principalOf(request), 'finding.note', id, { noteId: added.id });
      return added;
    },
  );
}
