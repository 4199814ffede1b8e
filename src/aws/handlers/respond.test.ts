import {
  AttachUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../core/finding.js';
import { formatSns } from '../../notify/sns.js';
import { startServer } from '../../notify/test-support.js';
import { awsError } from '../../respond/testing.js';
import { findingEvent } from '../../router/index.js';
import { parseAwsConfig } from '../config.js';
import type { LogFields } from '../log.js';
import type { Table } from '../table.js';
import { eventBridge, mockDynamo, sqsBatch } from '../testing.js';
import {
  auditHash,
  auditPk,
  createRespondHandler,
  GENESIS_HASH,
  runIdOf,
  runPk,
  type AuditItem,
  type RunItem,
} from './respond.js';

const iam = mockClient(IAMClient);
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const ACCOUNT = '111122223333';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'f-1',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    detector: 'guardduty',
    title: 'Key used from outside AWS',
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
    mitre: { tactics: [], techniques: [] },
    remediation: '',
    references: [],
    ...over,
  };
}

/** A "Vigil Alert" as triage publishes it: the finding plus `alert`. */
const alert = (f: Finding = finding(), id = `alert-${f.id}`) =>
  eventBridge('Vigil Alert', 'vigil', { ...f, alert: { id, reason: 'new' } }, `eb-${id}`);

const deactivate = (over: Record<string, unknown> = {}) => ({
  id: 'deactivate',
  action: 'iam.deactivate-access-key',
  params: {
    userName: '{{ finding.actor.principal | name }}',
    accessKeyId: '{{ finding.actor.accessKeyId }}',
  },
  ...over,
});
const TRIGGER = { pattern: { detail: { type: [{ prefix: 'UnauthorizedAccess:' }] } } };

let iamState: { keyStatus: 'Active' | 'Inactive'; tags: Record<string, string>; attached: string[] };
let clock: number;
let logs: LogFields[];
let restore: (() => void)[] = [];

beforeEach(() => {
  iamState = { keyStatus: 'Active', tags: {}, attached: [] };
  clock = Date.parse('2026-11-25T12:00:00Z');
  logs = [];
  iam.reset();
  // A small stateful IAM: UpdateAccessKey changes what ListAccessKeys reads.
  iam.on(ListAccessKeysCommand).callsFake(async () => ({
    AccessKeyMetadata: [{ AccessKeyId: KEY, Status: iamState.keyStatus, UserName: 'alice' }],
  }));
  iam.on(UpdateAccessKeyCommand).callsFake(async (input: { Status: 'Active' | 'Inactive' }) => {
    iamState.keyStatus = input.Status;
    return { $metadata: { requestId: 'req-update' } };
  });
  iam.on(ListUserTagsCommand).callsFake(async () => ({
    Tags: Object.entries(iamState.tags).map(([Key, Value]) => ({ Key, Value })),
  }));
  iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
  iam.on(AttachUserPolicyCommand).resolves({});
});
afterEach(() => {
  for (const r of restore) r();
  restore = [];
});
afterAll(() => iam.restore());

function setup(
  respond: Record<string, unknown>,
  options: {
    routes?: unknown[];
    channels?: unknown[];
    secrets?: Record<string, string>;
    table?: (t: Table) => Table;
    dryRun?: boolean;
    ownRoles?: string[];
  } = {},
) {
  const ddb = mockDynamo();
  restore.push(() => ddb.mock.restore());
  const loaded = parseAwsConfig(
    JSON.stringify({
      channels: options.channels ?? [],
      routes: options.routes ?? [],
      respond: { homeAccountId: ACCOUNT, ...respond },
    }),
    {
      parameter: async (name) => options.secrets?.[name] ?? '',
      secret: async (id) => options.secrets?.[id] ?? '',
    },
    {},
  );
  const handler = createRespondHandler({
    table: options.table ? options.table(ddb.table) : ddb.table,
    config: async () => loaded,
    now: () => clock,
    sleep: async () => undefined,
    log: (level, msg, fields = {}) => logs.push({ level, msg, ...fields }),
    ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
    ...(options.ownRoles ? { ownRoles: options.ownRoles } : {}),
  });
  const run = (playbook: string, findingId = 'f-1') =>
    ddb.get(runPk(runIdOf(playbook, findingId))) as RunItem | undefined;
  const audit = (playbook: string, findingId = 'f-1') => {
    const pk = auditPk(runIdOf(playbook, findingId));
    return [...ddb.items.values()]
      .filter((i) => i.pk === pk)
      .sort((a, b) => a.sk.localeCompare(b.sk)) as AuditItem[];
  };
  return { ddb, handler, run, audit };
}

