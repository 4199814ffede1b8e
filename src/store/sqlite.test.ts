import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { VigilError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { createAggregator } from '../findings/aggregate.js';
import { makeEvent, makeHit, sampleFindings } from '../findings/testing.js';
import { MIGRATIONS } from './migrations.js';
import { openFindingStore } from './sqlite.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  file = join(dir, 'findings.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const items = (findings: Finding[]) => findings.map((f) => ({ finding: f, eventIds: f.evidence.eventIds }));

describe('openFindingStore (SQLite)', () => {
  it('stores findings and reads them back unchanged', () => {
    const store = openFindingStore(file);
    const findings = sampleFindings();
    store.upsertMany(items(findings));
    for (const f of findings) expect(store.get(f.id)).toEqual(f);
    expect(store.get('0'.repeat(32))).toBeUndefined();
    store.close();
  });

  it('is idempotent: storing the same scan twice adds nothing and does not double count', () => {
    const store = openFindingStore(file);
    store.upsertMany(items(sampleFindings()));
    const before = store.list();
    store.upsertMany(items(sampleFindings()));
    expect(store.list()).toEqual(before);
    expect(before.find((f) => f.detector === 'cloudtrail-logging-stopped')!.count).toBe(3);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM finding_events').get()).toEqual({ n: 5 });
    db.close();
    store.close();
  });

  it('grows count, time span, severity and evidence with new events', () => {
    const store = openFindingStore(file);
    const [first] = sampleFindings();
    store.upsert(first!, first!.evidence.eventIds);
    const agg = createAggregator();
    const later = agg.add(
      makeHit({
        event: makeEvent({ time: '2026-11-21T08:00:00Z', eventId: 'new-1', eventName: 'UpdateTrail' }),
      }),
    );
    agg.add(makeHit({ event: makeEvent({ time: '2026-11-19T08:00:00Z', eventId: 'new-2' }) }));
    const merged = store.upsert(
      later.finding,
      ['new-1', 'new-2'],
      ['2026-11-21T08:00:00Z', '2026-11-19T08:00:00Z'],
    );
    expect(merged.count).toBe(5);
    expect(merged.firstSeen).toBe('2026-11-19T08:00:00Z');
    expect(merged.lastSeen).toBe('2026-11-21T08:00:00Z');
    expect(merged.evidence.eventIds).toEqual([...first!.evidence.eventIds, 'new-1', 'new-2']);
    expect(merged.evidence.eventNames).toContain('UpdateTrail');
    // a partly seen batch only adds the new ids
    expect(store.upsert(later.finding, ['new-1', 'new-3']).count).toBe(6);
    expect(store.get(first!.id)!.count).toBe(6);
  });

  it('keeps status set by an analyst when the finding fires again', () => {
    const store = openFindingStore(file);
    const [f] = sampleFindings();
    store.upsert(f!, f!.evidence.eventIds);
    expect(store.setStatus(f!.id, 'ACKNOWLEDGED')).toBe(true);
    expect(store.setStatus('nope', 'RESOLVED')).toBe(false);
    store.upsert({ ...f!, severity: 9.5, severityLabel: 'CRITICAL' }, ['another']);
    const stored = store.get(f!.id)!;
    expect(stored.status).toBe('ACKNOWLEDGED');
    expect(stored.severity).toBe(9.5);
    expect(stored.severityLabel).toBe('CRITICAL');
    store.close();
  });

  it('keeps findings across close and reopen, in WAL mode, at the latest schema version', () => {
    const store = openFindingStore(file);
    store.upsertMany(items(sampleFindings()));
    store.close();
    const reopened = openFindingStore(file);
    expect(reopened.list()).toHaveLength(3);
    reopened.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('filters and orders the list with bound parameters only', () => {
    const store = openFindingStore(file);
    store.upsertMany(items(sampleFindings()));
    expect(store.list().map((f) => f.severity)).toEqual([9.2, 7.5, 2.5]);
    expect(store.list({ minSeverity: 7 }).map((f) => f.detector)).toEqual([
      'root-console-login',
      'cloudtrail-logging-stopped',
    ]);
    expect(store.list({ region: 'eu-west-1' }).map((f) => f.detector)).toEqual(['s3-bucket-enumeration']);
    expect(store.list({ since: '2026-11-20T10:30:00Z' }).map((f) => f.detector)).toEqual([
      'root-console-login',
    ]);
    expect(store.list({ until: Date.parse('2026-11-20T10:00:00Z') }).map((f) => f.detector)).toEqual([
      's3-bucket-enumeration',
    ]);
    expect(store.list({ limit: 1, offset: 1 }).map((f) => f.severity)).toEqual([7.5]);
    // a hostile filter value is data, not SQL
    expect(store.list({ detector: "x' OR '1'='1" })).toEqual([]);
    expect(store.list()).toHaveLength(3);
    store.close();
  });

  it('is safe to close twice, refuses use after close, and lets two handles share one file', () => {
    const a = openFindingStore(file);
    const b = openFindingStore(file);
    const [f1, f2] = sampleFindings();
    a.upsert(f1!, f1!.evidence.eventIds);
    b.upsert(f2!, f2!.evidence.eventIds);
    expect(a.list()).toHaveLength(2);
    a.close();
    a.close();
    expect(() => a.list()).toThrow(VigilError);
    expect(b.get(f1!.id)?.count).toBe(3);
    b.close();
    b.close();
  });

  it('reports an unusable file with VIGIL_STORE naming it', () => {
    const bad = join(dir, 'not-a-db');
    writeFileSync(
      bad,
      'this is not a sqlite database, just some text that is long enough to have a header'.repeat(20),
    );
    try {
      openFindingStore(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(VigilError);
      expect((err as VigilError).code).toBe('VIGIL_STORE');
      expect((err as VigilError).message).toContain(bad);
    }
  });

  it('refuses a database from a newer Vigil', () => {
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openFindingStore(file)).toThrow(/newer than this Vigil knows/);
  });
});
