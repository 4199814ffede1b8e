import { afterEach, describe, expect, it } from 'vitest';
import { callRecord, DAY, T0 } from '../../baseline/test-support.js';
import { buildFieldGetter, loadDetections } from '../../scan/context.js';
import { mockDynamo, mockEventBridge, sqsBatch, eventBridge } from '../testing.js';
import { createDetectHandler } from './detect.js';

const { detections } = loadDetections({ builtin: true, ruleDirs: [], experimental: false });
const { getField } = buildFieldGetter({ threatIntel: [], geo: false });
const silent = () => undefined;

function stopLogging(eventID = 'b5d7d3a4-0c8e-4f0a-9a53-6b1f7f3f2a10') {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEALICE',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'alice',
    },
    eventTime: '2024-06-03T14:25:11Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management' },
    responseElements: null,
    requestID: 'c0ffee00-1111-2222-3333-444455556666',
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  };
}

function failedLogin(n: number) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDA${n}`,
      accountId: '111122223333',
      userName: `user${n}`,
    },
    eventTime: `2024-06-03T14:21:${String(10 + n).padStart(2, '0')}Z`,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: '45.155.205.233',
    userAgent: 'Mozilla/5.0',
    errorMessage: 'Failed authentication',
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Failure' },
    additionalEventData: { MFAUsed: 'No' },
    eventID: `00000000-0000-4000-8000-00000000000${n}`,
    eventType: 'AwsConsoleSignIn',
    recipientAccountId: '111122223333',
  };
}

const apiCall = (detail: unknown) => eventBridge('AWS API Call via CloudTrail', 'aws.cloudtrail', detail);
const signIn = (detail: unknown) => eventBridge('AWS Console Sign In via CloudTrail', 'aws.signin', detail);

describe('detect handler', () => {
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
    const handler = () =>
      createDetectHandler({ detections, getField, table: ddb.table, publish: eb.publish, log: silent });
    return { ddb, eb, handler };
  }

  it('publishes a Vigil Finding for a StopLogging API call', async () => {
    const { eb, handler } = setup();
    const out = await handler()(sqsBatch(apiCall(stopLogging())));
    expect(out.batchItemFailures).toEqual([]);
    const found = eb.entries.filter((e) => e.detail.detector === 'cloudtrail-logging-stopped');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Source: 'vigil', DetailType: 'Vigil Finding', EventBusName: 'default' });
    expect(found[0]!.detail).toMatchObject({
      accountId: '111122223333',
      region: 'us-east-1',
      count: 1,
      actor: { principal: expect.stringContaining('alice') },
      evidence: { eventIds: ['b5d7d3a4-0c8e-4f0a-9a53-6b1f7f3f2a10'], eventNames: ['StopLogging'] },
    });
  });

  it('keeps a brute-force window in DynamoDB across invocations of different instances', async () => {
    const { ddb, eb, handler } = setup();
    // Two cold starts (two concurrent Lambda instances): nothing is shared but the table.
    const first = handler();
    const second = handler();
    const burst = (n: number) => signIn(failedLogin(n));
    expect((await first(sqsBatch(burst(1), burst(2), burst(3), burst(4)))).batchItemFailures).toEqual([]);
    expect(eb.entries.filter((e) => e.detail.detector === 'console-login-failures-burst')).toHaveLength(0);
    const window = [...ddb.items.values()].find((i) =>
      String(i.pk).startsWith('state#detection:console-login-failures-burst#'),
    );
    expect(window).toMatchObject({ ver: 4, fp: expect.any(String) });
    expect(window!.ttl).toBeGreaterThan(Date.now() / 1000);

    expect((await second(sqsBatch(burst(5), burst(6), burst(7)))).batchItemFailures).toEqual([]);
    expect(eb.entries.filter((e) => e.detail.detector === 'console-login-failures-burst')).toHaveLength(0);
    await first(sqsBatch(burst(8)));
    const fired = eb.entries.filter((e) => e.detail.detector === 'console-login-failures-burst');
    expect(fired).toHaveLength(1);
    expect((fired[0]!.detail as { evidence: { eventIds: string[] } }).evidence.eventIds).toHaveLength(8);
  });

  it('does not count an event twice when SQS delivers it again', async () => {
    const { ddb, handler } = setup();
    const h = handler();
    await h(sqsBatch(signIn(failedLogin(1))));
    const pk = [...ddb.items.values()].find((i) => String(i.pk).includes('console-login-failures-burst'))!.pk;
    await h(sqsBatch(signIn(failedLogin(1))));
    expect(ddb.get(pk)!.ver).toBe(1);
    expect(ddb.get('event#00000000-0000-4000-8000-000000000001')).toBeDefined();
  });

  it('acknowledges a malformed record as poison and processes the good ones', async () => {
    const { ddb, eb } = setup();
    const lines: string[] = [];
    const h = createDetectHandler({
      detections,
      getField,
      table: ddb.table,
      publish: eb.publish,
      log: (level, msg, fields) => lines.push(JSON.stringify({ level, msg, ...fields })),
    });
    const out = await h(
      sqsBatch(
        apiCall(stopLogging('11111111-2222-4333-8444-555555555555')),
        '{"detail-type": "AWS API',
        apiCall({ eventName: 7 }),
      ),
    );
    expect(out.batchItemFailures).toEqual([]);
    expect(eb.entries.some((e) => e.detail.detector === 'cloudtrail-logging-stopped')).toBe(true);
    const poison = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.poison);
    expect(poison.map((p) => p.messageId)).toEqual(['m2', 'm3']);
    expect(String(poison[0]!.reason)).toMatch(/not JSON/);
  });

  it('returns a record as a batch item failure when publishing fails, and the others succeed', async () => {
    const { ddb, eb } = setup();
    let calls = 0;
    const h = createDetectHandler({
      detections,
      getField,
      table: ddb.table,
      publish: async (events) => {
        if (calls++ === 0) throw new Error('PutEvents throttled');
        await eb.publish(events);
      },
      log: silent,
    });
    const out = await h(
      sqsBatch(
        apiCall(stopLogging('aaaaaaaa-0000-4000-8000-000000000001')),
        apiCall(stopLogging('aaaaaaaa-0000-4000-8000-000000000002')),
      ),
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(eb.entries).toHaveLength(1);
  });

  it("learns a principal's baseline in DynamoDB across instances and flags an unusual call once", async () => {
    const { ddb, eb } = setup();
    const instance = () =>
      createDetectHandler({
        detections,
        getField,
        table: ddb.table,
        publish: eb.publish,
        baselines: { learningDays: 1, minEvents: 20, sensitivity: 0.5 },
        log: silent,
      });
    // Two days of bob's routine reads in office hours, 50 events per invocation, each on a new instance:
    // only the table carries the profile from one to the next.
    const routine = ['DescribeInstances', 'DescribeVolumes', 'DescribeSecurityGroups', 'DescribeSubnets'];
    const learning = Array.from({ length: 200 }, (_, i) =>
      apiCall(
        callRecord(T0 + Math.floor(i / 100) * DAY + 9 * 3_600_000 + (i % 100) * 240_000, {
          user: 'bob',
          eventName: routine[i % routine.length]!,
          eventSource: 'ec2.amazonaws.com',
        }),
      ),
    );
    for (let i = 0; i < learning.length; i += 50)
      expect((await instance()(sqsBatch(...learning.slice(i, i + 50)))).batchItemFailures).toEqual([]);
    const anomalous = () =>
      eb.entries.filter((e) => String(e.detail.detector).startsWith('anomalous-behavior-'));
    expect(anomalous()).toHaveLength(0);
    const profile = () => [...ddb.items.values()].find((i) => String(i.pk).startsWith('state#baseline:'));
    expect(profile()).toMatchObject({ ver: 200, key: 'arn:aws:iam::111122223333:user/bob' });
    expect(profile()!.ttl).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
    expect(JSON.parse(String(profile()!.value))).toMatchObject({ e: 200 });

    // Redelivered: the marker is read with the profile, which learns nothing twice.
    expect((await instance()(sqsBatch(learning[199]!))).batchItemFailures).toEqual([]);
    expect(profile()).toMatchObject({ ver: 200 });

    // On the third day, at 03:00 from another region with another tool: a key for someone else.
    const unusual = apiCall(
      callRecord(T0 + 2 * DAY + 3 * 3_600_000, {
        user: 'bob',
        eventName: 'CreateAccessKey',
        eventSource: 'iam.amazonaws.com',
        region: 'ap-southeast-2',
        ua: 'Boto3/1.34.0 md/Botocore#1.34.0 Python/3.12.1',
      }),
    );
    expect((await instance()(sqsBatch(unusual))).batchItemFailures).toEqual([]);
    const found = anomalous();
    expect(found).toHaveLength(1);
    expect(found[0]!.detail).toMatchObject({
      detector: 'anomalous-behavior-persistence',
      actor: { principal: expect.stringContaining('bob') },
      evidence: { eventNames: ['CreateAccessKey'] },
    });
    expect(JSON.stringify(found[0]!.detail)).toContain('AnomalousBehavior');
    expect(profile()).toMatchObject({ ver: 201 });

    // The unusual call delivered again: no second finding, no second lesson.
    expect((await instance()(sqsBatch(unusual))).batchItemFailures).toEqual([]);
    expect(anomalous()).toHaveLength(1);
    expect(profile()).toMatchObject({ ver: 201 });
    expect(JSON.parse(String(profile()!.value))).toMatchObject({ e: 201 });
  });
});
