import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sharedDir } from '../../testing/shared-data.js';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadSigmaDir } from './load-dir.js';

const SHARED = sharedDir();
const SIGMA = join(SHARED ?? '/nonexistent', 'sigma');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

describe.runIf(SHARED)('loadSigmaDir over the SigmaHQ AWS rules', () => {
  it('loads every rule under rules/', () => {
    const dir = join(SIGMA, 'rules');
    const { detections, problems } = loadSigmaDir(dir);
    expect(problems).toEqual([]);
    expect(detections.map((d) => d.file).sort()).toEqual(yamlFiles(dir));
    for (const d of detections) {
      expect(d.id).toMatch(/^sigma-[0-9a-f-]{36}$/);
      expect(d.type).toMatch(/^[A-Za-z]+:AwsApiCall\/Sigma\.[A-Za-z0-9]+$/);
      expect(d.origin).toBe('sigma');
      expect(d.references).toContain('https://github.com/SigmaHQ/sigma');
    }
  });

  it('reports every rule under unsupported/ with the feature it uses', () => {
    const dir = join(SIGMA, 'unsupported');
    const { detections, problems } = loadSigmaDir(dir);
    expect(detections).toEqual([]);
    expect(problems.map((p) => p.file).sort()).toEqual(yamlFiles(dir));
    for (const p of problems) expect(p.reason).toMatch(/count\(\)|"near"|timeframe/);
    const byName = Object.fromEntries(problems.map((p) => [relative(dir, p.file), p.reason]));
    expect(byName['cloud/aws_lambda_function_created_or_invoked.yml']).toMatch(/"near"/);
    expect(byName['cloud/aws_ses_messaging_enabled.yml']).toMatch(/timeframe/);
    expect(byName['cloud/aws_macic_evasion.yml']).toMatch(/count\(\) by sourceIPAddress > 5/);
  });

  it('reports every rule under rules-placeholder/ as using placeholders', () => {
    const dir = join(SIGMA, 'rules-placeholder');
    const { detections, problems } = loadSigmaDir(dir);
    expect(detections).toEqual([]);
    expect(problems.map((p) => p.file).sort()).toEqual(yamlFiles(dir));
    for (const p of problems) expect(p.reason).toMatch(/placeholder/);
  });
});

describe('loadSigmaDir problems', () => {
  let dir: string;
  const good = (id: string, title = 'Good Rule') =>
    `title: ${title}\nid: ${id}\nstatus: test\nlogsource:\n  product: aws\n  service: cloudtrail\n` +
    `detection:\n  sel:\n    eventName: X\n  condition: sel\nlevel: low\n`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sigma-'));
    mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'a-good.yml'), good('11111111-1111-4111-8111-111111111111'));
    writeFileSync(join(dir, 'nested', 'deeper', 'b-good.yaml'), good('22222222-2222-4222-8222-222222222222'));
    writeFileSync(join(dir, 'c-duplicate.yml'), good('11111111-1111-4111-8111-111111111111', 'Copy'));
    writeFileSync(
      join(dir, 'd-windows.yml'),
      good('33333333-3333-4333-8333-333333333333').replace('product: aws', 'product: windows'),
    );
    writeFileSync(join(dir, 'e-broken.yml'), 'title: [oops\n');
    writeFileSync(
      join(dir, 'f-bad-modifier.yml'),
      good('44444444-4444-4444-8444-444444444444').replace('eventName: X', 'eventName|wobble: X'),
    );
    writeFileSync(join(dir, 'readme.md'), '# not a rule');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the good rules recursively and reports each bad one without stopping', () => {
    const { detections, problems } = loadSigmaDir(dir);
    expect(detections.map((d) => relative(dir, d.file))).toEqual([
      'a-good.yml',
      join('nested', 'deeper', 'b-good.yaml'),
    ]);
    const reasons = Object.fromEntries(problems.map((p) => [relative(dir, p.file), p.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'c-duplicate.yml',
      'd-windows.yml',
      'e-broken.yml',
      'f-bad-modifier.yml',
    ]);
    expect(reasons['c-duplicate.yml']).toMatch(/duplicate rule id 11111111-.* \(also in .*a-good\.yml\)/);
    expect(reasons['d-windows.yml']).toMatch(/^not an AWS rule/);
    expect(reasons['e-broken.yml']).toMatch(/invalid YAML/);
    expect(reasons['f-bad-modifier.yml']).toMatch(/unknown modifier "wobble"/);
  });

  it('reports a missing directory as a problem', () => {
    const { detections, problems } = loadSigmaDir(join(dir, 'missing'));
    expect(detections).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.reason).toMatch(/cannot read directory/);
  });
});
