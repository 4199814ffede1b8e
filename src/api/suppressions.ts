import type { FastifyInstance } from 'fastify';
import { suppressionDraft } from '../findings/suppress.js';
import { compilePattern, PatternError } from '../router/index.js';
import type { FindingStore } from '../store/index.js';
import { fail, ID_PARAMS, rejectInvalid } from './finding-schemas.js';
import { ERROR_SCHEMA, GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

const MAX_PATTERN = 16_384;

const PATTERN_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  description:
    "An EventBridge event pattern over the finding's routed event (source vigil, detail = the finding)",
} as const;

const RULE_SCHEMA = {
  type: 'object',
  required: ['id', 'pattern', 'reason', 'owner', 'created'],
  properties: {
    id: { type: 'string' },
    pattern: PATTERN_SCHEMA,
    reason: { type: 'string' },
    owner: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    expires: { type: 'string', format: 'date-time' },
  },
} as const;

/**
 * Suppression rules: list, create (the pattern must compile), delete; and a draft rule for a finding
 * (its type, account and principal) that the UI offers for editing. Matching findings are stored
 * SUPPRESSED by the pipeline (`createSuppressionMatcher`), with no alert.
 */
export function registerSuppressionsApi(
  app: FastifyInstance,
  deps: { access: ApiAccess; store: FindingStore; now?: () => number },
): void {
  const { access, store } = deps;
  const now = deps.now ?? Date.now;

  app.get(
    '/api/suppressions',
    {
      schema: {
        tags: ['suppressions'],
        summary: 'Suppression rules, oldest first (expired ones included, with their expiry)',
        response: { 200: { type: 'array', items: RULE_SCHEMA }, ...GUARD_RESPONSES },
      },
      preHandler: access.require('viewer'),
    },
    async () => store.suppressionRules(),
  );

  app.post(
    '/api/suppressions',
    {
      schema: {
        tags: ['suppressions'],
        summary: 'Creates a suppression rule',
        body: {
          type: 'object',
          required: ['pattern', 'reason'],
          additionalProperties: false,
          properties: {
            pattern: PATTERN_SCHEMA,
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
            owner: { type: 'string', minLength: 1, maxLength: 200, description: 'Default: the caller' },
            expires: { type: 'string', format: 'date-time' },
          },
        },
        response: { 200: RULE_SCHEMA, 400: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      attachValidation: true,
      preHandler: access.require('responder'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const body = request.body as {
        pattern: Record<string, unknown>;
        reason: string;
        owner?: string;
        expires?: string;
      };
      if (!body.reason.trim()) return fail(reply, 400, 'VIGIL_BAD_REQUEST', 'reason: a rule needs a reason');
      if (JSON.stringify(body.pattern).length > MAX_PATTERN)
        return fail(reply, 400, 'VIGIL_BAD_REQUEST', `pattern: longer than ${MAX_PATTERN} characters`);
      try {
        compilePattern(body.pattern);
      } catch (err) {
        if (!(err instanceof PatternError)) throw err;
        return fail(reply, 400, 'VIGIL_BAD_REQUEST', `pattern: ${err.message}`);
      }
      if (body.expires !== undefined && Date.parse(body.expires) <= now())
        return fail(reply, 400, 'VIGIL_BAD_REQUEST', 'expires must be in the future');
      const principal = access.principalOf(request);
      const rule = store.addSuppressionRule({
        pattern: body.pattern,
        reason: body.reason.trim(),
        owner: body.owner ?? principal?.user ?? 'unknown',
        ...(body.expires !== undefined ? { expires: body.expires } : {}),
      });
      access.audit(principal, 'suppression.create', rule.id, {
        pattern: rule.pattern,
        reason: rule.reason,
        owner: rule.owner,
        ...(rule.expires ? { expires: rule.expires } : {}),
      });
      return rule;
    },
  );

  app.delete(
    '/api/suppressions/:id',
    {
      schema: {
        tags: ['suppressions'],
        summary: 'Deletes a suppression rule (findings it suppressed stay suppressed until their expiry)',
        params: ID_PARAMS,
        response: {
          200: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'string' } } },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: access.require('responder'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const { id } = request.params as { id: string };
      if (!store.deleteSuppressionRule(id))
        return fail(reply, 404, 'VIGIL_NOT_FOUND', `no suppression rule ${id}`);
      access.audit(access.principalOf(request), 'suppression.delete', id);
      return { deleted: id };
    },
  );

  app.get(
    '/api/findings/:id/suppression-draft',
    {
      schema: {
        tags: ['suppressions'],
        summary: "A suppression rule's pattern proposed from a finding (its type, account and principal)",
        params: ID_PARAMS,
        response: {
          200: { type: 'object', required: ['pattern'], properties: { pattern: PATTERN_SCHEMA } },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: access.require('viewer'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const { id } = request.params as { id: string };
      const f = store.get(id);
      if (!f) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no finding with id ${id}`);
      return { pattern: suppressionDraft(f) };
    },
  );
}
