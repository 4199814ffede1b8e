import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { awsConfigSchema } from '../src/aws/config.js';
import type { Finding } from '../src/core/finding.js';
import { compilePattern, findingEvent } from '../src/router/index.js';
import { repoRoot } from './lib/bundle.js';
import { builtinEventSources } from './lib/event-sources.js';
import { PASS_ROLE_SERVICES, respondActions } from './lib/respond-permissions.js';
import { LIVE_PLAYBOOK, synthVigil, TEST_ACCOUNT, TEST_REGION } from './testing.js';

let template: Template;
let resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
beforeAll(async () => {
  ({ template } = await synthVigil({
    playbooks: { enabled: true, dryRun: false, definitions: [LIVE_PLAYBOOK] },
    s3DataEventBuckets: ['customer-data'],
    slackWebhookSecretName: 'vigil/slack',
  }));
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const text = (v: unknown) => JSON.stringify(v);

describe('encryption everywhere', () => {
  it('one customer key, rotated, encrypts the trail, buckets, queues, topic, table, logs and environments', () => {
    const [[keyId]] = ofType('AWS::KMS::Key') as [[string, unknown]];
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    template.hasResourceProperties('AWS::CloudTrail::Trail', { KMSKeyId: keyArn });
    for (const [, q] of ofType('AWS::SQS::Queue')) expect(q.Properties?.KmsMasterKeyId).toEqual(keyArn);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
    for (const [, g] of ofType('AWS::Logs::LogGroup')) {
      expect(g.Properties?.KmsKeyId).toEqual(keyArn);
      expect(g.Properties?.RetentionInDays).toBeGreaterThan(0);
    }
    for (const [, f] of ofType('AWS::Lambda::Function')) expect(f.Properties?.KmsKeyArn).toEqual(keyArn);
    const [trailBucket] = ofType('AWS::S3::Bucket').filter(([, b]) => text(b).includes('aws:kms'));
    expect(text(trailBucket)).toContain(text(keyArn));
  });

  it('the key policy admits each AWS service only for this account, trail or log groups', () => {
    const key = ofType('AWS::KMS::Key')[0]![1];
    const statements = (key.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    const services = statements.filter((s) => text(s.Principal).includes('Service'));
    expect(services.map((s) => s.Sid).sort()).toEqual([
      'CloudTrailDescribesKey',
      'CloudTrailEncryptsThisTrail',
      'CloudWatchAlarmsPublishToEncryptedTopic',
      'CloudWatchLogsEncryptsThisAccountsLogGroups',
      'EventBridgeSendsToEncryptedQueues',
    ]);
    for (const s of services) expect(s.Condition, String(s.Sid)).toBeDefined();
    const trail = services.find((s) => s.Sid === 'CloudTrailEncryptsThisTrail')!;
    expect(text(trail.Condition)).toContain(`:cloudtrail:${TEST_REGION}:${TEST_ACCOUNT}:trail/Vigil-trail`);
    expect(text(trail.Action)).not.toContain('Decrypt');
  });
});

describe('trail and log bucket', () => {
  it('the trail is multi-region, validated, in CloudWatch Logs, with management and chosen S3 data events', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      CloudWatchLogsLogGroupArn: Match.anyValue(),
      EventSelectors: [
        { IncludeManagementEvents: true, ReadWriteType: 'All' },
        {
          IncludeManagementEvents: false,
          ReadWriteType: 'All',
          DataResources: [{ Type: 'AWS::S3::Object', Values: [Match.objectLike({})] }],
        },
      ],
    });
    expect(text(ofType('AWS::CloudTrail::Trail'))).toContain(':s3:::customer-data/');
  });

  it('both buckets block public access, keep versions, expire or move data; the trail bucket logs its access', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [, b] of buckets) {
      expect(b.Properties?.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(text(b.Properties?.LifecycleConfiguration)).toContain('ExpirationInDays');
    }
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'trail-bucket/' },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
          }),
        ],
      },
    });
  });

  it('the trail bucket policy: TLS 1.2 only, CloudTrail only with aws:SourceArn, every other write denied', () => {
    const policies = ofType('AWS::S3::BucketPolicy').map(
      ([, p]) => p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] },
    );
    const trailPolicy = policies.find((p) => text(p).includes('cloudtrail.amazonaws.com'))!;
    const bySid = Object.fromEntries(trailPolicy.Statement.map((s) => [s.Sid ?? text(s.Condition), s]));
    for (const sid of ['TrailReadsAcl', 'TrailWritesLogs']) {
      expect(text(bySid[sid]!.Condition)).toContain('aws:SourceArn');
      expect(text(bySid[sid]!.Condition)).toContain('trail/Vigil-trail');
    }
    expect(bySid.OnlyThisTrailWrites).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Condition: { StringNotEquals: { 'aws:SourceArn': expect.anything() } },
    });
    const tls = trailPolicy.Statement.filter(
      (s) => s.Effect === 'Deny' && text(s.Condition).includes('SecureTransport'),
    );
    const minTls = trailPolicy.Statement.filter((s) => text(s.Condition).includes('s3:TlsVersion'));
    expect(tls).toHaveLength(1);
    expect(text(minTls)).toContain('1.2');
    // No statement lets anyone but CloudTrail write or read.
    const allows = trailPolicy.Statement.filter((s) => s.Effect === 'Allow');
    for (const s of allows) expect(text(s.Principal)).toContain('cloudtrail.amazonaws.com');
  });
});

