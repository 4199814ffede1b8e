import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandlers } from './lib/bundle.js';

let out: string;
beforeAll(async () => {
  out = await bundleHandlers(mkdtempSync(join(tmpdir(), 'vigil-bundle-')));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it('one self-contained file per function; detect ships its catalogue and data beside it', () => {
    for (const name of ['detect', 'triage', 'notify', 'respond'])
      expect(existsSync(join(out, name, 'index.mjs')), name).toBe(true);
    expect(existsSync(join(out, 'detect', 'detections'))).toBe(true);
    expect(existsSync(join(out, 'detect', 'data', 'aws-ip-ranges.json'))).toBe(true);
  });

  it('the bundled detect function starts as Lambda would (VIGIL_HOME=/var/task) and loads every detection', () => {
    const dir = join(out, 'detect');
    const script = `import(${JSON.stringify(join(dir, 'index.mjs'))}).then(async (m) => {
      const r = await m.handler({ Records: [{ messageId: 'm1', body: 'not json' }] });
      process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n');
    });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, VIGIL_HOME: dir, AWS_REGION: 'us-east-1', STATE_TABLE: 'vigil-state' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toContain('RESULT {"batchItemFailures":[]}');
    expect(run.stdout).toContain('poison record acknowledged');
    expect(run.stdout).not.toContain('detection not loaded');
  });
});
