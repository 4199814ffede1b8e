import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopLogging, writeTrailFile } from './helpers/cloudtrail.js';
import { runCli } from './helpers/run-cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  id: string;
  maturity: string;
  enabled: boolean;
  tests: number;
  mitre: { tactics: string[]; techniques: string[] };
  type: string;
}

describe('vigil rules', () => {
  it('lists at least 40 built-in detections as JSON, each mapped to ATT&CK and carrying test cases', async () => {
    const run = await runCli(['rules', 'list', '--format', 'json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Row[];
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r.enabled).length).toBeGreaterThanOrEqual(40);
    for (const r of rows) {
      expect(r.tests, r.id).toBeGreaterThanOrEqual(2);
      expect(r.mitre.tactics.length, r.id).toBeGreaterThan(0);
      expect(r.mitre.techniques.length, r.id).toBeGreaterThan(0);
      expect(r.type, r.id).toMatch(/^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.&!-]+$/);
      expect(r.enabled).toBe(r.maturity === 'stable');
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('runs rules the user adds with --rules whatever their maturity', async () => {
    const rules = join(dir, 'user-experimental');
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, 'sigma-style.yml'),
      [
        'title: Example experimental Sigma rule',
        'id: 0d8e3c1a-5b7f-4c2e-9a1d-3f6b8e2c4a10',
        'status: experimental',
        'logsource: { product: aws, service: cloudtrail }',
        'detection:',
        '  selection: { eventName: StopLogging }',
        '  condition: selection',
        'level: high',
      ].join('\n'),
    );
    const listed = await runCli(['rules', 'list', '--format', 'json', '--rules', rules]);
    const row = (JSON.parse(listed.stdout) as Row[]).find((r) => r.id.startsWith('sigma-0d8e3c1a'));
    expect(row).toMatchObject({ maturity: 'experimental', enabled: true });
    const root = join(dir, 'user-experimental-scan');
    writeTrailFile(root, [stopLogging()]);
    const run = await runCli(['scan', root, '--format', 'jsonl', '--no-builtin', '--rules', rules]);
    expect(run.stdout).toMatch(/sigma-0d8e3c1a/);
  });

  it('runs every detection case and exits 0 only when all pass', async () => {
    const run = await runCli(['rules', 'test']);
    expect(run.stderr).toMatch(/\d+ passed, 0 failed/);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  });

  it('fails the test run when a user detection has a failing case', async () => {
    const rules = join(dir, 'rules');
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, 'wrong-expectation.yml'),
      [
        'title: Wrong expectation',
        'type: Stealth:IAMUser/Example',
        'severity: 5',
        'maturity: stable',
        'source: cloudtrail',
        'description: "{{eventName}}"',
        'mitre: { tactics: [TA0005], techniques: [T1562.008] }',
        'detection:',
        '  selection: { eventName: StopLogging }',
        '  condition: selection',
        'remediation: none',
        'falsepositives: [none]',
        'tests:',
        '  - name: claims a match that does not happen',
        '    match: true',
        `    event: ${JSON.stringify({ ...stopLogging(), eventName: 'StartLogging' })}`,
        '  - name: negative',
        '    match: false',
        `    event: ${JSON.stringify({ ...stopLogging(), eventName: 'DescribeTrails' })}`,
      ].join('\n'),
    );
    const run = await runCli(['rules', 'test', '--no-builtin', '--rules', rules]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}wrong-expectation {2}claims a match that does not happen/);
  });

  it('reports an invalid detection file with every problem at once and still loads the others', async () => {
    const rules = join(dir, 'broken');
    mkdirSync(rules, { recursive: true });
    writeFileSync(join(rules, 'broken.yml'), 'title: 5\nseverity: eleven\ndetection: {}\n');
    const run = await runCli(['rules', 'list', '--rules', rules]);
    expect(run.stderr).toMatch(/rule not loaded: .*broken\.yml: .*severity.*/);
    expect(run.stderr).toMatch(/type/);
    expect(run.stdout).toMatch(/cloudtrail-logging-stopped/);
    const tested = await runCli(['rules', 'test', '--rules', rules]);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toMatch(/1 detection file\(s\) not loaded/);
  });

  it('takes flags from the environment, with the command line winning', async () => {
    const root = join(dir, 'env');
    writeTrailFile(root, [stopLogging()]);
    const fromEnv = await runCli(['scan', root], { env: { VIGIL_FORMAT: 'jsonl', VIGIL_FAIL_ON: 'low' } });
    expect(fromEnv.code).toBe(3);
    expect(JSON.parse(fromEnv.stdout.split('\n')[0]!)).toHaveProperty('detector');
    const flagWins = await runCli(['scan', root, '--format', 'csv'], { env: { VIGIL_FORMAT: 'jsonl' } });
    expect(flagWins.stdout.startsWith('id,type,detector')).toBe(true);
  });
});

describe('vigil route test', () => {
  it('answers like aws events test-event-pattern and rejects an invalid pattern', async () => {
    const yes = await runCli([
      'route',
      'test',
      '--pattern',
      '{"detail":{"severityLabel":["HIGH","CRITICAL"]}}',
      '--event',
      '{"detail":{"severityLabel":"HIGH"}}',
    ]);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.stdout)).toEqual({ Result: true });
    const no = await runCli([
      'route',
      'test',
      '--pattern',
      '{"source":[{"prefix":"aws."}]}',
      '--event',
      '{"source":"vigil"}',
    ]);
    expect(JSON.parse(no.stdout)).toEqual({ Result: false });
    const bad = await runCli(['route', 'test', '--pattern', '{"source":"vigil"}', '--event', '{}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/source: a leaf must be an array/);
  });
});

describe('vigil serve', () => {
  it('refuses a malformed config with every problem listed and exit 1', async () => {
    const file = join(dir, 'bad-serve.yaml');
    writeFileSync(
      file,
      'server: { port: 99999 }\nsources: [{ id: x, kind: ftp }]\nroutes: [{ name: r, pattern: {}, targets: [nobody] }]\n',
    );
    const run = await runCli(['serve', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/server\.port/);
    expect(run.stderr).toMatch(/sources\.0\.kind/);
  });
});
