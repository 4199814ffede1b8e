import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import type { Finding } from '../core/finding.js';
import { login, TEST_ADMIN_PASSWORD } from '../testing/api-client.js';
import { until } from '../testing/until.js';
import { startServe } from './serve.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-posture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DEMO = new URL('../../demo/posture/snapshot.json', import.meta.url);

describe('vigil serve with a posture snapshot', () => {
  it('turns failing checks into findings and resolves them when a later snapshot passes or the resource is gone', async () => {
    const file = join(dir, 'snapshot.json');
    copyFileSync(DEMO, file);
    const config = parseConfig(
      JSON.stringify({
        server: { port: 0, dashboard: false },
        store: { sqlite: join(dir, 'data', 'vigil.db') },
        posture: { snapshots: [file], pollSeconds: 0.1 },
      }),
      'test.yaml',
      {},
    );
    const running = await startServe(config, {
      env: { VIGIL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
      fetch: globalThis.fetch,
      log: () => undefined,
    });
    try {
      const admin = await login(running.url);
      const publicFindings = async () => {
        const res = await admin.get('/api/findings?type=Policy:S3/BucketPublicAccessGranted&limit=50');
        return ((await res.json()) as { items: Finding[] }).items;
      };
      await until(async () => (await publicFindings()).length === 2, 'the public-bucket findings');
      const found = await publicFindings();
      expect(found.map((f) => f.resources[0]!.id).sort()).toEqual(['acme-press-kit', 'acme-website']);
      expect(found.every((f) => f.status === 'NEW' && f.detector === 'posture:s3-bucket-public')).toBe(true);

      // The website bucket loses its public statement; the press kit bucket is deleted.
      const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
        collectedAt: string;
        accounts: { s3: { buckets: { Name: string; Policy?: unknown }[] } }[];
      };
      const account = snapshot.accounts[0]!;
      account.s3.buckets = account.s3.buckets.filter((b) => b.Name !== 'acme-press-kit');
      for (const b of account.s3.buckets) if (b.Name === 'acme-website') b.Policy = null;
      snapshot.collectedAt = '2026-11-26T09:00:00Z';
      writeFileSync(file, JSON.stringify(snapshot));
      utimesSync(file, new Date(), new Date(Date.now() + 10_000));
      await until(
        async () => (await publicFindings()).every((f) => f.status === 'RESOLVED'),
        'both resolved',
      );
    } finally {
      await running.stop();
    }
  });
});
