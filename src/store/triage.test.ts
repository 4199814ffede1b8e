import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { createSuppressionMatcher, suppressionDraft } from '../findings/suppress.js';
import { MIGRATIONS } from './migrations.js';
import { openFindingStore } from './sqlite.js';
import { makeFinding } from './triage-testing.js';
import type { FindingStore } from './types.js';

let dir: string;
let file: string;
let clock: number;
let store: FindingStore;
const T0 = Date.parse('2026-11-20T12:00:00Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-triage-'));
  file = join(dir, 'findings.db');
  clock = T0;
  store = openFindingStore(file, { now: () => clock });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (hours: number) => new Date(T0 - hours * 3_600_000).toISOString();

/** Six findings that differ in every filtered field. */
function seed() {
  const f = {
    critical: makeFinding('critical', {
      severity: 9.5,
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      firstSeen: at(5),
      lastSeen: at(1),
      count: 3,
    }),
    high: makeFinding('high', {
      severity: 8,
      type: 'Stealth:S3/BucketPolicyPublic',
      detector: 's3-public',
      accountId: '210987654321',
      region: 'eu-west-1',
      firstSeen: at(10),
      lastSeen: at(2),
      count: 40,
      actor: {
        principal: 'arn:aws:iam::210987654321:role/deployer',
        ip: '198.51.100.9',
        geo: { country: 'NL' },
      },
      title: 'Bucket made public',
      description: 'Policy of bucket payroll-exports allows "*" (NEAR anyone)',
    }),
    medium: makeFinding('medium', {
      severity: 5,
      type: 'Discovery:IAMUser/AnomalousBehavior',
      detector: 'iam-recon',
      firstSeen: at(30),
      lastSeen: at(20),
      count: 7,
    }),
    low: makeFinding('low', {
      severity: 2,
      type: 'Recon:EC2/PortProbe',
      region: 'eu-west-1',
      firstSeen: at(50),
      lastSeen: at(48),
    }),
    ack: makeFinding('ack', { severity: 6, firstSeen: at(3), lastSeen: at(3), count: 2 }),
    resolved: makeFinding('resolved', { severity: 7.2, firstSeen: at(60), lastSeen: at(40) }),
  };
  store.upsertMany(Object.values(f).map((finding) => ({ finding, eventIds: finding.evidence.eventIds })));
  store.setStatus(f.ack.id, 'ACKNOWLEDGED');
  store.setStatus(f.resolved.id, 'RESOLVED');
  return f;
}

const ids = (page: { items: Finding[] }) => page.items.map((x) => x.id);

