import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Finding } from '../core/finding.js';
import type { Responder } from '../respond/responder.js';
import { ResponseError } from '../respond/responder.js';
import type { Playbook } from '../respond/playbook.js';
import type { ResponseStore } from '../respond/store.js';
import { fail, ID_PARAMS, rejectInvalid } from './finding-schemas.js';
import { ERROR_SCHEMA, GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

const ACTION_SCHEMA = {
  type: 'object',
  description: 'One step of a run: what it does (plan), its state, approval, outcome, AWS calls and undo',
  additionalProperties: true,
  required: ['id', 'runId', 'step', 'action', 'plan', 'status'],
  properties: {
    id: { type: 'string' },
    runId: { type: 'string' },
    idx: { type: 'integer' },
    step: { type: 'string' },
    action: { type: 'string' },
    plan: { type: 'string' },
    status: { type: 'string' },
    params: { type: ['object', 'null'], additionalProperties: true },
    target: { type: ['object', 'null'], additionalProperties: true },
    approvalRequired: { type: 'boolean' },
    approvalExpiresAt: { type: ['integer', 'null'] },
    decidedBy: { type: ['string', 'null'] },
    outcome: { type: ['object', 'null'], additionalProperties: true },
    calls: { type: 'array', items: { type: 'object', additionalProperties: true } },
    error: { type: ['string', 'null'] },
    errorKind: { type: ['string', 'null'] },
    undoOf: { type: ['string', 'null'] },
    undoneBy: { type: ['string', 'null'] },
  },
} as const;

const RUN_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'playbook', 'findingId', 'mode', 'status', 'createdAt'],
  properties: {
    id: { type: 'string' },
    playbook: { type: 'string' },
    findingId: { type: 'string' },
    findingType: { type: 'string' },
    findingTitle: { type: 'string' },
    mode: { type: 'string', enum: ['dry-run', 'live'] },
    status: { type: 'string' },
    trigger: { type: 'string' },
    requestedBy: { type: ['string', 'null'] },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    message: { type: ['string', 'null'] },
    actions: { type: 'array', items: ACTION_SCHEMA },
  },
} as const;

const SWITCH_SCHEMA = {
  type: 'object',
  required: ['on', 'configured'],
  properties: {
    on: { type: 'boolean', description: 'No live action runs while on' },
    configured: {
      type: 'boolean',
      description: 'respond.enabled is false in the config: cannot be lifted here',
    },
    by: { type: 'string' },
    at: { type: 'string' },
  },
} as const;

function runOut(v: ReturnType<Responder['run']>) {
  if (!v) return v;
  const { finding, ...rest } = v;
  return {
    ...rest,
    findingType: String((finding as Partial<Finding>).type ?? ''),
    findingTitle: String((finding as Partial<Finding>).title ?? ''),
  };
}

function sendError(reply: FastifyReply, err: unknown) {
  if (err instanceof ResponseError)
    return fail(
      reply,
      err.status,
      err.status === 404 ? 'VIGIL_NOT_FOUND' : err.status === 400 ? 'VIGIL_BAD_REQUEST' : 'VIGIL_CONFLICT',
      err.message,
    );
  throw err;
}

/**
 * Automated response: playbooks, their runs (dry-run plans and live actions), approvals, undo and the
 * kill switch. Reading needs viewer; approving, rejecting, undoing and running a playbook need
 * responder; the kill switch needs admin. Each decision is written to the audit log with its user.
 */
