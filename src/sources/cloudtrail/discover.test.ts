import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { InputProblem } from '../../core/errors.js';
import { discoverInputs } from './discover.js';
import type { InputFile } from '../types.js';

let root: string;

async function put(rel: string, text = '{"Records":[]}') {
  const full = join(root, rel);
  await mkdir(join(full, '..'), { recursive: true });
  await writeFile(full, text);
}

async function collect(paths: string[]) {
  const problems: InputProblem[] = [];
  const skipped: string[] = [];
  const files: InputFile[] = [];
  for await (const f of discoverInputs(paths, (p) => problems.push(p), {
    onSkipped: (p) => skipped.push(p),
  })) {
    files.push(f);
  }
  return { files, problems, skipped };
}

const acct = 'AWSLogs/123456789012/CloudTrail/us-east-1';
const org = 'AWSLogs/o-a1b2c3d4e5/210987654321/CloudTrail/eu-west-1';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vigil-discover-'));
  await put(`${acct}/2024/05/15/123456789012_CloudTrail_us-east-1_20240515T0005Z_b.json.gz`);
  await put(`${acct}/2024/05/14/123456789012_CloudTrail_us-east-1_20240514T2355Z_a.json.gz`);
  await put(`${acct}/2024/05/14/123456789012_CloudTrail_us-east-1_20240514T0005Z_z.json.gz`);
  await put(`${acct}/2023/12/31/123456789012_CloudTrail_us-east-1_20231231T2355Z_q.json.gz`);
  await put(`${org}/2024/01/01/210987654321_CloudTrail_eu-west-1_20240101T0000Z_c.json.gz`);
  await put(
    'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/14/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240514T000000Z.json.gz',
  );
  await put(`${acct}/.DS_Store`, 'junk');
  await symlink(join(root, 'nowhere.json'), join(root, 'dangling.json'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('discoverInputs', () => {
  it('walks folders recursively in lexicographic (time) order, skipping digests and hidden files', async () => {
    const { files, problems, skipped } = await collect([join(root, 'AWSLogs')]);
    expect(files.map((f) => relative(root, f.path))).toEqual([
      `${acct}/2023/12/31/123456789012_CloudTrail_us-east-1_20231231T2355Z_q.json.gz`,
      `${acct}/2024/05/14/123456789012_CloudTrail_us-east-1_20240514T0005Z_z.json.gz`,
      `${acct}/2024/05/14/123456789012_CloudTrail_us-east-1_20240514T2355Z_a.json.gz`,
      `${acct}/2024/05/15/123456789012_CloudTrail_us-east-1_20240515T0005Z_b.json.gz`,
      `${org}/2024/01/01/210987654321_CloudTrail_eu-west-1_20240101T0000Z_c.json.gz`,
    ]);
    expect(files[0]!.size).toBe('{"Records":[]}'.length);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain('CloudTrail-Digest');
    expect(problems).toEqual([]);
  });

  it('reports unreadable paths and goes on with the rest', async () => {
    const file = join(root, org, '2024/01/01/210987654321_CloudTrail_eu-west-1_20240101T0000Z_c.json.gz');
    const { files, problems } = await collect([
      join(root, 'missing'),
      join(root, 'dangling.json'),
      file,
      '-',
    ]);
    expect(files).toEqual([{ path: file, size: 14 }, { path: '-' }]);
    expect(problems.map((p) => [relative(root, p.file), p.code])).toEqual([
      ['missing', 'VIGIL_INPUT_UNREADABLE'],
      ['dangling.json', 'VIGIL_INPUT_UNREADABLE'],
    ]);
    expect(problems[1]!.message).toMatch(/no such file/);
  });

  it('reports a dangling link inside a folder without stopping the walk', async () => {
    const dir = join(root, 'mixed');
    await put('mixed/a.json');
    await put('mixed/c.json');
    await symlink(join(root, 'gone'), join(dir, 'b.json'));
    const { files, problems } = await collect([dir]);
    expect(files.map((f) => relative(dir, f.path))).toEqual(['a.json', 'c.json']);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe(join(dir, 'b.json'));
  });

  it('skips a digest file given by name, and does not loop on symbolic link cycles', async () => {
    await mkdir(join(root, 'loop'), { recursive: true });
    await put('loop/x.json');
    await symlink(join(root, 'loop'), join(root, 'loop', 'again'));
    const digest = join(root, 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/14');
    const { files, skipped } = await collect([join(root, 'loop'), digest]);
    expect(files.map((f) => relative(root, f.path))).toEqual(['loop/x.json']);
    expect(skipped).toHaveLength(1);
  });
});

describe('discoverInputs in a synced log bucket', () => {
  it('reads only the logs Vigil reads inside folders, but always reads files named on the command line', async () => {
    const flow =
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/14/123456789012_vpcflowlogs_us-east-1_fl-1_20240514T0000Z_x.log.gz';
    const config =
      'AWSLogs/123456789012/Config/us-east-1/2024/5/14/ConfigHistory/123456789012_Config_us-east-1_x.json.gz';
    const insight =
      'AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2024/05/14/123456789012_CloudTrail-Insight_us-east-1_x.json.gz';
    const ct =
      'AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/14/123456789012_CloudTrail_us-east-1_20240514T0000Z_y.json.gz';
    const export1 = 'exports/events.jsonl';
    for (const p of [flow, config, insight, ct, export1, 'exports/README.txt', 'exports/notes.md'])
      await put(`bucket/${p}`);
    const { files, skipped, problems } = await collect([join(root, 'bucket')]);
    expect(files.map((f) => relative(join(root, 'bucket'), f.path))).toEqual([ct, flow, export1]);
    expect(skipped.map((p) => relative(join(root, 'bucket'), p)).sort()).toEqual(
      [config, insight, 'exports/README.txt', 'exports/notes.md'].sort(),
    );
    expect(problems).toEqual([]);
    const named = await collect([
      join(root, 'bucket', 'exports', 'README.txt'),
      join(root, 'bucket', config),
    ]);
    expect(named.files).toHaveLength(2);
  });
});
