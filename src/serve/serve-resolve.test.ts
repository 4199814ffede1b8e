import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { startServer, type TestServer } from '../notify/test-support.js';
import { startServe } from './serve.js';
import { login, TEST_ADMIN_PASSWORD } from '../testing/api-client.js';
import { until } from '../testing/until.js';

const ACCOUNT = '123456789012';
let dir: string;
let pagerduty: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-resolve-'));
  mkdirSync(join(dir, 'logs'));
  pagerduty = await startServer({ status: 202, body: '{"status":"success","dedup_key":"x"}' });
});
afterAll(async () => {
  await pagerduty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('resolving a finding', () => {
  it('triggers a PagerDuty incident for the finding and resolves it with the same dedup key', async () => {
    writeFileSync(
      join(dir, 'logs', `${ACCOUNT}_CloudTrail_us-east-1_20261120T1000Z_r.json`),
      JSON.stringify({
        Records: [
          {
            eventVersion: '1.09',
            userIdentity: {
              type: 'Root',
              principalId: ACCOUNT,
              arn: `arn:aws:iam::${ACCOUNT}:root`,
              accountId: ACCOUNT,
            },
            eventTime: '2026-11-20T10:00:00Z',
            eventSource: 'cloudtrail.amazonaws.com',
            eventName: 'DeleteTrail',
            awsRegion: 'us-east-1',
            sourceIPAddress: '203.0.113.77',
            userAgent: 'aws-cli/2.15.30',
            requestParameters: { name: 'org-trail' },
            responseElements: null,
            eventID: 'resolve-1',
            readOnly: false,
            eventType: 'AwsApiCall',
            recipientAccountId: ACCOUNT,
          },
        ],
      }),
    );
    const config = parseConfig(
      JSON.stringify({
        server: { port: 0 },
        store: { sqlite: join(dir, 'data', 'vigil.db') },
        sources: [{ id: 'trail', kind: 'folder', path: join(dir, 'logs'), pollSeconds: 0.05 }],
        channels: [
          {
            id: 'oncall',
            kind: 'pagerduty',
            routingKey: { env: 'PD_KEY' },
            url: `${pagerduty.url}/v2/enqueue`,
          },
        ],
        routes: [
          {
            name: 'trail-deleted',
            pattern: { detail: { detector: ['cloudtrail-logging-stopped'] } },
            targets: ['oncall'],
          },
        ],
      }),
      'test.yaml',
      {},
    );
    const running = await startServe(config, {
      env: { PD_KEY: 'R0UTINGKEY', VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
      fetch: globalThis.fetch,
      log: () => undefined,
    });
    try {
      await until(() => pagerduty.requests.length === 1, 'the trigger');
      const trigger = JSON.parse(pagerduty.requests[0]!.body) as {
        event_action: string;
        dedup_key: string;
        routing_key: string;
      };
      expect(trigger).toMatchObject({ event_action: 'trigger', routing_key: 'R0UTINGKEY' });

      const path = `/api/findings/${trigger.dedup_key}/status`;
      const anonymous = await fetch(`${running.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'RESOLVED' }),
      });
      expect(anonymous.status).toBe(401);
      const admin = await login(running.url);
      expect((await admin.post(path, { status: 'FIXED' })).status).toBe(400);
      const res = await admin.post(path, { status: 'RESOLVED' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('RESOLVED');
      await until(() => pagerduty.requests.length === 2, 'the resolve');
      const resolve = JSON.parse(pagerduty.requests[1]!.body) as { event_action: string; dedup_key: string };
      expect(resolve).toEqual(
        expect.objectContaining({ event_action: 'resolve', dedup_key: trigger.dedup_key }),
      );
    } finally {
      await running.stop();
    }
  });
});
