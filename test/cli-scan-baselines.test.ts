import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, T0, callRecord, officeRecords, rng } from '../src/baseline/test-support.js';
import { runCli } from './helpers/run-cli.js';

const ACCOUNT = '111122223333';
let dir: string;
let root: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-baselines-'));
  root = join(dir, 'archive');
  // Two weeks of office hours by three developers, one CloudTrail file per day (so two threads share
  // the files), then on day 15 alice deletes a KMS key with a tool she never used.
  const random = rng(7);
  const byDay = new Map<number, Record<string, unknown>[]>();
  for (const user of ['alice', 'bob', 'carol'])
    for (const r of officeRecords(user, T0, 14, random)) {
      const day = Math.floor((Date.parse(r.eventTime as string) - T0) / DAY);
      byDay.set(day, [...(byDay.get(day) ?? []), r]);
    }
  const at = T0 + 15 * DAY + 10 * 3_600_000;
  byDay.set(
    15,
    [0, 1, 2].map((i) =>
      callRecord(at + i * 60_000, {
        eventSource: 'kms.amazonaws.com',
        eventName: 'ScheduleKeyDeletion',
        ip: '203.0.113.50',
        ua: 'python-requests/2.31.0',
        readOnly: false,
      }),
    ),
  );
  for (const [day, records] of byDay) {
    const d = new Date(T0 + day * DAY).toISOString();
    const stamp = `${d.slice(0, 10).replace(/-/g, '')}T2355Z`;
    const file = join(
      root,
      'AWSLogs',
      ACCOUNT,
      'CloudTrail',
      'us-east-1',
      d.slice(0, 10).replace(/-/g, '/'),
      `${ACCOUNT}_CloudTrail_us-east-1_${stamp}_day${day}.json.gz`,
    );
    mkdirSync(dirname(file), { recursive: true });
    records.sort((a, b) => (a.eventTime as string).localeCompare(b.eventTime as string));
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records })));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; detector: string; description: string });
const anomalous = (f: { type: string }) => f.type.endsWith('/AnomalousBehavior');

describe('vigil scan --baselines', () => {
  it('raises one AnomalousBehavior finding for the anomaly after steady history, the same with 1 or 2 threads', async () => {
    const one = await runCli(['scan', root, '--format', 'jsonl', '--baselines', '--workers', '1']);
    const two = await runCli(['scan', root, '--format', 'jsonl', '--baselines', '--workers', '2']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    const found = jsonl(one.stdout).filter(anomalous);
    expect(found).toHaveLength(1);
    expect(found[0]!.type).toBe('Impact:IAMUser/AnomalousBehavior');
    expect(found[0]!.description).toMatch(
      /kms:ScheduleKeyDeletion never seen for this principal in \d+ events over 1[45] days/,
    );
    expect(found[0]!.description).toContain('user agent other new (previously aws-cli 100%)');
    expect(one.stderr).toMatch(/baselines for 3 principal\(s\)/);
    // Observations are applied in file order on the main thread: byte-identical output.
    expect(two.stdout).toBe(one.stdout);
  });

  it('adds nothing else, and a scan without --baselines reports no AnomalousBehavior', async () => {
    const without = await runCli(['scan', root, '--format', 'jsonl', '--workers', '2']);
    const withBaselines = await runCli(['scan', root, '--format', 'jsonl', '--baselines', '--workers', '2']);
    expect(without.code).toBe(0);
    expect(jsonl(without.stdout).filter(anomalous)).toEqual([]);
    expect(without.stderr).not.toMatch(/baselines/);
    const others = jsonl(withBaselines.stdout).filter((f) => !anomalous(f));
    expect(JSON.stringify(others)).toBe(JSON.stringify(jsonl(without.stdout)));
  });

  it('honours the sensitivity and learning period, and refuses them without --baselines', async () => {
    // Still learning after 30 days: nothing can fire.
    const learning = await runCli([
      'scan',
      root,
      '--format',
      'jsonl',
      '--baselines',
      '--baseline-learning-days',
      '30',
    ]);
    expect(jsonl(learning.stdout).filter(anomalous)).toEqual([]);
    const bad = await runCli(['scan', root, '--baseline-sensitivity', '2', '--baselines']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--baseline-sensitivity must be a number from 0 to 1/);
    const alone = await runCli(['scan', root, '--baseline-sensitivity', '0.9']);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/need --baselines/);
  });
});
