import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../audit/log.js';
import { createAuditLog } from './audit-log.js';
import { migrateAuth } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-auth-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('user actions in the hash-chained audit log', () => {
  it('every entry of the auth audit table is also chained, and tampering with it is caught', () => {
    const db = new Database(join(dir, 'auth.db'));
    migrateAuth(db);
    const chain = openAuditLog(join(dir, 'audit.db'));
    const log = createAuditLog(db, () => Date.parse('2026-11-25T12:00:00Z'), chain);
    log.append({
      user: 'alice',
      via: 'session',
      action: 'finding.status',
      target: 'f-1',
      details: { status: 'RESOLVED' },
      ip: '127.0.0.1',
    });
    log.append({ user: 'bob', via: 'token', action: 'suppression.create', target: 's-1', ip: null });
    expect(log.query({ limit: 10 }).entries).toHaveLength(2);
    const rows = chain.list({ limit: 10 });
    expect(rows.map((r) => [r.kind, r.actor, r.subject])).toEqual([
      ['user.finding.status', 'alice', 'f-1'],
      ['user.suppression.create', 'bob', 's-1'],
    ]);
    expect(rows[0]!.data).toEqual({ via: 'session', ip: '127.0.0.1', details: { status: 'RESOLVED' } });
    expect(chain.verify().ok).toBe(true);
    chain.close();

    // Someone with write access rewrites who resolved the finding.
    const raw = new Database(join(dir, 'audit.db'));
    for (const t of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as {
      name: string;
    }[])
      raw.exec(`DROP TRIGGER ${t.name}`);
    raw.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").run();
    raw.close();
    const verify = openAuditLog(join(dir, 'audit.db')).verify();
    expect(verify.ok).toBe(false);
    expect(verify.problem?.seq).toBe(1);
    db.close();
  });
});
