import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { startServer, type TestServer } from '../notify/test-support.js';
import { ctKey, startTestBucket, type TestBucket } from '../sources/live/s3-testing.js';
import { startServe } from './serve.js';
import { until } from '../testing/until.js';

const ACCOUNT = '123456789012';
let dir: string;
let receiver: TestServer;
let bucket: TestBucket;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-s3-'));
  receiver = await startServer();
  bucket = await startTestBucket();
  // The serve S3 client takes credentials from the SDK's default chain, as in production.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
});
afterAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = saved.id;
  process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  await bucket.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil serve with an S3 source', () => {
  it('reads CloudTrail objects from an S3-compatible bucket and alerts through the webhook', async () => {
    const record = {
      eventVersion: '1.09',
      userIdentity: {
        type: 'Root',
        principalId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        accountId: ACCOUNT,
        accessKeyId: 'ASIAEXAMPLEROOT00001',
      },
      eventTime: '2026-11-20T02:10:00Z',
      eventSource: 'guardduty.amazonaws.com',
      eventName: 'DeleteDetector',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.77',
      userAgent: 'aws-cli/2.15.30',
      requestParameters: { detectorId: '4ac9b3f2e1d07a6c5b8e9f0a1d2c3b4e' },
      responseElements: null,
      requestID: 'r-1',
      eventID: 's3-e-1',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    };
    await bucket.put(
      ctKey('us-east-1', '20261120T0210Z', 'aaaaaaaaaaaaaaaa'),
      gzipSync(JSON.stringify({ Records: [record] })),
    );
    const config = parseConfig(
      JSON.stringify({
        server: { port: 0 },
        store: { sqlite: join(dir, 'vigil.db') },
        sources: [
          {
            id: 'bucket',
            kind: 's3',
            bucket: bucket.bucket,
            prefix: 'AWSLogs/',
            endpoint: bucket.endpoint,
            forcePathStyle: true,
            pollSeconds: 0.1,
          },
        ],
        channels: [
          { id: 'hook', kind: 'webhook', url: `${receiver.url}/alerts`, secret: { env: 'HOOK_SECRET' } },
        ],
        routes: [{ name: 'all', pattern: { source: ['vigil'] }, targets: ['hook'] }],
      }),
      'test.yaml',
      {},
    );
    const running = await startServe(config, {
      env: { HOOK_SECRET: 's' },
      fetch: globalThis.fetch,
      log: () => undefined,
    });
    try {
      await until(
        () => receiver.requests.some((r) => r.body.includes('guardduty-detector-disabled')),
        'the alert',
      );
      const alert = receiver.requests.find((r) => r.body.includes('guardduty-detector-disabled'))!;
      expect(JSON.parse(alert.body)).toMatchObject({
        event: { detail: { type: 'DefenseEvasion:IAMUser/GuardDutyDisabled' } },
      });
    } finally {
      await running.stop();
    }
  });
});

describe('the S3 source reading notifications from SQS', () => {
  // A local HTTP server stands in for the SQS endpoint: it shows which endpoint and signing region the
  // real SDK client was given (the credential scope of its Signature V4 header).
  it.each([
    { name: 'takes the region from the queue URL', sqsRegion: undefined, expected: 'eu-west-1' },
    { name: 'or from sqsRegion', sqsRegion: 'ap-southeast-2', expected: 'ap-southeast-2' },
  ])('$name, and calls sqsEndpoint', async ({ sqsRegion, expected }) => {
    const sqs = await startServer({ status: 200, body: '{"Messages":[]}' });
    const config = parseConfig(
      JSON.stringify({
        server: { port: 0 },
        store: { sqlite: join(dir, `sqs-${expected}.db`) },
        sources: [
          {
            id: 'bucket',
            kind: 's3',
            bucket: bucket.bucket,
            region: 'us-east-1',
            endpoint: bucket.endpoint,
            forcePathStyle: true,
            pollSeconds: 0.1,
            sqsQueueUrl: `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/trail-events`,
            sqsEndpoint: sqs.url,
            ...(sqsRegion ? { sqsRegion } : {}),
          },
        ],
      }),
      'test.yaml',
      {},
    );
    const running = await startServe(config, { env: {}, fetch: globalThis.fetch, log: () => undefined });
    try {
      await until(() => sqs.requests.length > 0, 'an SQS request');
      const auth = String(sqs.requests[0]!.headers.authorization);
      expect(auth).toMatch(new RegExp(`/${expected}/sqs/aws4_request`));
    } finally {
      await running.stop();
      await sqs.close();
    }
  });
});
