import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  fixtureSnapshot,
  publicCheck,
  throwingCheck,
  versioningCheck,
} from '../posture/report/test-support.js';
import type { CliIO } from './io.js';
import { postureCheckCommand, postureEvidenceCommand } from './posture-check.js';

const NOW = Date.parse('2025-06-01T00:00:00.000Z');

function fakeIO(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (chunk: Buffer) => into.push(chunk.toString()));
    return s;
  };
  const io: CliIO = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env, now: () => NOW };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

const dir = () => mkdtempSync(join(tmpdir(), 'vigil-posture-cli-'));

function snapshotFile(buckets: Parameters<typeof fixtureSnapshot>[0]): string {
  const file = join(dir(), 'snapshot.json');
  writeFileSync(file, JSON.stringify(fixtureSnapshot(buckets)));
  return file;
}

async function check(argv: string[], checks = [publicCheck, versioningCheck]) {
  const f = fakeIO();
  const code = await postureCheckCommand(argv, f.io, { checks });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

async function evidence(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const f = fakeIO(env);
  const code = await postureEvidenceCommand(argv, f.io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

describe('vigil posture check', () => {
  it('exits 0 when nothing fails, 3 when a check fails', async () => {
    const clean = await check([snapshotFile([{ name: 'quiet' }])]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('2 checks, 2 results: 0 fail, 2 pass, 0 unknown, 0 error');

    const leaky = await check([snapshotFile([{ name: 'leaky', public: true }])]);
    expect(leaky.code).toBe(3);
    expect(leaky.stdout).toContain(
      'FAIL s3-bucket-public 111122223333 Bucket leaky (owner unknown) allows anyone',
    );
  });

  it('exits 1 when a check throws, and still reports the others', async () => {
    const r = await check([snapshotFile([{ name: 'quiet' }])], [publicCheck, throwingCheck]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Check s3-bucket-mfa-delete failed to run: boom');
    expect(r.stdout).toMatch(/PASS\s+HIGH\s+s3-bucket-public/);
  });

  it('exits 1 on an unreadable snapshot and 2 on usage errors', async () => {
    expect((await check([join(dir(), 'missing.json')])).code).toBe(1);
    expect((await check([])).code).toBe(2);
    const file = snapshotFile([]);
    expect((await check([file, '--framework', 'pci'])).code).toBe(2);
    expect((await check([file, '--format', 'xml'])).code).toBe(2);
    expect((await check([file, '--severity', 'huge'])).code).toBe(2);
    const unknown = await check([file, '--checks', 's3-bucket-public,nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown check id(s) in --checks: nope');
    expect((await check([file, '--framework', 'all', '--format', 'html'])).code).toBe(2);
  });

  it('filters checks by id and severity', async () => {
    const file = snapshotFile([{ name: 'leaky', public: true }]);
    const low = await check([file, '--checks', 's3-bucket-versioning', '--format', 'json']);
    expect(low.code).toBe(0);
    expect(JSON.parse(low.stdout).checks.items.map((c: { id: string }) => c.id)).toEqual([
      's3-bucket-versioning',
    ]);
    const high = await check([file, '--severity', 'high', '--format', 'json']);
    expect(high.code).toBe(3);
    expect(JSON.parse(high.stdout).checks.items.map((c: { id: string }) => c.id)).toEqual([
      's3-bucket-public',
    ]);
  });

  it('escapes terminal control characters from AWS names in the table', async () => {
    const r = await check([snapshotFile([{ name: 'b\u001b[2Jx', public: true }])]);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('b\\x1b[2Jx');
  });

  it('writes one self-contained HTML page per framework into a folder', async () => {
    const out = join(dir(), 'reports');
    const r = await check([
      snapshotFile([{ name: '<script>x</script>', public: true }]),
      '--framework',
      'all',
      '--format',
      'html',
      '--out',
      out,
    ]);
    expect(r.code).toBe(3);
    expect(readdirSync(out).sort()).toEqual([
      'posture-checks.html',
      'posture-gdpr.html',
      'posture-iso27001.html',
      'posture-nist-800-53.html',
      'posture-nist-csf.html',
      'posture-soc2.html',
    ]);
    for (const name of readdirSync(out)) {
      const page = readFileSync(join(out, name), 'utf8');
      expect(page).not.toContain('<script>');
      expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    }
  });

  it('evaluates a framework with evidence, warning about expired notes', async () => {
    const file = join(dir(), 'evidence.json');
    const add = (control: string, expires: string) =>
      evidence([
        'add',
        '--evidence',
        file,
        '--framework',
        'soc2',
        '--control',
        control,
        '--note',
        'Code of conduct v3',
        '--by',
        'alice',
        '--expires',
        expires,
      ]);
    expect((await add('CC1.1', '2025-12-31')).code).toBe(0);
    expect((await add('CC1.2', '2025-06-02')).code).toBe(0);
    // Expire the second note after the fact, as time passing would.
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.notes[1].expires = '2025-05-01T00:00:00.000Z';
    writeFileSync(file, JSON.stringify(doc));

    const r = await check([
      snapshotFile([{ name: 'quiet' }]),
      '--framework',
      'soc2',
      '--evidence',
      file,
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const controls = JSON.parse(r.stdout).frameworks[0].controls;
    const status = (id: string) => controls.find((c: { id: string }) => c.id === id).status;
    expect(status('CC1.1')).toBe('MANUAL-EVIDENCED');
    expect(status('CC1.2')).toBe('MANUAL-AWAITING');
    expect(status('CC6.1')).toBe('UNKNOWN');
    expect(r.stderr).toContain(
      `warning: evidence ${doc.notes[1].id} for soc2 CC1.2 expired on 2025-05-01T00:00:00.000Z: ignored`,
    );
  });
});

describe('vigil posture evidence', () => {
  it('adds, lists and removes notes', async () => {
    const file = join(dir(), 'evidence.json');
    const added = await evidence(
      [
        'add',
        '--evidence',
        file,
        '--framework',
        'iso27001',
        '--control',
        'A.5.1',
        '--note',
        'Policy v2 signed',
        '--expires',
        '2026-01-31',
        '--attachment',
        'policy-v2.pdf',
      ],
      { USER: 'bob' },
    );
    expect(added.code).toBe(0);
    const id = added.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{12}$/);

    const listed = await evidence(['list', '--evidence', file, '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        id,
        framework: 'iso27001',
        control: 'A.5.1',
        note: 'Policy v2 signed',
        by: 'bob',
        addedAt: '2025-06-01T00:00:00.000Z',
        expires: '2026-01-31T23:59:59.999Z',
        attachment: 'policy-v2.pdf',
        expired: false,
      },
    ]);
    expect((await evidence(['list', '--evidence', file])).stdout).toContain('A.5.1');

    expect((await evidence(['remove', id, '--evidence', file])).code).toBe(0);
    expect((await evidence(['remove', id, '--evidence', file])).code).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).notes).toEqual([]);
  });

  it('refuses unknown controls, past expiry and missing fields with exit 2', async () => {
    const file = join(dir(), 'evidence.json');
    const base = ['add', '--evidence', file, '--framework', 'soc2', '--note', 'n', '--by', 'a'];
    const unknown = await evidence([...base, '--control', 'CC99.9', '--expires', '2026-01-01']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('soc2 has no control "CC99.9"');
    expect((await evidence([...base, '--control', 'CC1.1', '--expires', '2020-01-01'])).code).toBe(2);
    expect((await evidence([...base, '--control', 'CC1.1', '--expires', 'soon'])).code).toBe(2);
    expect((await evidence([...base, '--control', 'CC1.1'])).code).toBe(2);
    expect((await evidence(['frobnicate'])).code).toBe(2);
  });
});