describe('findings query', () => {
  it('filters by each field and counts the total', () => {
    const f = seed();
    const expectIds = (q: Parameters<FindingStore['query']>[0], want: Finding[]) => {
      const page = store.query(q);
      expect(new Set(ids(page))).toEqual(new Set(want.map((x) => x.id)));
      expect(page.total).toBe(want.length);
    };
    expectIds({}, Object.values(f));
    expectIds({ severity: ['CRITICAL'] }, [f.critical]);
    expectIds({ severity: ['HIGH', 'LOW'] }, [f.high, f.resolved, f.low]);
    expectIds({ minSeverity: 7 }, [f.critical, f.high, f.resolved]);
    expectIds({ type: 'Stealth:S3/BucketPolicyPublic' }, [f.high]);
    expectIds({ type: 'Stealth:S3' }, []);
    expectIds({ typePrefix: 'Stealth:' }, [f.critical, f.high, f.ack, f.resolved]);
    expectIds({ typePrefix: 'Recon:EC2/' }, [f.low]);
    expectIds({ status: ['ACKNOWLEDGED', 'RESOLVED'] }, [f.ack, f.resolved]);
    expectIds({ status: ['NEW'] }, [f.critical, f.high, f.medium, f.low]);
    expectIds({ accountId: '210987654321' }, [f.high]);
    expectIds({ region: 'eu-west-1' }, [f.high, f.low]);
    expectIds({ principal: 'arn:aws:iam::210987654321:role/deployer' }, [f.high]);
    expectIds({ ip: '198.51.100.9' }, [f.high]);
    expectIds({ detector: 'iam-recon' }, [f.medium]);
    expectIds({ lastSeenFrom: at(3), lastSeenTo: at(1) }, [f.critical, f.high, f.ack]);
    expectIds({ firstSeenTo: at(30) }, [f.medium, f.low, f.resolved]);
    expectIds({ firstSeenFrom: T0 - 10 * 3_600_000 }, [f.critical, f.high, f.ack]);
    expectIds({ severity: ['HIGH'], region: 'eu-west-1', status: ['NEW'] }, [f.high]);
  });

  it('sorts by every allowed key in both directions', () => {
    const f = seed();
    const order = (sort: 'severity' | 'lastSeen' | 'firstSeen' | 'count' | 'type', dir: 'asc' | 'desc') =>
      ids(store.query({ sort, order: dir }));
    const all = Object.values(f);
    const by = (key: (x: Finding) => number | string) =>
      [...all].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1));
    expect(order('severity', 'desc')).toEqual(
      by((x) => x.severity)
        .reverse()
        .map((x) => x.id),
    );
    expect(order('severity', 'asc')).toEqual(by((x) => x.severity).map((x) => x.id));
    expect(order('lastSeen', 'desc')).toEqual(
      by((x) => Date.parse(x.lastSeen))
        .reverse()
        .map((x) => x.id),
    );
    expect(order('firstSeen', 'asc')).toEqual(by((x) => Date.parse(x.firstSeen)).map((x) => x.id));
    expect(order('count', 'desc')[0]).toBe(f.high.id);
    expect(order('count', 'asc').at(-1)).toBe(f.high.id);
    const types = store.query({ sort: 'type', order: 'asc' }).items.map((x) => x.type);
    expect(types).toEqual([...types].sort());
    expect(store.query({ sort: 'type', order: 'desc' }).items[0]!.type).toBe('Stealth:S3/BucketPolicyPublic');
  });

  it('pages with a stable order and the full total', () => {
    const many = Array.from({ length: 57 }, (_, i) =>
      makeFinding(`page-${i}`, { severity: 1 + (i % 9), lastSeen: at(i % 5), firstSeen: at(6) }),
    );
    store.upsertMany(many.map((finding) => ({ finding, eventIds: [] })));
    const seen: string[] = [];
    for (let offset = 0; offset < 60; offset += 20) {
      const page = store.query({ limit: 20, offset, sort: 'lastSeen' });
      expect(page.total).toBe(57);
      seen.push(...ids(page));
    }
    expect(seen).toHaveLength(57);
    expect(new Set(seen).size).toBe(57);
    expect(store.query({ limit: 10, offset: 100 })).toEqual({ total: 57, items: [] });
    expect(store.query({ limit: 10_000 }).items).toHaveLength(57);
  });

  it('finds words in title, description, type, principal, resources and IP', () => {
    const f = seed();
    const text = (q: string) => new Set(ids(store.query({ text: q })));
    expect(text('payroll-exports')).toEqual(new Set([f.high.id]));
    expect(text('Bucket made')).toEqual(new Set([f.high.id]));
    expect(text('deployer')).toEqual(new Set([f.high.id]));
    expect(text('198.51.100.9')).toEqual(new Set([f.high.id]));
    expect(text('PortProbe')).toEqual(new Set([f.low.id]));
    expect(text('trail/medium')).toEqual(new Set([f.medium.id]));
    expect(text('payr')).toEqual(new Set([f.high.id]));
    expect(text('payroll nothing-like-this')).toEqual(new Set());
  });

  it('reads hostile search text as plain words: no syntax error, literal matches only', () => {
    const f = seed();
    const hostile = [
      '"',
      '"unbalanced',
      'payroll"',
      'NEAR(payroll anyone)',
      'payroll NEAR anyone',
      '*',
      'payr*',
      '(',
      ')) OR ((',
      'title:payroll',
      '^payroll',
      'payroll OR alice',
      'NOT alice',
      "'; DROP TABLE findings; --",
      '\u0000',
      '- + : {}',
    ];
    for (const q of hostile) expect(() => store.query({ text: q }), q).not.toThrow();
    // Operators are words: "OR" must occur literally, so this finds nothing (no finding says "or").
    expect(store.query({ text: 'payroll OR alice' }).total).toBe(0);
    // "NEAR" and the quote around * are in the high finding's description, literally.
    expect(ids(store.query({ text: 'NEAR anyone' }))).toEqual([f.high.id]);
    expect(ids(store.query({ text: 'NEAR(payroll' }))).toEqual([]);
    expect(ids(store.query({ text: '"payroll-exports"' }))).toEqual([f.high.id]);
    // Only punctuation: nothing to search for, so no text filter.
    expect(store.query({ text: '( ) * "' }).total).toBe(6);
    expect(store.query({}).total).toBe(6);
  });

  it('backfills the indexed columns and the text index of findings stored before the migration', () => {
    store.close();
    const old = join(dir, 'old.db');
    const db = new Database(old);
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    const f = makeFinding('legacy', {
      actor: { principal: 'arn:aws:iam::1:user/bob', ip: '192.0.2.4', geo: { country: 'DE' } },
    });
    db.prepare(
      `INSERT INTO findings VALUES (?, ?, ?, ?, 'NEW', ?, ?, ?, ?, 1, ?, '2026-11-20T00:00:00Z')`,
    ).run(
      f.id,
      f.detector,
      f.type,
      f.severity,
      f.accountId,
      f.region,
      Date.parse(f.firstSeen),
      Date.parse(f.lastSeen),
      JSON.stringify(f),
    );
    db.close();
    store = openFindingStore(old, { now: () => clock });
    expect(ids(store.query({ principal: 'arn:aws:iam::1:user/bob' }))).toEqual([f.id]);
    expect(ids(store.query({ ip: '192.0.2.4' }))).toEqual([f.id]);
    expect(ids(store.query({ text: 'legacy' }))).toEqual([f.id]);
    expect(store.overview({ windowMs: 1e12 }).topIps).toEqual([{ ip: '192.0.2.4', country: 'DE', count: 1 }]);
    // Updates re-index without duplicating the text entry.
    store.upsert({ ...f, title: 'Renamed finding' }, ['later-event']);
    expect(store.query({ text: 'legacy' }).total).toBe(1);
  });
});