const updates = () => iam.commandCalls(UpdateAccessKeyCommand).length;
const metricLines = () => logs.filter((l) => l._aws !== undefined);

/** The chain of a run's audit items: each links to the previous and hashes to what it says. */
function expectChained(items: AuditItem[]) {
  let prev = GENESIS_HASH;
  for (const item of items) {
    expect(item.prevHash).toBe(prev);
    expect(auditHash(item)).toBe(item.hash);
    prev = item.hash;
  }
}

describe('respond handler', () => {
  it('records the plan of a dry run (the default) and makes no AWS call', async () => {
    const { handler, run, audit } = setup({
      playbooks: [{ id: 'contain-key', trigger: TRIGGER, steps: [deactivate()] }],
    });
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [] });
    expect(iam.calls()).toHaveLength(0);
    const r = run('contain-key')!;
    expect(r).toMatchObject({ mode: 'dry-run', status: 'planned', findingId: 'f-1', alertId: 'alert-f-1' });
    expect(r.steps).toEqual([
      expect.objectContaining({
        status: 'planned',
        action: 'iam.deactivate-access-key',
        params: { userName: 'alice', accessKeyId: KEY },
        target: { accountId: ACCOUNT, region: 'us-east-1' },
        plan: `Deactivate access key ${KEY} of IAM user alice in account ${ACCOUNT}.`,
      }),
    ]);
    expect(audit('contain-key')).toEqual([]);
    expect(metricLines().map((l) => l.Outcome)).toEqual(['dry-run']);
  });

  it.each([
    ['DRY_RUN of the function', {}, { dryRun: true }],
    ['respond.dryRun of the config document', { dryRun: true }, {}],
  ])('makes every run a dry run under the deployment switch (%s)', async (_, respond, options) => {
    const forced = setup(
      { ...respond, playbooks: [{ id: 'live-key', dryRun: false, trigger: TRIGGER, steps: [deactivate()] }] },
      options,
    );
    await forced.handler(sqsBatch(alert()));
    expect(forced.run('live-key')).toMatchObject({ mode: 'dry-run', status: 'planned' });
    expect(iam.calls()).toHaveLength(0);
  });

  it('deactivates the key exactly once across duplicate deliveries, audited, with an EMF metric line', async () => {
    const { handler, run, audit } = setup(
      {
        playbooks: [
          { id: 'contain-key', dryRun: false, trigger: { route: 'key-misuse' }, steps: [deactivate()] },
        ],
      },
      { routes: [{ name: 'key-misuse', pattern: TRIGGER.pattern, targets: ['sns'] }] },
    );
    // Delivered twice in one batch, then once more (at-least-once delivery), and a later alert of the same finding.
    expect(await handler(sqsBatch(alert(), alert()))).toEqual({ batchItemFailures: [] });
    expect(await handler(sqsBatch(alert(), alert(finding(), 'alert-f-1-raised')))).toEqual({
      batchItemFailures: [],
    });
    expect(updates()).toBe(1);
    expect(iamState.keyStatus).toBe('Inactive');
    const r = run('contain-key')!;
    expect(r).toMatchObject({ mode: 'live', status: 'succeeded' });
    expect(r.steps[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      outcome: { status: 'changed', undo: { action: 'iam.activate-access-key' } },
    });
    const items = audit('contain-key');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      sk: '000',
      kind: 'response.action',
      subject: r.steps[0]!.id,
      data: { result: 'succeeded', action: 'iam.deactivate-access-key', params: { userName: 'alice' } },
    });
    expect((items[0]!.data.calls as { api: string }[]).map((c) => c.api)).toEqual([
      'iam:ListUserTags',
      'iam:ListAccessKeys',
      'iam:UpdateAccessKey',
    ]);
    expectChained(items);
    expect(r.auditHash).toBe(items[0]!.hash);
    const [line] = metricLines();
    expect(metricLines()).toHaveLength(1);
    expect(line).toMatchObject({
      Outcome: 'succeeded',
      ResponseActions: 1,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Vigil',
            Dimensions: [['Outcome']],
            Metrics: [{ Name: 'ResponseActions', Unit: 'Count' }],
          },
        ],
      },
    });
  });

  it('resumes after a crash between the action and its record without changing AWS twice', async () => {
    let crash = true;
    const { handler, run, audit } = setup(
      { playbooks: [{ id: 'contain-key', dryRun: false, trigger: TRIGGER, steps: [deactivate()] }] },
      {
        // The transaction that records the finished step fails once: the function died after the AWS call.
        table: (t) => ({
          ...t,
          transact: async (ops) => {
            if (crash) {
              crash = false;
              throw new Error('Task timed out after 120.00 seconds');
            }
            return t.transact(ops);
          },
        }),
      },
    );
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(updates()).toBe(1);
    expect(run('contain-key')!.steps[0]).toMatchObject({ status: 'running', attempts: 1 });
    expect(audit('contain-key')).toEqual([]);
    // Redelivered at once (a concurrent copy): the step is still another invocation's.
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    // After the visibility timeout: the step runs again, finds the key inactive and changes nothing.
    clock += 5 * 60_000;
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [] });
    expect(updates()).toBe(1);
    const r = run('contain-key')!;
    expect(r.status).toBe('succeeded');
    expect(r.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, outcome: { status: 'unchanged' } });
    const items = audit('contain-key');
    expect(items).toHaveLength(1);
    expectChained(items);
  });

  it('stops at a step that needs an approval: recorded awaiting-approval, never run in Lambda', async () => {
    const { handler, run, audit } = setup({
      playbooks: [
        {
          id: 'contain-user',
          dryRun: false,
          trigger: TRIGGER,
          steps: [
            deactivate(),
            // destructive: needs an approval by default
            {
              id: 'quarantine',
              action: 'iam.quarantine-user',
              params: { userName: '{{ finding.actor.principal | name }}' },
            },
            { id: 'again', action: 'iam.deactivate-access-key', params: deactivate().params },
          ],
        },
      ],
    });
    expect(await handler(sqsBatch(alert(), alert()))).toEqual({ batchItemFailures: [] });
    expect(updates()).toBe(1);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
    const r = run('contain-user')!;
    expect(r.status).toBe('awaiting-approval');
    expect(r.message).toMatch(/self-hosted Vigil/);
    expect(r.steps.map((s) => [s.step, s.status])).toEqual([
      ['deactivate', 'succeeded'],
      ['quarantine', 'awaiting-approval'],
      ['again', 'cancelled'],
    ]);
    const items = audit('contain-user');
    expect(items.map((i) => [i.sk, i.kind, i.data.result])).toEqual([
      ['000', 'response.action', 'succeeded'],
      ['001', 'response.approval-requested', 'awaiting-approval'],
    ]);
    expectChained(items);
    expect(metricLines().map((l) => [l.Outcome, l.level])).toEqual([
      ['succeeded', 'info'],
      ['awaiting-approval', 'warn'],
    ]);
  });

  it('rate-limits live runs per playbook over a sliding window', async () => {
    const { handler, run, ddb } = setup({
      playbooks: [
        {
          id: 'contain-key',
          dryRun: false,
          trigger: TRIGGER,
          rateLimit: { max: 2, per: '1h' },
          steps: [deactivate()],
        },
      ],
    });
    const f = (n: number) => finding({ id: `f-${n}` });
    await handler(sqsBatch(alert(f(1)), alert(f(2))));
    // A repeat of a counted run is not counted again.
    await handler(sqsBatch(alert(f(1))));
    clock += 10 * 60_000;
    expect(await handler(sqsBatch(alert(f(3))))).toEqual({ batchItemFailures: [] });
    expect([1, 2, 3].map((n) => run('contain-key', `f-${n}`)!.status)).toEqual([
      'succeeded',
      'succeeded',
      'rate-limited',
    ]);
    expect(run('contain-key', 'f-3')!.steps[0]).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/rate limit: 2 live runs/),
    });
    // The rate-limited run read nothing in AWS (all three share one key: the second found it inactive).
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(2);
    expect([...ddb.items.keys()].filter((k) => k.startsWith('rate#contain-key#'))).toHaveLength(1);
    // An hour after the first two (crossing into the next window), a new run may act again.
    clock += 60 * 60_000;
    await handler(sqsBatch(alert(f(4))));
    expect(run('contain-key', 'f-4')!.status).toBe('succeeded');
    expect(metricLines().map((l) => l.Outcome)).toEqual([
      'succeeded',
      'unchanged',
      'rate-limited',
      'unchanged',
    ]);
  });

  it('blocks every live step when the kill switch is on (respond.enabled: false)', async () => {
    const { handler, run, audit } = setup({
      enabled: false,
      playbooks: [{ id: 'contain-key', dryRun: false, trigger: TRIGGER, steps: [deactivate()] }],
    });
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [] });
    expect(iam.calls()).toHaveLength(0);
    expect(run('contain-key')).toMatchObject({ status: 'blocked', steps: [{ status: 'blocked' }] });
    expect(audit('contain-key')[0]!.data).toMatchObject({
      result: 'blocked',
      error: expect.stringMatching(/kill switch/),
    });
  });

  it('refuses a deny-listed principal and a protected one before any change', async () => {
    const { handler, run, audit } = setup({
      safety: { denyPrincipals: [`arn:aws:iam::${ACCOUNT}:user/break-glass*`] },
      playbooks: [{ id: 'contain-key', dryRun: false, trigger: TRIGGER, steps: [deactivate()] }],
    });
    const glass = finding({
      id: 'f-glass',
      actor: { principal: `arn:aws:iam::${ACCOUNT}:user/break-glass-admin`, accessKeyId: KEY },
    });
    iamState.tags = { 'vigil:protected': 'true' };
    expect(await handler(sqsBatch(alert(glass), alert()))).toEqual({ batchItemFailures: [] });
    expect(updates()).toBe(0);
    const denied = run('contain-key', 'f-glass')!;
    expect(denied).toMatchObject({ status: 'blocked', steps: [{ status: 'blocked', errorKind: 'refused' }] });
    expect(denied.steps[0]!.plan).toMatch(/Refused: .*break-glass-admin is on the deny list/);
    expect(audit('contain-key', 'f-glass')[0]!.data.calls).toEqual([]);
    expect(run('contain-key')!.steps[0]).toMatchObject({
      status: 'blocked',
      error: 'the resource is protected by its tag vigil:protected',
    });
  });

  it('never acts on the roles of Vigil’s own functions (VIGIL_OWN_ROLES)', async () => {
    const own = `arn:aws:iam::${ACCOUNT}:role/Vigil-RespondRole1234`;
    const { handler, run } = setup(
      {
        playbooks: [
          {
            id: 'contain-role',
            dryRun: false,
            trigger: TRIGGER,
            steps: [
              {
                id: 'quarantine',
                action: 'iam.quarantine-role',
                approval: 'auto',
                params: { roleName: '{{ finding.actor.principal | name }}' },
              },
            ],
          },
        ],
      },
      { ownRoles: [own] },
    );
    const f = finding({ id: 'f-own', actor: { principal: own, accessKeyId: KEY } });
    expect(await handler(sqsBatch(alert(f)))).toEqual({ batchItemFailures: [] });
    const r = run('contain-role', 'f-own')!;
    expect(r.steps[0]).toMatchObject({ status: 'blocked' });
    expect(r.steps[0]!.plan).toMatch(/the role Vigil itself uses/);
    expect(iam.calls()).toHaveLength(0);
  });

  it('retries a throttled step through SQS, and records an access denial without retrying', async () => {
    const { handler, run } = setup({
      playbooks: [
        { id: 'contain-key', dryRun: false, trigger: TRIGGER, steps: [deactivate({ onError: 'continue' })] },
      ],
    });
    iam.on(UpdateAccessKeyCommand).rejects(awsError('InternalError', 'SNS had a problem', 500));
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(run('contain-key')!.steps[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      errorKind: 'throttled',
    });
    iam.on(UpdateAccessKeyCommand).rejects(awsError('AccessDenied', 'not authorized'));
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [] });
    const r = run('contain-key')!;
    // onError: continue, and nothing after it: the run completes with the failure recorded.
    expect(r.status).toBe('succeeded');
    expect(r.steps[0]).toMatchObject({ status: 'failed', attempts: 2, errorKind: 'access-denied' });
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [] });
    expect(iam.commandCalls(UpdateAccessKeyCommand).length).toBe(5 + 1);
  });

  it('acknowledges malformed records and still works the good one in the batch', async () => {
    const { handler, run } = setup({
      playbooks: [{ id: 'contain-key', dryRun: false, trigger: TRIGGER, steps: [deactivate()] }],
    });
    const out = await handler(
      sqsBatch(
        'not json',
        eventBridge('GuardDuty Finding', 'aws.guardduty', {}),
        eventBridge('Vigil Alert', 'vigil', { id: 'x', alert: { id: 'a', reason: 'new' } }),
        alert(),
      ),
    );
    expect(out).toEqual({ batchItemFailures: [] });
    expect(logs.filter((l) => l.poison === true)).toHaveLength(3);
    expect(run('contain-key')!.status).toBe('succeeded');
    expect(updates()).toBe(1);
  });

  it('sends a notify step through its SNS channel once across duplicate deliveries, retrying a failed publish', async () => {
    const sns = mockClient(SNSClient);
    restore.push(() => sns.restore());
    sns
      .on(PublishCommand)
      .rejectsOnce(awsError('InternalError', 'SNS had a problem', 500))
      .resolves({ MessageId: 'msg-1' });
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:vigil-response`;
    const { handler, run, audit } = setup(
      {
        playbooks: [
          {
            id: 'tell-ops',
            dryRun: false,
            trigger: TRIGGER,
            steps: [
              {
                id: 'tell',
                action: 'notify',
                params: {
                  channel: 'ops',
                  subject: 'Key {{ finding.actor.accessKeyId }} misused',
                  text: 'Principal {{ finding.actor.principal }} used it from outside AWS.',
                },
              },
            ],
          },
        ],
      },
      { channels: [{ id: 'ops', kind: 'sns', topicArn }] },
    );
    // The failed publish (5xx) fails the record (SQS delivers it again); nothing is recorded as sent.
    expect((await handler(sqsBatch(alert()))).batchItemFailures).toHaveLength(1);
    expect(run('tell-ops')!.steps[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await handler(sqsBatch(alert(), alert()))).toEqual({ batchItemFailures: [] });
    expect(await handler(sqsBatch(alert()))).toEqual({ batchItemFailures: [] });

    const r = run('tell-ops')!;
    expect(r.status).toBe('succeeded');
    expect(r.steps[0]).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      outcome: { data: { deliveryId: 'msg-1' } },
    });
    const sent = {
      ...finding(),
      title: `Key ${KEY} misused`,
      description: `Principal arn:aws:iam::${ACCOUNT}:user/alice used it from outside AWS.`,
    };
    const expected = formatSns(
      {
        finding: sent,
        event: { ...findingEvent(sent), id: `response-${r.steps[0]!.id}` },
        reason: 'new',
        receivedAt: clock,
      },
      topicArn,
    );
    const publishes = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(publishes).toEqual([expected, expected]); // the failed attempt, then the one that went through
    expect(expected.Subject).toContain(`Key ${KEY} misused`);
    expect(audit('tell-ops').map((a) => a.data.result)).toEqual(['succeeded']);
  });

  it('POSTs a webhook step to the configured URL with its secret header, never warning at start-up', async () => {
    const server = await startServer({ status: 201, body: '{"ticket":"T-1"}' });
    restore.push(() => void server.close());
    const { handler, run } = setup(
      {
        webhooks: [
          {
            name: 'tickets',
            url: `${server.url}/hooks/tickets`,
            headers: { authorization: { ssm: '/vigil/tickets-token' }, 'x-source': 'vigil' },
          },
        ],
        playbooks: [
          {
            id: 'open-ticket',
            dryRun: false,
            trigger: TRIGGER,
            steps: [
              {
                id: 'ticket',
                action: 'webhook',
                params: {
                  webhook: 'tickets',
                  body: { finding: '{{ finding.id }}', key: '{{ finding.actor.accessKeyId }}' },
                },
              },
            ],
          },
        ],
      },
      { secrets: { '/vigil/tickets-token': 'Bearer s3cret' } },
    );
    expect(await handler(sqsBatch(alert(), alert()))).toEqual({ batchItemFailures: [] });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/hooks/tickets' });
    expect(req.headers).toMatchObject({
      authorization: 'Bearer s3cret',
      'x-source': 'vigil',
      'content-type': 'application/json',
    });
    expect(JSON.parse(req.body)).toEqual({ finding: 'f-1', key: KEY });
    expect(run('open-ticket')!.steps[0]).toMatchObject({
      status: 'succeeded',
      outcome: { summary: 'Called webhook tickets (HTTP 201).' },
    });
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
