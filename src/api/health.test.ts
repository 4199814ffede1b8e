import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipelineStats } from '../serve/stats.js';
import { registerHealthApi } from './health.js';
import { noResponses, registerResponsesApi, type ResponseStatsSource } from './responses.js';
import { testAccess } from './testing.js';

const T0 = Date.parse('2025-03-01T10:00:30Z');
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('GET /api/health/pipeline', () => {
  function build() {
    const clock = { t: T0 };
    const stats = createPipelineStats({ now: () => clock.t });
    app = fastify();
    registerHealthApi(app, { access: testAccess(), stats });
    return { stats, clock, app };
  }

  it('answers the collector snapshot, every field kept by the response schema', async () => {
    const { stats, clock, app } = build();
    clock.t += 10_000;
    stats.ingested('demo', 50);
    stats.lag('demo', 1500);
    stats.detectionTime(3);
    stats.detectionError('rule-x');
    stats.delivery('slack', 'delivered', 900);
    stats.delivery('slack', 'dead');
    const res = await app.inject({ url: '/api/health/pipeline', headers: { 'x-test-role': 'viewer' } });
    expect(res.statusCode).toBe(200);
    // The serializer drops whatever its schema does not list: the answer must equal the snapshot.
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(stats.snapshot())));
    const body = res.json();
    expect(body.series).toHaveLength(60);
    expect(body.now.sources).toEqual([{ source: 'demo', records: 50, ratePerSecond: 5, lagMs: 1500 }]);
    expect(body.now.channels).toEqual([{ channel: 'slack', delivered: 1, retried: 0, dead: 1 }]);
    expect(body.now.endToEnd).toEqual({ count: 1, p50Ms: 900, p95Ms: 900, p99Ms: 900, maxMs: 900 });
    expect(body.series.at(-1).detection).toEqual({
      count: 1,
      p50Ms: 3,
      p95Ms: 3,
      p99Ms: 3,
      maxMs: 3,
      errors: 1,
    });
  });

  it('trims the series with ?minutes, and rejects a bad value naming it', async () => {
    const { app } = build();
    const res = await app.inject({
      url: '/api/health/pipeline?minutes=5',
      headers: { 'x-test-role': 'viewer' },
    });
    expect(res.json().series).toHaveLength(5);
    const bad = await app.inject({
      url: '/api/health/pipeline?minutes=0',
      headers: { 'x-test-role': 'viewer' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('minutes');
  });

  it('answers 401 without an identity', async () => {
    const { app } = build();
    const res = await app.inject({ url: '/api/health/pipeline' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'VIGIL_AUTH_REQUIRED', message: 'log in or send an API token' });
  });
});

describe('GET /api/responses/stats', () => {
  it('answers zero counts and an empty series while no response exists', async () => {
    app = fastify();
    registerResponsesApi(app, { access: testAccess(), now: () => T0 });
    const res = await app.inject({ url: '/api/responses/stats', headers: { 'x-test-role': 'viewer' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      since: '2025-02-28T10:00:30.000Z',
      run: 0,
      succeeded: 0,
      failed: 0,
      awaitingApproval: 0,
      timeToRespond: { count: 0 },
      byAction: [],
      bucketMinutes: 60,
      series: [],
    });
  });

  it('passes the period to its source and answers what the source reports', async () => {
    const asked: { sinceMs: number; nowMs: number }[] = [];
    const source: ResponseStatsSource = {
      stats: (query) => {
        asked.push(query);
        return {
          ...noResponses.stats(query),
          run: 3,
          succeeded: 2,
          failed: 1,
          awaitingApproval: 4,
          timeToRespond: { count: 3, p50Ms: 1000, p95Ms: 5000, p99Ms: 5000, maxMs: 5000 },
          byAction: [{ action: 'disable-access-key', run: 3, succeeded: 2, failed: 1, awaitingApproval: 4 }],
          series: [{ start: '2025-03-01T09:00:00.000Z', run: 3, succeeded: 2, failed: 1 }],
        };
      },
    };
    app = fastify();
    registerResponsesApi(app, { access: testAccess(), source, now: () => T0 });
    const res = await app.inject({
      url: '/api/responses/stats?hours=2',
      headers: { 'x-test-role': 'responder' },
    });
    expect(asked).toEqual([{ sinceMs: T0 - 7_200_000, nowMs: T0 }]);
    expect(res.json()).toMatchObject({
      run: 3,
      awaitingApproval: 4,
      timeToRespond: { p95Ms: 5000 },
      byAction: [{ action: 'disable-access-key', failed: 1 }],
      series: [{ run: 3, succeeded: 2, failed: 1 }],
    });
    const bad = await app.inject({
      url: '/api/responses/stats?hours=9999',
      headers: { 'x-test-role': 'viewer' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('hours');
  });

  it('answers 401 without an identity', async () => {
    app = fastify();
    registerResponsesApi(app, { access: testAccess() });
    expect((await app.inject({ url: '/api/responses/stats' })).statusCode).toBe(401);
  });
});