describe('AWS detectors', () => {
  it('GuardDuty with S3 protection, publishing every 15 minutes; Security Hub with FSBP and CIS', () => {
    template.hasResourceProperties('AWS::GuardDuty::Detector', {
      Enable: true,
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
      Features: [{ Name: 'S3_DATA_EVENTS', Status: 'ENABLED' }],
    });
    template.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: false });
    const standards = text(ofType('AWS::SecurityHub::Standard'));
    expect(standards).toContain('standards/aws-foundational-security-best-practices/v/1.0.0');
    expect(standards).toContain('standards/cis-aws-foundations-benchmark/v/3.0.0');
  });
});

describe('functions, queues, table, topic', () => {
  it('four Node.js 22 arm64 functions with reserved concurrency, a DLQ and their env', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(4);
    for (const [, f] of fns) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        ReservedConcurrentExecutions: expect.any(Number),
        DeadLetterConfig: { TargetArn: expect.anything() },
        Environment: {
          Variables: expect.objectContaining({
            CONFIG_PARAMETER: '/vigil/config',
            EVENT_BUS_NAME: 'default',
          }),
        },
      });
    }
  });

  it('every queue: TLS only, KMS; every stage queue: 3 receives then its DLQ; every mapping reports partial failures', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(8);
    const stageQueues = queues.filter(([, q]) => q.Properties?.RedrivePolicy);
    expect(stageQueues).toHaveLength(4);
    for (const [, q] of stageQueues)
      expect(q.Properties?.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
    for (const [, p] of ofType('AWS::SQS::QueuePolicy')) {
      expect(text(p)).toContain('"aws:SecureTransport":"false"');
      for (const s of (p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement) {
        if (s.Effect === 'Allow') expect(text(s.Condition)).toContain('aws:SourceArn');
      }
    }
    for (const [, m] of ofType('AWS::Lambda::EventSourceMapping')) {
      expect(m.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('the state table: on demand, point-in-time recovery, TTL on ttl, pk/sk strings', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
  });

  it('the topic refuses plain HTTP and e-mails the given addresses; the config names channels and secrets only by name', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'secops@example.com',
    });
    expect(text(ofType('AWS::SNS::TopicPolicy'))).toContain('"aws:SecureTransport":"false"');
    const param = ofType('AWS::SSM::Parameter')[0]![1];
    expect(param.Properties?.Name).toBe('/vigil/config');
    const value = text(param.Properties?.Value);
    expect(value).toContain('vigil/slack');
    expect(value).toContain('contain-leaked-key');
    expect(value).not.toMatch(/hooks\.slack\.com/);
    // The document the functions read parses with their own schema (src/aws/config.ts).
    const parts = (param.Properties?.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const json = parts
      .map((p) => (typeof p === 'string' ? p : `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:VigilAlerts`))
      .join('');
    const parsed = awsConfigSchema.parse(JSON.parse(json));
    expect(parsed.channels.map((c) => c.kind)).toEqual(['sns', 'slack']);
    expect(parsed.respond.playbooks.map((p) => [p.id, p.dryRun])).toEqual([['contain-leaked-key', false]]);
    // Without the `baselines` prop, detect keeps behavioural baselines on with vigil.yaml's defaults.
    expect(parsed.detections.baselines).toEqual({
      enabled: true,
      learningDays: 7,
      minEvents: 50,
      sensitivity: 0.5,
    });
  });

  it('alarms on every function error, every dead-letter queue and HIGH/CRITICAL findings, all to the topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(4 + 4 + 1);
    const [[topicId]] = ofType('AWS::SNS::Topic') as [[string, unknown]];
    for (const [, a] of alarms) expect(a.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(text(alarms)).toContain('FILL(high, 0) + FILL(critical, 0)');
    const dashboard = text(ofType('AWS::CloudWatch::Dashboard'));
    for (const title of [
      'Findings by severity',
      'Invocations',
      'Errors',
      'Duration',
      'Throttles',
      'CloudTrail API activity',
      'S3 security events',
      'Response actions by outcome',
    ]) {
      expect(dashboard).toContain(title);
    }
    expect(dashboard).toContain('ResponseActions');
  });
});

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

