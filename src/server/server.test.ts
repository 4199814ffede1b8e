import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createServer } from './server.js';
import { bearer, postJson, startTestServer, TOKEN } from './test-support.js';
import type { TestServer } from './test-support.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /healthz', () => {
  it('answers 200 with status ok and the details', async () => {
    server = await startTestServer({
      health: () => ({ ok: true, details: { sources: { demo: 'running' } } }),
    });
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', sources: { demo: 'running' } });
  });

  it('answers 503 when not ok, and a detail cannot overwrite the status', async () => {
    server = await startTestServer({
      health: () => ({ ok: false, details: { status: 'ok', store: 'locked' } }),
    });
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', store: 'locked' });
  });

  it('answers 503 when the health check throws', async () => {
    server = await startTestServer({
      health: () => {
        throw new Error('boom');
      },
    });
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable' });
  });
});

describe('GET /metrics', () => {
  it('serves the registry as Prometheus text with the registry content type', async () => {
    server = await startTestServer();
    server.metrics.recordsIngested.inc({ source: 'demo' }, 3);
    server.metrics.findings.inc({ severity: 'HIGH' });
    server.metrics.routedEvents.inc({ route: 'oncall' });
    server.metrics.deliveries.inc({ channel: 'slack', outcome: 'delivered' });
    server.metrics.sourceLag.set({ source: 'demo' }, 1.5);
    server.metrics.detectionSeconds.observe(0.02);
    server.metrics.endToEndSeconds.observe(0.4);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(server.registry.contentType);
    const text = await res.text();
    expect(text).toContain('vigil_records_ingested_total{source="demo"} 3');
    expect(text).toContain('vigil_findings_total{severity="HIGH"} 1');
    expect(text).toContain('vigil_routed_events_total{route="oncall"} 1');
    expect(text).toContain('vigil_deliveries_total{channel="slack",outcome="delivered"} 1');
    expect(text).toContain('vigil_source_lag_seconds{source="demo"} 1.5');
    expect(text).toContain('vigil_detection_seconds_bucket{le="0.025"} 1');
    expect(text).toContain('vigil_end_to_end_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('# TYPE vigil_records_rejected_total counter');
  });

  it('counts the items the server rejects itself', async () => {
    server = await startTestServer();
    await postJson(`${server.url}/ingest/cloudtrail`, [{ eventName: 'A' }, 7, 'x']);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('vigil_records_rejected_total{source="http:cloudtrail",reason="not_object"} 2');
  });
});

describe('bad requests', () => {
  it('answers 400 naming the problem when the body is not JSON, and keeps serving', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/cloudtrail`, '{"eventName": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VIGIL_HTTP_BAD_JSON' });
    expect((res.body as { message: string }).message).toMatch(/^request body is not valid JSON: /);
    expect(server.batches).toHaveLength(0);
    const ok = await postJson(`${server.url}/ingest/cloudtrail`, { eventName: 'A' });
    expect(ok).toMatchObject({ status: 200, body: { accepted: 1, rejected: [] } });
  });

  it('answers 400 for an empty body, with or without a content type', async () => {
    server = await startTestServer();
    expect((await postJson(`${server.url}/ingest/eventbridge`, '')).status).toBe(400);
    const res = await fetch(`${server.url}/ingest/eventbridge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'VIGIL_HTTP_EMPTY_BODY' });
  });

  it('answers 400 for a body that is JSON but not an object or array', async () => {
    server = await startTestServer();
    const res = await postJson(`${server.url}/ingest/eventbridge`, '42');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      message: 'expected an EventBridge event (object) or an array of events, got a number',
    });
    const records = await postJson(`${server.url}/ingest/cloudtrail`, { Records: 'nope' });
    expect(records.status).toBe(400);
    expect(records.body).toMatchObject({
      message: '"Records" must be an array of CloudTrail records, got a string',
    });
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    server = await startTestServer();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await postJson(`${server.url}/ingest/cloudtrail`, '{}', {
        ...bearer(),
        'content-type': type,
      });
      expect(res.status, type).toBe(415);
      expect(res.body).toMatchObject({
        message: 'unsupported content type: send "Content-Type: application/json"',
      });
    }
    const charset = await postJson(`${server.url}/ingest/cloudtrail`, '{}', {
      ...bearer(),
      'content-type': 'application/json; charset=utf-8',
    });
    expect(charset.status).toBe(200);
  });

  it('answers 413 for a 20 MB body and keeps serving', async () => {
    server = await startTestServer();
    const big = JSON.stringify([{ pad: 'x'.repeat(20 * 1024 * 1024) }]);
    const res = await postJson(`${server.url}/ingest/cloudtrail`, big);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      message: `request body is larger than the limit of ${1024 * 1024} bytes`,
    });
    expect(server.batches).toHaveLength(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('accepts a gzip body, and answers 413 when it inflates past the limit', async () => {
    server = await startTestServer();
    const small = gzipSync(JSON.stringify([{ eventName: 'A' }]));
    const ok = await postJson(`${server.url}/ingest/cloudtrail`, small, {
      ...bearer(),
      'content-encoding': 'gzip',
    });
    expect(ok).toMatchObject({ status: 200, body: { accepted: 1 } });
    const bomb = gzipSync(JSON.stringify([{ pad: ' '.repeat(4 * 1024 * 1024) }]));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await postJson(`${server.url}/ingest/cloudtrail`, bomb, {
      ...bearer(),
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(413);
    const br = await postJson(`${server.url}/ingest/cloudtrail`, '{}', {
      ...bearer(),
      'content-encoding': 'br',
    });
    expect(br.status).toBe(415);
  });

  it('answers 503 when the pipeline throws, then serves the next batch', async () => {
    let fail = true;
    server = await startTestServer({
      ingest: (batch) => {
        if (fail) throw new Error('store is locked');
        return { accepted: batch.items.length, rejected: [] };
      },
    });
    const res = await postJson(`${server.url}/ingest/eventbridge`, { id: '1' });
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toContain('store is locked');
    fail = false;
    expect((await postJson(`${server.url}/ingest/eventbridge`, { id: '1' })).status).toBe(200);
  });

  it('answers 404 with JSON for an unknown route', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'VIGIL_HTTP_NOT_FOUND', message: 'no route for GET /nope' });
  });
});

describe('createServer', () => {
  it('refuses a bad body limit or an empty token', () => {
    const base = {
      ingest: () => ({ accepted: 0, rejected: [] }),
      metrics: new Registry(),
      health: () => ({ ok: true, details: {} }),
    };
    expect(() => createServer({ ...base, maxBodyBytes: 0 })).toThrow(
      /maxBodyBytes must be a positive integer/,
    );
    expect(() => createServer({ ...base, maxBodyBytes: 10, ingestToken: '' })).toThrow(
      /ingestToken must not be empty/,
    );
  });
});