describe('planner statistics', () => {
  it('are taken once the table is large, so a filter walks its most selective index', () => {
    const many = Array.from({ length: 1200 }, (_, i) =>
      makeFinding(`stats-${i}`, { accountId: String(100000000000 + (i % 40)), region: `r-${i % 3}` }),
    );
    store.upsertMany(many.map((finding) => ({ finding, eventIds: [] })));
    const page = store.query({ accountId: '100000000007', region: 'r-1', sort: 'firstSeen' });
    expect(page.total).toBe(10);
    expect(page.items.every((x) => x.accountId === '100000000007' && x.region === 'r-1')).toBe(true);
    store.close();
    const db = new Database(file, { readonly: true });
    try {
      // 30 findings per account against 400 per region: with statistics SQLite picks the account index.
      const plan = db
        .prepare('EXPLAIN QUERY PLAN SELECT n FROM findings WHERE account_id = ? AND region = ?')
        .all('100000000007', 'r-1') as { detail: string }[];
      expect(plan.map((r) => r.detail).join('\n')).toContain('findings_account');
    } finally {
      db.close();
    }
    store = openFindingStore(file, { now: () => clock });
  });
});

describe('workflow', () => {
  it('suppresses with a reason until an expiry, then returns the finding to its previous status', () => {
    const f = seed();
    const until = new Date(T0 + 3_600_000).toISOString();
    const after = store.transition(f.ack.id, {
      status: 'SUPPRESSED',
      reason: 'pen test',
      by: 'carol',
      until,
    });
    expect(after?.status).toBe('SUPPRESSED');
    expect(store.suppressionOf(f.ack.id)).toEqual({
      reason: 'pen test',
      by: 'carol',
      at: new Date(T0).toISOString(),
      until,
      statusBefore: 'ACKNOWLEDGED',
    });
    // Suppressing again keeps the status to return to.
    store.transition(f.ack.id, { status: 'SUPPRESSED', reason: 'longer', by: 'carol', until });
    expect(store.suppressionOf(f.ack.id)?.statusBefore).toBe('ACKNOWLEDGED');
    expect(ids(store.query({ status: ['SUPPRESSED'] }))).toEqual([f.ack.id]);

    clock = T0 + 3_600_000 - 1;
    expect(store.get(f.ack.id)?.status).toBe('SUPPRESSED');
    clock = T0 + 3_600_000;
    expect(store.query({ status: ['SUPPRESSED'] }).total).toBe(0);
    expect(store.get(f.ack.id)?.status).toBe('ACKNOWLEDGED');
    expect(store.suppressionOf(f.ack.id)).toBeUndefined();
    expect(store.expireSuppressions()).toBe(0);
  });

  it('keeps a suppression without expiry until reopened; setStatus still works for the old API', () => {
    const f = seed();
    store.transition(f.low.id, { status: 'SUPPRESSED', reason: 'noise', by: 'dan' });
    clock += 365 * 24 * 3_600_000;
    expect(store.get(f.low.id)?.status).toBe('SUPPRESSED');
    expect(store.transition(f.low.id, { status: 'NEW' })?.status).toBe('NEW');
    expect(store.suppressionOf(f.low.id)).toBeUndefined();
    expect(store.setStatus(f.low.id, 'RESOLVED')).toBe(true);
    expect(store.get(f.low.id)?.status).toBe('RESOLVED');
    expect(store.setStatus('0'.repeat(32), 'RESOLVED')).toBe(false);
    expect(store.transition('0'.repeat(32), { status: 'NEW' })).toBeUndefined();
    // New evidence does not reopen a suppressed finding.
    store.transition(f.low.id, { status: 'SUPPRESSED', reason: 'noise', by: 'dan' });
    store.upsert(f.low, ['another-event']);
    expect(store.get(f.low.id)?.status).toBe('SUPPRESSED');
  });

  it('keeps notes with author and time, oldest first', () => {
    const f = seed();
    expect(store.addNote(f.high.id, { author: 'erin', text: 'asked the owner' })).toMatchObject({
      findingId: f.high.id,
      author: 'erin',
      at: new Date(T0).toISOString(),
    });
    clock += 60_000;
    store.addNote(f.high.id, { author: 'frank', text: '<script>x</script>' });
    expect(store.notes(f.high.id).map((n) => [n.author, n.text])).toEqual([
      ['erin', 'asked the owner'],
      ['frank', '<script>x</script>'],
    ]);
    expect(store.notes(f.low.id)).toEqual([]);
    expect(store.addNote('missing', { author: 'x', text: 'y' })).toBeUndefined();
  });
});

