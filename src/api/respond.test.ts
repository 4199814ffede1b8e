import {
  AttachUserPolicyCommand,
  DetachUserPolicyCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createResponseSystem, respondConfigSchema, type ResponseSystem } from '../respond/index.js';
import { testClients } from '../respond/testing.js';
import { openFindingStore, type FindingStore } from '../store/index.js';
import { makeFinding } from '../store/triage-testing.js';
import { registerRespondApi } from './respond.js';
import { testAccess } from './testing.js';

const iam = mockClient(IAMClient);
const DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
const finding = makeFinding('leak', {
  severity: 8,
  actor: { principal: 'arn:aws:iam::123456789012:user/mallory', principalType: 'IAMUser' },
});

let dir: string;
let store: FindingStore;
let system: ResponseSystem;
let app: FastifyInstance;
let access: ReturnType<typeof testAccess>;
let attached: string[];
let audit: { kind: string; actor: string }[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-api-respond-'));
  attached = [];
  audit = [];
  iam.reset();
  iam.on(ListUserTagsCommand).resolves({ Tags: [] });
  iam.on(ListAttachedUserPoliciesCommand).callsFake(async () => ({
    AttachedPolicies: attached.map((PolicyArn) => ({ PolicyArn })),
  }));
  iam.on(AttachUserPolicyCommand).callsFake(async (input: { PolicyArn: string }) => {
    attached.push(input.PolicyArn);
    return { $metadata: { requestId: 'req-attach' } };
  });
  iam.on(DetachUserPolicyCommand).callsFake(async (input: { PolicyArn: string }) => {
    attached = attached.filter((p) => p !== input.PolicyArn);
    return { $metadata: { requestId: 'req-detach' } };
  });
  store = openFindingStore(join(dir, 'findings.db'));
  store.upsert(finding, []);
  const config = respondConfigSchema.parse({
    homeAccountId: '123456789012',
    playbooks: [
      {
        id: 'quarantine',
        dryRun: false,
        trigger: { pattern: { source: ['vigil'] } },
        steps: [
          {
            id: 'quarantine-user', // destructive: needs approval
            action: 'iam.quarantine-user',
            params: { userName: '{{ finding.actor.principal | name }}' },
          },
        ],
      },
    ],
  });
  system = createResponseSystem(config, join(dir, 'responses.db'), {
    routeNames: new Set(),
    audit: { append: (e) => void audit.push(e) },
    clients: testClients,
  });
  access = testAccess();
  app = fastify();
  registerRespondApi(app, {
    access,
    responder: system.responder,
    store: system.store,
    playbooks: system.playbooks,
    findings: store,
  });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  system.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => iam.restore());

const as = (role: string | undefined) => (role ? { 'x-test-role': role } : {});
const get = (url: string, role: string | undefined = 'viewer') =>
  app.inject({ method: 'GET', url, headers: as(role) });
const send = (method: 'POST' | 'PUT', url: string, payload: unknown, role: string | undefined) =>
  app.inject({ method, url, payload: payload as object, headers: as(role) });

interface Action {
  id: string;
  status: string;
  decidedBy: string | null;
  error: string | null;
  undoOf: string | null;
  calls: { api: string; requestId?: string }[];
}
interface Run {
  id: string;
  status: string;
  mode: string;
  findingTitle: string;
  actions: Action[];
}

/** A live run of the playbook on the finding, stopped at its approval. */
async function awaitingRun(): Promise<{ run: Run; action: Action }> {
  const res = await send(
    'POST',
    '/api/responses/runs',
    { playbook: 'quarantine', findingId: finding.id, dryRun: false },
    'responder',
  );
  expect(res.statusCode).toBe(200);
  const run = res.json<Run>();
  expect(run).toMatchObject({ mode: 'live', status: 'awaiting-approval' });
  return { run, action: run.actions[0]! };
}

