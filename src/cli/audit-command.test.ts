import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { auditLogFile, openAuditLog } from '../audit/index.js';
import { auditCommand } from './audit-command.js';
import type { CliIO } from './io.js';
import { main } from './main.js';

function fakeIO(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (chunk: Buffer) => into.push(chunk.toString()));
    return s;
  };
  const io: CliIO = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env, now: () => 0 };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const f = fakeIO(env);
  const code = await auditCommand(argv, f.io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

/** A findings-db path in a fresh folder, its audit log filled with `rows` response actions. */
function auditDb(rows: number): { dir: string; findingsDb: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-cli-'));
  const findingsDb = join(dir, 'vigil.db');
  const file = auditLogFile(findingsDb);
  const log = openAuditLog(file, { now: () => Date.parse('2025-03-04T05:06:07.000Z') });
  for (let i = 1; i <= rows; i++)
    log.append({
      kind: 'response.action',
      actor: 'vigil',
      subject: `run-1/step-${i}`,
      data: { action: 'ec2.isolate-instance', params: { instanceId: `i-${i}` }, requestIds: [`req-${i}`] },
    });
  log.close();
  return { dir, findingsDb, file };
}

function tamper(file: string, sql: string): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

describe('vigil audit verify', () => {
  it('exits 0 on an intact chain and prints the anchor to record', async () => {
    const { file } = auditDb(20);
    const r = await run(['verify', '--db', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit log ok: 20 rows, anchor 20:[0-9a-f]{64}\n$/);
    expect(r.stderr).toContain('--expect-hash 20:');
  });

  it('exits 1 and names the modified row on stderr', async () => {
    const { file } = auditDb(20);
    tamper(file, `UPDATE audit_log SET data = '{"action":"ec2.isolate-instance"}' WHERE seq = 17`);
    const r = await run(['verify', '--db', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('vigil: audit row 17: hash mismatch — the row was modified');
  });

  it('exits 1 naming the row after a deleted one', async () => {
    const { file } = auditDb(5);
    tamper(file, 'DELETE FROM audit_log WHERE seq = 2');
    const r = await run(['verify', '--db', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vigil: audit row 3: seq gap — row 2 is missing (deleted)\n');
  });

  it('detects a cut tail against the anchor printed earlier, and only then', async () => {
    const { file } = auditDb(8);
    const first = await run(['verify', '--db', file]);
    const anchor = /anchor (\S+)/.exec(first.stdout)![1]!;
    tamper(file, 'DELETE FROM audit_log WHERE seq > 6');
    expect((await run(['verify', '--db', file])).code).toBe(0);
    const r = await run(['verify', '--db', file, '--expect-hash', anchor]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vigil: audit row 7: missing — the chain ends at row 6');
  });

  it('finds the log of `vigil serve` from its config file', async () => {
    const { dir, findingsDb } = auditDb(3);
    const config = join(dir, 'vigil.yaml');
    writeFileSync(config, `store:\n  sqlite: ${JSON.stringify(findingsDb)}\n`);
    const r = await run(['verify', '--config', config]);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining('3 rows') });
    // And from VIGIL_CONFIG, as serve does.
    expect((await run(['verify'], { VIGIL_CONFIG: config })).code).toBe(0);
  });

  it('exits 2 on usage errors and when there is no audit log to check', async () => {
    const { dir, file } = auditDb(1);
    const cases: [string[], RegExp][] = [
      [['verify', '--db', file, '--bogus'], /Unknown option '--bogus'/],
      [['verify', '--db', file, '--config', 'x.yaml'], /either --db or --config/],
      [['verify', '--db', file, '--expect-hash', 'abc'], /--expect-hash must be SEQ:HEX or HEX/],
      [['verify', '--db', join(dir, 'nope.db')], /cannot open the audit log/],
      [['verify', '--config', join(dir, 'missing.yaml')], /cannot read/],
      [['frobnicate'], /unknown audit command "frobnicate"/],
      [['list', '--db', file, '--format', 'xml'], /unknown --format "xml"/],
      [['list', '--db', file, '--limit', 'ten'], /--limit must be a whole number/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
    }
    expect((await run([])).code).toBe(2);
    expect((await run(['--help'])).code).toBe(0);
  });

  it('is wired into vigil as `vigil audit`', async () => {
    const { file } = auditDb(2);
    const f = fakeIO();
    expect(await main(['audit', 'verify', '--db', file], f.io)).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.stdout()).toContain('audit log ok: 2 rows');
  });
});

describe('vigil audit list', () => {
  it('prints the newest rows oldest first as a table, escaping terminal control text', async () => {
    const { file } = auditDb(3);
    const log = openAuditLog(file);
    log.append({
      kind: 'finding.status',
      actor: 'eve\u001b[2J\u202e',
      subject: 'f-1',
      data: { note: '\u0007x' },
    });
    log.close();
    const r = await run(['list', '--db', file, '--limit', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^SEQ\s+TIME\s+KIND\s+ACTOR\s+SUBJECT\s+DATA$/);
    expect(lines[1]).toMatch(/^3\s+2025-03-04T05:06:07.000Z\s+response.action\s+vigil\s+run-1\/step-3\s+\{/);
    expect(lines[2]).toContain('eve\\x1b[2J\\u202e');
    for (const c of ['\u0007', '\u001b', '\u202e']) expect(r.stdout).not.toContain(c);
  });

  it('writes JSON lines filtered by kind, valid JSON with no raw control characters', async () => {
    const { file } = auditDb(3);
    const log = openAuditLog(file);
    log.append({ kind: 'finding.status', actor: 'eve', subject: 'f-1', data: { note: 'a\u0085b\u202ec' } });
    log.close();
    const r = await run([
      'list',
      '--db',
      file,
      '--format',
      'jsonl',
      '--kind',
      'finding.status',
      '--limit',
      '0',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0085\u202e]/);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      expect.objectContaining({
        seq: 4,
        kind: 'finding.status',
        actor: 'eve',
        data: { note: 'a\u0085b\u202ec' },
      }),
    ]);
  });
});
