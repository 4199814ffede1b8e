import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { startServer, type TestServer } from '../notify/test-support.js';
import { verifyWebhookSignature } from '../notify/index.js';
import { sharedDir } from '../testing/shared-data.js';
import { startServe } from './serve.js';
import { login, TEST_ADMIN_PASSWORD } from '../testing/api-client.js';
import { until } from '../testing/until.js';

const ACCOUNT = '123456789012';
let dir: string;
let receiver: TestServer;

function stopLogging(id: string, time: string) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEMALLORY01',
      userName: 'mallory',
    },
    eventTime: time,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'aws-cli/2.15.30 <!channel> "><img src=x onerror=alert(1)>',
    requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
    responseElements: null,
    requestID: `req-${id}`,
    eventID: id,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

function config() {
  return parseConfig(
    JSON.stringify({
      server: { port: 0, ingestToken: { env: 'TEST_INGEST_TOKEN' } },
      store: { sqlite: join(dir, 'data', 'vigil.db') },
      sources: [{ id: 'trail', kind: 'folder', path: join(dir, 'logs'), pollSeconds: 0.05 }],
      channels: [
        { id: 'hook', kind: 'webhook', url: `${receiver.url}/alerts`, secret: { env: 'TEST_HOOK_SECRET' } },
      ],
      routes: [
        { name: 'high', pattern: { detail: { severityLabel: ['HIGH', 'CRITICAL'] } }, targets: ['hook'] },
      ],
    }),
    'test.yaml',
    {},
  );
}

const env = {
  TEST_HOOK_SECRET: 'hook-secret',
  TEST_INGEST_TOKEN: 'ingest-token',
  VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
};
const deps = { env, fetch: globalThis.fetch, log: () => undefined };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  receiver = await startServer();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil serve', () => {
  it('turns a CloudTrail file dropped into a watched folder into one signed alert, not repeated after a restart', async () => {
    const first = await startServe(config(), deps);
    try {
      const health = await fetch(`${first.url}/healthz`);
      expect(health.status).toBe(200);
      const file = join(dir, 'logs', `${ACCOUNT}_CloudTrail_us-east-1_20261120T1000Z_a.json.gz`);
      writeFileSync(
        file,
        gzipSync(JSON.stringify({ Records: [stopLogging('e-1', '2026-11-20T10:00:00Z')] })),
      );
      await until(() => receiver.requests.length >= 1, 'the webhook alert');
      const [req] = receiver.requests;
      expect(req!.url).toBe('/alerts');
      const ts = String(req!.headers['x-vigil-timestamp']);
      const sig = String(req!.headers['x-vigil-signature']);
      expect(verifyWebhookSignature('hook-secret', ts, req!.body, sig, Number(ts) * 1000)).toBe(true);
      const body = JSON.parse(req!.body) as {
        event: { 'detail-type': string; detail: { detector: string; actor: { userAgent: string } } };
      };
      expect(body.event['detail-type']).toBe('Vigil Finding');
      expect(body.event.detail.detector).toBe('cloudtrail-logging-stopped');
      const metrics = await (await fetch(`${first.url}/metrics`)).text();
      expect(metrics).toMatch(/vigil_records_ingested_total\{source="trail"\} 1/);
      // The deliveries and findings API: no anonymous access; the ingest token is not an API token.
      expect((await fetch(`${first.url}/api/deliveries`)).status).toBe(401);
      const withIngestToken = { headers: { authorization: 'Bearer ingest-token' } };
      expect((await fetch(`${first.url}/api/deliveries`, withIngestToken)).status).toBe(401);
      const admin = await login(first.url);
      let deliveries: { channelId: string; status: string; findingId: string }[] = [];
      await until(
        () =>
          deliveries.some((d) => d.status === 'delivered') ||
          (void admin
            .get('/api/deliveries')
            .then(async (r) => (deliveries = (await r.json()) as typeof deliveries)),
          false),
        'a delivered alert in the API',
      );
      expect(deliveries[0]).toMatchObject({ channelId: 'hook', status: 'delivered' });
      const finding = (await (await admin.get(`/api/findings/${deliveries[0]!.findingId}`)).json()) as {
        detector: string;
      };
      expect(finding.detector).toBe('cloudtrail-logging-stopped');
      expect((await admin.get('/api/deliveries?status=bogus')).status).toBe(400);
      expect((await admin.post('/api/deliveries/999/retry')).status).toBe(404);
      await fetch(`${first.url}/healthz`);
      const after = await (await fetch(`${first.url}/metrics`)).text();
      expect(after).toMatch(/vigil_source_lag_seconds\{source="trail"\} \d/);
      expect(after).toMatch(/vigil_deliveries_total\{channel="hook",outcome="delivered"\} 1/);
      expect(after).toMatch(/vigil_end_to_end_seconds_count 1/);
    } finally {
      await first.stop();
    }

    // Restart on the same files: the folder's checkpoint and the stored finding mean no second alert.
    const second = await startServe(config(), deps);
    try {
      writeFileSync(
        join(dir, 'logs', `${ACCOUNT}_CloudTrail_us-east-1_20261120T1005Z_b.json.gz`),
        gzipSync(JSON.stringify({ Records: [stopLogging('e-2', '2026-11-20T10:05:00Z')] })),
      );
      const metricsOf = async () => (await fetch(`${second.url}/metrics`)).text();
      let text = '';
      await until(
        () =>
          /vigil_records_ingested_total\{source="trail"\} 1/.test(text) ||
          (void metricsOf().then((t) => (text = t)), false),
        'the second file',
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it.runIf(sharedDir())(
    'routes a GuardDuty finding sent to the EventBridge ingest endpoint, with the token',
    async () => {
      const running = await startServe(config(), deps);
      try {
        const before = receiver.requests.length;
        const finding = JSON.parse(
          readFileSync(join(sharedDir()!, 'samples', 'guardduty', 'guardduty_iam_event.json'), 'utf8'),
        ) as Record<string, unknown>;
        const event = {
          version: '0',
          id: 'x',
          'detail-type': 'GuardDuty Finding',
          source: 'aws.guardduty',
          account: ACCOUNT,
          time: '2026-11-20T10:00:00Z',
          region: 'us-east-1',
          resources: [],
          detail: { ...finding, severity: 8 },
        };
        const denied = await fetch(`${running.url}/ingest/eventbridge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
        });
        expect(denied.status).toBe(401);
        const res = await fetch(`${running.url}/ingest/eventbridge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer ingest-token' },
          body: JSON.stringify([event, { 'detail-type': 'Something Else', detail: {} }]),
        });
        expect(res.status).toBe(200);
        const result = (await res.json()) as { accepted: number; rejected: { index: number }[] };
        expect(result.accepted).toBe(1);
        expect(result.rejected.map((r) => r.index)).toEqual([1]);
        await until(() => receiver.requests.length > before, 'the GuardDuty alert');
        const body = JSON.parse(receiver.requests.at(-1)!.body) as {
          event: { detail: { type: string; detector: string } };
        };
        expect(body.event.detail).toMatchObject({
          type: 'Recon:IAMUser/MaliciousIPCaller.Custom',
          detector: 'guardduty',
        });
      } finally {
        await running.stop();
      }
    },
  );
});