describe('suppression rules', () => {
  it('matches by pattern, skips expired rules, suppresses NEW findings only, and recompiles on change', () => {
    const f = seed();
    const matcher = createSuppressionMatcher(store, { now: () => clock });
    expect(matcher.matches(f.high)).toBeUndefined();
    const rule = store.addSuppressionRule({
      pattern: suppressionDraft(f.high),
      reason: 'deployer publishes the docs bucket',
      owner: 'platform',
      expires: new Date(T0 + 60_000).toISOString(),
    });
    expect(matcher.matches(f.high)?.id).toBe(rule.id);
    expect(matcher.matches(f.critical)).toBeUndefined();
    expect(matcher.matches({ ...f.high, actor: { principal: 'someone-else' } })).toBeUndefined();

    expect(matcher.apply(f.high)?.id).toBe(rule.id);
    expect(store.get(f.high.id)?.status).toBe('SUPPRESSED');
    expect(store.suppressionOf(f.high.id)).toMatchObject({ ruleId: rule.id, by: `rule:${rule.id}` });
    // Still stored and visible under the status filter.
    expect(ids(store.query({ status: ['SUPPRESSED'] }))).toEqual([f.high.id]);

    const other = store.addSuppressionRule({
      pattern: { detail: { status: ['RESOLVED'] } },
      reason: 'r',
      owner: 'o',
    });
    expect(matcher.apply(store.get(f.resolved.id)!)?.id).toBe(other.id);
    expect(store.get(f.resolved.id)?.status).toBe('RESOLVED');

    clock = T0 + 60_000;
    expect(matcher.matches(f.high)).toBeUndefined();
    expect(store.get(f.high.id)?.status).toBe('NEW');
    expect(store.deleteSuppressionRule(other.id)).toBe(true);
    expect(store.deleteSuppressionRule(other.id)).toBe(false);
    expect(matcher.matches(store.get(f.resolved.id)!)).toBeUndefined();
    expect(store.suppressionRules().map((r) => r.id)).toEqual([rule.id]);
  });
});