/** Every statement of every identity policy, by the function (or role) it belongs to. */
function identityStatements(): { owner: string; statement: Statement }[] {
  const out: { owner: string; statement: Statement }[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, p] of ofType(type)) {
      const doc = p.Properties?.PolicyDocument as { Statement: Statement[] };
      for (const statement of doc.Statement) out.push({ owner: id, statement });
    }
  }
  return out;
}
const actionsOf = (s: Statement) => [s.Action].flat();

describe('least privilege', () => {
  it('no identity policy has Resource "*" except the respond function acting on resources findings name', () => {
    const wildcard = identityStatements().filter(
      ({ statement }) => text(statement.Resource) === '"*"' || text(statement.Resource) === '["*"]',
    );
    expect(wildcard.map((w) => w.owner)).toEqual(
      wildcard.map(() => expect.stringMatching(/^VigilRespondPolicy/)),
    );
    const granted = wildcard.flatMap((w) => actionsOf(w.statement));
    // Only the non-IAM actions of the live playbook's steps.
    const expected = respondActions([LIVE_PLAYBOOK as never], false).filter((a) => !a.startsWith('iam:'));
    expect(granted.sort()).toEqual(expected.sort());
  });

  it('no identity policy grants a service-wide action ("s3:*", "*")', () => {
    for (const { owner, statement } of identityStatements()) {
      for (const a of actionsOf(statement)) expect(a, owner).not.toMatch(/(^\*$|:\*$)/);
    }
  });

  it('each function gets exactly its own set of actions', () => {
    const by = (prefix: string) =>
      new Set(
        identityStatements()
          .filter((s) => s.owner.startsWith(prefix))
          .flatMap((s) => actionsOf(s.statement)),
      );
    const base = [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ChangeMessageVisibility',
      'sqs:SendMessage',
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ];
    const table = [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
      'kms:DescribeKey',
      'kms:Encrypt',
    ];
    expect([...by('VigilDetectPolicy')].sort()).toEqual(
      [...new Set([...base, ...table, 'ssm:GetParameter', 'events:PutEvents'])].sort(),
    );
    expect([...by('VigilTriagePolicy')].sort()).toEqual([...by('VigilDetectPolicy')].sort());
    expect([...by('VigilNotifyPolicy')].sort()).toEqual(
      [...new Set([...base, 'ssm:GetParameter', 'sns:Publish', 'secretsmanager:GetSecretValue'])].sort(),
    );
    const respond = by('VigilRespondPolicy');
    expect(respond.has('events:PutEvents')).toBe(false);
    for (const a of respondActions([LIVE_PLAYBOOK as never], false)) expect(respond.has(a), a).toBe(true);
    expect(respond.has('ec2:StopInstances')).toBe(false);
  });

  it('resources are the stage own: its queue, the table, the default bus, the topic, the named secret', () => {
    const detect = identityStatements().filter((s) => s.owner.startsWith('VigilDetectPolicy'));
    const put = detect.find((s) => actionsOf(s.statement).includes('events:PutEvents'))!;
    expect(text(put.statement.Resource)).toContain(
      `:events:${TEST_REGION}:${TEST_ACCOUNT}:event-bus/default`,
    );
    const notify = identityStatements().filter((s) => s.owner.startsWith('VigilNotifyPolicy'));
    const secret = notify.find((s) => actionsOf(s.statement).includes('secretsmanager:GetSecretValue'))!;
    expect(text(secret.statement.Resource)).toContain(':secret:vigil/slack-??????');
    const ssm = notify.find((s) => actionsOf(s.statement).includes('ssm:GetParameter'))!;
    expect(text(ssm.statement.Resource)).toContain('parameter/vigil/*');
    const passRole = identityStatements().find((s) => actionsOf(s.statement).includes('iam:PassRole'))!;
    expect(passRole.statement.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': [...PASS_ROLE_SERVICES] },
    });
  });

  it('a dry-run deployment grants the respond function no response action at all', () => {
    expect(respondActions([LIVE_PLAYBOOK as never], true)).toEqual([]);
    expect(respondActions([{ ...LIVE_PLAYBOOK, dryRun: true } as never], false)).toEqual([]);
    expect(() =>
      respondActions([{ ...LIVE_PLAYBOOK, steps: [{ action: 'iam.delete-everything' }] } as never], false),
    ).toThrow(/unknown response action/);
  });
});

