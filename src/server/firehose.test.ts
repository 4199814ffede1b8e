import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXED_NOW, postJson, startTestServer, TOKEN } from './test-support.js';
import type { TestServer } from './test-support.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const REQUEST_ID = 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f';
const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

/** The headers Amazon Data Firehose sends with every delivery. */
function firehoseHeaders(key = TOKEN, requestId = REQUEST_ID): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-amz-firehose-protocol-version': '1.0',
    'x-amz-firehose-request-id': requestId,
    'x-amz-firehose-source-arn': 'arn:aws:firehose:us-east-1:111122223333:deliverystream/vigil',
    'x-amz-firehose-access-key': key,
  };
}

function delivery(records: unknown[], requestId = REQUEST_ID): unknown {
  return { requestId, timestamp: 1578090901599, records: records.map((r) => ({ data: b64(r) })) };
}

const ctRecord = { eventVersion: '1.08', eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' };
const ebEvent = {
  'detail-type': 'Security Hub Findings - Imported',
  source: 'aws.securityhub',
  detail: { findings: [] },
};

describe('POST /ingest/firehose', () => {
  it('decodes each record and answers exactly {requestId, timestamp}', async () => {
    server = await startTestServer();
    const res = await postJson(
      `${server.url}/ingest/firehose`,
      delivery([ctRecord, ebEvent]),
      firehoseHeaders(),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ requestId: REQUEST_ID, timestamp: FIXED_NOW });
    expect(server.batches).toEqual([{ source: 'http', kind: 'firehose', items: [ctRecord, ebEvent] }]);
  });

  it('reads newline-delimited JSON inside one record', async () => {
    server = await startTestServer();
    const ndjson = `${JSON.stringify(ctRecord)}\n${JSON.stringify({ ...ctRecord, eventName: 'DeleteTrail' })}\n`;
    const res = await postJson(`${server.url}/ingest/firehose`, delivery([ndjson]), firehoseHeaders());
    expect(res.status).toBe(200);
    expect(server.batches[0]?.items).toEqual([ctRecord, { ...ctRecord, eventName: 'DeleteTrail' }]);
  });

  it('passes the good records on when some cannot be decoded, and counts the bad ones', async () => {
    server = await startTestServer();
    const body = {
      requestId: REQUEST_ID,
      timestamp: 1,
      records: [{ data: '%%%' }, { data: b64(ctRecord) }, { data: b64('{nope') }, { data: b64('17') }],
    };
    const res = await postJson(`${server.url}/ingest/firehose`, body, firehoseHeaders());
    expect(res).toMatchObject({ status: 200, body: { requestId: REQUEST_ID, timestamp: FIXED_NOW } });
    expect(server.batches[0]?.items).toEqual([ctRecord]);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('vigil_records_rejected_total{source="http:firehose",reason="bad_base64"} 1');
    expect(text).toContain('vigil_records_rejected_total{source="http:firehose",reason="bad_json"} 1');
    expect(text).toContain('vigil_records_rejected_total{source="http:firehose",reason="not_object"} 1');
  });

  it('accepts a delivery with no records without calling the pipeline', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/firehose`, delivery([]), firehoseHeaders());
    expect(res).toMatchObject({ status: 200, body: { requestId: REQUEST_ID } });
    expect(server.batches).toHaveLength(0);
  });

  it('accepts a gzip-compressed delivery (Content-Encoding: gzip)', async () => {
    server = await startTestServer();
    const res = await postJson(
      `${server.url}/ingest/firehose`,
      gzipSync(JSON.stringify(delivery([ctRecord]))),
      {
        ...firehoseHeaders(),
        'content-encoding': 'gzip',
      },
    );
    expect(res.status).toBe(200);
    expect(server.batches[0]?.items).toEqual([ctRecord]);
  });

  it('answers 401 in the Firehose error shape for a missing or wrong access key', async () => {
    server = await startTestServer();
    const wrong = await postJson(
      `${server.url}/ingest/firehose`,
      delivery([ctRecord]),
      firehoseHeaders('wrong'),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      requestId: REQUEST_ID,
      timestamp: FIXED_NOW,
      errorMessage: 'invalid ingest token',
    });
    const { 'x-amz-firehose-access-key': _key, ...noKey } = firehoseHeaders();
    const missing = await postJson(`${server.url}/ingest/firehose`, delivery([ctRecord]), noKey);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      requestId: REQUEST_ID,
      errorMessage: expect.stringMatching(/^missing credentials/),
    });
    expect(server.batches).toHaveLength(0);
  });

  it('answers 400 in the Firehose error shape when the header and body request ids differ', async () => {
    server = await startTestServer();
    const res = await postJson(
      `${server.url}/ingest/firehose`,
      delivery([ctRecord], 'body-id'),
      firehoseHeaders(TOKEN, 'header-id'),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      requestId: 'body-id',
      timestamp: FIXED_NOW,
      errorMessage: `X-Amz-Firehose-Request-Id header "header-id" does not match the body's requestId "body-id"`,
    });
    expect(server.batches).toHaveLength(0);
  });

  it('answers 400 for a body that is not JSON and 413 for one too large, in the Firehose error shape', async () => {
    server = await startTestServer();
    const bad = await postJson(`${server.url}/ingest/firehose`, '{"requestId":', firehoseHeaders());
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      requestId: REQUEST_ID,
      timestamp: FIXED_NOW,
      errorMessage: expect.stringMatching(/not valid JSON/),
    });
    const big = JSON.stringify(delivery(['x'.repeat(20 * 1024 * 1024)]));
    const large = await postJson(`${server.url}/ingest/firehose`, big, firehoseHeaders());
    expect(large.status).toBe(413);
    expect(large.body).toEqual({
      requestId: REQUEST_ID,
      timestamp: FIXED_NOW,
      errorMessage: `request body is larger than the limit of ${1024 * 1024} bytes`,
    });
  });

  it('answers 503 in the Firehose error shape when the pipeline fails, so Firehose retries', async () => {
    server = await startTestServer({
      ingest: () => {
        throw new Error('disk full');
      },
    });
    const res = await postJson(`${server.url}/ingest/firehose`, delivery([ctRecord]), firehoseHeaders());
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      requestId: REQUEST_ID,
      timestamp: FIXED_NOW,
      errorMessage: 'the pipeline could not take this batch; retry later',
    });
  });
});
