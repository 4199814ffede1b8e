import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, ctRecord, stopLogging, writeTrailFile } from './helpers/cloudtrail.js';
import { BIN, REPO, runCli } from './helpers/run-cli.js';
import { spawn } from 'node:child_process';
import { sharedDir } from '../src/testing/shared-data.js';

const SHARED = sharedDir();
const SIGMA = join(SHARED ?? '/nonexistent', 'sigma');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('vigil scan', () => {
  it('finds the threat in an S3-layout archive, skips digests, and its jsonl validates against the shipped schema', async () => {
    const root = join(dir, 'archive');
    writeTrailFile(root, [ctRecord(), stopLogging({ eventTime: '2026-11-20T10:05:00Z' }), ctRecord()]);
    writeTrailFile(root, [stopLogging({ eventTime: '2026-11-20T10:07:00Z' })], { region: 'eu-west-1' });
    const digest = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail-Digest', 'us-east-1', '2026', '11', '20');
    mkdirSync(digest, { recursive: true });
    writeFileSync(
      join(digest, `${ACCOUNT}_CloudTrail-Digest_us-east-1_x.json.gz`),
      gzipSync('{"awsAccountId":"1","digestStartTime":"x"}'),
    );

    const run = await runCli(['scan', root, '--format', 'jsonl']);
    expect(run.stderr).not.toMatch(/Digest/);
    expect(run.code).toBe(0);
    const findings = jsonl(run.stdout);
    const stop = findings.filter((f) => f.detector === 'cloudtrail-logging-stopped');
    // Same principal and trail in two regions: one finding per dedup key, aggregated.
    expect(stop.length).toBeGreaterThanOrEqual(1);
    expect(stop.reduce((n, f) => n + (f.count as number), 0)).toBe(2);
    expect(stop[0]).toMatchObject({
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      accountId: ACCOUNT,
      status: 'NEW',
    });

    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(REPO, 'schema', 'finding.schema.json'), 'utf8')),
    );
    for (const f of findings) {
      expect(validate(f), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('writes Security Hub ASFF that meets its schema, and OCSF Detection Findings', async () => {
    const root = join(dir, 'formats');
    writeTrailFile(root, [stopLogging()]);
    const asff = await runCli(['scan', root, '--format', 'asff']);
    expect(asff.code).toBe(0);
    const batch = JSON.parse(asff.stdout) as { Findings: Record<string, unknown>[] };
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schema', 'asff.schema.json'), 'utf8')));
    expect(batch.Findings.length).toBeGreaterThan(0);
    for (const f of batch.Findings) expect(validate(f), JSON.stringify(validate.errors)).toBe(true);
    expect(batch.Findings[0]).toMatchObject({ SchemaVersion: '2018-10-08', AwsAccountId: ACCOUNT });

    const ocsf = await runCli(['scan', root, '--format', 'ocsf']);
    const events = jsonl(ocsf.stdout);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ class_uid: 2004, category_uid: 2 });
  });

  it('exits 3 when a finding reaches --fail-on and 0 when none does; --min-severity filters the report', async () => {
    const root = join(dir, 'fail-on');
    writeTrailFile(root, [stopLogging()]);
    const failing = await runCli(['scan', root, '--format', 'jsonl', '--fail-on', 'low']);
    expect(failing.code).toBe(3);
    const passing = await runCli(['scan', root, '--format', 'jsonl', '--fail-on', 'critical']);
    expect(passing.code).toBe(0);
    const filtered = await runCli(['scan', root, '--format', 'jsonl', '--min-severity', 'critical']);
    expect(jsonl(filtered.stdout)).toEqual([]);
  });

  it('rejects a bad command line with exit 1 and a message naming the problem', async () => {
    const badFormat = await runCli(['scan', dir, '--format', 'xml']);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toMatch(/unknown --format "xml"/);
    const noPath = await runCli(['scan']);
    expect(noPath.code).toBe(1);
    expect(noPath.stderr).toMatch(/at least one PATH/);
    const missingRules = await runCli(['scan', dir, '--rules', join(dir, 'no-such-rules')]);
    expect(missingRules.code).toBe(1);
    expect(missingRules.stderr).toMatch(/--rules .*no-such-rules: no such folder/);
    const badDb = await runCli(['scan', dir, '--db', join(dir, 'no-such-dir', 'x.db')]);
    expect(badDb.code).toBe(1);
    expect(badDb.stderr).toMatch(/cannot open --db/);
    expect(badDb.stderr).not.toMatch(/scanned/);
    const nothing = await runCli(['scan', dir, '--no-builtin']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/no detections loaded/);
    expect(nothing.stderr).not.toMatch(/scanned/);
    const badTime = await runCli(['scan', dir, '--since', 'last tuesday']);
    expect(badTime.code).toBe(1);
    expect(badTime.stderr).toMatch(/--since/);
  });

  it('exits 1 when a PATH does not exist, after scanning the paths that do', async () => {
    const root = join(dir, 'partly-missing');
    writeTrailFile(root, [stopLogging()]);
    const run = await runCli(['scan', join(dir, 'typo'), root, '--format', 'jsonl']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/typo: VIGIL_INPUT_UNREADABLE: no such file or folder/);
    expect(jsonl(run.stdout).map((f) => f.detector)).toContain('cloudtrail-logging-stopped');
  });

  it('reads standard input and gives the same findings on the main thread as in workers', async () => {
    const records = [ctRecord(), stopLogging()];
    const lines = records.map((r) => JSON.stringify(r)).join('\n');
    const piped = await runCli(['scan', '-', '--format', 'jsonl'], { stdin: lines });
    expect(piped.code).toBe(0);
    expect(jsonl(piped.stdout).map((f) => f.detector)).toContain('cloudtrail-logging-stopped');

    const root = join(dir, 'parallel');
    for (let i = 0; i < 6; i++) {
      writeTrailFile(root, [ctRecord(), stopLogging({ eventTime: `2026-11-20T10:0${i}:00Z` })], {
        name: `f${i}.json.gz`,
      });
    }
    const inWorkers = await runCli(['scan', root, '--format', 'jsonl', '--workers', '2']);
    const inMain = await runCli(['scan', root, '--format', 'jsonl', '--workers', '0']);
    // Workers' results are applied in file order: byte-identical output, whatever thread was faster.
    expect(jsonl(inWorkers.stdout).length).toBeGreaterThan(0);
    expect(inWorkers.stdout).toBe(inMain.stdout);
  });

  it('stores findings in SQLite without duplicates when the same input is scanned twice', async () => {
    const root = join(dir, 'db');
    writeTrailFile(root, [stopLogging(), stopLogging({ eventTime: '2026-11-20T11:00:00Z' })]);
    const db = join(dir, 'findings.db');
    expect((await runCli(['scan', root, '--db', db, '--quiet'])).code).toBe(0);
    expect((await runCli(['scan', root, '--db', db, '--quiet'])).code).toBe(0);
    const sqlite = new Database(db, { readonly: true });
    try {
      const rows = sqlite
        .prepare('SELECT f.id, j.json FROM findings f JOIN finding_json j ON j.n = f.n')
        .all() as { id: string; json: string }[];
      const stop = rows
        .map((r) => JSON.parse(r.json) as { detector: string; count: number })
        .filter((f) => f.detector === 'cloudtrail-logging-stopped');
      expect(stop).toHaveLength(1);
      expect(stop[0]!.count).toBe(2);
    } finally {
      sqlite.close();
    }
  });

  it('reports each bad input on one line naming the file, and still processes every good record', async () => {
    const root = join(dir, 'bad');
    mkdirSync(root, { recursive: true });
    const good = writeTrailFile(root, [stopLogging()], { name: 'good.json.gz' });
    writeFileSync(
      join(root, 'malformed.json'),
      `{"Records":[${JSON.stringify(ctRecord())},{"eventName": oops},${JSON.stringify(stopLogging({ eventTime: '2026-11-20T12:00:00Z', userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT } }))}]}`,
    );
    const full = gzipSync(JSON.stringify({ Records: Array.from({ length: 200 }, () => ctRecord()) }));
    writeFileSync(join(root, 'truncated.json.gz'), full.subarray(0, Math.floor(full.length / 2)));
    writeFileSync(join(root, 'not-cloudtrail.json'), JSON.stringify({ hello: 'world', items: [1, 2, 3] }));
    writeFileSync(
      join(root, 'garbage.json'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    );
    writeFileSync(
      join(root, 'missing-fields.jsonl'),
      [
        JSON.stringify({ eventName: 'StopLogging' }),
        JSON.stringify({ ...stopLogging({ eventTime: 12 }) }),
        JSON.stringify(stopLogging({ eventTime: '2026-11-20T13:00:00Z' })),
      ].join('\n'),
    );
    symlinkSync(join(root, 'does-not-exist.json'), join(root, 'dangling.json'));
    const locked = join(root, 'locked.json');
    writeFileSync(locked, '{}');
    chmodSync(locked, 0o000);

    const run = await runCli([
      'scan',
      root,
      '--format',
      'jsonl',
      '--no-builtin',
      '--rules',
      join(REPO, 'detections', 'defense-evasion'),
    ]);
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n');
    for (const name of [
      'malformed.json',
      'truncated.json.gz',
      'not-cloudtrail.json',
      'garbage.json',
      'missing-fields.jsonl',
      'dangling.json',
    ]) {
      expect(
        lines.some((l) => l.includes(name)),
        `no error line for ${name}:\n${run.stderr}`,
      ).toBe(true);
    }
    expect(run.stderr).toMatch(/VIGIL_INPUT_BAD_GZIP/);
    expect(run.stderr).toMatch(/VIGIL_INPUT_NOT_CLOUDTRAIL/);
    expect(run.stderr).toMatch(/VIGIL_INPUT_BINARY/);
    expect(run.stderr).toMatch(
      /missing-fields\.jsonl record 0: VIGIL_INPUT_BAD_RECORD: eventTime is missing/,
    );
    expect(run.stderr).toMatch(/skipped \d+ bad record/);
    const stop = jsonl(run.stdout).filter((f) => f.detector === 'cloudtrail-logging-stopped');
    // good.json.gz, the record after the bad spot in malformed.json, and the last line of missing-fields.jsonl.
    expect(stop.reduce((n, f) => n + (f.count as number), 0)).toBe(3);
    expect(good).toBeTruthy();
  });

  it('matches every source IP against --threat-intel lists, reporting bad list lines by file and line', async () => {
    const root = join(dir, 'intel');
    writeTrailFile(root, [
      ctRecord({ sourceIPAddress: '203.0.113.77', eventName: 'ListUsers', eventSource: 'iam.amazonaws.com' }),
      ctRecord({
        sourceIPAddress: '203.0.113.77',
        eventName: 'CreateUser',
        eventSource: 'iam.amazonaws.com',
        readOnly: false,
        requestParameters: { userName: 'svc-x' },
      }),
      ctRecord({
        sourceIPAddress: '198.51.100.9',
        eventName: 'CreateUser',
        eventSource: 'iam.amazonaws.com',
        readOnly: false,
        requestParameters: { userName: 'svc-y' },
      }),
    ]);
    const list = join(dir, 'bad-ips.txt');
    writeFileSync(list, '# known bad\n203.0.113.0/24\nnot-an-ip\n2001:db8::/32\n');
    const run = await runCli(['scan', root, '--format', 'jsonl', '--threat-intel', list]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/bad-ips\.txt:3.*VIGIL_INTEL_INVALID/);
    const types = jsonl(run.stdout).map((f) => [f.type, (f.actor as { ip?: string }).ip]);
    expect(types).toContainEqual(['UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom', '203.0.113.77']);
    expect(types).toContainEqual(['Recon:IAMUser/MaliciousIPCaller.Custom', '203.0.113.77']);
    expect(
      types.filter(([type, ip]) => ip === '198.51.100.9' && String(type).includes('MaliciousIPCaller')),
    ).toEqual([]);
    const without = await runCli(['scan', root, '--format', 'jsonl']);
    expect(jsonl(without.stdout).filter((f) => String(f.type).includes('MaliciousIPCaller'))).toEqual([]);
  });

  it('counts addresses in blocks registered to Amazon as AWS, not as outside use of instance credentials', async () => {
    const instance = (ip: string, id: string) =>
      ctRecord({
        eventID: id,
        sourceIPAddress: ip,
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLEAPPROLE001:i-0abc1234def567890',
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-server/i-0abc1234def567890`,
          accountId: ACCOUNT,
          accessKeyId: 'ASIAEXAMPLEAPPROLE01',
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: 'AROAEXAMPLEAPPROLE001',
              arn: `arn:aws:iam::${ACCOUNT}:role/app-server`,
              accountId: ACCOUNT,
              userName: 'app-server',
            },
            attributes: { creationDate: '2026-11-20T09:00:00Z', mfaAuthenticated: 'false' },
            ec2RoleDelivery: '2.0',
          },
        },
      });
    const root = join(dir, 'instance-ips');
    // 3.91.x (EC2 us-east-1, newer than the shipped snapshot) and 44.200.x are Amazon's; 198.51.100.x is not.
    writeTrailFile(root, [
      instance('3.91.10.20', 'e1'),
      instance('44.200.1.2', 'e2'),
      instance('198.51.100.80', 'e3'),
    ]);
    const run = await runCli(['scan', root, '--format', 'jsonl']);
    const outside = jsonl(run.stdout).filter((f) => f.detector === 'instance-credentials-outside-aws');
    expect(outside).toHaveLength(1);
    expect(outside[0]).toMatchObject({ count: 1, actor: { ip: '198.51.100.80' } });
  });

  it('keeps only events inside --since/--until', async () => {
    const root = join(dir, 'window');
    writeTrailFile(root, [
      stopLogging({ eventTime: '2026-11-20T09:00:00Z' }),
      stopLogging({ eventTime: '2026-11-20T11:00:00Z' }),
      stopLogging({ eventTime: '2026-11-20T13:00:00Z' }),
    ]);
    const run = await runCli([
      'scan',
      root,
      '--format',
      'jsonl',
      '--since',
      '2026-11-20T10:00:00Z',
      '--until',
      '2026-11-20T12:00:00Z',
    ]);
    expect(run.code).toBe(0);
    const stop = jsonl(run.stdout).filter((f) => f.detector === 'cloudtrail-logging-stopped');
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatchObject({ count: 1, firstSeen: '2026-11-20T11:00:00Z' });
    expect(run.stderr).toMatch(/2 outside --since\/--until/);
  });

  it('shows the first ten problems of a file that is not a log and counts the rest', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, Array.from({ length: 30 }, (_, i) => `meeting notes line ${i}`).join('\n'));
    const run = await runCli(['scan', text, '--format', 'jsonl']);
    const lines = run.stderr.split('\n').filter((l) => l.includes('notes.txt'));
    expect(lines.filter((l) => l.includes('VIGIL_INPUT_'))).toHaveLength(10);
    expect(run.stderr).toMatch(/notes\.txt: 20 more problem\(s\) in this file not shown/);
    expect(run.stderr).toMatch(/30 input problem\(s\)/);
  });

  it('stops quietly when the program reading its output exits early (vigil scan … | head)', async () => {
    const root = join(dir, 'epipe');
    writeTrailFile(
      root,
      Array.from({ length: 300 }, (_, i) => stopLogging({ requestParameters: { name: `trail-${i}` } })),
    );
    const child = spawn(process.execPath, [BIN, 'scan', root, '--format', 'jsonl', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('escapes attacker-controlled text in the table output', async () => {
    const root = join(dir, 'hostile');
    writeTrailFile(root, [
      stopLogging({
        userAgent: 'evil\u001b[2J\u001b]0;owned\u0007\rcli',
        requestParameters: { name: 'trail\u001b[31mred' },
      }),
    ]);
    const run = await runCli(['scan', root, '--format', 'table']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/CloudTrail/i);
    // eslint-disable-next-line no-control-regex
    expect(run.stdout).not.toMatch(/[\u001b\u0007\r]/);
  });
});

describe.runIf(SHARED)('vigil scan with the SigmaHQ AWS rules', () => {
  it('loads the supported rules, reports each unsupported one with its reason, and keeps scanning', async () => {
    const root = join(dir, 'sigma');
    writeTrailFile(root, [stopLogging()]);
    const run = await runCli(['scan', root, '--rules', SIGMA, '--format', 'jsonl']);
    expect(run.code).toBe(0);
    const notLoaded = run.stderr.split('\n').filter((l) => l.includes('rule not loaded'));
    const unsupported = readdirSync(join(SIGMA, 'unsupported'), { recursive: true }).filter((f) =>
      String(f).endsWith('.yml'),
    );
    expect(unsupported.length).toBe(8);
    for (const file of unsupported) {
      const line = notLoaded.find((l) => l.includes(String(file)));
      expect(line, `${String(file)} not reported`).toMatch(/count\(\)|near|timeframe/);
      expect(line).toMatch(/not supported/);
    }
    expect(notLoaded.find((l) => l.includes('rules-placeholder'))).toMatch(/placeholder/);
    expect(notLoaded).toHaveLength(unsupported.length + 1);
    const detectors = jsonl(run.stdout).map((f) => f.detector as string);
    expect(detectors).toContain('cloudtrail-logging-stopped');
    expect(detectors.some((d) => d.startsWith('sigma-'))).toBe(true);
  });
});
