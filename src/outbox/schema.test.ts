import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { openFindingStore } from '../store/sqlite.js';
import { OUTBOX_MIGRATIONS, openOutboxDatabase } from './schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-outbox-schema-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openOutboxDatabase', () => {
  it('creates a WAL database at the latest schema version, and reopens it unchanged', () => {
    const file = join(dir, 'outbox.db');
    const db = openOutboxDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(OUTBOX_MIGRATIONS.length);
    db.close();
    const again = openOutboxDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(OUTBOX_MIGRATIONS.length);
    again.close();
  });

  it('refuses a database versioned by something else (the findings store)', () => {
    const file = join(dir, 'findings.db');
    openFindingStore(file).close();
    expect(() => openOutboxDatabase(file)).toThrow(VigilError);
    expect(() => openOutboxDatabase(file)).toThrow(/give the outbox its own file/);
  });

  it('refuses a schema newer than it knows', () => {
    const file = join(dir, 'outbox.db');
    openOutboxDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${OUTBOX_MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openOutboxDatabase(file)).toThrow(/newer than this Vigil understands/);
  });
});
