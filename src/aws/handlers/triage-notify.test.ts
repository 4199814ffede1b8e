import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedDir } from '../../testing/shared-data.js';
import { awsParameterSource, parseAwsConfig } from '../config.js';
import { eventBridge, mockDynamo, mockEventBridge, sqsBatch } from '../testing.js';
import { createNotifyHandler } from './notify.js';
import { createTriageHandler } from './triage.js';

const SHARED = sharedDir();
const silent = () => undefined;
const settings = async () => ({ minSeverity: 4, realertWindowMs: 86_400_000 });

function asff(id: string, severity: string, title: string) {
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    GeneratorId: 'aws-foundational-security-best-practices/v/1.0.0/S3.8',
    AwsAccountId: '111122223333',
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    CreatedAt: '2024-06-03T10:00:00.000Z',
    UpdatedAt: '2024-06-03T10:05:00.000Z',
    Severity: { Label: severity },
    Title: title,
    Description: title,
    Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::acme-exports', Region: 'us-east-1' }],
    Region: 'us-east-1',
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
  };
}

describe('triage handler', () => {
  let restore: (() => void)[] = [];
  afterEach(() => {
    for (const r of restore) r();
    restore = [];
  });
  function setup() {
    const ddb = mockDynamo();
    const eb = mockEventBridge();
    restore.push(
      () => ddb.mock.restore(),
      () => eb.mock.restore(),
    );
    const logged: { msg: string; fields: Record<string, unknown> }[] = [];
    const handler = createTriageHandler({
      table: ddb.table,
      publish: eb.publish,
      settings,
      log: (_level, msg, fields = {}) => void logged.push({ msg, fields }),
    });
    return { ddb, eb, handler, logged };
  }

  it.runIf(SHARED)('alerts a GuardDuty finding once; an update of it does not alert again', async () => {
    const { ddb, eb, handler, logged } = setup();
    const gd = JSON.parse(
      readFileSync(join(SHARED!, 'samples', 'guardduty', 'guardduty_iam_event.json'), 'utf8'),
    ) as Record<string, unknown>;
    const first = eventBridge('GuardDuty Finding', 'aws.guardduty', gd, 'gd-1');
    expect((await handler(sqsBatch(first))).batchItemFailures).toEqual([]);
    expect(eb.entries).toHaveLength(1);
    expect(eb.entries[0]).toMatchObject({ Source: 'vigil', DetailType: 'Vigil Alert' });
    expect(eb.entries[0]!.detail).toMatchObject({ detector: 'guardduty', alert: { reason: 'new' } });
    const id = eb.entries[0]!.detail.id as string;
    // the same event redelivered, then a later update of the finding (GuardDuty's count grows)
    const update = eventBridge(
      'GuardDuty Finding',
      'aws.guardduty',
      { ...gd, service: { ...(gd.service as object), count: 5 } },
      'gd-2',
    );
    await handler(sqsBatch(first, update));
    expect(eb.entries).toHaveLength(1);
    // The dashboard's metrics, as Embedded Metric Format lines: one new finding, one alert.
    const metrics = logged.filter((l) => l.msg === 'metric').map((l) => l.fields);
    expect(metrics.filter((m) => 'Findings' in m)).toHaveLength(1);
    expect(metrics.filter((m) => 'Alerts' in m)).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Vigil' }] } });
    expect(ddb.get(`finding#${id}`)).toMatchObject({ recent: ['gd-1', 'gd-2'] });
    expect(ddb.get(`finding#${id}`)!.pending).toBeUndefined();
  });

  it('aggregates every finding of a Security Hub import and alerts only those at or above minSeverity', async () => {
    const { ddb, eb, handler } = setup();
    const event = eventBridge('Security Hub Findings - Imported', 'aws.securityhub', {
      findings: [
        asff('arn:aws:securityhub:us-east-1:111122223333:finding/1', 'HIGH', 'S3 bucket is public'),
        asff('arn:aws:securityhub:us-east-1:111122223333:finding/2', 'LOW', 'Bucket without logging'),
        asff('arn:aws:securityhub:us-east-1:111122223333:finding/3', 'CRITICAL', 'Root has access keys'),
      ],
    });
    expect((await handler(sqsBatch(event))).batchItemFailures).toEqual([]);
    expect(eb.entries.map((e) => e.detail.title).sort()).toEqual([
      'Root has access keys',
      'S3 bucket is public',
    ]);
    expect([...ddb.items.keys()].filter((k) => k.startsWith('finding#'))).toHaveLength(3);
  });

  it('merges Vigil findings by id, counting each event once, and realerts on a severity rise', async () => {
    const { ddb, eb, handler } = setup();
    const finding = (eventId: string, severity: number) => ({
      id: 'f'.repeat(32),
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      detector: 'cloudtrail-logging-stopped',
      title: 'CloudTrail logging stopped',
      description: 'd',
      severity,
      severityLabel: severity >= 7 ? 'HIGH' : 'MEDIUM',
      status: 'NEW',
      accountId: '111122223333',
      region: 'us-east-1',
      firstSeen: '2024-06-03T14:25:11Z',
      lastSeen: '2024-06-03T14:25:11Z',
      count: 1,
      actor: {},
      resources: [],
      evidence: { eventIds: [eventId], eventNames: ['StopLogging'] },
      mitre: { tactics: [], techniques: [] },
      remediation: '',
      references: [],
    });
    await handler(sqsBatch(eventBridge('Vigil Finding', 'vigil', finding('e1', 5), 'v1')));
    await handler(sqsBatch(eventBridge('Vigil Finding', 'vigil', finding('e1', 5), 'v2'))); // detect republished
    await handler(sqsBatch(eventBridge('Vigil Finding', 'vigil', finding('e2', 8), 'v3')));
    expect(ddb.get(`finding#${'f'.repeat(32)}`)!.finding).toMatchObject({ count: 2, severity: 8 });
    expect(eb.entries.map((e) => (e.detail.alert as { reason: string }).reason)).toEqual([
      'new',
      'severity-raised',
    ]);
  });

  it('acknowledges an unreadable finding as poison', async () => {
    const { handler } = setup();
    const out = await handler(
      sqsBatch(eventBridge('GuardDuty Finding', 'aws.guardduty', 'nope'), 'not json'),
    );
    expect(out.batchItemFailures).toEqual([]);
  });
});

