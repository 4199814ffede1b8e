import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { startServe, type RunningServe } from '../serve/serve.js';
import { login, TEST_ADMIN_PASSWORD } from '../testing/api-client.js';
import { hasChromium, launchChromium } from '../testing/chromium.js';

/**
 * The dashboard's Posture page in real headless Chromium against `vigil serve` with the demo
 * configuration and its snapshot (demo/posture/snapshot.json): the public website bucket fails
 * s3-bucket-public, SOC 2 shows its honest coverage, an admin attaches evidence to a manual control and
 * its status changes, and a viewer is offered no evidence form.
 */

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const VIEWER_PASSWORD = 'viewer-horse-battery-staple';
const shot = (name: string, fullPage = true) =>
  page.screenshot({ path: join(ARTIFACTS, `posture-${name}.png`), fullPage });

let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

async function logIn(url: string, user: string, password: string): Promise<void> {
  await page.goto(`${url}/#/overview`);
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#who');
}

describe.skipIf(!hasChromium())('Posture page in Chromium: the demo snapshot', () => {
  let dir: string;
  let running: RunningServe;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'vigil-web-posture-'));
    const demo = parse(readFileSync(join(process.cwd(), 'demo', 'vigil.demo.yaml'), 'utf8')) as {
      server: object;
      store: object;
      sources: unknown[];
      posture: { snapshots: string[]; evidence?: string };
    };
    demo.server = { host: '127.0.0.1', port: 0 };
    demo.store = { sqlite: join(dir, 'data', 'demo.db') };
    // The log replay has nothing to do with posture; the snapshot is the demo's own.
    demo.sources = [];
    demo.posture.evidence = join(dir, 'evidence.json');
    running = await startServe(parseConfig(JSON.stringify(demo), 'demo.yaml', {}), {
      env: { VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
      fetch: globalThis.fetch,
      log: () => undefined,
    });
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the snapshot, acme-website failing s3-bucket-public with its remediation, and SOC 2 coverage', async () => {
    await logIn(running.url, 'admin', TEST_ADMIN_PASSWORD);
    await page.click('nav a[href="#/posture"]');
    const check = page.locator('tbody.posture-check[data-check="s3-bucket-public"]');
    await check.waitFor();
    expect(await check.getAttribute('data-status')).toBe('FAIL');
    const snapshot = JSON.parse(
      readFileSync(join(process.cwd(), 'demo', 'posture', 'snapshot.json'), 'utf8'),
    ) as {
      collectedAt: string;
      errors: unknown[];
    };
    const header = await page.textContent('main');
    expect(header).toContain(snapshot.collectedAt.slice(0, 19).replace('T', ' '));
    expect(header).toContain('123456789012');
    if (snapshot.errors.length)
      expect(await page.locator('#collection-errors tbody tr').count()).toBe(snapshot.errors.length);
    expect(await page.locator('#posture-severity .tile').count()).toBe(4);

    await check.locator('.check-toggle').click();
    const website = check.locator('.check-result[data-resource*="acme-website"]');
    await website.waitFor();
    expect(await website.getAttribute('data-status')).toBe('FAIL');
    expect(await website.locator('.pstatus').textContent()).toBe('FAIL');
    expect(await website.locator('.sentence').textContent()).toContain('acme-website');
    expect(await check.locator('.check-remediation pre').count()).toBeGreaterThan(0);
    await shot('overview');
    await check.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('check-detail', false);

    // Filtering by status hides passing checks.
    await page.selectOption('#posture-status', 'PASS');
    await page.locator('tbody.posture-check').first().waitFor();
    const statuses = await page
      .locator('tbody.posture-check')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(new Set(statuses)).toEqual(new Set(['PASS']));
    await page.selectOption('#posture-status', '');

    const admin = await login(running.url);
    const api = (await (await admin.get('/api/posture')).json()) as {
      snapshots: {
        frameworks: { id: string; summary: { controls: number; automated: number; manual: number } }[];
      }[];
    };
    const soc2 = api.snapshots[0]!.frameworks.find((f) => f.id === 'soc2')!.summary;
    const coverage = await page.textContent('#framework-soc2 .coverage');
    expect(coverage).toContain(`${soc2.automated} of ${soc2.controls} controls`);
    expect(coverage).toContain(`have automated checks; ${soc2.manual} need evidence`);
    expect(await page.locator('#framework-soc2 a[download]').getAttribute('href')).toBe(
      '/api/posture/report.html?framework=soc2',
    );
    expect(await page.textContent('main')).not.toMatch(/compliant/i);
  });

  it('lets an admin attach evidence to a manual SOC 2 control, which becomes MANUAL-EVIDENCED', async () => {
    await page.click('#framework-soc2 h3 a');
    const control = page.locator('article.control[data-control="CC1.1"]');
    await control.waitFor();
    const awaiting = Number(
      await page
        .locator('#framework-statuses .tile')
        .filter({ hasText: 'MANUAL-AWAITING' })
        .locator('.tile-value')
        .textContent(),
    );
    expect(await control.getAttribute('data-status')).toBe('MANUAL-AWAITING');
    expect(await page.textContent('#framework-coverage')).toMatch(
      /\d+ of \d+ controls .* have automated checks/,
    );
    expect(await page.getAttribute('#framework-report', 'href')).toBe(
      '/api/posture/report.html?framework=soc2',
    );
    // A failing control lists the resources behind it.
    const failing = page
      .locator('article.control[data-status="FAIL"]')
      .filter({ hasText: 's3-bucket-public' });
    expect(await failing.first().locator('.failing').textContent()).toContain('acme-website');

    const note = 'Code of conduct <b>acknowledged</b> by all staff (HR record 2026-11)';
    await control.locator('.evidence-open').click();
    await control.locator('.evidence-note').fill(note);
    await control.locator('.evidence-expires').fill('2099-12-31');
    await control.locator('.evidence-submit').click();
    const evidenced = page.locator('article.control[data-control="CC1.1"][data-status="MANUAL-EVIDENCED"]');
    await evidenced.waitFor({ timeout: 15_000 });
    expect(await evidenced.locator('.pstatus').first().textContent()).toBe('MANUAL-EVIDENCED');
    const tile = (label: string) =>
      page.locator('#framework-statuses .tile').filter({ hasText: label }).locator('.tile-value');
    expect(await tile('MANUAL-EVIDENCED').textContent()).toBe('1');
    expect(Number(await tile('MANUAL-AWAITING').textContent())).toBe(awaiting - 1);
    expect(await evidenced.locator('.control-evidence p').first().textContent()).toBe(note);
    expect(await evidenced.locator('.control-evidence .note-meta').textContent()).toContain('admin');
    expect(await page.locator('main b').count()).toBe(0);
    // The framework page is long (every control): the screenshot shows the top, then the control.
    await page.evaluate(() =>
      (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
    );
    await shot('soc2', false);
    await evidenced.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shot('soc2-evidenced', false);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('offers a viewer no evidence form', async () => {
    const admin = await login(running.url);
    const created = await admin.post('/api/users', {
      name: 'auditor',
      role: 'viewer',
      password: VIEWER_PASSWORD,
    });
    expect(created.status).toBe(201);
    await page.click('#logout');
    await logIn(running.url, 'auditor', VIEWER_PASSWORD);
    await page.goto(`${running.url}/#/posture/soc2`);
    await page.locator('article.control[data-control="CC1.1"][data-status="MANUAL-EVIDENCED"]').waitFor();
    expect(await page.locator('.evidence-form').count()).toBe(0);
    expect(await page.locator('#framework-report').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
