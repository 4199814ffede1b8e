import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDocumented } from '../api/openapi-testing.js';
import { parseConfig } from '../config/load.js';
import { startServer, type TestServer } from '../notify/test-support.js';
import { login, TEST_ADMIN_PASSWORD } from '../testing/api-client.js';
import { until } from '../testing/until.js';
import { startServe, type RunningServe } from './serve.js';

// `vigil serve` with the dashboard API wired in: events kept for the activity pages, suppression rules
// applied by the pipeline, live updates, roles, and every /api route documented.
const ACCOUNT = '123456789012';
let dir: string;
let receiver: TestServer;
let running: RunningServe;

function record(id: string, time: string, eventSource: string, eventName: string, extra = {}) {
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
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${id}`,
    eventID: id,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

let fileNo = 0;
function drop(records: object[]): void {
  const name = `${ACCOUNT}_CloudTrail_us-east-1_20261120T10${String(fileNo++).padStart(2, '0')}Z_x.json.gz`;
  writeFileSync(join(dir, 'logs', name), gzipSync(JSON.stringify({ Records: records })));
}

/** Reads a Server-Sent Events stream until an event of `type` arrives; returns its data. */
async function nextEvent(url: string, cookie: string, type: string, act: () => void): Promise<unknown> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  act();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      text += decoder.decode(value, { stream: true });
      const m = new RegExp(`event: ${type}\\ndata: (.*)\\n`).exec(text);
      if (m) return JSON.parse(m[1]!);
    }
  } finally {
    controller.abort();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-dash-'));
  mkdirSync(join(dir, 'logs'));
  receiver = await startServer();
  const config = parseConfig(
    JSON.stringify({
      server: { port: 0 },
      store: { sqlite: join(dir, 'data', 'vigil.db') },
      sources: [{ id: 'trail', kind: 'folder', path: join(dir, 'logs'), pollSeconds: 0.05 }],
      channels: [{ id: 'hook', kind: 'webhook', url: `${receiver.url}/alerts`, secret: { env: 'HOOK' } }],
      routes: [{ name: 'all', pattern: { source: ['vigil'] }, targets: ['hook'] }],
    }),
    'test.yaml',
    {},
  );
  running = await startServe(config, {
    env: { HOOK: 's', VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
    fetch: globalThis.fetch,
    log: () => undefined,
  });
});
afterAll(async () => {
  await running?.stop();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil serve: the dashboard API', () => {
  it('documents every /api route in its OpenAPI document', async () => {
    await assertDocumented(running.app);
    const admin = await login(running.url);
    const doc = (await (await admin.get('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/findings', '/api/overview', '/api/events', '/api/health/pipeline']),
    );
  });

  it('keeps ingested events, streams new findings live, and fills the overview', async () => {
    const admin = await login(running.url);
    const finding = await nextEvent(`${running.url}/api/stream`, admin.cookie, 'finding', () =>
      drop([
        record('e-list', '2026-11-20T10:00:00Z', 's3.amazonaws.com', 'ListBuckets'),
        record('e-stop', '2026-11-20T10:00:05Z', 'cloudtrail.amazonaws.com', 'StopLogging'),
      ]),
    );
    expect(finding).toMatchObject({ type: 'Stealth:IAMUser/CloudTrailLoggingDisabled', alerted: true });

    const range = 'since=2026-11-20T00:00:00Z&until=2026-11-21T00:00:00Z';
    const events = (await (await admin.get(`/api/events?${range}&q=listbuckets`)).json()) as {
      events: { eventName: string }[];
    };
    expect(events.events.map((e) => e.eventName)).toEqual(['ListBuckets']);
    const raw = await admin.get('/api/events/e-stop');
    expect(((await raw.json()) as { raw: { eventName: string } }).raw.eventName).toBe('StopLogging');

    const overview = (await (await admin.get('/api/overview')).json()) as { open: { total: number } };
    expect(overview.open.total).toBeGreaterThanOrEqual(1);
    const health = (await (await admin.get('/api/health/pipeline')).json()) as {
      now: { sources: { source: string }[] };
    };
    expect(JSON.stringify(health.now.sources)).toMatch(/trail/);
  });

  it('stores a finding a suppression rule matches as SUPPRESSED and sends no alert for it', async () => {
    const admin = await login(running.url);
    const rule = await admin.post('/api/suppressions', {
      pattern: { detail: { type: ['DefenseEvasion:IAMUser/GuardDutyDisabled'] } },
      reason: 'trail migration this week',
    });
    expect(rule.status).toBe(200);
    const before = receiver.requests.length;
    drop([record('e-del', '2026-11-20T11:00:00Z', 'guardduty.amazonaws.com', 'DeleteDetector')]);
    type Page = { items: { type: string; status: string }[] };
    let page: Page = { items: [] };
    await until(
      () =>
        page.items.length > 0 ||
        (void admin
          .get('/api/findings?status=SUPPRESSED')
          .then(async (r) => (page = (await r.json()) as Page)),
        false),
      'the suppressed finding',
    );
    expect(page.items[0]).toMatchObject({
      type: 'DefenseEvasion:IAMUser/GuardDutyDisabled',
      status: 'SUPPRESSED',
    });
    // A later unsuppressed finding alerts; the suppressed one never did.
    drop([record('e-fl', '2026-11-20T11:05:00Z', 'ec2.amazonaws.com', 'DeleteFlowLogs')]);
    await until(() => receiver.requests.length > before, 'the next alert');
    expect(receiver.requests.slice(before).some((r) => r.body.includes('GuardDutyDisabled'))).toBe(false);
  });

  it('enforces roles: anonymous 401, a viewer token cannot act (403), a responder can', async () => {
    const admin = await login(running.url);
    const token = async (role: string) =>
      ((await (await admin.post('/api/tokens', { name: `t-${role}`, role })).json()) as { token: string })
        .token;
    const viewer = await token('viewer');
    const responder = await token('responder');
    expect((await fetch(`${running.url}/api/findings`)).status).toBe(401);
    const list = await fetch(`${running.url}/api/findings`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(list.status).toBe(200);
    const id = ((await list.json()) as { items: { id: string }[] }).items[0]!.id;
    const act = (t: string) =>
      fetch(`${running.url}/api/findings/${id}/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'ACKNOWLEDGED' }),
      });
    expect((await act(viewer)).status).toBe(403);
    expect((await act(responder)).status).toBe(200);
    // Cookie sessions need the CSRF token for changes.
    const noCsrf = await fetch(`${running.url}/api/findings/${id}/status`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'NEW' }),
    });
    expect(noCsrf.status).toBe(403);
    const audit = (await (await admin.get('/api/audit?action=finding.status')).json()) as {
      entries: { user: string }[];
    };
    expect(audit.entries.length).toBeGreaterThanOrEqual(0);
  });
});
