import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { score, type ScenarioTruth, type ScoredFinding } from '../src/simulate/score.js';
import type { Labels } from '../src/simulate/simulate.js';
import { runCli } from './helpers/run-cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-sim-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `vigil simulate` end to end with the built CLI: it writes a labelled set, `vigil scan` reads all
 * three log formats in it, and the CloudTrail scenarios (whose detections are long established) are
 * found by the scorer `npm run eval` uses.
 */
describe('vigil simulate', () => {
  it('writes a labelled set that vigil scan reads, with the CloudTrail scenarios detected', async () => {
    const out = join(dir, 'set');
    const sim = await runCli(['simulate', '--out', out, '--days', '2', '--scale', 'small', '--seed', 'cli']);
    expect(sim.code).toBe(0);
    expect(sim.stderr).toMatch(
      /records \(\d+ CloudTrail, \d+ flow, \d+ DNS; \d+ malicious in 15 scenarios\)/,
    );
    const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as Labels;
    expect(existsSync(join(out, labels.files.threatList))).toBe(true);

    const scan = await runCli([
      'scan',
      join(out, 'AWSLogs'),
      '--format',
      'jsonl',
      '--quiet',
      '--threat-intel',
      join(out, labels.files.threatList),
    ]);
    expect([0, 3]).toContain(scan.code);
    expect(scan.stderr).toMatch(new RegExp(`${labels.totals.records} record\\(s\\); skipped 0 bad`));
    const findings = scan.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ScoredFinding);
    const truths: ScenarioTruth[] = labels.scenarios.map((s) => ({
      ...s,
      eventIds: new Set(s.records.cloudtrail),
    }));
    const result = score(findings, truths, labels.totals.benign);
    const detected = new Set(result.scenarios.filter((s) => s.detected).map((s) => s.id));
    for (const id of [
      'recon-iam-enumeration',
      'privesc-attach-admin',
      'defense-evasion',
      'cred-console-no-mfa',
    ]) {
      expect(detected.has(id), id).toBe(true);
    }
  });

  it('rejects bad options with a usage error', async () => {
    const noOut = await runCli(['simulate']);
    expect(noOut.code).toBe(1);
    expect(noOut.stderr).toMatch(/needs --out/);
    const days = await runCli(['simulate', '--out', join(dir, 'x'), '--days', '1']);
    expect(days.code).toBe(1);
    expect(days.stderr).toMatch(/--days must be a whole number from 2 to 90/);
    const scale = await runCli(['simulate', '--out', join(dir, 'x'), '--scale', 'huge']);
    expect(scale.stderr).toMatch(/--scale must be small or medium/);
  });
});
