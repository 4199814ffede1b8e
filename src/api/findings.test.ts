import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { openFindingStore, type FindingStore } from '../store/index.js';
import { makeFinding } from '../store/triage-testing.js';
import { registerFindingsApi } from './findings.js';
import { registerOverviewApi } from './overview.js';
import { registerSuppressionsApi } from './suppressions.js';
import { testAccess } from './testing.js';

let dir: string;
let store: FindingStore;
let app: FastifyInstance;
let access: ReturnType<typeof testAccess>;
let resolved: Finding[];
let clock: number;
const T0 = Date.parse('2026-11-20T12:00:00Z');
const a = makeFinding('a', {
  severity: 9,
  lastSeen: '2026-11-20T11:00:00.000Z',
  firstSeen: '2026-11-20T09:00:00.000Z',
});
const b = makeFinding('b', {
  severity: 4,
  type: 'Discovery:S3/Listing',
  region: 'eu-west-1',
  lastSeen: '2026-11-20T10:00:00.000Z',
  actor: { principal: 'arn:aws:iam::123456789012:role/ci', ip: '198.51.100.1', geo: { country: 'FR' } },
  title: 'Buckets listed by <img src=x onerror=alert(1)>',
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-api-findings-'));
  clock = T0;
  store = openFindingStore(join(dir, 'findings.db'), { now: () => clock });
  store.upsertMany([a, b].map((finding) => ({ finding, eventIds: finding.evidence.eventIds })));
  resolved = [];
  access = testAccess();
  app = fastify();
  const deps = { access, store, now: () => clock };
  registerFindingsApi(app, { ...deps, onResolved: (f) => void resolved.push(f) });
  registerOverviewApi(app, deps);
  registerSuppressionsApi(app, deps);
  await app.ready();
});
afterEach(async () => {
  await app.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (role: string | undefined) => (role ? { 'x-test-role': role } : {});
const get = (url: string, role: string | undefined = 'viewer') =>
  app.inject({ method: 'GET', url, headers: as(role) });
const post = (url: string, payload: unknown, role: string | undefined = 'responder') =>
  app.inject({ method: 'POST', url, payload: payload as object, headers: as(role) });

describe('findings API', () => {
  it('answers 401 anonymous and 403 below the needed role on every route', async () => {
    const reads = [
      '/api/findings',
      `/api/findings/${a.id}`,
      `/api/findings/${a.id}/notes`,
      '/api/overview',
      '/api/suppressions',
      `/api/findings/${a.id}/suppression-draft`,
    ];
    for (const url of reads) expect((await get(url, '')).statusCode, url).toBe(401);
    for (const url of reads) expect((await get(url)).statusCode, url).toBe(200);
    const actions: [string, string, unknown][] = [
      ['POST', `/api/findings/${a.id}/status`, { status: 'RESOLVED' }],
      ['POST', '/api/findings/bulk', { ids: [a.id], status: 'RESOLVED' }],
      ['POST', `/api/findings/${a.id}/notes`, { text: 'x' }],
      ['POST', '/api/suppressions', { pattern: { source: ['vigil'] }, reason: 'r' }],
      ['DELETE', '/api/suppressions/x', undefined],
    ];
    for (const [method, url, payload] of actions) {
      const send = (role?: string) =>
        app.inject({
          method: method as 'POST',
          url,
          headers: as(role),
          ...(payload ? { payload: payload as object } : {}),
        });
      expect((await send()).statusCode, url).toBe(401);
      expect((await send('viewer')).statusCode, url).toBe(403);
    }
    expect(store.get(a.id)?.status).toBe('NEW');
    expect(access.audited).toEqual([]);
  });

  it('filters, sorts, searches and pages from the query string', async () => {
    const page = (await get('/api/findings?severity=critical,low&sort=lastSeen&order=asc&limit=1')).json();
    expect(page).toMatchObject({ total: 1, offset: 0, limit: 1 });
    expect(page.items[0]).toEqual(a);
    const both = (await get('/api/findings?status=NEW&status=RESOLVED&sort=severity&order=asc')).json();
    expect(both.items.map((f: Finding) => f.id)).toEqual([b.id, a.id]);
    expect((await get('/api/findings?region=eu-west-1')).json().items.map((f: Finding) => f.id)).toEqual([
      b.id,
    ]);
    expect((await get('/api/findings?typePrefix=Discovery:')).json().total).toBe(1);
    expect(
      (await get('/api/findings?ip=198.51.100.1&principal=arn:aws:iam::123456789012:role/ci')).json().total,
    ).toBe(1);
    expect((await get('/api/findings?lastSeenFrom=2026-11-20T10:30:00Z')).json().total).toBe(1);
    expect((await get(`/api/findings?lastSeenTo=${Date.parse('2026-11-20T10:30:00Z')}`)).json().total).toBe(
      1,
    );
    expect((await get('/api/findings?q=' + encodeURIComponent('<img src=x'))).json().total).toBe(1);
    expect((await get('/api/findings?q=' + encodeURIComponent('" OR 1=1 NEAR( *'))).statusCode).toBe(200);
    expect((await get('/api/findings?offset=1&limit=1')).json()).toMatchObject({ total: 2, offset: 1 });
  });

  it('answers 400 naming the parameter for bad input', async () => {
    const bad = async (url: string, name: string) => {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toBe('VIGIL_BAD_REQUEST');
      expect(res.json().message).toContain(name);
    };
    await bad('/api/findings?severity=urgent', 'severity');
    await bad('/api/findings?status=OPEN', 'status');
    await bad('/api/findings?sort=json', 'sort');
    await bad('/api/findings?limit=501', 'limit');
    await bad('/api/findings?lastSeenFrom=yesterday', 'lastSeenFrom');
    await bad('/api/overview?hours=0', 'hours');
    const noReason = await post(`/api/findings/${a.id}/status`, { status: 'SUPPRESSED' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().message).toContain('reason');
    expect((await post(`/api/findings/${a.id}/status`, { status: 'FIXED' })).statusCode).toBe(400);
    expect(
      (
        await post(`/api/findings/${a.id}/status`, {
          status: 'SUPPRESSED',
          reason: 'x',
          until: '2020-01-01T00:00:00Z',
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await post('/api/findings/bulk', {
          ids: Array.from({ length: 1001 }, (_, i) => `id${i}`),
          status: 'NEW',
        })
      ).statusCode,
    ).toBe(400);
    expect((await post(`/api/findings/${a.id}/notes`, { text: '   ' })).statusCode).toBe(400);
    expect((await get('/api/findings/nope')).statusCode).toBe(404);
    expect((await post('/api/findings/nope/status', { status: 'RESOLVED' })).statusCode).toBe(404);
  });

  it('runs the workflow, audits each action and sends the resolved alert once', async () => {
    const ack = await post(`/api/findings/${a.id}/status`, { status: 'ACKNOWLEDGED' });
    expect(ack.json().status).toBe('ACKNOWLEDGED');
    const until = new Date(T0 + 3_600_000).toISOString();
    const sup = await post(`/api/findings/${a.id}/status`, {
      status: 'SUPPRESSED',
      reason: 'pen test',
      until,
    });
    expect(sup.json()).toMatchObject({
      status: 'SUPPRESSED',
      suppression: { reason: 'pen test', until, by: 'test-responder', statusBefore: 'ACKNOWLEDGED' },
    });
    expect((await get('/api/findings?status=SUPPRESSED')).json().total).toBe(1);
    clock = T0 + 3_600_000;
    expect((await get(`/api/findings/${a.id}`)).json()).toMatchObject({ status: 'ACKNOWLEDGED' });
    expect((await post(`/api/findings/${a.id}/status`, { status: 'RESOLVED' })).json().status).toBe(
      'RESOLVED',
    );
    await post(`/api/findings/${a.id}/status`, { status: 'RESOLVED' });
    expect(resolved.map((f) => f.id)).toEqual([a.id]);
    expect((await post(`/api/findings/${a.id}/status`, { status: 'NEW' })).json().status).toBe('NEW');
    expect(access.audited.map((e) => [e.principal?.user, e.action, e.target])).toEqual([
      ['test-responder', 'finding.acknowledged', a.id],
      ['test-responder', 'finding.suppressed', a.id],
      ['test-responder', 'finding.resolved', a.id],
      ['test-responder', 'finding.resolved', a.id],
      ['test-responder', 'finding.new', a.id],
    ]);
    expect(access.audited[1]!.details).toMatchObject({ from: 'ACKNOWLEDGED', reason: 'pen test', until });
  });

  it('applies bulk actions to every listed finding and reports the missing ones', async () => {
    const res = await post('/api/findings/bulk', { ids: [a.id, 'missing', b.id], status: 'RESOLVED' });
    expect(res.json()).toEqual({ updated: 2, missing: ['missing'] });
    expect(resolved.map((f) => f.id).sort()).toEqual([a.id, b.id].sort());
    expect(access.audited.map((e) => [e.action, e.target, e.details?.bulk])).toEqual([
      ['finding.resolved', a.id, true],
      ['finding.resolved', b.id, true],
    ]);
    expect((await get('/api/findings?status=RESOLVED')).json().total).toBe(2);
  });

  it('keeps notes with their author and shows them on the finding', async () => {
    const note = (await post(`/api/findings/${b.id}/notes`, { text: '<b>checked</b> with CI team' })).json();
    expect(note).toMatchObject({
      author: 'test-responder',
      text: '<b>checked</b> with CI team',
      at: new Date(T0).toISOString(),
    });
    expect((await get(`/api/findings/${b.id}/notes`)).json()).toEqual([note]);
    expect((await get(`/api/findings/${b.id}`)).json().notes).toEqual([note]);
    expect(access.audited).toEqual([expect.objectContaining({ action: 'finding.note', target: b.id })]);
    expect((await post('/api/findings/missing/notes', { text: 'x' })).statusCode).toBe(404);
  });
});

describe('suppressions and overview API', () => {
  it('drafts a rule from a finding, creates, lists and deletes rules, audited', async () => {
    const draft = (await get(`/api/findings/${b.id}/suppression-draft`)).json();
    expect(draft.pattern).toEqual({
      account: ['123456789012'],
      detail: { type: ['Discovery:S3/Listing'], actor: { principal: ['arn:aws:iam::123456789012:role/ci'] } },
    });
    const bad = await post('/api/suppressions', {
      pattern: { detail: { type: 'not-an-array' } },
      reason: 'x',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('pattern');
    expect(
      (
        await post('/api/suppressions', {
          pattern: draft.pattern,
          reason: 'x',
          expires: '2020-01-01T00:00:00Z',
        })
      ).statusCode,
    ).toBe(400);
    const rule = (
      await post('/api/suppressions', {
        ...draft,
        reason: 'CI lists buckets',
        expires: '2027-01-01T00:00:00.000Z',
      })
    ).json();
    expect(rule).toMatchObject({
      pattern: draft.pattern,
      reason: 'CI lists buckets',
      owner: 'test-responder',
      expires: '2027-01-01T00:00:00.000Z',
    });
    expect((await get('/api/suppressions')).json()).toEqual([rule]);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/suppressions/${rule.id}`,
      headers: as('responder'),
    });
    expect(del.json()).toEqual({ deleted: rule.id });
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/suppressions/${rule.id}`, headers: as('responder') }))
        .statusCode,
    ).toBe(404);
    expect(access.audited.map((e) => [e.action, e.target])).toEqual([
      ['suppression.create', rule.id],
      ['suppression.delete', rule.id],
    ]);
  });

  it('serves the overview', async () => {
    const o = (await get('/api/overview?hours=6&buckets=6&newest=1')).json();
    expect(o.open).toEqual({ LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 1, total: 2 });
    expect(o.overTime).toHaveLength(6);
    expect(o.newest).toHaveLength(1);
    expect(o.topIps).toContainEqual({ ip: '198.51.100.1', country: 'FR', count: 1 });
    expect(o.regions).toEqual(expect.arrayContaining([{ region: 'eu-west-1', count: 1, open: 1 }]));
  });
});
