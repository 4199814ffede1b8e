import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { auditLogFile, GENESIS_HASH, MAX_DATA_BYTES, openAuditLog, rowHash, type AuditLog } from './log.js';

const opened: AuditLog[] = [];
const dbs: Database.Database[] = [];

afterEach(() => {
  for (const log of opened.splice(0)) log.close();
  for (const db of dbs.splice(0)) db.close();
});

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'vigil-audit-')), 'vigil-audit.db');
}

function open(file: string, now = () => Date.parse('2025-01-02T03:04:05.000Z')): AuditLog {
  const log = openAuditLog(file, { now });
  opened.push(log);
  return log;
}

/** A second, raw connection to the file: what someone with write access to the disk can do. */
function raw(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  dbs.push(db);
  return db;
}

function dropTriggers(db: Database.Database): void {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i++)
    log.append({
      kind: 'response.action',
      actor: 'vigil',
      subject: `action-${i}`,
      data: { step: i, action: 'iam.deactivate-access-key', params: { accessKeyId: `AKIA${i}` } },
    });
}

describe('audit log', () => {
  it('appends rows chained from the genesis hash and verifies them', () => {
    const file = tempFile();
    const log = open(file);
    const first = log.append({
      kind: 'response.run',
      actor: 'vigil',
      subject: 'run-1',
      data: { mode: 'live' },
    });
    const second = log.append({ kind: 'finding.status', actor: 'alice', data: { status: 'RESOLVED' } });
    expect(first).toMatchObject({
      seq: 1,
      ts: '2025-01-02T03:04:05.000Z',
      subject: 'run-1',
      prevHash: GENESIS_HASH,
      data: { mode: 'live' },
    });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toMatchObject({ seq: 2, subject: null, prevHash: first.hash });
    expect(second.hash).toBe(rowHash({ ...second, data: { status: 'RESOLVED' } }));
    expect(log.verify()).toEqual({ ok: true, rows: 2, lastSeq: 2, lastHash: second.hash });
    expect(log.head()).toEqual({ seq: 2, hash: second.hash });

    // A second opening of the same file continues the chain.
    const again = open(file);
    expect(again.append({ kind: 'x', actor: 'bob', data: {} })).toMatchObject({
      seq: 3,
      prevHash: second.hash,
    });
    expect(again.verify()).toMatchObject({ ok: true, rows: 3 });
  });

  it('verifies an empty log', () => {
    expect(open(tempFile()).verify()).toEqual({ ok: true, rows: 0, lastSeq: 0, lastHash: GENESIS_HASH });
  });

  it('refuses UPDATE and DELETE through triggers', () => {
    const file = tempFile();
    fill(open(file), 2);
    const db = raw(file);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").run()).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
  });

  it('names the row whose data was changed', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 5);
    const db = raw(file);
    dropTriggers(db);
    db.prepare('UPDATE audit_log SET data = ? WHERE seq = 3').run(
      canonicalJson({ step: 3, action: 'iam.deactivate-access-key', params: { accessKeyId: 'AKIAOTHER' } }),
    );
    const result = log.verify();
    expect(result).toMatchObject({
      ok: false,
      rows: 3,
      lastSeq: 2,
      problem: { seq: 3, code: 'modified', reason: 'hash mismatch — the row was modified' },
    });
  });

  it('names a row whose actor, time or kind was changed, and one whose data no longer parses', () => {
    for (const [column, value, code] of [
      ['actor', 'mallory', 'modified'],
      ['ts', '2024-01-01T00:00:00.000Z', 'modified'],
      ['kind', 'noise', 'modified'],
      ['data', '{"step":', 'unparsable'],
    ] as const) {
      const file = tempFile();
      const log = open(file);
      fill(log, 4);
      const db = raw(file);
      dropTriggers(db);
      db.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = 2`).run(value);
      expect(log.verify().problem, column).toMatchObject({ seq: 2, code });
    }
  });

  it('names the row after a deleted middle row', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 5);
    const db = raw(file);
    dropTriggers(db);
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    expect(log.verify()).toMatchObject({
      ok: false,
      problem: { seq: 4, code: 'gap', reason: 'seq gap — row 3 is missing (deleted)' },
    });
  });

  it('names the next row when a deleted row is hidden by renumbering the rest', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 5);
    const db = raw(file);
    dropTriggers(db);
    db.exec('DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = seq - 1 WHERE seq > 3;');
    // Row 4 became row 3: its hash covers its old number.
    expect(log.verify().problem).toMatchObject({ seq: 3, code: 'modified' });
  });

  it('names the first of two swapped rows', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 5);
    const db = raw(file);
    dropTriggers(db);
    // Swap rows 2 and 4: their contents (with their hashes) change places.
    db.exec(`
      UPDATE audit_log SET seq = -4 WHERE seq = 4;
      UPDATE audit_log SET seq = 4 WHERE seq = 2;
      UPDATE audit_log SET seq = 2 WHERE seq = -4;`);
    expect(log.verify().problem).toMatchObject({ seq: 2, code: 'modified' });
  });

  it('names a row re-hashed after its change by the broken link to the next one', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 4);
    const db = raw(file);
    dropTriggers(db);
    const row = db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as Record<string, string | number>;
    const data = { forged: true };
    const hash = rowHash({
      seq: 2,
      ts: row.ts as string,
      kind: row.kind as string,
      actor: row.actor as string,
      subject: row.subject as string,
      data,
      prevHash: row.prev_hash as string,
    });
    db.prepare('UPDATE audit_log SET data = ?, hash = ? WHERE seq = 2').run(canonicalJson(data), hash);
    expect(log.verify().problem).toMatchObject({ seq: 3, code: 'unlinked' });
  });

  it('names row 2 when the first row was deleted', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 3);
    const db = raw(file);
    dropTriggers(db);
    db.prepare('DELETE FROM audit_log WHERE seq = 1').run();
    expect(log.verify().problem).toMatchObject({ seq: 2, code: 'gap' });
  });

  it('detects a cut tail only against a recorded anchor', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 6);
    const recorded = log.verify();
    expect(recorded.ok).toBe(true);
    const anchor = { seq: recorded.lastSeq, hash: recorded.lastHash };
    const db = raw(file);
    dropTriggers(db);
    db.prepare('DELETE FROM audit_log WHERE seq > 4').run();

    expect(log.verify()).toMatchObject({ ok: true, rows: 4 });
    expect(log.verify({ expectLastHash: recorded.lastHash })).toMatchObject({
      ok: false,
      problem: { seq: 4, code: 'anchor' },
    });
    expect(log.verify({ anchor })).toMatchObject({ ok: false, problem: { seq: 5, code: 'anchor' } });
    expect(log.verify({ anchor }).problem!.reason).toContain('the tail was cut');
  });

  it('accepts rows appended after an anchor, and rejects a rewritten chain that lost it', () => {
    const file = tempFile();
    const log = open(file);
    fill(log, 3);
    const { lastSeq, lastHash } = log.verify();
    fill(log, 2);
    expect(log.verify({ anchor: { seq: lastSeq, hash: lastHash.toUpperCase() } }).ok).toBe(true);
    expect(log.verify({ expectLastHash: lastHash }).ok).toBe(false);
    expect(log.verify({ expectLastHash: log.head()!.hash }).ok).toBe(true);

    // The whole chain rebuilt by someone with write access verifies on its own, not against the anchor.
    const forged = tempFile();
    const other = open(forged, () => Date.parse('2025-06-01T00:00:00.000Z'));
    fill(other, 5);
    expect(other.verify().ok).toBe(true);
    expect(other.verify({ anchor: { seq: lastSeq, hash: lastHash } })).toMatchObject({
      ok: false,
      problem: { seq: 3, code: 'anchor' },
    });
  });

  it('keeps one chain when several processes append to the same file at once', async () => {
    const file = tempFile();
    open(file).append({ kind: 'start', actor: 'test', data: {} });
    // Real processes, because better-sqlite3 is synchronous: only separate processes really race. Each
    // child says it is ready, then waits for the `go` file, so their appends overlap.
    const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-child-'));
    const go = join(dir, 'go');
    const script = join(dir, 'append.ts');
    const logModule = fileURLToPath(new URL('./log.ts', import.meta.url));
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs';
       import { openAuditLog } from ${JSON.stringify(logModule)};
       const [file, go, who, count] = process.argv.slice(2);
       const log = openAuditLog(file);
       process.stdout.write('ready\\n');
       const pause = new Int32Array(new SharedArrayBuffer(4));
       while (!existsSync(go)) Atomics.wait(pause, 0, 0, 2);
       for (let i = 0; i < Number(count); i++) log.append({ kind: 'race', actor: who, data: { i } });
       log.close();`,
    );
    const viteNode = fileURLToPath(new URL('../../node_modules/vite-node/vite-node.mjs', import.meta.url));
    const PER_CHILD = 400;
    const children = ['a', 'b', 'c'].map((who) => {
      const child = spawn(process.execPath, [viteNode, script, file, go, who, String(PER_CHILD)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const done = new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`${who}: exit ${code}: ${stderr}`)),
        );
      });
      return { ready, done };
    });
    await Promise.race([Promise.all(children.map((c) => c.ready)), Promise.all(children.map((c) => c.done))]);
    writeFileSync(go, '');
    await Promise.all(children.map((c) => c.done));

    const log = open(file);
    expect(log.verify()).toMatchObject({ ok: true, rows: 1 + 3 * PER_CHILD });
    const db = raw(file);
    const counts = db
      .prepare('SELECT actor, COUNT(*) AS n FROM audit_log GROUP BY actor ORDER BY actor')
      .all();
    expect(counts).toEqual([
      { actor: 'a', n: PER_CHILD },
      { actor: 'b', n: PER_CHILD },
      { actor: 'c', n: PER_CHILD },
      { actor: 'test', n: 1 },
    ]);
    // Each child's rows are in its own order: no append was lost or applied twice.
    const rows = db.prepare("SELECT actor, data FROM audit_log WHERE kind = 'race' ORDER BY seq").all() as {
      actor: string;
      data: string;
    }[];
    for (const who of ['a', 'b', 'c']) {
      const order = rows.filter((r) => r.actor === who).map((r) => (JSON.parse(r.data) as { i: number }).i);
      expect(order).toEqual(Array.from({ length: PER_CHILD }, (_, i) => i));
    }
  });

  it('hashes data the same whatever the key order it was built in', () => {
    const a = open(tempFile()).append({
      kind: 'k',
      actor: 'x',
      ts: '2025-01-01T00:00:00.000Z',
      data: { b: 1, a: { d: [1, { z: 0, y: 'é' }], c: null } },
    });
    const b = open(tempFile()).append({
      kind: 'k',
      actor: 'x',
      ts: '2025-01-01T00:00:00.000Z',
      data: { a: { c: null, d: [1, { y: 'é', z: 0 }] }, b: 1 },
    });
    expect(a.hash).toBe(b.hash);
  });

  it('refuses data JSON cannot carry faithfully, and leaves the chain untouched', () => {
    const log = open(tempFile());
    expect(() => log.append({ kind: 'k', actor: 'x', data: { n: Number.NaN } })).toThrow(/NaN/);
    expect(() => log.append({ kind: 'k', actor: 'x', data: { e: undefined } })).toThrow(/\$\.e/);
    expect(() => log.append({ kind: 'k', actor: 'x', data: { err: new Error('boom') } })).toThrow(
      /not a plain object/,
    );
    expect(() => log.append({ kind: '', actor: 'x', data: {} })).toThrow(/kind/);
    expect(log.verify()).toMatchObject({ ok: true, rows: 0 });
  });

  it('replaces oversized data with its size and digest', () => {
    const log = open(tempFile());
    const row = log.append({ kind: 'k', actor: 'x', data: { blob: 'x'.repeat(MAX_DATA_BYTES) } });
    expect(row.data).toMatchObject({ truncated: true, bytes: MAX_DATA_BYTES + 11 });
    expect(row.data.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(log.verify().ok).toBe(true);
  });

  it('lists rows by kind and subject, oldest or newest first, paged by seq', () => {
    const log = open(tempFile());
    fill(log, 5);
    log.append({ kind: 'finding.status', actor: 'alice', subject: 'f-1', data: { status: 'ARCHIVED' } });
    expect(log.list({ limit: 2 }).map((r) => r.seq)).toEqual([1, 2]);
    expect(log.list({ after: 4 }).map((r) => r.seq)).toEqual([5, 6]);
    expect(log.list({ order: 'desc', limit: 2 }).map((r) => r.seq)).toEqual([6, 5]);
    expect(log.list({ order: 'desc', before: 3 }).map((r) => r.seq)).toEqual([2, 1]);
    expect(log.list({ kind: 'finding.status' })).toEqual([
      expect.objectContaining({ seq: 6, actor: 'alice', subject: 'f-1', data: { status: 'ARCHIVED' } }),
    ]);
    expect(log.list({ subject: 'action-3' }).map((r) => r.seq)).toEqual([3]);
  });

  it('opens read-only without creating anything, and names the file beside the findings db', () => {
    const file = tempFile();
    expect(() => openAuditLog(file, { readonly: true })).toThrow(/cannot open/);
    fill(open(file), 2);
    const reader = openAuditLog(file, { readonly: true });
    opened.push(reader);
    expect(reader.verify()).toMatchObject({ ok: true, rows: 2 });
    expect(() => reader.append({ kind: 'k', actor: 'x', data: {} })).toThrow(/read-only/);
    expect(auditLogFile('./data/vigil.db')).toBe('./data/vigil-audit.db');
  });
});
