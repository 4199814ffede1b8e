import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchChromium } from '../testing/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../core/event.js';
import type { Finding } from '../core/finding.js';
import { makeEvent } from '../findings/testing.js';
import { ADMIN_PASSWORD, startDashboard, type Dashboard } from './test-support.js';

/**
 * The dashboard in real headless Chromium (Debian's, driven by playwright-core; never a downloaded
 * browser): log in, the overview fills and updates live, filter findings, open one, resolve it, create a
 * suppression rule, role-aware actions, themes — and stored XSS: findings whose user agent, bucket name
 * and ARN carry HTML and script payloads render as text, execute nothing and break no CSP rule.
 */

/** What the callbacks run inside the page use (this project compiles without the DOM library). */
interface Browser {
  __xss?: number;
  innerWidth: number;
  document: { documentElement: { scrollWidth: number } };
  sessionStorage: { getItem(key: string): string | null };
}
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const XSS_UA = '<img src=x onerror="window.__xss=1;alert(1)">';
const XSS_BUCKET = '<script>window.__xss=2;alert(2)</script>bucket';
const XSS_ARN = 'arn:aws:iam::111111111111:role/<img src=x onerror=window.__xss=3>';
const now = Date.now();
const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

function event(i: number, overrides: Partial<VigilEvent> = {}): VigilEvent {
  const time = overrides.time ?? iso(5 + i);
  return makeEvent({
    time,
    ts: Date.parse(time),
    eventId: `ev-${i}`,
    raw: { eventID: `ev-${i}`, n: i },
    ...overrides,
  });
}

function finding(n: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `f-${n}`,
    type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
    detector: 'cloudtrail-stop-logging',
    title: `CloudTrail logging stopped #${n}`,
    description: 'A trail stopped logging.',
    severity: 8,
    severityLabel: 'HIGH',
    status: 'NEW',
    accountId: '111111111111',
    region: 'us-east-1',
    firstSeen: iso(30 + n),
    lastSeen: iso(10 + n),
    count: 1,
    actor: { principal: 'arn:aws:iam::111111111111:user/alice', ip: '203.0.113.7', geo: { country: 'NL' } },
    resources: [],
    evidence: { eventIds: [`ev-${n}`], eventNames: ['StopLogging'] },
    mitre: { tactics: ['TA0005'], techniques: ['T1562.008'] },
    remediation: 'Start logging again and find out who stopped it.',
    references: [],
    ...overrides,
  };
}

