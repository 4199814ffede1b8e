import {
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLogFile, openAuditLog } from '../audit/index.js';
import type { Finding } from '../core/finding.js';
import { testClients } from '../respond/testing.js';
import { openFindingStore } from '../store/index.js';
import type { CliIO } from './io.js';
import { main } from './main.js';
import { cliUser, respondCommand, RESPOND_EXIT } from './respond-command.js';

const ACCOUNT = '111122223333';
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const iam = mockClient(IAMClient);
let dir: string;
let configFile: string;
let state: { keyStatus: 'Active' | 'Inactive' };

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
    accountId: ACCOUNT,
    region: 'us-east-1',
    firstSeen: '2026-11-25T10:00:00Z',
    lastSeen: '2026-11-25T10:00:00Z',
    count: 1,
    actor: { principal: `arn:aws:iam::${ACCOUNT}:user/alice`, principalType: 'IAMUser', accessKeyId: KEY },
    resources: [],
    evidence: { eventIds: ['e1'], eventNames: ['ListBuckets'] },
    ...over,
  } as Finding;
}

const deactivate = (approval?: 'required') => ({
  id: 'deactivate',
  action: 'iam.deactivate-access-key',
  ...(approval ? { approval } : {}),
  params: {
    userName: '{{ finding.actor.principal | name }}',
    accessKeyId: '{{ finding.actor.accessKeyId }}',
  },
});
const trigger = { pattern: { detail: { type: [{ prefix: 'UnauthorizedAccess:' }] } } };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-respond-cli-'));
  mkdirSync(join(dir, 'data'));
  const findingsDb = join(dir, 'data', 'vigil.db');
  configFile = join(dir, 'vigil.yaml');
  writeFileSync(
    configFile,
    JSON.stringify({
      store: { sqlite: findingsDb },
      respond: {
        homeAccountId: ACCOUNT,
        playbooks: [
          // Dry run unless told otherwise (the default).
          { id: 'contain-key', trigger, steps: [deactivate()] },
          { id: 'contain-key-approved', trigger, steps: [deactivate('required')] },
        ],
      },
    }),
  );
  const store = openFindingStore(findingsDb);
  store.upsert(finding(), ['e1']);
  store.upsert(finding({ id: 'f-\u001b[2J-evil' }), ['e2']);
  store.close();

  state = { keyStatus: 'Active' };
  iam.reset();
  // A small stateful IAM: UpdateAccessKey changes what ListAccessKeys returns.
  iam.on(ListAccessKeysCommand).callsFake(async () => ({
    AccessKeyMetadata: [{ AccessKeyId: KEY, Status: state.keyStatus, UserName: 'alice' }],
  }));
  iam.on(UpdateAccessKeyCommand).callsFake(async (input: { Status: 'Active' | 'Inactive' }) => {
    state.keyStatus = input.Status;
    return { $metadata: { requestId: 'req-update-1' } };
  });
  iam.on(ListUserTagsCommand).resolves({ Tags: [] });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => iam.restore());

async function respond(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (chunk: Buffer) => into.push(chunk.toString()));
    return s;
  };
  const io: CliIO = {
    stdout: sink(out),
    stderr: sink(err),
    stdin: new PassThrough(),
    env: {},
    now: Date.now,
  };
  const code = await respondCommand([...argv, '--config', configFile], io, { clients: testClients });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.join(''), stderr: err.join('') };
}

interface RunJson {
  id: string;
  status: string;
  mode: string;
  requestedBy: string;
  actions: {
    id: string;
    status: string;
    outcome: { status: string } | null;
    calls: { api: string; requestId?: string }[];
  }[];
}
const json = (r: { stdout: string }) => JSON.parse(r.stdout) as RunJson;
const updates = () => iam.commandCalls(UpdateAccessKeyCommand);

function auditRows() {
  const log = openAuditLog(auditLogFile(join(dir, 'data', 'vigil.db')), { readonly: true });
  try {
    expect(log.verify().ok).toBe(true);
    return log.list({ limit: 1000 });
  } finally {
    log.close();
  }
}

