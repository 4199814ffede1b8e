import { afterEach, describe, expect, it } from 'vitest';
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
});
