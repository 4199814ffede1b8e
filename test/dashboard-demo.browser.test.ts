import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchChromium } from '../src/testing/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { startServe, type RunningServe } from '../src/serve/serve.js';
import { TEST_ADMIN_PASSWORD } from '../src/testing/api-client.js';

/**
 * What a newcomer sees after `npm start`: the real `vigil serve` with the demo source replaying the
 * bundled attack story, and the dashboard in real headless Chromium filling up as the story is replayed.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe.skipIf(!hasChromium())('the dashboard on the demo replay', () => {
  let dir: string;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let running: RunningServe;
  let context: BrowserContext;
  let page: Page;
  const lines: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'vigil-demo-ui-'));
    const config = parseConfig(
      JSON.stringify({
        server: { port: 0 },
        store: { sqlite: join(dir, 'demo.db') },
        sources: [{ id: 'demo', kind: 'demo', speed: 20000, loop: false }],
        channels: [{ id: 'console', kind: 'log' }],
        routes: [{ name: 'every-finding', pattern: { source: ['vigil'] }, targets: ['console'] }],
      }),
      'demo.yaml',
      {},
    );
    running = await startServe(config, {
      env: { VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
      fetch: globalThis.fetch,
      log: (line) => void lines.push(line),
    });
    browser = await launchChromium();
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs in and watches the overview fill with the attack story, without reloading', async () => {
    await page.goto(`${running.url}/`);
    await page.fill('#login-user', 'admin');
    await page.fill('#login-password', TEST_ADMIN_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#overview .tiles');
    const openText = page.locator('#overview p.muted', { hasText: 'open (new or acknowledged)' });
    const openCount = async () => Number(((await openText.textContent()) ?? '').replace(/[^0-9]/g, ''));
    const seen = [await openCount()];
    // The story raises about twenty findings; the page follows the live stream on its own.
    await expect
      .poll(
        async () => {
          seen.push(await openCount());
          return seen.at(-1);
        },
        { timeout: 120_000, intervals: [500] },
      )
      .toBeGreaterThanOrEqual(15);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen); // it only ever grew
    expect(await page.locator('#overview').textContent()).toContain('svc-backup');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-overview.png'), fullPage: true });

    // The newest finding's page shows its delivery to the log channel.
    await page.locator('#overview table a').first().click();
    await expect.poll(() => page.locator('body').textContent(), { timeout: 30_000 }).toContain('console');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-finding.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
