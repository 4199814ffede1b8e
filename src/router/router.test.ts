import { describe, expect, it } from 'vitest';
import { compilePattern } from './pattern.js';
import { createRouter, RouteConfigError, type RouteSpec } from './router.js';
import type { Finding } from '../core/finding.js';
import { findingEvent } from './routed-event.js';

/** A small seeded generator so every run builds the same routes and events. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

const SOURCES = ['aws.guardduty', 'aws.securityhub', 'vigil', 'aws.ec2'];
const TYPES = ['GuardDuty Finding', 'Vigil Finding', 'Security Hub Findings - Imported'];
const LABELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const REGIONS = ['us-east-1', 'eu-west-1'];

function randomPattern(r: ReturnType<typeof rng>): object {
  const leaf = (values: readonly string[]): unknown[] => {
    const kind = r.next();
    if (kind < 0.5) return [r.pick(values), ...(r.next() < 0.3 ? [r.pick(values)] : [])];
    if (kind < 0.6) return [{ prefix: r.pick(values).slice(0, 3) }];
    if (kind < 0.7) return [{ 'anything-but': r.pick(values) }];
    if (kind < 0.8) return [{ exists: r.next() < 0.5 }];
    if (kind < 0.9) return [{ 'equals-ignore-case': r.pick(values).toLowerCase() }];
    return [{ wildcard: `*${r.pick(values).slice(1, 3)}*` }];
  };
  const p: Record<string, unknown> = {};
  if (r.next() < 0.6) p.source = leaf(SOURCES);
  if (r.next() < 0.5) p['detail-type'] = leaf(TYPES);
  const detail: Record<string, unknown> = {};
  if (r.next() < 0.5) detail.severityLabel = leaf(LABELS);
  if (r.next() < 0.3) detail.severity = [{ numeric: ['>=', Math.floor(r.next() * 10)] }];
  if (r.next() < 0.3)
    detail.resources = { type: leaf(['AwsS3Bucket', 'AwsIamUser']), id: [{ exists: true }] };
  if (r.next() < 0.2) {
    detail.$or = [{ region: leaf(REGIONS) }, { severityLabel: leaf(LABELS) }];
  }
  if (Object.keys(detail).length) p.detail = detail;
  if (r.next() < 0.2) p.$or = [{ region: [r.pick(REGIONS)] }, { account: ['111122223333'] }];
  if (Object.keys(p).length === 0) p.region = leaf(REGIONS);
  return p;
}

function randomEvent(r: ReturnType<typeof rng>): object {
  const event: Record<string, unknown> = {
    version: '0',
    source: r.pick(SOURCES),
    'detail-type': r.pick(TYPES),
    region: r.pick(REGIONS),
    account: r.next() < 0.5 ? '111122223333' : '444455556666',
    detail: {
      severityLabel: r.next() < 0.2 ? [r.pick(LABELS), r.pick(LABELS)] : r.pick(LABELS),
      severity: Math.round(r.next() * 100) / 10,
      resources: Array.from({ length: Math.floor(r.next() * 3) }, () => ({
        type: r.pick(['AwsS3Bucket', 'AwsIamUser']),
        ...(r.next() < 0.7 ? { id: 'arn:aws:s3:::b' } : {}),
      })),
    },
  };
  if (r.next() < 0.1) delete event.source;
  return event;
}

describe('createRouter', () => {
  it('returns exactly what evaluating every route one by one returns, in route order', () => {
    const r = rng(20261125);
    const routes: RouteSpec[] = Array.from({ length: 300 }, (_, i) => ({
      name: `r${i}`,
      pattern: randomPattern(r),
    }));
    const router = createRouter(routes);
    const each = routes.map((route) => ({ name: route.name, compiled: compilePattern(route.pattern) }));
    let matched = 0;
    for (let i = 0; i < 500; i++) {
      const event = randomEvent(r);
      const expected = each.filter((e) => e.compiled.matches(event)).map((e) => e.name);
      expect(router.match(event)).toEqual(expected);
      matched += expected.length;
    }
    expect(matched).toBeGreaterThan(500); // the comparison is not vacuous
  });

  it('reaches only the routes whose conditions the event meets', () => {
    const routes: RouteSpec[] = Array.from({ length: 2000 }, (_, i) => ({
      name: `tenant-${i}`,
      pattern: { detail: { accountId: [`${100000000000 + i}`] } },
    }));
    routes.push({ name: 'all-high', pattern: { detail: { severity: [{ numeric: ['>=', 7] }] } } });
    routes.push({ name: 'gd-or-sh', pattern: { source: ['aws.guardduty', 'aws.securityhub'] } });
    const router = createRouter(routes);
    const event = { source: 'aws.guardduty', detail: { accountId: '100000000042', severity: 8 } };
    expect(router.candidates(event)).toEqual(['tenant-42', 'all-high', 'gd-or-sh']);
    expect(router.match(event)).toEqual(['tenant-42', 'all-high', 'gd-or-sh']);
    expect(router.candidates({ source: 'vigil', detail: { severity: 9 } })).toEqual(['all-high']);
    expect(router.candidates({ source: 'vigil', detail: {} })).toEqual([]);
  });

  it('files a route under its most selective field, not the one every route shares', () => {
    const routes: RouteSpec[] = Array.from({ length: 500 }, (_, i) => ({
      name: `t${i}`,
      pattern: { source: ['vigil'], 'detail-type': ['Vigil Finding'], detail: { accountId: [`${i}`] } },
    }));
    const router = createRouter(routes);
    const event = { source: 'vigil', 'detail-type': 'Vigil Finding', detail: { accountId: '7' } };
    expect(router.candidates(event)).toEqual(['t7']);
    expect(router.match(event)).toEqual(['t7']);
  });

  it('indexes through arrays of objects and $or alternatives', () => {
    const router = createRouter([
      { name: 'bucket', pattern: { detail: { resources: { type: ['AwsS3Bucket'] } } } },
      { name: 'either', pattern: { $or: [{ source: ['a'] }, { source: ['b'], region: ['r'] }] } },
    ]);
    expect(
      router.match({ detail: { resources: [{ type: 'AwsIamUser' }, { type: 'AwsS3Bucket' }] } }),
    ).toEqual(['bucket']);
    expect(router.match({ source: 'b', region: 'r' })).toEqual(['either']);
    expect(router.candidates({ source: 'c', region: 'r' })).toEqual([]);
  });

  it('routes a Vigil finding as an EventBridge event', () => {
    const router = createRouter([
      { name: 'high', pattern: { source: ['vigil'], detail: { severityLabel: ['HIGH', 'CRITICAL'] } } },
      { name: 'low', pattern: { source: ['vigil'], detail: { severityLabel: ['LOW'] } } },
    ]);
    const finding = {
      id: 'f1',
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      severity: 7.5,
      severityLabel: 'HIGH',
      accountId: '123456789012',
      region: 'us-east-1',
      lastSeen: '2026-11-20T10:05:00Z',
      count: 1,
      resources: [{ type: 'AwsCloudTrailTrail', id: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t' }],
    };
    expect(router.match(findingEvent(finding as unknown as Finding))).toEqual(['high']);
  });

  it('reports every bad route at once', () => {
    try {
      createRouter([
        { name: 'ok', pattern: { source: ['x'] } },
        { name: 'bad1', pattern: { source: 'x' } },
        { name: 'bad2', pattern: '{"a": [{"cidr": "1.2.3.4/33"}]}' },
        { name: 'ok', pattern: { source: ['y'] } },
      ]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RouteConfigError);
      expect((err as RouteConfigError).problems).toEqual([
        { route: 'bad1', message: 'source: a leaf must be an array of values, found a string' },
        { route: 'bad2', message: 'a[0].cidr: IPv4 mask bits must be < 32' },
        { route: 'ok', message: 'route name is used more than once' },
      ]);
    }
  });
});