describe('overview', () => {
  it('counts open findings by severity, buckets by first seen, lists newest and top values', () => {
    const f = seed();
    const o = store.overview({ windowMs: 24 * 3_600_000, buckets: 24, newest: 3, top: 5 });
    expect(o.open).toEqual({ LOW: 1, MEDIUM: 2, HIGH: 1, CRITICAL: 1, total: 5 });
    expect(o.overTime).toHaveLength(24);
    const sum = o.overTime.reduce((n, b) => n + b.LOW + b.MEDIUM + b.HIGH + b.CRITICAL, 0);
    expect(sum).toBe(3); // critical (5 h), high (10 h), ack (3 h) were first seen in the last 24 h
    expect(o.overTime[24 - 5]).toMatchObject({ CRITICAL: 1 });
    expect(o.newest.map((x) => x.id)).toEqual([f.ack.id, f.critical.id, f.high.id]);
    expect(o.topTypes[0]).toEqual({ type: 'Stealth:IAMUser/CloudTrailLoggingDisabled', count: 2 });
    expect(o.topIps).toContainEqual({ ip: '198.51.100.9', country: 'NL', count: 1 });
    expect(o.topIps).toContainEqual({ ip: '203.0.113.7', count: 3 });
    expect(o.topPrincipals[0]).toEqual({ principal: 'arn:aws:iam::123456789012:user/alice', count: 3 });
    expect(o.accounts).toEqual([
      { accountId: '123456789012', count: 3, open: 3 },
      { accountId: '210987654321', count: 1, open: 1 },
    ]);
    expect(o.regions).toEqual([
      { region: 'us-east-1', count: 3, open: 3 },
      { region: 'eu-west-1', count: 1, open: 1 },
    ]);
  });

  it('puts findings first seen between bucket boundaries into their bucket', () => {
    // 5.5 h and 0.25 h ago: neither falls on a bucket start, so the bucket number must be whole.
    const early = makeFinding('between-1', { severity: 7, firstSeen: at(5.5), lastSeen: at(5.5) });
    const late = makeFinding('between-2', { severity: 2, firstSeen: at(0.25), lastSeen: at(0.25) });
    store.upsertMany([early, late].map((finding) => ({ finding, eventIds: [] })));
    const o = store.overview({ windowMs: 24 * 3_600_000, buckets: 24 });
    expect(o.overTime[24 - 6]).toMatchObject({ HIGH: 1 });
    expect(o.overTime[23]).toMatchObject({ LOW: 1 });
    expect(o.overTime.reduce((n, b) => n + b.LOW + b.MEDIUM + b.HIGH + b.CRITICAL, 0)).toBe(2);
  });
});