describe('notify handler', () => {
  it('delivers to SNS, and fails only the record whose channel fails; a retry skips delivered channels', async () => {
    const sns = mockClient(SNSClient);
    const ddb = mockDynamo();
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    const config = parseAwsConfig(
      JSON.stringify({
        channels: [
          { id: 'security-sns', kind: 'sns', topicArn: 'arn:aws:sns:us-east-1:111122223333:vigil-alerts' },
          { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/x', secret: { ssm: '/vigil/hook' } },
        ],
        routes: [
          { name: 'all', pattern: { source: ['vigil'] }, targets: ['security-sns'] },
          { name: 'critical', pattern: { detail: { severityLabel: ['CRITICAL'] } }, targets: ['hook'] },
        ],
      }),
      { parameter: async () => 'hook-secret', secret: async () => '' },
      {},
    );
    let hookCalls = 0;
    const handler = createNotifyHandler({
      table: ddb.table,
      config: async () => config,
      channelDeps: {
        createSnsClient: (region) => new SNSClient({ region }),
        fetch: (async () => {
          hookCalls++;
          return new Response('down', { status: 503 });
        }) as typeof fetch,
      },
      log: silent,
    });
    const alert = (id: string, severity: number, label: string) =>
      eventBridge('Vigil Alert', 'vigil', {
        id,
        type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
        detector: 'cloudtrail-logging-stopped',
        title: 'CloudTrail logging stopped on <b>management</b>',
        description: 'd',
        severity,
        severityLabel: label,
        status: 'NEW',
        accountId: '111122223333',
        region: 'us-east-1',
        firstSeen: '2024-06-03T14:25:11Z',
        lastSeen: '2024-06-03T14:25:11Z',
        count: 1,
        actor: {},
        resources: [],
        evidence: { eventIds: ['e1'], eventNames: ['StopLogging'] },
        mitre: { tactics: [], techniques: [] },
        remediation: '',
        references: [],
        alert: { id: `alert-${id}`, reason: 'new' },
      });
    const batch = sqsBatch(alert('a'.repeat(32), 7, 'HIGH'), alert('c'.repeat(32), 9, 'CRITICAL'));
    const out = await handler(batch);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:vigil-alerts',
      Subject: expect.stringContaining('CloudTrail logging stopped'),
      MessageAttributes: expect.objectContaining({
        severity: { DataType: 'String', StringValue: 'HIGH' },
        detector: { DataType: 'String', StringValue: 'cloudtrail-logging-stopped' },
      }),
    });
    expect(input.Message).toContain('CloudTrail logging stopped');
    expect(hookCalls).toBeGreaterThan(0);
    // SQS delivers m2 again: SNS already took it, only the webhook is tried
    const again = await handler(sqsBatch(alert('c'.repeat(32), 9, 'CRITICAL')));
    expect(again.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    sns.restore();
    ddb.mock.restore();
  });
});

describe('config', () => {
  it('reads the document from SSM and secrets from SSM and Secrets Manager by reference', async () => {
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand, { Name: '/vigil/slack', WithDecryption: true })
      .resolves({ Parameter: { Value: 'https://hooks.slack.com/services/T/B/x' } });
    const source = awsParameterSource(
      new SSMClient({ region: 'us-east-1' }),
      new SecretsManagerClient({ region: 'us-east-1' }),
    );
    const loaded = parseAwsConfig(
      JSON.stringify({
        minSeverity: 'high',
        channels: [{ id: 'slack', kind: 'slack', webhookUrl: { ssm: '/vigil/slack' } }],
      }),
      source,
      {},
    );
    expect(loaded.config.minSeverity).toBe(7);
    await expect(loaded.resolveSecret({ env: '__VIGIL_AWS_SECRET_0' })).resolves.toBe(
      'https://hooks.slack.com/services/T/B/x',
    );
    expect(() => parseAwsConfig('{"routes":[{"name":"x"}]}', source, {})).toThrow(/routes.0/);
    ssm.restore();
  });
});
