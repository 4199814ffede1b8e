import { afterEach, describe, expect, it } from 'vitest';
import { bearer, postJson, startTestServer, TOKEN } from './test-support.js';
import type { TestServer } from './test-support.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const guardDutyEvent = {
  version: '0',
  id: 'c8f4b1a0-0000-0000-0000-000000000001',
  'detail-type': 'GuardDuty Finding',
  source: 'aws.guardduty',
  account: '111122223333',
  time: '2024-05-01T12:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { type: 'Recon:IAMUser/MaliciousIPCaller', severity: 5 },
};
const record = { eventVersion: '1.08', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' };

describe('POST /ingest/eventbridge', () => {
  it('passes a single event on as a batch of one', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/eventbridge`, guardDutyEvent);
    expect(res).toMatchObject({ status: 200, body: { accepted: 1, rejected: [] } });
    expect(server.batches).toEqual([{ source: 'http', kind: 'eventbridge', items: [guardDutyEvent] }]);
  });

  it('passes an array of events on as one batch', async () => {
    server = await startTestServer();
    const second = { ...guardDutyEvent, id: 'second' };
    const res = await postJson(`${server.url}/ingest/eventbridge`, [guardDutyEvent, second]);
    expect(res.body).toEqual({ accepted: 2, rejected: [] });
    expect(server.batches[0]?.items).toEqual([guardDutyEvent, second]);
  });

  it('lists items that are not objects with their index and still passes the good ones on', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/eventbridge`, [
      null,
      guardDutyEvent,
      [1],
      'text',
      { id: 'x' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 2,
      rejected: [
        { index: 0, error: 'item 0 is null, not a JSON object' },
        { index: 2, error: 'item 2 is an array, not a JSON object' },
        { index: 3, error: 'item 3 is a string, not a JSON object' },
      ],
    });
    expect(server.batches[0]?.items).toEqual([guardDutyEvent, { id: 'x' }]);
  });

  it('maps the pipeline rejections back to positions in the request', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/eventbridge`, [
      42,
      { id: 'a' },
      { bad: true },
      false,
      { id: 'b' },
    ]);
    expect(res.body).toEqual({
      accepted: 2,
      rejected: [
        { index: 0, error: 'item 0 is a number, not a JSON object' },
        { index: 2, error: 'item 1 is marked bad' },
        { index: 3, error: 'item 3 is a boolean, not a JSON object' },
      ],
    });
  });

  it('does not call the pipeline when no item is an object', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/eventbridge`, [1, 2]);
    expect(res.body).toMatchObject({ accepted: 0 });
    expect(server.batches).toHaveLength(0);
  });
});

describe('POST /ingest/cloudtrail', () => {
  it('accepts a record, an array of records and a CloudTrail log file', async () => {
    server = await startTestServer();
    await postJson(`${server.url}/ingest/cloudtrail`, record);
    await postJson(`${server.url}/ingest/cloudtrail`, [record, record]);
    const file = await postJson(`${server.url}/ingest/cloudtrail`, { Records: [record, 5, record] });
    expect(file.body).toEqual({
      accepted: 2,
      rejected: [{ index: 1, error: 'item 1 is a number, not a JSON object' }],
    });
    expect(server.batches.map((b) => [b.kind, b.items.length])).toEqual([
      ['cloudtrail', 1],
      ['cloudtrail', 2],
      ['cloudtrail', 2],
    ]);
  });
});

describe('ingest authentication', () => {
  for (const path of ['/ingest/eventbridge', '/ingest/cloudtrail']) {
    it(`${path}: 401 without a token, with a wrong one, or with another scheme`, async () => {
      server = await startTestServer();
      const cases: Record<string, string>[] = [
        { 'content-type': 'application/json' },
        bearer('wrong'),
        bearer(`${TOKEN}x`),
        { authorization: `Basic ${TOKEN}`, 'content-type': 'application/json' },
        { 'x-amz-firehose-access-key': 'wrong', 'content-type': 'application/json' },
      ];
      for (const headers of cases) {
        const res = await postJson(`${server.url}${path}`, record, headers);
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(res.body).toMatchObject({ error: 'VIGIL_HTTP_UNAUTHORIZED' });
      }
      expect(server.batches).toHaveLength(0);
    });

    it(`${path}: accepts the token as a Bearer token or as a Firehose access key`, async () => {
      server = await startTestServer();
      const asBearer = await postJson(`${server.url}${path}`, record, {
        authorization: `bearer   ${TOKEN}`,
        'content-type': 'application/json',
      });
      expect(asBearer.status).toBe(200);
      const asKey = await postJson(`${server.url}${path}`, record, {
        'x-amz-firehose-access-key': TOKEN,
        'content-type': 'application/json',
      });
      expect(asKey.status).toBe(200);
      expect(server.batches).toHaveLength(2);
    });
  }

  it('rejects an unauthenticated body before reading it (401, not 413)', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/cloudtrail`, 'x'.repeat(2 * 1024 * 1024), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(401);
  });

  it('needs no token when none is configured', async () => {
    server = await startTestServer({ ingestToken: undefined });
    const res = await postJson(`${server.url}/ingest/cloudtrail`, record, {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(200);
  });
});
