import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { loadEvidence } from '../posture/evidence.js';
import type { PostureSnapshot } from '../posture/types.js';
import { startServe, type RunningServe } from '../serve/serve.js';
import { login, TEST_ADMIN_PASSWORD, type ApiClient } from '../testing/api-client.js';
import { assertDocumented } from './openapi-testing.js';

/**
 * The posture API on a real `vigil serve` over a copy of the demo snapshot, with one more public bucket
 * whose name carries markup (names come from the account: an attacker can choose them).
 */
const HOSTILE = 'acme-<script>alert(1)</script>';
const env = { VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD };

function demoSnapshot(): PostureSnapshot {
  const snapshot = JSON.parse(
    readFileSync(join(process.cwd(), 'demo', 'posture', 'snapshot.json'), 'utf8'),
  ) as PostureSnapshot;
  const buckets = snapshot.accounts.find((a) => a.s3?.buckets.some((b) => b.Name === 'acme-website'))!.s3!
    .buckets;
  const website = buckets.find((b) => b.Name === 'acme-website')!;
  buckets.push({
    ...structuredClone(website),
    Name: HOSTILE,
    Policy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${HOSTILE}/*` },
      ],
    },
  });
  return snapshot;
}

async function serve(dir: string, posture: object): Promise<RunningServe> {
  const config = parseConfig(
    JSON.stringify({
      server: { host: '127.0.0.1', port: 0 },
      store: { sqlite: join(dir, 'data', 'vigil.db') },
      posture,
    }),
    'test.yaml',
    {},
  );
  return startServe(config, { env, fetch: globalThis.fetch, log: () => undefined });
}

interface Summary {
  snapshots: {
    file: string;
    collectedAt: string;
    accounts: { accountId: string }[];
    collectionErrors: { count: number; items: { api: string }[] };
    summary: Record<string, number>;
    bySeverity: { severity: string; checks: number; FAIL: number }[];
    checks: { id: string; status: string; severity: string; counts: Record<string, number> }[];
    frameworks: { id: string; summary: { controls: number; automated: number; manual: number } }[];
  }[];
  problems: { file: string; message: string }[];
  evidenceConfigured: boolean;
}

interface Control {
  id: string;
  status: string;
  coverage: string;
  evidence: { note: string; by: string }[];
  failing: { resource: { id: string } }[];
  failingTotal: number;
  checks: { id: string; title?: string; status: string }[];
}

describe('posture API on vigil serve with the demo snapshot', () => {
  let dir: string;
  let running: RunningServe;
  let admin: ApiClient;
  const tokens: Record<string, string> = {};
  const as = (role: string, path: string, init: RequestInit = {}) =>
    fetch(`${running.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${tokens[role]}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-posture-api-'));
    writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(demoSnapshot()));
    running = await serve(dir, {
      snapshots: [join(dir, 'snapshot.json')],
      evidence: join(dir, 'evidence.json'),
    });
    admin = await login(running.url);
    for (const role of ['viewer', 'responder']) {
      const res = await admin.post('/api/tokens', { name: `t-${role}`, role });
      tokens[role] = ((await res.json()) as { token: string }).token;
    }
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents every route, and refuses anonymous callers', async () => {
    await assertDocumented(running.app);
    for (const path of [
      '/api/posture',
      '/api/posture/checks/s3-bucket-public',
      '/api/posture/frameworks/soc2',
      '/api/posture/report.html',
    ])
      expect((await fetch(`${running.url}${path}`)).status, path).toBe(401);
  });

  it('summarizes the snapshot: base name, accounts, collection errors, checks and framework coverage', async () => {
    const res = await as('viewer', '/api/posture');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Summary;
    expect(body.problems).toEqual([]);
    expect(body.evidenceConfigured).toBe(true);
    expect(body.snapshots).toHaveLength(1);
    const s = body.snapshots[0]!;
    const source = demoSnapshot();
    expect(s.file).toBe('snapshot.json');
    expect(JSON.stringify(body)).not.toContain(dir);
    expect(s.collectedAt).toBe(source.collectedAt);
    expect(s.accounts.map((a) => a.accountId)).toEqual(source.accounts.map((a) => a.accountId));
    expect(s.collectionErrors.count).toBe(source.errors.length);
    expect(s.collectionErrors.items.map((e) => e.api)).toEqual(source.errors.map((e) => e.api));
    const publicCheck = s.checks.find((c) => c.id === 's3-bucket-public')!;
    expect(publicCheck.status).toBe('FAIL');
    expect(publicCheck.counts.FAIL).toBeGreaterThanOrEqual(2);
    // Only summaries: no per-resource results in the overview.
    expect(JSON.stringify(s)).not.toContain('acme-website');
    expect(s.summary.checks).toBe(s.checks.length);
    expect(s.bySeverity.reduce((n, b) => n + b.checks, 0)).toBe(s.checks.length);
    expect(s.bySeverity.reduce((n, b) => n + b.FAIL, 0)).toBe(s.summary.FAIL);
    const soc2 = s.frameworks.find((f) => f.id === 'soc2')!;
    expect(soc2.summary.automated + soc2.summary.manual).toBe(soc2.summary.controls);
    expect(soc2.summary.manual).toBeGreaterThan(0);
  });

  it('gives a check with its remediation and its results, filtered and paged', async () => {
    const res = await as('viewer', '/api/posture/checks/s3-bucket-public?status=FAIL');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      check: { rationale: string; remediation: { text: string; cli?: string; cdk?: string } };
      results: { total: number; items: { status: string; resource: { id: string }; message: string }[] };
    };
    expect(body.check.rationale.length).toBeGreaterThan(20);
    expect(body.check.remediation.text.length).toBeGreaterThan(10);
    expect(body.check.remediation.cli).toBeTruthy();
    expect(body.results.items.every((r) => r.status === 'FAIL')).toBe(true);
    const website = body.results.items.find((r) => r.resource.id.includes('acme-website'))!;
    expect(website.message).toContain('acme-website');
    expect(body.results.items.some((r) => r.resource.id.includes(HOSTILE))).toBe(true);

    const passing = (await (
      await as('viewer', '/api/posture/checks/s3-bucket-public?status=PASS')
    ).json()) as {
      results: { total: number; items: { status: string }[] };
    };
    expect(passing.results.items.every((r) => r.status === 'PASS')).toBe(true);
    const all = (await (await as('viewer', '/api/posture/checks/s3-bucket-public')).json()) as {
      results: { total: number };
    };
    expect(all.results.total).toBe(body.results.total + passing.results.total);
    const page = (await (
      await as('viewer', '/api/posture/checks/s3-bucket-public?offset=1&limit=1')
    ).json()) as { results: { total: number; offset: number; items: unknown[] } };
    expect(page.results).toMatchObject({ total: all.results.total, offset: 1 });
    expect(page.results.items).toHaveLength(1);
  });

  it('answers 404 for an unknown check, framework or snapshot, and 400 for a bad status', async () => {
    const notFound = async (path: string) => {
      const res = await as('viewer', path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error).toBe('VIGIL_NOT_FOUND');
    };
    await notFound('/api/posture/checks/no-such-check');
    await notFound('/api/posture/frameworks/hipaa');
    await notFound('/api/posture/frameworks/soc2?snapshot=other.json');
    await notFound('/api/posture/checks/s3-bucket-public?snapshot=other.json');
    expect((await as('viewer', '/api/posture/checks/s3-bucket-public?status=MAYBE')).status).toBe(400);
    expect((await as('viewer', '/api/posture/report.html?framework=hipaa')).status).toBe(400);
  });

  it('evaluates a framework: failing resources of a failing control, manual controls awaiting evidence', async () => {
    const res = await as('viewer', '/api/posture/frameworks/soc2?snapshot=snapshot.json');
    expect(res.status).toBe(200);
    const fw = (await res.json()) as { framework: { id: string }; controls: Control[] };
    expect(fw.framework.id).toBe('soc2');
    const failing = fw.controls.filter((c) => c.status === 'FAIL');
    expect(failing.length).toBeGreaterThan(0);
    const publicControl = failing.find((c) => c.checks.some((o) => o.id === 's3-bucket-public'))!;
    expect(publicControl.failing.some((r) => r.resource.id.includes('acme-website'))).toBe(true);
    expect(publicControl.failingTotal).toBeGreaterThanOrEqual(publicControl.failing.length);
    expect(publicControl.checks.find((o) => o.id === 's3-bucket-public')!.title).toBeTruthy();
    const cc11 = fw.controls.find((c) => c.id === 'CC1.1')!;
    expect(cc11).toMatchObject({ status: 'MANUAL-AWAITING', coverage: 'manual', evidence: [] });
    // Never "compliant": only the statuses the evaluation defines.
    for (const c of fw.controls)
      expect(['PASS', 'FAIL', 'PARTIAL', 'UNKNOWN', 'MANUAL-AWAITING', 'MANUAL-EVIDENCED']).toContain(
        c.status,
      );
  });

  it('adds evidence as a responder (viewer refused): the control becomes MANUAL-EVIDENCED, audited', async () => {
    const body = {
      framework: 'soc2',
      control: 'CC1.1',
      note: 'Code of conduct signed by all staff',
      expires: '2099-12-31',
    };
    const viewer = await as('viewer', '/api/posture/evidence', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(viewer.status).toBe(403);

    const res = await as('responder', '/api/posture/evidence', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    const added = (await res.json()) as { id: string; by: string; expires: string };
    expect(added).toMatchObject({ by: 'token:t-responder', expires: '2099-12-31T23:59:59.999Z' });
    expect(loadEvidence(join(dir, 'evidence.json')).map((n) => n.id)).toEqual([added.id]);

    const fw = (await (await as('viewer', '/api/posture/frameworks/soc2')).json()) as { controls: Control[] };
    const cc11 = fw.controls.find((c) => c.id === 'CC1.1')!;
    expect(cc11.status).toBe('MANUAL-EVIDENCED');
    expect(cc11.evidence).toEqual([expect.objectContaining({ note: body.note, by: 'token:t-responder' })]);
    const summary = (await (await as('viewer', '/api/posture')).json()) as {
      snapshots: { frameworks: { id: string; summary: { statuses: Record<string, number> } }[] }[];
    };
    const soc2 = summary.snapshots[0]!.frameworks.find((f) => f.id === 'soc2')!;
    expect(soc2.summary.statuses['MANUAL-EVIDENCED']).toBeGreaterThanOrEqual(1);

    const audit = (await (await admin.get('/api/audit?action=posture.evidence')).json()) as {
      entries: { user: string; target: string }[];
    };
    expect(audit.entries).toEqual([
      expect.objectContaining({ user: 'token:t-responder', target: 'soc2:CC1.1' }),
    ]);
  });

  it('refuses bad evidence with a sentence naming the problem', async () => {
    const post = async (body: object) => {
      const res = await as('responder', '/api/posture/evidence', {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return { status: res.status, message: ((await res.json()) as { message: string }).message };
    };
    const ok = { framework: 'soc2', control: 'CC1.2', note: 'Board minutes', expires: '2099-01-01' };
    expect(await post({ ...ok, framework: 'hipaa' })).toMatchObject({
      status: 400,
      message: /unknown framework hipaa/,
    });
    expect(await post({ ...ok, control: 'CC99.9' })).toMatchObject({
      status: 400,
      message: /no control CC99\.9/,
    });
    expect(await post({ ...ok, expires: 'next week' })).toMatchObject({ status: 400, message: /expires/ });
    expect(await post({ ...ok, expires: '2001-01-01' })).toMatchObject({
      status: 400,
      message: /in the past/,
    });
    expect(await post({ ...ok, note: '' })).toMatchObject({ status: 400 });
    expect(loadEvidence(join(dir, 'evidence.json'))).toHaveLength(1);
  });

  it('downloads the HTML report as an attachment with a CSP, every name escaped', async () => {
    const res = await as('viewer', '/api/posture/report.html?framework=soc2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="vigil-posture-soc2-[\d-]+\.html"$/,
    );
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('acme-website');
    expect(html).toContain('acme-&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    // Manual controls are shown as awaiting evidence or evidenced, never as passing.
    expect(html).toContain('Manual: evidenced');
    expect(html).toContain('Manual: awaiting evidence');

    const checks = await as('viewer', '/api/posture/report.html');
    expect(checks.status).toBe(200);
    expect(checks.headers.get('content-disposition')).toMatch(/filename="vigil-posture-checks-/);
    const text = await checks.text();
    expect(text).toContain('acme-&lt;script&gt;');
    expect(text).not.toContain('<script');
  });
});

describe('posture API without snapshots or evidence file', () => {
  let dir: string;
  let running: RunningServe;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-posture-api-none-'));
    running = await serve(dir, { snapshots: [join(dir, 'missing.json')] });
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the unreadable file by base name, answers 404 for data and 409 for evidence', async () => {
    const admin = await login(running.url);
    const body = (await (await admin.get('/api/posture')).json()) as Summary;
    expect(body.snapshots).toEqual([]);
    expect(body.evidenceConfigured).toBe(false);
    expect(body.problems).toEqual([{ file: 'missing.json', message: expect.any(String) }]);
    expect(body.problems[0]!.message).not.toContain(dir);
    const check = await admin.get('/api/posture/checks/s3-bucket-public');
    expect(check.status).toBe(404);
    expect(((await check.json()) as { message: string }).message).toMatch(
      /no posture snapshot has been loaded/,
    );
    expect((await admin.get('/api/posture/report.html')).status).toBe(404);
    const res = await admin.post('/api/posture/evidence', {
      framework: 'soc2',
      control: 'CC1.1',
      note: 'x',
      expires: '2099-01-01',
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/posture\.evidence/);
  });
});
