import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEvent } from '../findings/testing.js';
import { openEventStore } from '../store/events.js';
import type { EventStore } from '../store/events-types.js';
import { registerActivityApi } from './activity.js';
import { registerEventsApi } from './events.js';
import { testAccess } from './testing.js';

const T0 = Date.parse('2026-11-20T00:00:00Z');
let dir: string;
let store: EventStore;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-events-api-'));
  store = openEventStore(join(dir, 'events.db'));
  store.add(
    Array.from({ length: 120 }, (_, i) =>
      makeEvent({
        time: new Date(T0 + i * 60_000).toISOString(),
        ts: T0 + i * 60_000,
        eventId: `ev-${i}`,
        eventName: i === 7 ? 'PutBucketPolicy' : 'ListBuckets',
        eventSource: 's3.amazonaws.com',
        service: 's3',
        userAgent: i === 3 ? '<img src=x onerror=alert(1)>' : 'aws-cli/2',
        errorCode: i % 10 === 0 ? 'AccessDenied' : undefined,
        raw: { eventID: `ev-${i}`, requestParameters: { bucketName: 'b1' } },
      }),
    ),
  );
  app = fastify();
  const access = testAccess();
  const now = () => T0 + 2 * 3_600_000;
  registerActivityApi(app, { access, events: store, now });
  registerEventsApi(app, { access, events: store, now });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, role: string | null = 'viewer') =>
  app.inject({ method: 'GET', url, headers: role ? { 'x-test-role': role } : {} });

const ROUTES = [
  '/api/activity/series',
  '/api/activity/errors',
  '/api/activity/top-callers',
  '/api/events',
  '/api/events/ev-1',
  '/api/events/timeline?principal=x&at=2026-11-20T00:00:00Z',
  '/api/s3/changes',
  '/api/s3/data-volume',
];

describe('activity and events API', () => {
  it('answers 401 without an identity, even with bad parameters, and 200 to a viewer', async () => {
    for (const url of ROUTES) {
      expect((await get(url, null)).statusCode, url).toBe(401);
      expect((await get(`${url}${url.includes('?') ? '&' : '?'}limit=-5`, null)).statusCode, url).toBe(401);
      expect((await get(url, 'viewer')).statusCode, url).toBe(200);
    }
  });

  it('answers 403 to a role below viewer', async () => {
    // testAccess treats an unknown role as no identity; check the guard is the viewer guard by a
    // restricted access whose viewer requirement is never met.
    const strict = fastify();
    const access = testAccess();
    registerEventsApi(strict, {
      access: { ...access, require: () => access.require('admin') },
      events: store,
    });
    const res = await strict.inject({
      method: 'GET',
      url: '/api/events',
      headers: { 'x-test-role': 'viewer' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'VIGIL_AUTH_FORBIDDEN', message: 'needs the admin role' });
    await strict.close();
  });

  it('answers 400 naming the parameter at fault', async () => {
    const cases: [string, string][] = [
      ['/api/activity/series?group=colour', 'group'],
      ['/api/activity/series?bucket=90', 'bucket'],
      ['/api/activity/series?bucket=60&since=2026-01-01T00:00:00Z', 'bucket'],
      ['/api/activity/series?since=yesterday', 'since'],
      ['/api/activity/errors?since=2026-11-21T00:00:00Z&until=2026-11-20T00:00:00Z', 'since'],
      ['/api/activity/top-callers?limit=0', 'limit'],
      ['/api/events?limit=abc', 'limit'],
      ['/api/events?cursor=nonsense', 'cursor'],
      ['/api/events?errors=maybe', 'errors'],
      ['/api/events/timeline?at=2026-11-20T00:00:00Z', 'principal'],
      ['/api/events/timeline?principal=p&sourceIp=1.2.3.4&at=2026-11-20T00:00:00Z', 'principal'],
      ['/api/events/timeline?principal=p', 'at'],
      ['/api/events/timeline?principal=p&at=soon', 'at'],
      ['/api/s3/changes?category=cors', 'category'],
      ['/api/s3/data-volume?group=region', 'group'],
    ];
    for (const [url, param] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      const body = res.json() as { error: string; message: string };
      expect(body.error).toBe('VIGIL_BAD_REQUEST');
      expect(
        body.message.startsWith(`${param}:`) || body.message.includes(param),
        `${url}: ${body.message}`,
      ).toBe(true);
    }
  });

  it('serves series, errors and top callers from the rollups', async () => {
    const series = (
      await get('/api/activity/series?since=2026-11-20T00:00:00Z&until=2026-11-20T02:00:00Z&bucket=3600')
    ).json();
    expect(series.bucket).toBe(3600);
    expect(series.times).toEqual([T0, T0 + 3_600_000]);
    expect(series.series).toEqual([{ key: 's3', total: 120, counts: [60, 60] }]);
    const errors = (
      await get('/api/activity/errors?since=2026-11-20T00:00:00Z&until=2026-11-20T02:00:00Z&bucket=3600')
    ).json();
    expect(errors.denied).toEqual([6, 6]);
    expect(errors.deniedRate).toEqual([0.1, 0.1]);
    expect(errors.rule).toEqual({ sigma: 3, minCount: 5, window: 30, minHistory: 5 });
    const callers = (await get('/api/activity/top-callers?since=2026-11-20T00:00:00Z')).json();
    expect(callers.callers).toEqual([
      {
        principal: 'arn:aws:iam::123456789012:user/alice',
        calls: 120,
        errors: 12,
        denied: 12,
        services: 1,
        lastSeen: T0 + 119 * 60_000,
      },
    ]);
  });

  it('searches with pagination, returns raw JSON as data, and 404 for an unknown id', async () => {
    const first = (await get('/api/events?limit=50&since=2026-11-20T00:00:00Z')).json();
    expect(first.events).toHaveLength(50);
    expect(first.events[0].eventId).toBe('ev-119');
    const second = (
      await get(`/api/events?limit=50&since=2026-11-20T00:00:00Z&cursor=${first.nextCursor}`)
    ).json();
    expect(second.events[0].eventId).toBe('ev-69');
    const found = (await get('/api/events?q=ONERROR&since=2026-11-20T00:00:00Z')).json();
    expect(found.events.map((e: { eventId: string }) => e.eventId)).toEqual(['ev-3']);
    expect(found.events[0].userAgent).toBe('<img src=x onerror=alert(1)>');
    const one = await get('/api/events/ev-3');
    expect(one.headers['content-type']).toMatch(/^application\/json/);
    expect(one.json().raw).toEqual({ eventID: 'ev-3', requestParameters: { bucketName: 'b1' } });
    const missing = await get('/api/events/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('VIGIL_NOT_FOUND');
  });

  it('gives a timeline and the S3 changes', async () => {
    const tl = (
      await get(
        `/api/events/timeline?principal=${encodeURIComponent('arn:aws:iam::123456789012:user/alice')}&at=${T0 + 10 * 60_000}&minutes=2`,
      )
    ).json();
    expect(tl.events.map((e: { eventId: string }) => e.eventId)).toEqual([
      'ev-8',
      'ev-9',
      'ev-10',
      'ev-11',
      'ev-12',
    ]);
    const changes = (await get('/api/s3/changes?since=2026-11-20T00:00:00Z&bucketName=b1')).json();
    expect(
      changes.changes.map((c: { eventId: string; category: string }) => [c.eventId, c.category]),
    ).toEqual([['ev-7', 'policy']]);
    const volume = (
      await get('/api/s3/data-volume?since=2026-11-20T00:00:00Z&until=2026-11-20T02:00:00Z')
    ).json();
    expect(volume.series).toEqual([]);
  });
});
