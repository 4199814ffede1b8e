import {
  AttachUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
  DetachUserPolicyCommand,
} from '@aws-sdk/client-iam';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { parseDuration } from '../detect/duration.js';
import { findingEvent } from '../router/index.js';
import { respondConfigSchema } from './config.js';
import { compilePlaybooks } from './playbook.js';
import { actionRegistry } from './registry.js';
import { createResponder, type AuditSink } from './responder.js';
import { createSafety } from './safety.js';
import { responseStats } from './stats.js';
import { openResponseStore } from './store.js';
import { testClients } from './testing.js';

const iam = mockClient(IAMClient);
const KEY = 'AKIAIOSFODNN7EXAMPLE';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'f-1',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    detector: 'test',
    title: 'Key used from outside',
    description: 'd',
    severity: 8,
    severityLabel: 'HIGH',
    status: 'NEW',
    accountId: '111122223333',
    region: 'us-east-1',
    firstSeen: '2026-11-25T10:00:00Z',
    lastSeen: '2026-11-25T10:00:00Z',
    count: 1,
    actor: { principal: 'arn:aws:iam::111122223333:user/alice', principalType: 'IAMUser', accessKeyId: KEY },
    resources: [],
    evidence: { eventIds: ['e1'], eventNames: ['ListBuckets'] },
    ...over,
  } as Finding;
}

const PLAYBOOK = {
  id: 'contain-key',
  dryRun: false,
  trigger: { pattern: { detail: { type: [{ prefix: 'UnauthorizedAccess:' }] } } },
  steps: [
    {
      id: 'deactivate',
      action: 'iam.deactivate-access-key',
      params: {
        userName: '{{ finding.actor.principal | name }}',
        accessKeyId: '{{ finding.actor.accessKeyId }}',
      },
    },
    {
      id: 'quarantine',
      action: 'iam.quarantine-user',
      params: { userName: '{{ finding.actor.principal | name }}' },
    },
  ],
};