describe('vigil respond run', () => {
  it('runs live: deactivates the key once, and a re-run reads the state and changes nothing', async () => {
    const first = await respond('run', 'contain-key', '--finding', 'f-1', '--live');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(RESPOND_EXIT.OK);
    expect(first.stdout).toMatch(/run run-\S+ {2}contain-key {2}finding f-1 {2}live {2}succeeded by cli:/);
    expect(first.stdout).toMatch(/deactivate\s+iam\.deactivate-access-key\s+succeeded\s+req-update-1\s+/);
    expect(updates()).toHaveLength(1);
    expect(updates()[0]!.args[0].input).toEqual({ UserName: 'alice', AccessKeyId: KEY, Status: 'Inactive' });
    expect(state.keyStatus).toBe('Inactive');

    const again = await respond('run', 'contain-key', '--finding', 'f-1', '--live', '--format', 'json');
    expect(again.code).toBe(RESPOND_EXIT.OK);
    const run = json(again);
    expect(run.status).toBe('succeeded');
    expect(run.actions[0]!.outcome!.status).toBe('unchanged');
    expect(updates()).toHaveLength(1);
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(2);

    const actions = auditRows().filter((r) => r.kind === 'response.action');
    expect(actions).toHaveLength(2);
    expect(actions[0]!.data).toMatchObject({ finding: 'f-1', result: 'succeeded' });
  });

  it('plans without any AWS call in a dry run, and --dry-run wins over --live', async () => {
    const planned = await respond('run', 'contain-key', '--finding', 'f-1');
    expect(planned.code).toBe(RESPOND_EXIT.OK);
    expect(planned.stdout).toContain('dry-run  planned');
    expect(planned.stdout).toContain(`Deactivate access key ${KEY} of IAM user alice in account ${ACCOUNT}.`);
    const both = await respond('run', 'contain-key', '--finding', 'f-1', '--live', '--dry-run', '-f', 'json');
    expect(both.code).toBe(RESPOND_EXIT.OK);
    expect(json(both)).toMatchObject({ mode: 'dry-run', status: 'planned' });
    expect(iam.calls()).toHaveLength(0);
  });

  it('stops at a step that needs approval (exit 4); approve works it, as the OS user', async () => {
    const waiting = await respond('run', 'contain-key-approved', '--finding', 'f-1', '--live', '-f', 'json');
    expect(waiting.code).toBe(RESPOND_EXIT.AWAITING_APPROVAL);
    const run = json(waiting);
    expect(run.status).toBe('awaiting-approval');
    const actionId = run.actions[0]!.id;
    expect(waiting.stderr).toContain(`vigil respond approve ${actionId}`);
    expect(updates()).toHaveLength(0);

    const approved = await respond('approve', actionId);
    expect(approved.code).toBe(RESPOND_EXIT.OK);
    expect(approved.stdout).toMatch(/live {2}succeeded/);
    expect(updates()).toHaveLength(1);
    const decision = auditRows().find((r) => r.kind === 'response.approved')!;
    expect(decision).toMatchObject({ actor: cliUser({}), subject: actionId });

    const twice = await respond('approve', actionId);
    expect(twice.code).toBe(RESPOND_EXIT.FAILED);
    expect(twice.stderr).toContain('is succeeded, not awaiting approval');
  });

  it('approves at once with --approve', async () => {
    const r = await respond('run', 'contain-key-approved', '--finding', 'f-1', '--live', '--approve');
    expect(r.code).toBe(RESPOND_EXIT.OK);
    expect(updates()).toHaveLength(1);
    const kinds = auditRows().map((row) => [row.kind, row.actor]);
    expect(kinds).toContainEqual(['response.approved', cliUser({})]);
    expect(kinds).toContainEqual(['response.action', cliUser({})]);
  });

  it('reject refuses the step: nothing changes in AWS and the run ends rejected', async () => {
    const waiting = await respond('run', 'contain-key-approved', '--finding', 'f-1', '--live', '-f', 'json');
    const actionId = json(waiting).actions[0]!.id;
    const r = await respond('reject', actionId, '--reason', 'false positive', '-f', 'json');
    expect(r.code).toBe(RESPOND_EXIT.OK);
    expect(json(r).status).toBe('rejected');
    expect(updates()).toHaveLength(0);
    expect(auditRows().find((row) => row.kind === 'response.rejected')!.data).toMatchObject({
      reason: 'false positive',
    });
  });

  it('names an unknown finding or playbook', async () => {
    const noFinding = await respond('run', 'contain-key', '--finding', 'f-404');
    expect(noFinding.code).toBe(RESPOND_EXIT.FAILED);
    expect(noFinding.stderr).toContain('no finding f-404 in ');
    const noPlaybook = await respond('run', 'isolate', '--finding', 'f-1');
    expect(noPlaybook.code).toBe(RESPOND_EXIT.FAILED);
    expect(noPlaybook.stderr).toContain(
      'no playbook isolate in the config (configured: contain-key, contain-key-approved)',
    );
    expect(iam.calls()).toHaveLength(0);
  });

  it('escapes attacker-controlled text on the terminal', async () => {
    const r = await respond('run', 'contain-key', '--finding', 'f-\u001b[2J-evil');
    expect(r.code).toBe(RESPOND_EXIT.OK);
    expect(r.stdout).toContain('finding f-\\x1b[2J-evil');
    expect(r.stdout).not.toContain('\u001b');
  });

  it('refuses a wrong command line with exit 2', async () => {
    expect((await respond('run', 'contain-key')).code).toBe(RESPOND_EXIT.USAGE);
    expect((await respond('run', '--finding', 'f-1')).code).toBe(RESPOND_EXIT.USAGE);
    expect((await respond('list', '--format', 'xml')).code).toBe(RESPOND_EXIT.USAGE);
    expect((await respond('list', '--status', 'nope')).code).toBe(RESPOND_EXIT.USAGE);
    const unknown = await respond('frobnicate');
    expect(unknown.code).toBe(RESPOND_EXIT.USAGE);
    expect(unknown.stderr).toContain('unknown respond command "frobnicate"');
  });
});

