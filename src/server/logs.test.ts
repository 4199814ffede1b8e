import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DNS_LINES, FLOW_V2_HEADER, FLOW_V2_LINES } from '../sources/network-samples.js';
import { postJson, startTestServer, TOKEN } from './test-support.js';
import type { TestServer } from './test-support.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const text = (type = 'text/plain'): Record<string, string> => ({
  authorization: `Bearer ${TOKEN}`,
  'content-type': type,
});

describe('POST /ingest/logs', () => {
  it('reads flow log lines after their header, lists bad lines by number and passes the good ones on', async () => {
    server = await startTestServer();
    const body = [
      FLOW_V2_HEADER,
      FLOW_V2_LINES[0],
      '2 123456789012 eni-0a1b2c3d4e5f60718 203.0.113.12 not-an-ip 49761 22 6 20 4249 1716000000 1716000060 REJECT OK',
      FLOW_V2_LINES[2], // NODATA: skipped, neither accepted nor rejected
      '',
      FLOW_V2_LINES[1],
      '2 123456789012 eni-0a1b2c3d4e5f60718 short',
    ].join('\n');
    const res = await postJson(`${server.url}/ingest/logs`, body, text());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 2,
      rejected: [
        { line: 3, error: 'line 3: flow log record dstaddr is not an IP address: "not-an-ip"' },
        { line: 7, error: 'line 7: flow log record has 4 fields, the format has 14' },
      ],
      skipped: 2,
    });
    expect(server.batches).toHaveLength(1);
    expect(server.batches[0]).toMatchObject({ kind: 'logs', formats: ['vpcflow', 'vpcflow'] });
    expect(server.batches[0]?.items[1]).toMatchObject({ srcaddr: '172.31.16.139', dstport: 49152 });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('vigil_records_rejected_total{source="http:logs",reason="bad_line"} 2');
  });

  it('tags Resolver query log JSON lines, maps pipeline rejections back to lines, and takes gzip', async () => {
    server = await startTestServer();
    const bad = JSON.stringify({ ...(JSON.parse(DNS_LINES[1]!) as object), bad: true });
    const body = gzipSync(`${DNS_LINES[0]}\n${bad}\n{oops\n`);
    const res = await postJson(`${server.url}/ingest/logs`, body, {
      ...text('application/x-ndjson'),
      'content-encoding': 'gzip',
    });
    expect(res.body).toEqual({
      accepted: 1,
      rejected: [
        { line: 2, error: 'line 2: item 1 is marked bad' },
        { line: 3, error: expect.stringMatching(/^line 3: not valid JSON: /) as unknown },
      ],
      skipped: 0,
    });
    expect(server.batches[0]?.formats).toEqual(['dns', 'dns']);
  });

  it('answers a JSON body by index, like /ingest/cloudtrail', async () => {
    server = await startTestServer();
    const dns = JSON.parse(DNS_LINES[0]!) as unknown;
    const res = await postJson(`${server.url}/ingest/logs`, [dns, 7], text('application/json'));
    expect(res.body).toEqual({
      accepted: 1,
      rejected: [{ index: 1, error: 'item 1 is a number, not a JSON object' }],
    });
    expect(server.batches[0]).toEqual({ source: 'http', kind: 'logs', items: [dns], formats: ['dns'] });
  });

  it('has the same token check, limits and content types as the other ingest routes', async () => {
    server = await startTestServer({ maxBodyBytes: 256 });
    const noToken = await postJson(`${server.url}/ingest/logs`, FLOW_V2_LINES[0], {
      'content-type': 'text/plain',
    });
    expect(noToken.status).toBe(401);
    const tooBig = await postJson(`${server.url}/ingest/logs`, FLOW_V2_LINES.join('\n').repeat(3), text());
    expect(tooBig.status).toBe(413);
    const bomb = await postJson(`${server.url}/ingest/logs`, gzipSync(' '.repeat(10_000)), {
      ...text(),
      'content-encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);
    const xml = await postJson(`${server.url}/ingest/logs`, '<a/>', text('application/xml'));
    expect(xml.status).toBe(415);
    const empty = await postJson(`${server.url}/ingest/logs`, '', text());
    expect(empty).toMatchObject({ status: 400, body: { error: 'VIGIL_HTTP_EMPTY_BODY' } });
    // The text parser belongs to /ingest/logs only: the JSON routes still refuse text.
    const ct = await postJson(`${server.url}/ingest/cloudtrail`, FLOW_V2_LINES[0], text());
    expect(ct.status).toBe(415);
    expect(server.batches).toHaveLength(0);
  });
});