let dir: string;
let state: { keyStatus: 'Active' | 'Inactive'; attached: string[]; tags: Record<string, string> };
let audit: { kind: string; actor: string; subject?: string; data: Record<string, unknown> }[];
let clock: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-respond-'));
  state = { keyStatus: 'Active', attached: [], tags: {} };
  audit = [];
  clock = Date.parse('2026-11-25T12:00:00Z');
  iam.reset();
  // A small stateful fake of IAM: the mutating calls change what the reads return.
  iam.on(ListAccessKeysCommand).callsFake(async () => ({
    AccessKeyMetadata: [{ AccessKeyId: KEY, Status: state.keyStatus, UserName: 'alice' }],
  }));
  iam.on(UpdateAccessKeyCommand).callsFake(async (input: { Status: 'Active' | 'Inactive' }) => {
    state.keyStatus = input.Status;
    return { $metadata: { requestId: 'req-update' } };
  });
  iam.on(ListUserTagsCommand).callsFake(async () => ({
    Tags: Object.entries(state.tags).map(([Key, Value]) => ({ Key, Value })),
  }));
  iam.on(ListAttachedUserPoliciesCommand).callsFake(async () => ({
    AttachedPolicies: state.attached.map((PolicyArn) => ({
      PolicyArn,
      PolicyName: PolicyArn.split('/').pop(),
    })),
  }));
  iam.on(AttachUserPolicyCommand).callsFake(async (input: { PolicyArn: string }) => {
    state.attached.push(input.PolicyArn);
    return {};
  });
  iam.on(DetachUserPolicyCommand).callsFake(async (input: { PolicyArn: string }) => {
    state.attached = state.attached.filter((p) => p !== input.PolicyArn);
    return {};
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(
  over: Record<string, unknown> = {},
  playbook: Record<string, unknown> = PLAYBOOK,
  opts: { leaseMs?: number } = {},
) {
  const config = respondConfigSchema.parse({ homeAccountId: '111122223333', playbooks: [playbook], ...over });
  const actions = actionRegistry();
  const compiled = compilePlaybooks(config, actions, new Set());
  expect(compiled.problems).toEqual([]);
  const db = new Database(join(dir, 'responses.db'));
  const store = openResponseStore(db);
  const sink: AuditSink = { append: (e) => audit.push(e) };
  const responder = createResponder({
    store,
    playbooks: compiled.playbooks,
    actions,
    clients: testClients,
    safety: createSafety({
      ...config.safety,
      homeAccountId: config.homeAccountId,
      accounts: Object.keys(config.accounts),
    }),
    audit: sink,
    enabled: config.enabled,
    approvalTimeoutMs: parseDuration(config.safety.approvalTimeout)!,
    now: () => clock,
    sleep: async () => undefined,
    leaseMs: opts.leaseMs ?? 60_000,
  });
  return { responder, store, db };
}

const submit = (r: ReturnType<typeof setup>['responder'], f = finding()) =>
  r.submit(f, findingEvent(f), ['contain-key']);

describe('responder', () => {
  it('dry run: records the plan with resolved parameters and calls nothing in AWS', async () => {
    const { responder } = setup({}, { ...PLAYBOOK, dryRun: true });
    const [run] = submit(responder);
    expect(run!.mode).toBe('dry-run');
    expect(run!.status).toBe('planned');
    expect(run!.actions.map((a) => [a.step, a.status, a.params])).toEqual([
      ['deactivate', 'planned', { userName: 'alice', accessKeyId: KEY }],
      ['quarantine', 'planned', { userName: 'alice' }],
    ]);
    expect(run!.actions[0]!.plan).toMatch(/Deactivate access key AKIAIOSFODNN7EXAMPLE of IAM user alice/);
    expect(run!.actions[1]!.plan).toMatch(/needs approval/);
    expect(await responder.processPending()).toBe(0);
    expect(iam.calls()).toHaveLength(0);
    expect(audit.map((a) => a.kind)).toEqual(['response.run']);
  });

  it('live: runs the safe step, stops at the destructive one until approved, then runs it once', async () => {
    const { responder } = setup();
    const [run] = submit(responder);
    expect(run!.status).toBe('queued');
    await responder.processPending();
    let v = responder.run(run!.id)!;
    expect(v.status).toBe('awaiting-approval');
    expect(v.actions.map((a) => a.status)).toEqual(['succeeded', 'awaiting-approval']);
    expect(state.keyStatus).toBe('Inactive');
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);

    // The same finding again (an update, a replay): nothing new.
    submit(responder, finding({ count: 5, lastSeen: '2026-11-25T10:05:00Z' }));
    await responder.processPending();
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);

    responder.approve(v.actions[1]!.id, 'bob');
    await responder.processPending();
    v = responder.run(run!.id)!;
    expect(v.status).toBe('succeeded');
    expect(v.actions[1]).toMatchObject({ status: 'succeeded', decidedBy: 'bob' });
    expect(state.attached).toEqual(['arn:aws:iam::aws:policy/AWSDenyAll']);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(1);
    const kinds = audit.map((a) => a.kind);
    expect(kinds).toEqual([
      'response.run',
      'response.action',
      'response.approval-requested',
      'response.approved',
      'response.action',
    ]);
    expect(audit[1]!.data).toMatchObject({
      result: 'succeeded',
      calls: expect.arrayContaining([
        expect.objectContaining({ api: 'iam:UpdateAccessKey', requestId: 'req-update' }),
      ]),
    });
  });

  it('a restart in the middle of a playbook repeats no AWS change', async () => {
    const first = setup(
      {},
      { ...PLAYBOOK, steps: [PLAYBOOK.steps[0], { ...PLAYBOOK.steps[1], approval: 'auto' }] },
      { leaseMs: 10_000 },
    );
    const [run] = submit(first.responder);
    // The process dies after the key was deactivated in AWS but before it could record that: the action
    // is left `running` and the run leased.
    expect(first.store.claim(run!.id, 'dead-process', clock, 10_000)).toBe(true);
    first.store.updateAction(run!.actions[0]!.id, { status: 'running', started_at: clock, attempts: 1 });
    state.keyStatus = 'Inactive';
    iam.on(UpdateAccessKeyCommand).callsFake(async () => {
      throw new Error('must not be called again');
    });
    first.db.close();

    // A new process on the same file: nothing until the dead one's lease ends, then the run resumes.
    const second = setup(
      {},
      { ...PLAYBOOK, steps: [PLAYBOOK.steps[0], { ...PLAYBOOK.steps[1], approval: 'auto' }] },
      { leaseMs: 10_000 },
    );
    expect(await second.responder.processPending()).toBe(0);
    clock += 11_000;
    expect(await second.responder.processPending()).toBe(1);
    const v = second.responder.run(run!.id)!;
    expect(v.status).toBe('succeeded');
    expect(v.actions[0]).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      outcome: { status: 'unchanged' },
    });
    expect(v.actions[1]).toMatchObject({ status: 'succeeded', outcome: { status: 'changed' } });
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(1);
  });

  it('refuses break-glass principals, protected resources and everything while the kill switch is on', async () => {
    const denied = setup({ safety: { denyPrincipals: ['arn:aws:iam::*:user/ali*'] } });
    const [run] = submit(denied.responder);
    expect(run!.actions.map((a) => a.status)).toEqual(['blocked', 'blocked']);
    expect(run!.actions[0]!.plan).toMatch(/deny list/);
    await denied.responder.processPending();
    expect(denied.responder.run(run!.id)!.status).toBe('blocked');
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    denied.db.close();
    rmSync(join(dir, 'responses.db'));

    state.tags = { 'vigil:protected': 'true' };
    const tagged = setup();
    const [r2] = submit(tagged.responder);
    await tagged.responder.processPending();
    const v2 = tagged.responder.run(r2!.id)!;
    expect(v2.status).toBe('blocked');
    expect(v2.actions[0]!.error).toMatch(/protected by its tag vigil:protected/);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);

    state.tags = {};
    tagged.responder.setKillSwitch(true, 'admin');
    const [r3] = submit(tagged.responder, finding({ id: 'f-2' }));
    expect(r3!.status).toBe('blocked');
    await tagged.responder.processPending();
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(audit.some((a) => a.kind === 'response.kill-switch' && a.actor === 'admin')).toBe(true);
  });

  it('rate-limits live runs per playbook', async () => {
    const { responder } = setup(
      {},
      { ...PLAYBOOK, rateLimit: { max: 2, per: '1h' }, steps: [PLAYBOOK.steps[0]] },
    );
    const runs = ['a', 'b', 'c', 'd'].map((id) => submit(responder, finding({ id }))[0]!);
    expect(runs.map((r) => r.status)).toEqual(['queued', 'queued', 'rate-limited', 'rate-limited']);
    expect(runs[2]!.message).toMatch(/rate limit: 2 live runs per 60 min/);
    clock += 3_600_001;
    expect(submit(responder, finding({ id: 'e' }))[0]!.status).toBe('queued');
  });

  it('rejections and expired approvals stop the playbook', async () => {
    const { responder } = setup({ safety: { approvalTimeout: '10m' } });
    const [r1] = submit(responder);
    await responder.processPending();
    const pending = responder.run(r1!.id)!.actions[1]!;
    responder.reject(pending.id, 'carol', 'false positive');
    await responder.processPending();
    expect(responder.run(r1!.id)!).toMatchObject({ status: 'rejected' });
    expect(() => responder.approve(pending.id, 'bob')).toThrow(/rejected, not awaiting approval/);

    const [r2] = submit(responder, finding({ id: 'f-2' }));
    await responder.processPending();
    clock += 11 * 60_000;
    await responder.processPending();
    const v = responder.run(r2!.id)!;
    expect(v.status).toBe('expired');
    expect(v.actions[1]!.status).toBe('expired');
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
  });

  it('undo runs the recorded reverse action once and marks the original undone', async () => {
    const { responder } = setup({}, { ...PLAYBOOK, steps: [PLAYBOOK.steps[0]] });
    const [run] = submit(responder);
    await responder.processPending();
    const done = responder.run(run!.id)!.actions[0]!;
    expect(done.outcome?.undo?.action).toBe('iam.activate-access-key');
    const u = await responder.undo(done.id, 'dave');
    expect(u).toMatchObject({ status: 'succeeded', undoOf: done.id, action: 'iam.activate-access-key' });
    expect(state.keyStatus).toBe('Active');
    expect(responder.action(done.id)!.undoneBy).toBe(u.id);
    await expect(responder.undo(done.id, 'dave')).rejects.toThrow(/already undone/);
    expect(audit.at(-1)).toMatchObject({ kind: 'response.action', actor: 'dave', data: { undoOf: done.id } });
  });

  it('a finding without the fields a step needs fails that step with the reason', async () => {
    const { responder } = setup({}, { ...PLAYBOOK, steps: [PLAYBOOK.steps[0]] });
    const f = finding({
      actor: {
        principal: 'arn:aws:iam::111122223333:user/alice',
        principalType: 'IAMUser',
      } as Finding['actor'],
    });
    const [run] = submit(responder, f);
    await responder.processPending();
    const v = responder.run(run!.id)!;
    expect(v.status).toBe('failed');
    expect(v.actions[0]!.error).toMatch(/finding\.actor\.accessKeyId.*empty/);
  });

  it('attacker-controlled values that are not valid identifiers never reach AWS', async () => {
    const { responder } = setup({}, { ...PLAYBOOK, steps: [PLAYBOOK.steps[0]] });
    const f = finding({
      actor: {
        principal: 'arn:aws:iam::111122223333:user/x"}]',
        principalType: 'IAMUser',
        accessKeyId: KEY,
      } as Finding['actor'],
    });
    const [run] = submit(responder, f);
    await responder.processPending();
    expect(responder.run(run!.id)!.actions[0]!.error).toMatch(
      /params\.userName: not an IAM user or role name/,
    );
    expect(iam.calls()).toHaveLength(0);
  });

  it('statistics count live actions, outcomes, approvals waiting and time to respond', async () => {
    const { responder, store } = setup();
    submit(responder);
    clock += 2000;
    await responder.processPending();
    const s = responseStats(store).stats({ sinceMs: clock - 3_600_000, nowMs: clock });
    expect(s).toMatchObject({ run: 1, succeeded: 1, failed: 0, awaitingApproval: 1 });
    expect(s.timeToRespond).toMatchObject({ count: 1, p50Ms: 2000 });
    expect(s.byAction.map((a) => a.action).sort()).toEqual([
      'iam.deactivate-access-key',
      'iam.quarantine-user',
    ]);
  });
});