/** Events as EventBridge delivers them. */
function envelope<D>(detailType: string, source: string, detail: D) {
  return {
    version: '0',
    id: '6f2d8a3e-1c4b-4f6a-9d2e-7b8c9d0e1f2a',
    'detail-type': detailType,
    source,
    account: TEST_ACCOUNT,
    time: '2026-11-20T09:12:31Z',
    region: TEST_REGION,
    resources: [],
    detail,
  };
}

function stopLoggingEvent() {
  const file = join(repoRoot(), 'detections', 'defense-evasion', 'cloudtrail-logging-stopped.yml');
  const doc = parse(readFileSync(file, 'utf8')) as {
    tests: { match: boolean; event: { eventName: string } }[];
  };
  const record = doc.tests.find((t) => t.match && t.event.eventName === 'StopLogging')!.event;
  return envelope('AWS API Call via CloudTrail', 'aws.cloudtrail', record);
}

function guardDutyEvent() {
  const finding = JSON.parse(
    readFileSync(
      join(repoRoot(), '..', 'shared', 'samples', 'guardduty', 'guardduty_iam_event.json'),
      'utf8',
    ),
  );
  return envelope('GuardDuty Finding', 'aws.guardduty', finding);
}

function securityHubEvent(productName: string) {
  return envelope('Security Hub Findings - Imported', 'aws.securityhub', {
    findings: [
      {
        SchemaVersion: '2018-10-08',
        Id: `arn:aws:securityhub:${TEST_REGION}:${TEST_ACCOUNT}:security-control/S3.8/finding/5d0c1b9e-9e4b-4c7e-8a52-0f7e8e3a4b21`,
        ProductArn: `arn:aws:securityhub:${TEST_REGION}::product/aws/securityhub`,
        GeneratorId: 'security-control/S3.8',
        AwsAccountId: TEST_ACCOUNT,
        Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
        CreatedAt: '2026-11-20T08:00:00.000Z',
        UpdatedAt: '2026-11-20T09:12:00.000Z',
        Severity: { Label: 'HIGH', Original: 'HIGH' },
        Title: 'S3 general purpose buckets should block public access',
        Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::customer-data', Region: TEST_REGION }],
        Compliance: { Status: 'FAILED' },
        Workflow: { Status: 'NEW' },
        RecordState: 'ACTIVE',
        ProductFields: { 'aws/securityhub/ProductName': productName, 'aws/securityhub/CompanyName': 'AWS' },
      },
    ],
  });
}