describe('respond API', () => {
  it('lets viewers read but not act, and keeps the kill switch to admins', async () => {
    const { run, action } = await awaitingRun();
    for (const url of [
      '/api/responses/playbooks',
      '/api/responses/runs',
      `/api/responses/runs/${run.id}`,
      '/api/responses/kill-switch',
    ]) {
      expect((await get(url, '')).statusCode, url).toBe(401);
      expect((await get(url)).statusCode, url).toBe(200);
    }
    const acts: [string, unknown][] = [
      [`/api/responses/actions/${action.id}/approve`, {}],
      [`/api/responses/actions/${action.id}/reject`, { reason: 'no' }],
      [`/api/responses/actions/${action.id}/undo`, undefined],
      ['/api/responses/runs', { playbook: 'quarantine', findingId: finding.id }],
    ];
    for (const [url, body] of acts)
      expect((await send('POST', url, body, 'viewer')).statusCode, url).toBe(403);
    expect(system.store.action(action.id)?.status).toBe('awaiting-approval');
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);

    expect((await send('PUT', '/api/responses/kill-switch', { on: true }, 'responder')).statusCode).toBe(403);
    expect((await get('/api/responses/kill-switch')).json()).toMatchObject({ on: false });
    const on = await send('PUT', '/api/responses/kill-switch', { on: true }, 'admin');
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ on: true, by: 'test-admin', configured: false });
    // With the switch on, a live run is recorded but blocked: nothing reaches AWS.
    const blocked = await send(
      'POST',
      '/api/responses/runs',
      { playbook: 'quarantine', findingId: finding.id, dryRun: false },
      'responder',
    );
    expect(blocked.json<Run>().status).toBe('blocked');
    expect((await send('PUT', '/api/responses/kill-switch', { on: false }, 'admin')).json()).toMatchObject({
      on: false,
    });
    expect(access.audited.map((a) => a.action)).toContain('response.kill-switch');
  });

  it('approves once: the action runs once, a second approval is a conflict', async () => {
    const { run, action } = await awaitingRun();
    const approved = await send('POST', `/api/responses/actions/${action.id}/approve`, {}, 'responder');
    expect(approved.statusCode).toBe(200);
    expect(approved.json<Run>().actions[0]).toMatchObject({
      status: 'approved',
      decidedBy: 'test-responder',
    });
    await system.responder.processPending();
    const again = await send('POST', `/api/responses/actions/${action.id}/approve`, {}, 'responder');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'VIGIL_CONFLICT' });
    const done = (await get(`/api/responses/runs/${run.id}`)).json<Run>();
    expect(done.status).toBe('succeeded');
    expect(done.actions[0]!.calls).toContainEqual(
      expect.objectContaining({ api: 'iam:AttachUserPolicy', requestId: 'req-attach' }),
    );
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(AttachUserPolicyCommand)[0]!.args[0].input).toEqual({
      UserName: 'mallory',
      PolicyArn: DENY_ALL,
    });
    expect(access.audited).toContainEqual(
      expect.objectContaining({ action: 'response.approve', target: action.id }),
    );
    expect(audit.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['response.run', 'response.approved', 'response.action']),
    );
  });

  it('rejects with a reason: the playbook stops and nothing is called', async () => {
    const { run, action } = await awaitingRun();
    const res = await send(
      'POST',
      `/api/responses/actions/${action.id}/reject`,
      { reason: 'the user is on call' },
      'responder',
    );
    expect(res.statusCode).toBe(200);
    await system.responder.processPending();
    const done = (await get(`/api/responses/runs/${run.id}`)).json<Run>();
    expect(done.status).toBe('rejected');
    expect(done.actions[0]).toMatchObject({
      status: 'rejected',
      decidedBy: 'test-responder',
      error: 'rejected by test-responder: the user is on call',
    });
    expect(
      (await send('POST', `/api/responses/actions/${action.id}/approve`, {}, 'responder')).statusCode,
    ).toBe(409);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
  });

  it('undoes a succeeded action once, and refuses what has nothing to undo', async () => {
    const { run, action } = await awaitingRun();
    await send('POST', `/api/responses/actions/${action.id}/approve`, {}, 'responder');
    await system.responder.processPending();
    const undo = await send('POST', `/api/responses/actions/${action.id}/undo`, undefined, 'responder');
    expect(undo.statusCode).toBe(200);
    expect(undo.json<Action>()).toMatchObject({ status: 'succeeded', undoOf: action.id });
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(DetachUserPolicyCommand)[0]!.args[0].input).toEqual({
      UserName: 'mallory',
      PolicyArn: DENY_ALL,
    });
    expect(attached).toEqual([]);
    expect(
      (await send('POST', `/api/responses/actions/${action.id}/undo`, undefined, 'responder')).statusCode,
    ).toBe(409);
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(1);
    const actions = (await get(`/api/responses/runs/${run.id}`)).json<Run>().actions;
    expect(actions.map((a) => a.status)).toEqual(['succeeded', 'succeeded']);

    const dry = await send(
      'POST',
      '/api/responses/runs',
      { playbook: 'quarantine', findingId: finding.id },
      'responder',
    );
    const planned = dry.json<Run>();
    expect(planned).toMatchObject({ mode: 'dry-run', status: 'planned', findingTitle: finding.title });
    const refused = await send(
      'POST',
      `/api/responses/actions/${planned.actions[0]!.id}/undo`,
      undefined,
      'responder',
    );
    expect(refused.statusCode).toBe(409);
    expect((await send('POST', '/api/responses/actions/nope/undo', undefined, 'responder')).statusCode).toBe(
      404,
    );
  });

  it('runs one undo when two responders undo at the same moment', async () => {
    const { action } = await awaitingRun();
    await send('POST', `/api/responses/actions/${action.id}/approve`, {}, 'responder');
    await system.responder.processPending();
    const url = `/api/responses/actions/${action.id}/undo`;
    const codes = (
      await Promise.all([send('POST', url, undefined, 'responder'), send('POST', url, undefined, 'admin')])
    ).map((r) => r.statusCode);
    expect(codes.sort()).toEqual([200, 409]);
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(1);
  });

  it('answers 404 for an unknown finding or playbook, 400 for a bad body', async () => {
    const unknownFinding = await send(
      'POST',
      '/api/responses/runs',
      { playbook: 'quarantine', findingId: 'nope' },
      'responder',
    );
    expect(unknownFinding.statusCode).toBe(404);
    expect(unknownFinding.json()).toMatchObject({ error: 'VIGIL_NOT_FOUND' });
    const unknownPlaybook = await send(
      'POST',
      '/api/responses/runs',
      { playbook: 'nope', findingId: finding.id },
      'responder',
    );
    expect(unknownPlaybook.statusCode).toBe(404);
    expect(
      (await send('POST', '/api/responses/runs', { findingId: finding.id }, 'responder')).statusCode,
    ).toBe(400);
    expect((await get('/api/responses/runs/nope')).statusCode).toBe(404);
    expect((await send('POST', '/api/responses/actions/nope/approve', {}, 'responder')).statusCode).toBe(404);
  });

  it('lists runs newest first, filtered, and pages with `before`', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await send(
        'POST',
        '/api/responses/runs',
        { playbook: 'quarantine', findingId: finding.id },
        'responder',
      );
      ids.push(res.json<Run>().id);
      await new Promise((r) => setTimeout(r, 5)); // distinct creation times
    }
    type Page = { runs: (Run & { createdAt: number })[] };
    const first = (await get(`/api/responses/runs?findingId=${finding.id}&limit=2`)).json<Page>();
    expect(first.runs.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const next = (
      await get(`/api/responses/runs?findingId=${finding.id}&limit=2&before=${first.runs[1]!.createdAt}`)
    ).json<Page>();
    expect(next.runs.map((r) => r.id)).toEqual([ids[0]]);
    expect((await get('/api/responses/runs?status=planned')).json<Page>().runs).toHaveLength(3);
    expect((await get('/api/responses/runs?status=failed')).json<Page>().runs).toHaveLength(0);
    expect((await get('/api/responses/runs?playbook=other')).json<Page>().runs).toHaveLength(0);
    expect((await get('/api/responses/runs?findingId=other')).json<Page>().runs).toHaveLength(0);
  });
});
