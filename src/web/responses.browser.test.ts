import {
  AttachUserPolicyCommand,
  DetachUserPolicyCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import type { Finding } from '../core/finding.js';
import { testClients } from '../respond/testing.js';
import { startServe, type RunningServe } from '../serve/serve.js';
import { openFindingStore } from '../store/index.js';
import { login, TEST_ADMIN_PASSWORD } from '../testing/api-client.js';
import { hasChromium, launchChromium } from '../testing/chromium.js';

/**
 * The dashboard's automated-response pages in real headless Chromium against `vigil serve`: the demo's
 * dry-run playbook shows its plans with a DRY RUN badge; a live playbook's destructive step waits for
 * approval, is approved in the browser and calls AWS (aws-sdk-client-mock) exactly once, then is undone
 * from the browser; the kill switch; and finding text carrying HTML renders as text.
 */

interface Browser {
  __xss?: number;
}
const ACCOUNT = '123456789012';
const DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
const XSS_TITLE = '<img src=x onerror="window.__xss=1">Key leaked';
const XSS_PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/<img src=x onerror=window.__xss=2>`;
const iam = mockClient(IAMClient);
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const shot = (name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `responses-${name}.png`), fullPage: true });

let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

const env = { VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD };

async function logIn(url: string): Promise<void> {
  await page.goto(`${url}/#/overview`);
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', 'admin');
  await page.fill('#login-password', TEST_ADMIN_PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#who');
}

/** Confirms the open response dialog; fails with the dialog's error if the API refused. */
async function confirm(): Promise<void> {
  await page.click('#respond-confirm');
  await page.waitForSelector('#respond-dialog', { state: 'detached', timeout: 10_000 }).catch(async () => {
    throw new Error(`the action failed: ${await page.textContent('#respond-dialog .error')}`);
  });
}

const noXss = async () => {
  expect(await page.evaluate(() => (globalThis as unknown as Browser).__xss)).toBeUndefined();
  expect(await page.locator('main img, main script').count()).toBe(0);
  expect(dialogs).toEqual([]);
};

beforeAll(async () => {
  if (!hasChromium()) return;
  mkdirSync(ARTIFACTS, { recursive: true });
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
  iam.restore();
});

describe.skipIf(!hasChromium())('Responses in Chromium: the demo in dry run', () => {
  let dir: string;
  let running: RunningServe;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-web-respond-demo-'));
    const demo = parse(readFileSync(join(process.cwd(), 'demo', 'vigil.demo.yaml'), 'utf8')) as {
      server: object;
      store: object;
      sources: { speed: number }[];
    };
    demo.server = { host: '127.0.0.1', port: 0 };
    demo.store = { sqlite: join(dir, 'data', 'demo.db') };
    demo.sources[0]!.speed = 5_000_000;
    running = await startServe(parseConfig(JSON.stringify(demo), 'demo.yaml', {}), {
      env,
      fetch: globalThis.fetch,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the plan of a demo finding with a DRY RUN badge, and on the finding page', async () => {
    const admin = await login(running.url);
    type Runs = { runs: { findingId: string; actions: { plan: string }[] }[] };
    await expect
      .poll(
        async () => {
          const { runs } = (await (await admin.get('/api/responses/runs?limit=200')).json()) as Runs;
          return runs.some((r) => r.actions.some((a) => /of IAM user deploy-bot/.test(a.plan)));
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe(true);

    await logIn(running.url);
    await page.click('nav a[href="#/responses"]');
    const run = page
      .locator('#response-runs .response-run')
      .filter({ hasText: /Deactivate access key AKIA\w+ of IAM user deploy-bot/ })
      .first();
    await run.waitFor();
    expect(await run.locator('.mode-dry-run').textContent()).toBe('DRY RUN');
    expect(await run.locator('.run-playbook').textContent()).toBe('contain-leaked-key');
    expect(await run.getAttribute('data-status')).toBe('planned');
    // A plan is not something to approve or undo.
    expect(await page.locator('.action-approve, .action-reject, .action-undo').count()).toBe(0);
    expect(await page.locator('#kill-switch-state').getAttribute('data-on')).toBe('false');
    await shot('demo');

    await run.locator('a.run-finding').click();
    await page.waitForSelector('#finding-title');
    const own = page.locator('#finding-runs .response-run').filter({ hasText: 'deploy-bot' });
    await own.first().waitFor();
    expect(await own.first().locator('.mode-dry-run').count()).toBe(1);
    await shot('demo-finding');
  });

  it('runs a playbook on a finding whose text carries HTML and shows it all as text', async () => {
    const store = openFindingStore(join(dir, 'data', 'demo.db'));
    const hostile: Finding = {
      id: 'f-hostile',
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      detector: 'test',
      title: XSS_TITLE,
      description: `Signed in as ${XSS_PRINCIPAL}`,
      severity: 8,
      severityLabel: 'HIGH',
      status: 'NEW',
      accountId: ACCOUNT,
      region: 'us-east-1',
      firstSeen: new Date().toISOString(),
      lastSeen: new Date().toISOString(),
      count: 1,
      actor: { principal: XSS_PRINCIPAL, principalType: 'IAMUser', accessKeyId: 'AKIA<b>bold</b>' },
      resources: [],
      evidence: { eventIds: [], eventNames: ['ConsoleLogin'] },
      mitre: { tactics: [], techniques: [] },
      remediation: '',
      references: [],
    };
    store.upsert(hostile, []);
    store.close();

    await page.goto(`${running.url}/#/findings/f-hostile`);
    await page.waitForSelector('#run-form');
    expect(await page.locator('#finding-runs').textContent()).toContain('No playbook has run');
    await page.selectOption('#run-playbook', 'contain-leaked-key');
    await page.click('#run-submit');
    const run = page.locator('#finding-runs .response-run');
    await run.first().waitFor();
    expect(await run.first().locator('.mode-dry-run').textContent()).toBe('DRY RUN');
    await noXss();

    await page.click('nav a[href="#/responses"]');
    const link = page.locator('#response-runs a.run-finding[href="#/findings/f-hostile"]');
    await link.waitFor();
    expect(await link.textContent()).toBe(XSS_TITLE);
    await noXss();
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!hasChromium())('Responses in Chromium: a live playbook', () => {
  let dir: string;
  let running: RunningServe;
  const attached: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-web-respond-live-'));
    mkdirSync(join(dir, 'logs'));
    iam.reset();
    iam.on(ListUserTagsCommand).resolves({ Tags: [] });
    iam.on(ListAttachedUserPoliciesCommand).callsFake(async () => ({
      AttachedPolicies: attached.map((PolicyArn) => ({ PolicyArn })),
    }));
    iam.on(AttachUserPolicyCommand).callsFake(async (input: { PolicyArn: string }) => {
      attached.push(input.PolicyArn);
      return { $metadata: { requestId: 'req-attach-1' } };
    });
    iam.on(DetachUserPolicyCommand).callsFake(async (input: { PolicyArn: string }) => {
      attached.splice(attached.indexOf(input.PolicyArn), 1);
      return { $metadata: { requestId: 'req-detach-1' } };
    });
    const config = parseConfig(
      JSON.stringify({
        server: { host: '127.0.0.1', port: 0 },
        store: { sqlite: join(dir, 'data', 'vigil.db') },
        sources: [{ id: 'trail', kind: 'folder', path: join(dir, 'logs'), pollSeconds: 0.05 }],
        respond: {
          homeAccountId: ACCOUNT,
          playbooks: [
            {
              id: 'quarantine-live',
              dryRun: false,
              trigger: { pattern: { detail: { type: [{ prefix: 'Stealth:' }] } } },
              steps: [
                {
                  id: 'quarantine',
                  action: 'iam.quarantine-user', // destructive: waits for approval
                  params: { userName: '{{ finding.actor.principal | name }}' },
                },
              ],
            },
          ],
        },
      }),
      'test.yaml',
      {},
    );
    running = await startServe(config, {
      env,
      fetch: globalThis.fetch,
      log: () => undefined,
      respondClients: testClients,
    });
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the run arrive live, approves it in the browser and calls AWS exactly once', async () => {
    await logIn(running.url);
    await page.click('nav a[href="#/responses"]');
    await page.waitForSelector('#response-runs .empty');
    await page.waitForSelector('#live-status[data-state=live]');
    // The finding arrives while the page is open: the stream's `response` event refreshes the list.
    writeFileSync(
      join(dir, 'logs', `${ACCOUNT}_CloudTrail_us-east-1_20261120T1000Z_a.json`),
      JSON.stringify({ Records: [stopLogging()] }),
    );
    const run = page.locator('#response-runs .response-run[data-status="awaiting-approval"]');
    await run.waitFor({ timeout: 30_000 });
    expect(await run.locator('.mode-live').textContent()).toBe('LIVE');
    expect(await run.locator('.plan').textContent()).toContain('Quarantine IAM user mallory');
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);

    await run.locator('.action-approve').click();
    expect(await page.textContent('#respond-dialog-text')).toContain('Quarantine IAM user mallory');
    await confirm();
    const done = page.locator('#response-runs .response-run[data-status="succeeded"]');
    await done.waitFor({ timeout: 30_000 });
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(AttachUserPolicyCommand)[0]!.args[0].input).toEqual({
      UserName: 'mallory',
      PolicyArn: DENY_ALL,
    });
    const text = await done.textContent();
    expect(text).toContain('Approved by admin');
    expect(text).toContain('req-attach-1');
    // Approving twice is refused by the API (409), and the page offers it no more.
    expect(await page.locator('.action-approve').count()).toBe(0);
  });

  it('undoes the action from the browser: DetachUserPolicy once', async () => {
    await page.locator('.action-undo').click();
    await confirm();
    const undo = page.locator('#response-runs li.response-action.undo[data-status="succeeded"]');
    await undo.waitFor({ timeout: 30_000 });
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(DetachUserPolicyCommand)[0]!.args[0].input).toEqual({
      UserName: 'mallory',
      PolicyArn: DENY_ALL,
    });
    expect(await undo.textContent()).toContain('Undo requested by admin');
    expect(await page.locator('.action-undo').count()).toBe(0);
    expect(attached).toEqual([]);
    // The statistics follow the stream too: the quarantine and its undo, both succeeded.
    const succeeded = page.locator('main .tile').filter({ hasText: 'Succeeded' }).locator('.tile-value');
    await expect.poll(() => succeeded.first().textContent(), { timeout: 15_000 }).toBe('2');
    await shot('live-undone');
  });

  it('lets an admin turn the kill switch on and off', async () => {
    const admin = await login(running.url);
    await page.click('#kill-switch-toggle');
    await confirm();
    await page.waitForSelector('#kill-switch-state[data-on="true"]');
    expect(await (await admin.get('/api/responses/kill-switch')).json()).toMatchObject({ on: true });
    await page.click('#kill-switch-toggle');
    await confirm();
    await page.waitForSelector('#kill-switch-state[data-on="false"]');
    expect(await (await admin.get('/api/responses/kill-switch')).json()).toMatchObject({
      on: false,
      by: 'admin',
    });
    await noXss();
    expect(pageErrors).toEqual([]);
  });
});

function stopLogging() {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'mallory',
    },
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
    responseElements: null,
    eventID: 'stop-1',
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
  };
}