describe.skipIf(!hasChromium())('dashboard in Chromium', () => {
  let dash: Dashboard;
  let context: BrowserContext;
  let page: Page;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const dialogs: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
  const noXss = async () => {
    expect(await page.evaluate(() => (globalThis as unknown as Browser).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dash = await startDashboard();
    const events = [
      ...Array.from({ length: 20 }, (_, i) => event(i, i % 4 === 0 ? { errorCode: 'AccessDenied' } : {})),
      event(100, {
        userAgent: XSS_UA,
        principal: XSS_ARN,
        eventName: 'GetObject',
        service: 's3',
        eventSource: 's3.amazonaws.com',
      }),
      event(101, {
        eventName: 'PutBucketPolicy',
        eventSource: 's3.amazonaws.com',
        service: 's3',
        principal: XSS_ARN,
        userAgent: XSS_UA,
        raw: {
          eventID: 'ev-101',
          eventName: 'PutBucketPolicy',
          requestParameters: { bucketName: XSS_BUCKET },
        },
      }),
    ];
    dash.events.add(events);
    for (let n = 1; n <= 12; n++) {
      const severityLabel = n <= 3 ? 'CRITICAL' : n <= 8 ? 'HIGH' : 'MEDIUM';
      const f = finding(n, { severityLabel, severity: n <= 3 ? 9.5 : n <= 8 ? 8 : 5 });
      dash.store.upsert(f, [`ev-${n}`], [f.lastSeen]);
    }
    const hostile = finding(100, {
      title: `Bucket made public ${XSS_BUCKET}`,
      description: `Policy changed on ${XSS_BUCKET} by ${XSS_ARN}`,
      severityLabel: 'CRITICAL',
      severity: 9.9,
      type: 'Policy:S3/BucketBlockPublicAccessDisabled',
      actor: { principal: XSS_ARN, userAgent: XSS_UA, ip: '198.51.100.9' },
      resources: [
        { type: 'AwsS3Bucket', id: XSS_BUCKET },
        { type: 'AwsIamRole', id: XSS_ARN },
      ],
      evidence: { eventIds: ['ev-101'], eventNames: ['PutBucketPolicy'] },
      remediation: `<a href="javascript:window.__xss=4">fix</a>`,
      references: ['javascript:window.__xss=5'],
    });
    dash.store.upsert(hostile, ['ev-101'], [hostile.lastSeen]);

    browser = await launchChromium();
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  it('serves the page under a strict CSP and asks for a login', async () => {
    const response = await page.goto(dash.url + '/');
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    await page.waitForSelector('#login-form');
    await page.fill('#login-user', 'admin');
    await page.fill('#login-password', 'wrong password!');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-form .error:not([hidden])');
    expect(await page.textContent('#login-form .error')).toContain('Wrong user or password');
  });

  it('logs in and shows the overview, which updates live', async () => {
    await page.fill('#login-user', 'admin');
    await page.fill('#login-password', ADMIN_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#overview .tiles');
    expect(await page.textContent('#who')).toContain('admin');
    const critical = page.locator('.tile.sev-critical .tile-value');
    await expect.poll(() => critical.textContent()).toBe('4');
    expect(await page.locator('#overview canvas').count()).toBeGreaterThan(0);
    await page.waitForSelector('#live-status[data-state=live]');
    // A new finding arrives while the page is open: the stream tells the page, which refreshes itself.
    const f = finding(50, { severityLabel: 'CRITICAL', severity: 9.1, title: 'Root console login' });
    dash.store.upsert(f, ['ev-50'], [f.lastSeen]);
    dash.hub.publish('finding', { id: f.id, severityLabel: f.severityLabel });
    await expect.poll(() => critical.textContent(), { timeout: 15_000 }).toBe('5');
    await shot('overview');
    await noXss();
  });

  it('filters, sorts and pages the findings table', async () => {
    await page.click('nav a[href="#/findings"]');
    await page.waitForSelector('#findings-table');
    expect(await page.textContent('#findings-count')).toContain('of 14');
    await page.selectOption('#filter-severity', 'CRITICAL');
    await page.click('#apply-filters');
    await expect.poll(() => page.textContent('#findings-count')).toContain('of 5');
    const labels = await page.locator('#findings-table tbody .sev').allTextContents();
    expect(labels.length).toBe(5);
    expect(new Set(labels)).toEqual(new Set(['CRITICAL']));
    expect(page.url()).toContain('severity=CRITICAL');
    await page.fill('#filter-q', 'Root');
    await page.click('#apply-filters');
    await expect.poll(() => page.textContent('#findings-count')).toContain('of 1');
    await shot('findings-filtered');
  });

  it('opens a finding, shows its raw evidence and resolves it', async () => {
    await page.fill('#filter-q', '');
    await page.selectOption('#filter-severity', '');
    await page.click('#apply-filters');
    await expect.poll(() => page.textContent('#findings-count')).toContain('of 14');
    await page.click('a.finding-link[href="#/findings/f-2"]');
    await page.waitForSelector('#finding-title');
    expect(await page.textContent('#finding-title')).toBe('CloudTrail logging stopped #2');
    await page.click('.evidence button');
    await expect.poll(() => page.textContent('.evidence pre.raw')).toContain('"eventID": "ev-2"');
    await page.click('.action-resolved');
    await page.fill('#status-reason', 'planned maintenance');
    await page.click('#status-confirm');
    // The dialog closes on success; on an API error it stays open and says why.
    await page.waitForSelector('#status-dialog', { state: 'detached', timeout: 10_000 }).catch(async () => {
      throw new Error(`status change failed: ${await page.textContent('#status-dialog .error')}`);
    });
    await expect.poll(() => page.textContent('#finding-status')).toBe('RESOLVED');
    expect(dash.store.get('f-2')?.status).toBe('RESOLVED');
    // The reason of a resolve is kept as a note (the API takes a reason only with a suppression).
    await expect.poll(() => page.textContent('#notes')).toContain('Resolve: planned maintenance');
    await shot('finding-resolved');
  });

  it('adds a note and creates a suppression rule from the finding', async () => {
    await page.fill('#note-text', 'Checked with the platform team.');
    await page.click('.note-form button[type=submit]');
    await expect.poll(() => page.textContent('#notes')).toContain('Checked with the platform team.');
    await page.click('.action-rule');
    await page.waitForSelector('#rule-dialog');
    expect(JSON.parse(await page.inputValue('#rule-pattern'))).toBeTypeOf('object');
    await page.fill('#rule-reason', 'Known maintenance role');
    await page.click('#rule-save');
    await page.waitForSelector('#suppressions table');
    expect(await page.textContent('#suppressions')).toContain('Known maintenance role');
    expect(dash.store.suppressionRules().map((r) => r.reason)).toEqual(['Known maintenance role']);
    await shot('suppressions');
  });

  it('renders hostile user agent, bucket name and ARN as text and runs none of it', async () => {
    await page.goto(`${dash.url}/#/findings?q=public`);
    await page.waitForSelector('#findings-table');
    expect(await page.textContent('#findings-table')).toContain(XSS_BUCKET);
    await page.click('a.finding-link[href="#/findings/f-100"]');
    await page.waitForSelector('#finding-title');
    expect(await page.textContent('#finding-title')).toBe(`Bucket made public ${XSS_BUCKET}`);
    expect(await page.textContent('#actor-user-agent')).toBe(XSS_UA);
    expect(await page.textContent('#actor-principal')).toBe(XSS_ARN);
    expect(await page.locator('.resource-id').allTextContents()).toEqual([XSS_BUCKET, XSS_ARN]);
    await page.click('.evidence button');
    await expect.poll(() => page.textContent('.evidence pre.raw')).toContain('PutBucketPolicy');
    // The payloads made no elements: no <img>, no <script> and no javascript: link inside the page.
    expect(await page.locator('main img, main script, a[href^="javascript"]').count()).toBe(0);
    await shot('xss-finding');
    await page.click('nav a[href="#/s3"]');
    await page.waitForSelector('#s3-changes table');
    expect(await page.textContent('#s3-changes')).toContain(XSS_BUCKET);
    await page.click('nav a[href="#/activity"]');
    await page.fill('#event-q', 'onerror');
    await page.press('#event-q', 'Enter');
    await page.waitForSelector('#event-results table');
    expect(await page.textContent('#event-results')).toContain(XSS_ARN);
    expect(await page.locator('main img, main script').count()).toBe(0);
    await shot('activity');
    await noXss();
  });

  it('shows the health and responses pages, honest when empty', async () => {
    await page.click('nav a[href="#/responses"]');
    await page.waitForSelector('#responses-empty');
    await page.click('nav a[href="#/health"]');
    await page.waitForSelector('main .tiles');
  });

  it('hides triage actions from a viewer (the API refuses them anyway)', async () => {
    const created = await page.evaluate(async () => {
      const csrf = (globalThis as unknown as Browser).sessionStorage.getItem('vigil.csrf') ?? '';
      const r = await fetch('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ name: 'vera', role: 'viewer', password: 'viewer password 1' }),
      });
      return r.status;
    });
    expect(created).toBeLessThan(300);
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    await page.fill('#login-user', 'vera');
    await page.fill('#login-password', 'viewer password 1');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#overview');
    await page.goto(`${dash.url}/#/findings/f-3`);
    await page.waitForSelector('#finding-title');
    expect(await page.locator('.finding-header button').count()).toBe(0);
    expect(await page.locator('#note-text').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/findings/f-3/status', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-csrf-token': (globalThis as unknown as Browser).sessionStorage.getItem('vigil.csrf') ?? '',
        },
        body: JSON.stringify({ status: 'RESOLVED' }),
      });
      return r.status;
    });
    expect(status).toBe(403);
  });

  it('switches to the dark theme, remembers it, and fits a tablet', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.click('#theme-toggle');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    await page.reload();
    await page.waitForSelector('#finding-title');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    const overflow = await page.evaluate(() => {
      const b = globalThis as unknown as Browser;
      return b.document.documentElement.scrollWidth - b.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('tablet-dark');
    await noXss();
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
