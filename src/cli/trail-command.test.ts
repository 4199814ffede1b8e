import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeTrail } from '../posture/trail/testing.js';
import type { CliIO } from './io.js';
import { main } from './main.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (chunk: Buffer) => into.push(chunk.toString()));
    return s;
  };
  const io: CliIO = {
    stdout: sink(out),
    stderr: sink(err),
    stdin: new PassThrough(),
    env: {},
    now: () => Date.parse('2025-03-05T00:00:00Z'),
  };
  const code = await main(['trail', ...argv], io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('vigil trail verify', () => {
  it('exits 0 and prints the AWS CLI summary when everything is valid', async () => {
    const t = makeTrail();
    const r = await run(['verify', t.root, '--public-keys', t.keysFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Results requested for the first digest to the last digest',
        'Results found for 2025-03-04T01:01:31Z to 2025-03-04T04:01:31Z:',
        '',
        '3/3 digest files valid',
        '6/6 log files valid',
        '',
      ].join('\n'),
    );
  });

  it('lists every file with --verbose', async () => {
    const t = makeTrail();
    const r = await run(['verify', t.root, '--public-keys', t.keysFile, '--verbose']);
    expect(r.stdout.match(/^Digest file\ts3:\/\/org-trail-bucket\/AWSLogs\/.+\tvalid$/gm)).toHaveLength(3);
    expect(r.stdout.match(/^Log file\t.+\tvalid$/gm)).toHaveLength(6);
  });

  it('exits 1 naming the deleted digest, the modified log file and the unlisted ones', async () => {
    const t = makeTrail();
    rmSync(t.digests[1]!.path);
    writeFileSync(t.logs[0]!.path, 'not gzip');
    const r = await run(['verify', t.root, '--public-keys', t.keysFile, '--start-time', '2025-03-04']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `Digest file\ts3://org-trail-bucket/${t.digests[1]!.key}\tINVALID (missing): not found`,
    );
    expect(r.stdout).toContain(
      `Log file\ts3://org-trail-bucket/${t.logs[0]!.key}\tINVALID (modified): not a gzip`,
    );
    expect(r.stdout).toContain(`Warning: log file ${t.logs[2]!.path} is listed by no digest`);
    expect(r.stdout).toContain('Results requested for 2025-03-04T00:00:00Z to the last digest');
    expect(r.stdout).toContain('2/3 digest files valid, 1/3 digest files INVALID');
    expect(r.stdout).toContain('3/4 log files valid, 1/4 log files INVALID');
    expect(r.stdout).toContain('2 log files not listed by any digest (warning)');
  });

  it('writes the whole report as JSON', async () => {
    const t = makeTrail();
    rmSync(t.logs[1]!.path);
    const r = await run(['verify', t.root, '--public-keys', t.keysFile, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      digests: unknown[];
      logFiles: { status: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.digests).toHaveLength(3);
    expect(report.logFiles.map((l) => l.status)).toEqual([
      'valid',
      'deleted',
      'valid',
      'valid',
      'valid',
      'valid',
    ]);
  });

  it('escapes attacker-controlled text read from a digest', async () => {
    const t = makeTrail();
    // A forged digest where CloudTrail would put one, its fields carrying terminal escape sequences.
    const forged = t.digests[2]!.path.replace('T040131Z', 'T050131Z');
    const fields = {
      digestStartTime: '2025-03-04T04:01:31Z',
      digestEndTime: '2025-03-04T05:01:31Z',
      digestS3Bucket: 'b\u001b[2J',
      digestS3Object: 'AWSLogs/\u001b]0;owned\u0007',
      digestPublicKeyFingerprint: 'f\u009b31m',
      digestSignatureAlgorithm: 'SHA256withRSA',
      previousDigestSignature: null,
      logFiles: [],
    };
    writeFileSync(forged, gzipSync(JSON.stringify(fields)));
    writeFileSync(`${forged}.sig`, '00ff');
    for (const format of ['table', 'json']) {
      const r = await run(['verify', t.root, '--public-keys', t.keysFile, '--format', format]);
      expect(r.code).toBe(1);
      for (const c of ['\u001b', '\u0007', '\u009b']) expect(r.stdout).not.toContain(c);
      expect(r.stdout).toContain(format === 'table' ? '\\x1b[2J' : '\\u001b[2J');
    }
  });

  it('exits 2 on usage errors and unreadable inputs', async () => {
    const t = makeTrail();
    expect((await run(['verify', t.root])).code).toBe(2);
    expect((await run(['verify', '--public-keys', t.keysFile])).code).toBe(2);
    expect((await run(['verify', t.root, '--public-keys', join(t.root, 'nope.json')])).code).toBe(2);
    expect((await run(['verify', t.root, '--public-keys', t.keysFile, '--format', 'xml'])).code).toBe(2);
    expect(
      (await run(['verify', t.root, '--public-keys', t.keysFile, '--start-time', 'yesterday'])).code,
    ).toBe(2);
    expect((await run(['verify', 's3://bucket/AWSLogs', '--public-keys', t.keysFile])).code).toBe(2);
    expect((await run(['verify', join(t.root, 'missing'), '--public-keys', t.keysFile])).code).toBe(2);
    writeFileSync(join(t.root, 'bad-keys.json'), '{"Keys": []}');
    const bad = await run(['verify', t.root, '--public-keys', join(t.root, 'bad-keys.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/PublicKeyList/);
    expect((await run(['rotate'])).code).toBe(2);
    expect((await run(['--help'])).code).toBe(0);
  });

  it('exits 1 when no digest at all is in range: nothing vouches for the logs', async () => {
    const t = makeTrail();
    const r = await run(['verify', t.root, '--public-keys', t.keysFile, '--start-time', '2025-04-01']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('No digests found');
    expect(r.stderr).toMatch(/no digest files in range/);
  });
});
