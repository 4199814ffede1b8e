import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../core/event.js';
import { makeEvent } from '../findings/testing.js';
import { errorClassOf, openEventStore, storedEventId } from './events.js';
import { ROLLUP_CUBES, ROLLUP_LEVELS, rollupTable } from './events-schema.js';
import { findSpikes } from './events-spikes.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-events-'));
  file = join(dir, 'events.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-11-20T00:00:00Z');
const MIN = 60_000;
const SERVICES = ['iam', 's3', 'ec2', 'sts'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const PRINCIPALS = ['arn:aws:iam::111111111111:user/alice', 'arn:aws:iam::111111111111:role/app', undefined];

function ev(i: number, overrides: Partial<VigilEvent> = {}): VigilEvent {
  const ts = overrides.ts ?? T0 + i * 7_919;
  const service = SERVICES[i % SERVICES.length]!;
  return makeEvent({
    time: new Date(ts).toISOString(),
    ts,
    eventId: `ev-${i}`,
    service,
    eventSource: `${service}.amazonaws.com`,
    eventName: `Call${i % 5}`,
    region: REGIONS[i % 2],
    accountId: i % 7 === 0 ? '222222222222' : '111111111111',
    principal: PRINCIPALS[i % 3],
    errorCode: i % 11 === 0 ? 'AccessDenied' : i % 13 === 0 ? 'ThrottlingException' : undefined,
    raw: { eventID: `ev-${i}`, n: i },
    ...overrides,
  });
}

describe('errorClassOf', () => {
  it('separates AccessDenied / Unauthorized from other errors', () => {
    expect(errorClassOf(undefined)).toBe(0);
    expect(errorClassOf('AccessDenied')).toBe(1);
    expect(errorClassOf('AccessDeniedException')).toBe(1);
    expect(errorClassOf('Client.UnauthorizedOperation')).toBe(1);
    expect(errorClassOf('UnauthorizedOperation')).toBe(1);
    expect(errorClassOf('ThrottlingException')).toBe(2);
    expect(errorClassOf('NoSuchBucket')).toBe(2);
  });
});

describe('openEventStore', () => {
  it('is idempotent by event id, and hashes a stable id for events without one', () => {
    const store = openEventStore(file);
    const events = Array.from({ length: 50 }, (_, i) => ev(i));
    const noId = ev(1000, { eventId: undefined, raw: { some: 'record' } });
    expect(store.add([...events, noId])).toBe(51);
    expect(store.add([...events, { ...noId }])).toBe(0);
    expect(store.count()).toBe(51);
    expect(storedEventId(noId)).toBe(storedEventId({ ...noId }));
    expect(storedEventId(noId)).toMatch(/^h-[0-9a-f]{32}$/);
    expect(store.get(storedEventId(noId))!.raw).toEqual({ some: 'record' });
    const series = store.series({
      since: T0,
      until: T0 + 86_400_000,
      bucketMs: 86_400_000,
      group: 'none',
      top: 10,
    });
    expect(series.series[0]!.total).toBe(51);
    store.close();
  });

  it('returns one event with its raw record unchanged, even when the record carries markup', () => {
    const store = openEventStore(file);
    const raw = { eventID: 'x1', userAgent: '<script>alert(1)</script>', nested: { a: [1, 'b'] } };
    store.add([ev(1, { eventId: 'x1', raw, userAgent: raw.userAgent })]);
    const got = store.get('x1')!;
    expect(got.raw).toEqual(raw);
    expect(got.userAgent).toBe('<script>alert(1)</script>');
    expect(store.get('missing')).toBeUndefined();
    store.close();
  });

  it('keeps the rollups equal to a direct count of the events, for every grouping and filter', () => {
    const store = openEventStore(file);
    const events = Array.from({ length: 3000 }, (_, i) => ev(i));
    for (let i = 0; i < events.length; i += 700) store.add(events.slice(i, i + 700));
    store.add(events.slice(100, 900)); // duplicates change nothing
    const db = new Database(file, { readonly: true });
    // A range with ragged edges, so both the hour and the minute rollups are read.
    const since = T0 + 17 * MIN;
    const until = T0 + 5 * 3_600_000 + 23 * MIN;
    const direct = db
      .prepare(
        `SELECT service AS k, COUNT(*) AS n FROM events WHERE ts >= ? AND ts < ? AND region = 'us-east-1'
         GROUP BY service ORDER BY k`,
      )
      .all(since, until) as { k: string; n: number }[];
    const s = store.series({ since, until, bucketMs: MIN, group: 'service', top: 10, region: 'us-east-1' });
    expect(s.series.map((x) => ({ k: x.key, n: x.total })).sort((a, b) => (a.k < b.k ? -1 : 1))).toEqual(
      direct,
    );
    for (const x of s.series) expect(x.counts.reduce((a, b) => a + b, 0)).toBe(x.total);
    // Per-bucket counts equal a direct count (hour buckets).
    const hourly = store.series({
      since: T0,
      until: T0 + 8 * 3_600_000,
      bucketMs: 3_600_000,
      group: 'none',
      top: 1,
    });
    const perHour = db
      .prepare(
        'SELECT ts / 3600000 AS h, COUNT(*) AS n FROM events WHERE ts >= ? AND ts < ? GROUP BY h ORDER BY h',
      )
      .all(T0, T0 + 8 * 3_600_000) as { h: number; n: number }[];
    expect(hourly.series[0]!.counts.filter((n) => n > 0)).toEqual(perHour.map((r) => r.n));
    const errors = store.errors({ since: T0, until: T0 + 86_400_000, bucketMs: 86_400_000 });
    const e = db
      .prepare(
        `SELECT COUNT(*) AS total, SUM(error_code IS NOT NULL) AS errors, SUM(error_code = 'AccessDenied') AS denied
         FROM events`,
      )
      .get() as { total: number; errors: number; denied: number };
    expect({ total: errors.total[0], errors: errors.errors[0], denied: errors.denied[0] }).toEqual(e);
    const callers = store.topCallers({ since: T0, until: T0 + 86_400_000, limit: 10 });
    const directCallers = db
      .prepare(
        `SELECT principal, COUNT(*) AS calls FROM events WHERE principal IS NOT NULL GROUP BY principal ORDER BY calls DESC`,
      )
      .all();
    expect(callers.map((c) => ({ principal: c.principal, calls: c.calls }))).toEqual(directCallers);
    expect(callers[0]!.services).toBe(4);
    db.close();
    store.close();
  });

  it('answers every grouping, filter, bucket width and ragged range exactly as a direct count, also after pruning', () => {
    const HOUR = 3_600_000;
    const DAY = 86_400_000;
    // Three days plus a bit, so day, hour, 5-minute and minute slots all take part.
    const events = Array.from({ length: 4000 }, (_, i) =>
      ev(i, { ts: T0 + i * 71_003, principal: i % 17 === 0 ? undefined : `p${(i * i) % 23}` }),
    );
    const now = T0 + 4 * DAY;
    const store = openEventStore(file, { now: () => now, maxEvents: 2500, pruneBatch: 300 });
    for (let i = 0; i < events.length; i += 900) store.add(events.slice(i, i + 900));
    const db = new Database(file, { readonly: true });
    const COLUMN = {
      none: "''",
      service: 'service',
      eventName: 'event_name',
      region: 'region',
      principal: 'principal',
      account: 'account',
    } as const;
    const filters: Partial<Record<'account' | 'region' | 'service' | 'eventName' | 'principal', string>>[] = [
      {},
      { account: '111111111111' },
      { region: 'eu-west-1', service: 'iam' },
      { principal: 'p4' },
      { principal: 'p4', eventName: 'Call3' }, // no cube has both: read from the events
      { eventName: 'Call1', account: '222222222222' },
    ];
    const where = (f: (typeof filters)[number]) =>
      Object.entries(f)
        .map(([k, v]) => `AND IFNULL(${k === 'eventName' ? 'event_name' : k}, '') = '${v}'`)
        .join(' ');
    const ranges = [
      { since: T0, until: T0 + 3 * DAY },
      { since: T0 + 17 * MIN + 5_000, until: T0 + 2 * DAY + 5 * HOUR + 23 * MIN },
    ];
    const check = () => {
      for (const range of ranges)
        for (const f of filters) {
          for (const bucketMs of [MIN, 5 * MIN, 30 * MIN, HOUR, DAY])
            for (const group of Object.keys(COLUMN) as (keyof typeof COLUMN)[]) {
              const s = store.series({ ...range, ...f, bucketMs, group, top: 3 });
              const rows = db
                .prepare(
                  `SELECT IFNULL(${COLUMN[group]}, '') AS k, CAST((ts - ?) / ? AS INTEGER) AS i, COUNT(*) AS n FROM events
                   WHERE ts >= ? AND ts < ? ${where(f)} GROUP BY k, i`,
                )
                .all(s.since, bucketMs, s.since, s.until) as { k: string; i: number; n: number }[];
              const byKey = new Map<string, number[]>();
              for (const r of rows) {
                const counts = byKey.get(r.k) ?? s.times.map(() => 0);
                counts[r.i]! += r.n;
                byKey.set(r.k, counts);
              }
              const sum = (c: number[]) => c.reduce((a, b) => a + b, 0);
              const ranked = [...byKey.entries()].sort(
                (a, b) => sum(b[1]) - sum(a[1]) || (a[0] < b[0] ? -1 : 1),
              );
              const top = group === 'none' ? 1 : 3;
              const expected = ranked
                .slice(0, top)
                .map(([key, counts]) => ({ key, total: sum(counts), counts }));
              if (ranked.length > top) {
                const counts = s.times.map((_, i) => sum(ranked.slice(top).map(([, c]) => c[i]!)));
                expected.push({ key: '(other)', total: sum(counts), counts });
              }
              expect(s.series, JSON.stringify({ range, f, bucketMs, group })).toEqual(expected);
            }
          const errors = store.errors({ ...range, ...f, bucketMs: HOUR });
          const e = db
            .prepare(
              `SELECT COUNT(*) AS total, SUM(error_class <> 0) AS errors, SUM(error_class = 1) AS denied FROM events
               WHERE ts >= ? AND ts < ? ${where(f)}`,
            )
            .get(errors.since, errors.until) as {
            total: number;
            errors: number | null;
            denied: number | null;
          };
          const sum = (c: number[]) => c.reduce((a, b) => a + b, 0);
          expect([sum(errors.total), sum(errors.errors), sum(errors.denied)]).toEqual([
            e.total,
            e.errors ?? 0,
            e.denied ?? 0,
          ]);
          // Top callers read the range to the minute: day, hour, 5-minute and minute slots together.
          const m0 = Math.floor(range.since / MIN) * MIN;
          const m1 = Math.ceil(range.until / MIN) * MIN;
          const callers = store.topCallers({ ...range, ...f, limit: 5 });
          const direct = db
            .prepare(
              `SELECT principal, COUNT(*) AS calls, SUM(error_class <> 0) AS errors, SUM(error_class = 1) AS denied,
                 COUNT(DISTINCT IFNULL(service, '')) AS services, MAX(ts) / ${MIN} * ${MIN} AS lastSeen
               FROM events WHERE ts >= ? AND ts < ? AND principal IS NOT NULL ${where(f)}
               GROUP BY principal ORDER BY calls DESC, principal LIMIT 5`,
            )
            .all(m0, m1);
          expect(callers, JSON.stringify({ range, f })).toEqual(direct);
        }
    };
    check();
    expect(store.prune()).toBe(1500);
    check();
    db.close();
    store.close();
  });

  it('keeps the top groups and sums the rest under (other)', () => {
    const store = openEventStore(file);
    store.add(Array.from({ length: 400 }, (_, i) => ev(i)));
    const s = store.series({
      since: T0,
      until: T0 + 86_400_000,
      bucketMs: 3_600_000,
      group: 'service',
      top: 2,
    });
    expect(s.series.map((x) => x.key)).toEqual([expect.any(String), expect.any(String), '(other)']);
    expect(s.series.reduce((a, x) => a + x.total, 0)).toBe(400);
    store.close();
  });

  it('flags a burst of AccessDenied as a spike, but not a small one on a quiet account', () => {
    expect(findSpikes([1, 2, 1, 2, 1, 2, 1, 40]).map((s) => s.index)).toEqual([7]);
    expect(findSpikes([0, 0, 0, 0, 0, 0, 0, 3])).toEqual([]);
    expect(findSpikes([30, 40])).toEqual([]); // not enough history
    const store = openEventStore(file);
    const events: VigilEvent[] = [];
    for (let m = 0; m < 20; m++)
      for (let k = 0; k < 10; k++)
        events.push(
          ev(m * 100 + k, { ts: T0 + m * MIN + k, errorCode: k === 0 && m % 2 ? 'AccessDenied' : undefined }),
        );
    for (let k = 0; k < 25; k++)
      events.push(ev(5000 + k, { ts: T0 + 14 * MIN + 100 + k, errorCode: 'AccessDenied' }));
    store.add(events);
    const r = store.errors({ since: T0, until: T0 + 20 * MIN, bucketMs: MIN });
    expect(r.spikes.map((s) => [s.time, s.kind])).toEqual([
      [T0 + 14 * MIN, 'denied'],
      [T0 + 14 * MIN, 'errors'],
    ]);
    expect(r.denied[14]).toBe(25);
    store.close();
  });

  it('searches newest first with keyset pagination and free text, never seeing an event twice', () => {
    const store = openEventStore(file);
    const events = Array.from({ length: 230 }, (_, i) =>
      ev(i, {
        ts: T0 + Math.floor(i / 3) * 1000,
        userAgent: i % 4 === 0 ? 'Boto3/1.34 100%_evil' : 'aws-cli/2',
      }),
    );
    store.add(events);
    const seen: string[] = [];
    let cursor: string | undefined;
    let last = Infinity;
    do {
      const page = store.search({ since: T0, until: T0 + 86_400_000, limit: 25, text: '100%_e', cursor });
      for (const e of page.events) {
        expect(e.ts).toBeLessThanOrEqual(last);
        last = e.ts;
        seen.push(e.eventId);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const expected = events.filter((_, i) => i % 4 === 0).map((e) => e.eventId!);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(expected.sort());
    // '%' and '_' are literal: 'aws_cli' matches nothing.
    expect(store.search({ since: T0, until: T0 + 86_400_000, limit: 10, text: 'aws_cli' }).events).toEqual(
      [],
    );
    const denied = store.search({
      since: T0,
      until: T0 + 86_400_000,
      limit: 500,
      errors: 'denied',
      service: 'iam',
    });
    expect(denied.events.length).toBeGreaterThan(0);
    for (const e of denied.events) expect([e.errorClass, e.service]).toEqual(['denied', 'iam']);
    expect(() => store.search({ since: T0, until: T0 + 1, limit: 1, cursor: 'bogus' })).toThrow(/cursor/);
    store.close();
  });

  it('gives an actor timeline around a moment, by principal, access key or IP', () => {
    const store = openEventStore(file);
    const at = T0 + 3_600_000;
    store.add([
      ev(1, { ts: at - 31 * MIN, sourceIp: '198.51.100.9' }),
      ev(2, { ts: at - 10 * MIN, sourceIp: '198.51.100.9' }),
      ev(3, { ts: at + 29 * MIN, sourceIp: '198.51.100.9', accessKeyId: 'AKIAOTHER' }),
      ev(4, { ts: at, sourceIp: '203.0.113.1' }),
    ]);
    const byIp = store.timeline({ by: 'sourceIp', value: '198.51.100.9', at, minutes: 30, limit: 100 });
    expect(byIp.map((e) => e.eventId)).toEqual(['ev-2', 'ev-3']);
    const byKey = store.timeline({ by: 'accessKeyId', value: 'AKIAOTHER', at, minutes: 30, limit: 100 });
    expect(byKey.map((e) => e.eventId)).toEqual(['ev-3']);
    store.close();
  });

  it('lists S3 security changes, classified, and not the reads that look like them', () => {
    const store = openEventStore(file);
    const s3 = (
      i: number,
      eventName: string,
      requestParameters: Record<string, unknown>,
      extra: Partial<VigilEvent> = {},
    ) =>
      ev(i, {
        ts: T0 + i * MIN,
        eventName,
        eventSource: 's3.amazonaws.com',
        service: 's3',
        raw: { eventName, requestParameters },
        ...extra,
      });
    store.add([
      s3(1, 'GetBucketPolicy', { bucketName: 'b1' }),
      s3(2, 'GetBucketAcl', { bucketName: 'b1' }),
      s3(3, 'GetPublicAccessBlock', { bucketName: 'b1' }),
      s3(4, 'PutBucketPolicy', {
        bucketName: 'b1',
        bucketPolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] },
      }),
      s3(5, 'PutBucketPolicy', {
        bucketName: 'b2',
        bucketPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' } }] },
      }),
      s3(6, 'DeleteBucketEncryption', { bucketName: 'b2' }),
      s3(7, 'PutBucketAcl', { bucketName: 'b3', 'x-amz-acl': ['public-read'] }),
      s3(8, 'PutPublicAccessBlock', {
        bucketName: 'b3',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: true,
        },
      }),
      s3(9, 'PutAccountPublicAccessBlock', {}),
      s3(10, 'PutBucketOwnershipControls', { bucketName: 'b1' }),
      s3(11, 'PutBucketEncryption', { bucketName: 'b1' }, { errorCode: 'AccessDenied' }),
      ev(12, { eventName: 'PutBucketPolicy', eventSource: 'iam.amazonaws.com', ts: T0 + 12 * MIN }),
    ]);
    const { changes } = store.s3Changes({ since: T0, until: T0 + 86_400_000, limit: 100 });
    expect(changes.map((c) => [c.eventName, c.category, c.action, c.scope, c.weakening])).toEqual([
      ['PutBucketEncryption', 'encryption', 'set', 'bucket', false],
      ['PutBucketOwnershipControls', 'ownership', 'set', 'bucket', false],
      ['PutAccountPublicAccessBlock', 'public-access-block', 'set', 'account', false],
      ['PutPublicAccessBlock', 'public-access-block', 'set', 'bucket', true],
      ['PutBucketAcl', 'acl', 'set', 'bucket', true],
      ['DeleteBucketEncryption', 'encryption', 'removed', 'bucket', true],
      ['PutBucketPolicy', 'policy', 'set', 'bucket', false],
      ['PutBucketPolicy', 'policy', 'set', 'bucket', true],
    ]);
    expect(changes[0]!.errorCode).toBe('AccessDenied');
    const policy = store.s3Changes({
      since: T0,
      until: T0 + 86_400_000,
      limit: 100,
      category: 'policy',
      bucket: 'b1',
    });
    expect(policy.changes.map((c) => c.eventId)).toEqual(['ev-4']);
    store.close();
  });

  it('counts S3 data-event volumes by bucket and principal over time', () => {
    const store = openEventStore(file);
    const data = (i: number, eventName: string, bucket: string, principal: string, bytes: number) =>
      ev(i, {
        ts: T0 + i * MIN,
        eventName,
        eventSource: 's3.amazonaws.com',
        service: 's3',
        principal,
        raw: {
          requestParameters: { bucketName: bucket, key: 'k' },
          additionalEventData: { bytesTransferredOut: bytes },
        },
      });
    store.add([
      data(0, 'GetObject', 'b1', 'p1', 100),
      data(1, 'GetObject', 'b1', 'p1', 50),
      data(2, 'PutObject', 'b2', 'p2', 10),
      data(61, 'GetObject', 'b1', 'p2', 5),
      data(62, 'GetBucketPolicy', 'b1', 'p2', 0),
    ]);
    const byBucket = store.s3DataVolume({
      since: T0,
      until: T0 + 2 * 3_600_000,
      bucketMs: 3_600_000,
      group: 'bucket',
      top: 10,
    });
    expect(byBucket.series).toEqual([
      { key: 'b1', total: 3, bytes: 155, counts: [2, 1] },
      { key: 'b2', total: 1, bytes: 10, counts: [1, 0] },
    ]);
    const p2 = store.s3DataVolume({
      since: T0,
      until: T0 + 2 * 3_600_000,
      bucketMs: 3_600_000,
      group: 'operation',
      top: 10,
      principal: 'p2',
    });
    expect(p2.series.map((s) => [s.key, s.total])).toEqual([
      ['GetObject', 1],
      ['PutObject', 1],
    ]);
    store.close();
  });

  it('prunes by age and by count in small batches, keeping the rollups equal to what is left', () => {
    const now = T0 + 10 * 86_400_000;
    const events: VigilEvent[] = [];
    for (let d = 0; d < 10; d++)
      for (let k = 0; k < 30; k++) events.push(ev(d * 100 + k, { ts: T0 + d * 86_400_000 + k * 997 }));
    const store = openEventStore(file, { now: () => now, retentionDays: 7, pruneBatch: 7 });
    store.add(events);
    expect(store.prune({ maxBatches: 2 })).toBe(14);
    expect(store.prune()).toBe(90 - 14);
    expect(store.count()).toBe(210);
    const all = store.series({ since: T0, until: now, bucketMs: 86_400_000, group: 'none', top: 1 });
    expect(all.series[0]!.counts).toEqual([0, 0, 0, 30, 30, 30, 30, 30, 30, 30]);
    store.close();

    const capped = openEventStore(file, { now: () => now, maxEvents: 100, pruneBatch: 30 });
    expect(capped.prune()).toBe(110);
    expect(capped.count()).toBe(100);
    const left = capped.series({ since: T0, until: now, bucketMs: 86_400_000, group: 'service', top: 10 });
    expect(left.series.reduce((a, s) => a + s.total, 0)).toBe(100);
    const db = new Database(file, { readonly: true });
    for (const cube of ROLLUP_CUBES)
      for (let level = 0; level < ROLLUP_LEVELS.length; level++) {
        const table = rollupTable(cube, level);
        expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE count <= 0`).get(), table).toEqual({
          n: 0,
        });
        expect(db.prepare(`SELECT SUM(count) AS n FROM ${table}`).get(), table).toEqual({ n: 100 });
      }
    db.close();
    capped.close();
  });
});
