import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GetBucketPolicyCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockAws, type AwsMocks } from '../posture/collect/testing.js';
import type { CollectTarget } from '../posture/collect/index.js';
import { loadSnapshot } from '../posture/snapshot.js';
import { awsError, testClients } from '../respond/testing.js';
import { UsageError, type CliIO } from './io.js';
import { postureCollectCommand } from './posture-collect.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => into.push(c.toString()));
    return s;
  };
  const io: CliIO = {
    stdout: sink(out),
    stderr: sink(err),
    stdin: new PassThrough(),
    env: {},
    now: () => NOW,
  };
  const targets: CollectTarget[][] = [];
  const run = (argv: string[]) =>
    postureCollectCommand(argv, io, {
      clients: (t) => {
        targets.push(t);
        return testClients;
      },
      version: '0.1.0-test',
      sleep: async () => undefined,
    });
  return { run, stdout: () => out.join(''), stderr: () => err.join(''), targets };
}

let aws: AwsMocks;
let dir: string;
beforeEach(() => {
  aws = mockAws();
  dir = mkdtempSync(join(tmpdir(), 'vigil-collect-'));
});
afterEach(() => aws.restore());

describe('vigil posture collect', () => {
  it('writes a snapshot that loads, with progress on stderr and a summary on stdout', async () => {
    aws.s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'acme-web', BucketRegion: 'us-east-1' }] });
    aws.s3.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
    const h = harness();
    const file = join(dir, 'snap.json');
    expect(await h.run(['--out', file, '--regions', 'us-east-1,eu-west-1'])).toBe(0);
    const snap = await loadSnapshot(file);
    expect(snap.collectedAt).toBe('2026-11-25T12:00:00.000Z');
    expect(snap.collector).toBe('vigil 0.1.0-test');
    expect(snap.accounts[0]!.regions.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(h.stdout()).toContain('accounts: 1 (111122223333)');
    expect(h.stdout()).toContain('regions: 2 (eu-west-1, us-east-1)');
    expect(h.stdout()).toContain('resources: 1');
    expect(h.stdout()).toContain('errors: 2 (AccessDenied 1, NotCollected 1)');
    expect(h.stdout()).toContain(`snapshot written to ${file}`);
    expect(h.stderr()).toMatch(/111122223333: 14\/14 steps/);
    expect(h.targets).toEqual([[{}]]);
  });

  it('pairs roles with external IDs and reads an accounts file', async () => {
    const accounts = join(dir, 'accounts.yaml');
    writeFileSync(
      accounts,
      'accounts:\n  - roleArn: arn:aws:iam::777788889999:role/audit\n    externalId: file-ext\n',
    );
    const h = harness();
    await h.run([
      '--out',
      join(dir, 's.json'),
      '--regions',
      'us-east-1',
      '--self',
      '--role-arn',
      'arn:aws:iam::444455556666:role/a',
      '--external-id',
      'ext-a',
      '--role-arn',
      'arn:aws:iam::555566667777:role/b',
      '--external-id',
      'ext-b',
      '--accounts-file',
      accounts,
      '--quiet',
    ]);
    expect(h.targets[0]).toEqual([
      {},
      { roleArn: 'arn:aws:iam::444455556666:role/a', externalId: 'ext-a', accountId: '444455556666' },
      { roleArn: 'arn:aws:iam::555566667777:role/b', externalId: 'ext-b', accountId: '555566667777' },
      { roleArn: 'arn:aws:iam::777788889999:role/audit', externalId: 'file-ext', accountId: '777788889999' },
    ]);
    expect(h.stderr()).toBe('');
  });

  it('refuses command lines that make no sense', async () => {
    const h = harness();
    const out = ['--out', join(dir, 's.json')];
    await expect(h.run([])).rejects.toThrow(/needs --out FILE/);
    await expect(h.run([...out, '--regions', 'mars-1'])).rejects.toThrow(/--regions takes region names/);
    await expect(h.run([...out, '--external-id', 'x'])).rejects.toThrow(/--external-id needs --role-arn/);
    await expect(
      h.run([
        ...out,
        '--role-arn',
        'arn:aws:iam::444455556666:role/a',
        '--role-arn',
        'arn:aws:iam::555566667777:role/b',
        '--external-id',
        '1',
        '--external-id',
        '2',
        '--external-id',
        '3',
      ]),
    ).rejects.toThrow(/one per --role-arn/);
    await expect(h.run([...out, '--role-arn', 'arn:aws:iam::444455556666:user/a'])).rejects.toThrow(
      UsageError,
    );
  });

  it('fails when no account could be read at all', async () => {
    aws.sts
      .on(GetCallerIdentityCommand)
      .rejects(
        awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
      );
    const h = harness();
    const file = join(dir, 's.json');
    expect(await h.run(['--out', file, '--regions', 'us-east-1'])).toBe(1);
    expect(h.stderr()).toContain('accounts: 0');
    expect(h.stderr()).toContain('unknown: sts:GetCallerIdentity: InvalidClientTokenId');
    expect(h.stderr()).toContain('no snapshot written');
    await expect(loadSnapshot(file)).rejects.toThrow(/cannot read the snapshot/);
  });
});