describe('vigil respond undo', () => {
  it('reverses a live action once', async () => {
    const run = json(await respond('run', 'contain-key', '--finding', 'f-1', '--live', '-f', 'json'));
    const actionId = run.actions[0]!.id;
    const r = await respond('undo', actionId);
    expect(r.code).toBe(RESPOND_EXIT.OK);
    expect(r.stdout).toMatch(/deactivate \(undo\)\s+iam\.activate-access-key\s+succeeded/);
    expect(updates().map((c) => c.args[0].input.Status)).toEqual(['Inactive', 'Active']);
    expect(state.keyStatus).toBe('Active');
    const again = await respond('undo', actionId);
    expect(again.code).toBe(RESPOND_EXIT.FAILED);
    expect(again.stderr).toContain('was already undone');
  });
});

describe('vigil respond list and kill-switch', () => {
  it('lists the action catalogue with permissions, playbooks and runs', async () => {
    const actions = await respond('list', '--actions');
    expect(actions.code).toBe(RESPOND_EXIT.OK);
    expect(actions.stdout).toMatch(
      /iam\.deactivate-access-key\s+no\s+yes\s+iam:ListAccessKeys, iam:UpdateAccessKey, iam:ListUserTags/,
    );
    const playbooks = await respond('list', '--playbooks');
    expect(playbooks.stdout).toMatch(
      /contain-key-approved\s+dry-run\s+pattern \S+\s+deactivate=iam\.deactivate-access-key \(approval\)/,
    );
    await respond('run', 'contain-key', '--finding', 'f-1', '--live');
    await respond('run', 'contain-key', '--finding', 'f-1');
    const runs = await respond('list', '--status', 'succeeded', '-f', 'json');
    expect((JSON.parse(runs.stdout) as RunJson[]).map((r) => [r.mode, r.status])).toEqual([
      ['live', 'succeeded'],
    ]);
    const all = await respond('list');
    expect(all.stdout.match(/^run /gm)).toHaveLength(2);
    expect(all.stdout).toMatch(/^ {2}act-\S+\s+deactivate/m);
  });

  it('turns the kill switch on: live runs are blocked without an AWS call', async () => {
    expect((await respond('kill-switch')).stdout).toBe('kill switch: off\n');
    const on = await respond('kill-switch', 'on');
    expect(on.stdout).toMatch(/^kill switch: on \(set by cli:\S+ at \S+\)\n$/);
    const blocked = await respond('run', 'contain-key', '--finding', 'f-1', '--live', '-f', 'json');
    expect(blocked.code).toBe(RESPOND_EXIT.FAILED);
    expect(json(blocked).status).toBe('blocked');
    expect(iam.calls()).toHaveLength(0);
    await respond('kill-switch', 'off');
    expect((await respond('run', 'contain-key', '--finding', 'f-1', '--live')).code).toBe(RESPOND_EXIT.OK);
    expect(auditRows().filter((r) => r.kind === 'response.kill-switch')).toHaveLength(2);
  });

  it('is wired into vigil', async () => {
    const out: string[] = [];
    const s = new PassThrough();
    s.on('data', (c: Buffer) => out.push(c.toString()));
    const io: CliIO = {
      stdout: s,
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      env: {},
      now: Date.now,
    };
    expect(await main(['respond', 'list', '--actions'], io)).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.join('')).toContain('ec2.isolate-instance');
  });
});