const finding = {
  id: 'vigil-9c1f0e2d',
  detector: 'cloudtrail-logging-stopped',
  type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
  title: 'CloudTrail logging stopped',
  severity: 8,
  severityLabel: 'HIGH',
  accountId: TEST_ACCOUNT,
  region: TEST_REGION,
  firstSeen: '2026-11-20T09:12:31Z',
  lastSeen: '2026-11-20T09:12:31Z',
  count: 1,
  resources: [{ type: 'AwsCloudTrailTrail', id: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main' }],
} as unknown as Finding;

describe('EventBridge rule patterns, compiled with Vigil’s own router', () => {
  const rules = () =>
    Object.fromEntries(
      ofType('AWS::Events::Rule').map(([id, r]) => [
        id.replace(/^Vigil(.*)Rule[0-9A-F]{8}$/, '$1'),
        compilePattern(r.Properties!.EventPattern as object),
      ]),
    );

  it('each realistic event matches its rule and no other', () => {
    const compiled = rules();
    expect(Object.keys(compiled).sort()).toEqual([
      'CloudTrail',
      'GuardDuty',
      'SecurityHub',
      'VigilAlert',
      'VigilFinding',
    ]);
    const cases: [string, unknown][] = [
      ['CloudTrail', stopLoggingEvent()],
      ['GuardDuty', guardDutyEvent()],
      ['SecurityHub', securityHubEvent('Security Hub')],
      ['VigilFinding', findingEvent(finding)],
      ['VigilAlert', { ...findingEvent(finding), 'detail-type': 'Vigil Alert' }],
    ];
    for (const [expected, event] of cases) {
      const matched = Object.entries(compiled)
        .filter(([, p]) => p.matches(event))
        .map(([name]) => name);
      expect(matched, expected).toEqual([expected]);
    }
  });

  it('refuses what it should: GuardDuty findings relayed by Security Hub, unwatched API calls, forged sources', () => {
    const compiled = rules();
    const none = (event: unknown) =>
      Object.entries(compiled)
        .filter(([, p]) => p.matches(event))
        .map(([n]) => n);
    expect(none(securityHubEvent('GuardDuty'))).toEqual([]);
    const stop = stopLoggingEvent();
    expect(
      none({
        ...stop,
        detail: { ...stop.detail, eventSource: 'polly.amazonaws.com', eventName: 'SynthesizeSpeech' },
      }),
    ).toEqual([]);
    // Only AWS can send "aws.*" sources; a custom source claiming a CloudTrail detail type is ignored.
    expect(none({ ...stop, source: 'my.app' })).toEqual([]);
    expect(none({ ...findingEvent(finding), source: 'aws.vigil' })).toEqual([]);
  });

  it('the detect rule forwards exactly the event sources the catalogue derives', () => {
    const rule = ofType('AWS::Events::Rule').filter(([id]) => id.startsWith('VigilCloudTrailRule'))[0]![1];
    const pattern = rule.Properties!.EventPattern as { detail: { eventSource: string[] }; source: unknown };
    expect(pattern.detail.eventSource).toEqual(builtinEventSources(repoRoot()).sources);
    expect(pattern.source).toEqual([{ prefix: 'aws.' }]);
  });

  it('console sign-ins reach detection', () => {
    const compiled = rules();
    const signIn = envelope('AWS Console Sign In via CloudTrail', 'aws.signin', {
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userIdentity: { type: 'Root', accountId: TEST_ACCOUNT },
      responseElements: { ConsoleLogin: 'Success' },
    });
    expect(compiled.CloudTrail!.matches(signIn)).toBe(true);
  });
});

describe('cost switches', () => {
  it('Security Hub standards and GuardDuty S3 protection can be left off (docs/cost.md)', async () => {
    const { template: lean } = await synthVigil({ securityHubStandards: [], s3Protection: false });
    const json = lean.toJSON().Resources as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    expect(Object.values(json).filter((r) => r.Type === 'AWS::SecurityHub::Standard')).toHaveLength(0);
    expect(Object.values(json).filter((r) => r.Type === 'AWS::SecurityHub::Hub')).toHaveLength(1);
    const [detector] = Object.values(json).filter((r) => r.Type === 'AWS::GuardDuty::Detector');
    expect(detector!.Properties?.Features).toEqual([{ Name: 'S3_DATA_EVENTS', Status: 'DISABLED' }]);
    const { template: cisOnly } = await synthVigil({ securityHubStandards: ['Cis'] });
    const standards = Object.values(
      cisOnly.toJSON().Resources as Record<string, { Type: string; Properties?: { StandardsArn?: unknown } }>,
    )
      .filter((r) => r.Type === 'AWS::SecurityHub::Standard')
      .map((r) => JSON.stringify(r.Properties?.StandardsArn));
    expect(standards).toHaveLength(1);
    expect(standards[0]).toMatch(/cis-aws-foundations-benchmark/);
  });
});

describe('the respond function knows Vigil’s own roles', () => {
  it('passes the four function roles in VIGIL_OWN_ROLES so no playbook can act on them', () => {
    const fns = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const respond = fns.find((f) =>
      JSON.stringify(f.Properties?.Description ?? '').includes('response playbooks'),
    )!;
    const vars = (respond.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const joined = vars.VIGIL_OWN_ROLES as { 'Fn::Join': [string, { 'Fn::GetAtt': [string, string] }[]] };
    expect(joined['Fn::Join'][0]).toBe(',');
    const roles = joined['Fn::Join'][1].map((g) => g['Fn::GetAtt']);
    expect(roles).toHaveLength(4);
    for (const [logicalId, attr] of roles) {
      expect(attr).toBe('Arn');
      expect(resources[logicalId]!.Type).toBe('AWS::IAM::Role');
    }
  });
});