export function registerRespondApi(
  app: FastifyInstance,
  deps: {
    access: ApiAccess;
    responder: Responder;
    store: ResponseStore;
    playbooks: readonly Playbook[];
    findings: { get(id: string): Finding | undefined };
  },
): void {
  const { access, responder, store } = deps;
  const userOf = (request: Parameters<ApiAccess['principalOf']>[0]) =>
    access.principalOf(request)?.user ?? 'unknown';

  app.get(
    '/api/responses/playbooks',
    {
      schema: {
        tags: ['responses'],
        summary: 'Configured playbooks with their trigger, mode and steps',
        response: {
          200: { type: 'array', items: { type: 'object', additionalProperties: true } },
          ...GUARD_RESPONSES,
        },
      },
      preHandler: access.require('viewer'),
    },
    async () =>
      deps.playbooks.map((p) => ({
        id: p.id,
        description: p.description,
        dryRun: p.dryRun,
        trigger: p.trigger,
        rateLimit: p.rateLimit,
        steps: p.steps.map((s) => ({
          id: s.id,
          action: s.action.name,
          title: s.action.title,
          approval: s.approval,
          destructive: s.action.destructive,
          reversible: s.action.reversible,
        })),
      })),
  );

  app.get(
    '/api/responses/runs',
    {
      schema: {
        tags: ['responses'],
        summary: 'Playbook runs, newest first, with their actions',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', maxLength: 40 },
            playbook: { type: 'string', maxLength: 200 },
            findingId: { type: 'string', maxLength: 200 },
            before: {
              type: 'integer',
              description: 'Runs created before this time (epoch ms): the next page',
            },
            beforeId: {
              type: 'string',
              maxLength: 200,
              description:
                'With `before`: the id of the last run shown, so runs of the same millisecond are not skipped',
            },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: {
          200: { type: 'object', properties: { runs: { type: 'array', items: RUN_SCHEMA } } },
          400: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: access.require('viewer'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const q = request.query as {
        status?: string;
        playbook?: string;
        findingId?: string;
        before?: number;
        beforeId?: string;
        limit: number;
      };
      const runs = store.listRuns(q).map((r) => runOut({ ...r, actions: store.actionsOf(r.id) }));
      return { runs };
    },
  );

  app.get(
    '/api/responses/runs/:id',
    {
      schema: {
        tags: ['responses'],
        summary: 'One run with its plan and actions',
        params: ID_PARAMS,
        response: { 200: RUN_SCHEMA, 404: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      preHandler: access.require('viewer'),
    },
    async (request, reply) => {
      const v = runOut(responder.run((request.params as { id: string }).id));
      return v ?? fail(reply, 404, 'VIGIL_NOT_FOUND', 'no such run');
    },
  );

  app.post(
    '/api/responses/runs',
    {
      schema: {
        tags: ['responses'],
        summary: 'Runs a playbook for a finding now (dry run unless dryRun is false)',
        body: {
          type: 'object',
          required: ['playbook', 'findingId'],
          additionalProperties: false,
          properties: {
            playbook: { type: 'string', minLength: 1, maxLength: 200 },
            findingId: { type: 'string', minLength: 1, maxLength: 200 },
            dryRun: { type: 'boolean', default: true },
          },
        },
        response: {
          200: RUN_SCHEMA,
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
          409: ERROR_SCHEMA,
          ...GUARD_RESPONSES,
        },
      },
      attachValidation: true,
      preHandler: access.require('responder'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const body = request.body as { playbook: string; findingId: string; dryRun: boolean };
      const finding = deps.findings.get(body.findingId);
      if (!finding) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no finding ${body.findingId}`);
      try {
        const user = userOf(request);
        const v = await responder.runPlaybook(body.playbook, finding, {
          dryRun: body.dryRun,
          requestedBy: user,
        });
        access.audit(access.principalOf(request), 'response.run', v.id, {
          playbook: body.playbook,
          finding: finding.id,
          dryRun: body.dryRun,
        });
        return runOut(v);
      } catch (err) {
        return sendError(reply, err);
      }
    },
  );

  for (const verb of ['approve', 'reject'] as const) {
    app.post(
      `/api/responses/actions/:id/${verb}`,
      {
        schema: {
          tags: ['responses'],
          summary:
            verb === 'approve'
              ? 'Approves an action awaiting approval'
              : 'Rejects an action awaiting approval (the playbook stops)',
          params: ID_PARAMS,
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: { reason: { type: 'string', maxLength: 1000 } },
          },
          response: { 200: RUN_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA, ...GUARD_RESPONSES },
        },
        preHandler: access.require('responder'),
      },
      async (request, reply) => {
        const id = (request.params as { id: string }).id;
        const reason = (request.body as { reason?: string } | null)?.reason;
        try {
          const user = userOf(request);
          const v = verb === 'approve' ? responder.approve(id, user) : responder.reject(id, user, reason);
          access.audit(access.principalOf(request), `response.${verb}`, id, reason ? { reason } : {});
          return runOut(v);
        } catch (err) {
          return sendError(reply, err);
        }
      },
    );
  }

  app.post(
    '/api/responses/actions/:id/undo',
    {
      schema: {
        tags: ['responses'],
        summary: 'Runs the recorded undo of a succeeded action',
        params: ID_PARAMS,
        response: { 200: ACTION_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      preHandler: access.require('responder'),
    },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      try {
        const done = await responder.undo(id, userOf(request));
        access.audit(access.principalOf(request), 'response.undo', id, {
          undoAction: done.id,
          status: done.status,
        });
        return done;
      } catch (err) {
        return sendError(reply, err);
      }
    },
  );

  app.get(
    '/api/responses/kill-switch',
    {
      schema: {
        tags: ['responses'],
        summary: 'Whether live responses are stopped',
        response: { 200: SWITCH_SCHEMA, ...GUARD_RESPONSES },
      },
      preHandler: access.require('viewer'),
    },
    async () => responder.killSwitch(),
  );

  app.put(
    '/api/responses/kill-switch',
    {
      schema: {
        tags: ['responses'],
        summary: 'Stops (on) or allows (off) every live response action',
        body: {
          type: 'object',
          required: ['on'],
          additionalProperties: false,
          properties: { on: { type: 'boolean' } },
        },
        response: { 200: SWITCH_SCHEMA, 400: ERROR_SCHEMA, ...GUARD_RESPONSES },
      },
      attachValidation: true,
      preHandler: access.require('admin'),
    },
    async (request, reply) => {
      if (await rejectInvalid(request, reply)) return reply;
      const { on } = request.body as { on: boolean };
      responder.setKillSwitch(on, userOf(request));
      access.audit(access.principalOf(request), 'response.kill-switch', 'kill-switch', { on });
      return responder.killSwitch();
    },
  );
}
