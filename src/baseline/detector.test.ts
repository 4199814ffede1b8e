import { describe, expect, it } from 'vitest';
import type { Hit } from '../detect/types.js';
import { createAggregator } from '../findings/index.js';
import { createBaselineDetector, type BaselineDetector } from './detector.js';
import { DAY, T0, call, officeDays, rng, testGeo } from './test-support.js';
import type { VigilEvent } from '../core/event.js';

function run(detector: BaselineDetector, events: readonly VigilEvent[]): Hit[] {
  const hits: Hit[] = [];
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) hits.push(...detector.process(e));
  return hits;
}

const attack = (ts: number) =>
  call(ts, {
    eventSource: 'kms.amazonaws.com',
    eventName: 'ScheduleKeyDeletion',
    ip: '177.54.1.9',
    readOnly: false,
  });

/** A small organisation: several developers and an admin, two weeks of office hours. */
function organisation(random: () => number): VigilEvent[] {
  return ['alice', 'bob', 'carol', 'dave'].flatMap((u) => officeDays(u, T0, 14, random));
}

describe('behavioural baselines', () => {
  it('fires once, explained, on a new country with a rare destructive API after two weeks of steady work', () => {
    const detector = createBaselineDetector({ geo: testGeo });
    const steady = run(detector, organisation(rng(1)));
    expect(steady).toEqual([]);

    const at = T0 + 15 * DAY + 10 * 3_600_000;
    const hits = run(detector, [attack(at), attack(at + 60_000), attack(at + 120_000)]);
    expect(hits.length).toBeGreaterThan(0);
    const aggregator = createAggregator();
    for (const h of hits) aggregator.add(h);
    const findings = aggregator.findings();
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f!.type).toBe('Impact:IAMUser/AnomalousBehavior');
    expect(f!.severityLabel).toBe('HIGH');
    expect(f!.description).toMatch(
      /kms:ScheduleKeyDeletion never seen for this principal in \d+ events over 1[45] days/,
    );
    expect(f!.description).toContain('country BR new (previously US 100%)');
    expect(f!.description).toMatch(/ASN 28573 new \(previously 7018 100%\)/);
    expect(f!.actor.principal).toBe('arn:aws:iam::111122223333:user/alice');
  });

  it('raises nothing for steady behaviour, including a nightly pipeline reading thousands of objects', () => {
    const random = rng(2);
    const detector = createBaselineDetector({ geo: testGeo });
    const events = organisation(random);
    for (let d = 0; d < 21; d++) {
      const night = T0 + d * DAY + 2 * 3_600_000;
      const n = 2500 + Math.floor(random() * 1000);
      for (let i = 0; i < n; i++)
        events.push(
          call(night + Math.floor((i / n) * 3_000_000), {
            user: 'etl',
            role: true,
            eventSource: 's3.amazonaws.com',
            eventName: 'GetObject',
            ip: '192.0.2.10',
            ua: 'Boto3/1.34.1 md/Botocore#1.34.1 ua/2.0 os/linux',
          }),
        );
    }
    expect(run(detector, events)).toEqual([]);
  });

  it("flags a GetObject volume far above the principal's usual hours as exfiltration", () => {
    const random = rng(3);
    const detector = createBaselineDetector({ geo: testGeo });
    const events = officeDays('alice', T0, 14, random);
    for (let d = 0; d < 14; d++)
      for (let i = 0; i < 10; i++)
        events.push(
          call(T0 + d * DAY + 11 * 3_600_000 + i * 1000, {
            eventSource: 's3.amazonaws.com',
            eventName: 'GetObject',
          }),
        );
    expect(run(detector, events)).toEqual([]);
    const burst: VigilEvent[] = [];
    for (let i = 0; i < 3000; i++)
      burst.push(
        call(T0 + 15 * DAY + 14 * 3_600_000 + i * 500, {
          eventSource: 's3.amazonaws.com',
          eventName: 'GetObject',
        }),
      );
    const hits = run(detector, burst);
    expect(hits.map((h) => h.detection.type)).toEqual(['Exfiltration:S3/AnomalousBehavior']);
    expect(hits[0]!.description).toMatch(
      /made \d+ GetObject calls within the hour, against a usual \d+ per active hour/,
    );
    expect(hits[0]!.detection.severity).toBeGreaterThanOrEqual(4);
  });

  it('keeps an admin doing new but common IAM work in office hours below MEDIUM', () => {
    const random = rng(4);
    const detector = createBaselineDetector({ geo: testGeo });
    const iam: [string, string][] = [
      ['iam.amazonaws.com', 'ListUsers'],
      ['iam.amazonaws.com', 'GetUser'],
      ['iam.amazonaws.com', 'ListRoles'],
      ['iam.amazonaws.com', 'GetRole'],
      ['iam.amazonaws.com', 'ListAttachedRolePolicies'],
      ['sts.amazonaws.com', 'GetCallerIdentity'],
    ];
    const other: [string, string][] = [
      ...iam,
      ['iam.amazonaws.com', 'CreateRole'],
      ['iam.amazonaws.com', 'AttachRolePolicy'],
      ['iam.amazonaws.com', 'CreatePolicy'],
    ];
    const events = [
      ...officeDays('admin', T0, 14, random, iam),
      ...officeDays('admin2', T0, 14, random, other),
      ...organisation(random),
    ];
    const day15 = T0 + 15 * DAY + 10 * 3_600_000;
    for (const [i, name] of ['CreateRole', 'AttachRolePolicy', 'CreatePolicy', 'CreateRole'].entries())
      events.push(
        call(day15 + i * 300_000, { user: 'admin', eventSource: 'iam.amazonaws.com', eventName: name }),
      );
    const hits = run(detector, events);
    expect(hits.filter((h) => h.detection.severity >= 4)).toEqual([]);
  });

  it('respects the learning period and the minimum number of events', () => {
    const random = rng(5);
    const young = createBaselineDetector({ geo: testGeo, learningDays: 7 });
    run(young, officeDays('alice', T0, 5, random));
    expect(run(young, [attack(T0 + 5 * DAY + 10 * 3_600_000)])).toEqual([]);

    const sparse = createBaselineDetector({ geo: testGeo, learningDays: 7, minEvents: 1000 });
    run(sparse, officeDays('alice', T0, 14, random));
    expect(run(sparse, [attack(T0 + 15 * DAY + 10 * 3_600_000)])).toEqual([]);

    const ready = createBaselineDetector({ geo: testGeo, learningDays: 7 });
    run(ready, officeDays('alice', T0, 14, random));
    expect(run(ready, [attack(T0 + 15 * DAY + 10 * 3_600_000)])).toHaveLength(1);
  });

  it('round-trips its state: a restored detector judges like the original', () => {
    const history = organisation(rng(6));
    const a = createBaselineDetector({ geo: testGeo, track: true });
    run(a, history);
    const changes = a.state.takeChanges();
    expect(new Set(changes.map((c) => c.key)).size).toBe(4);
    expect(a.state.takeChanges()).toEqual([]);

    const saved = JSON.parse(JSON.stringify(a.state.exportAll())) as ReturnType<typeof a.state.exportAll>;
    const b = createBaselineDetector({ geo: testGeo, track: true });
    b.state.importAll(saved);
    expect(b.principals).toBe(4);
    expect(b.state.exportAll()).toEqual(saved);

    const at = T0 + 15 * DAY + 10 * 3_600_000;
    const fromA = run(a, [attack(at)]);
    const fromB = run(b, [attack(at)]);
    expect(fromA).toHaveLength(1);
    expect(fromB.map((h) => [h.detection.type, h.detection.severity, h.description])).toEqual(
      fromA.map((h) => [h.detection.type, h.detection.severity, h.description]),
    );
    // Saved under another model (another half-life) the state is not applied.
    const other = createBaselineDetector({ geo: testGeo, halfLifeDays: 3 });
    other.state.importAll(saved);
    expect(other.principals).toBe(0);
  });

  it('stays within its bound of principals, forgetting the least recently active', () => {
    const detector = createBaselineDetector({ geo: testGeo, maxPrincipals: 50, track: true });
    for (let u = 0; u < 80; u++)
      detector.process(
        call(T0 + u * 1000, {
          user: `user${u}`,
          eventSource: 'sts.amazonaws.com',
          eventName: 'GetCallerIdentity',
        }),
      );
    expect(detector.principals).toBe(50);
    const changes = detector.state.takeChanges();
    const removed = changes.filter((c) => c.value === undefined).map((c) => c.key);
    expect(removed).toHaveLength(30);
    expect(removed).toContain('arn:aws:iam::111122223333:user/user0');
    expect(detector.state.exportAll()[0]!.key).toBe('arn:aws:iam::111122223333:user/user30');
  });

  it('works without a geo lookup, on the features it has', () => {
    const detector = createBaselineDetector();
    run(detector, organisation(rng(7)));
    const at = T0 + 15 * DAY + 10 * 3_600_000;
    const hits = run(detector, [
      call(at, {
        eventSource: 'kms.amazonaws.com',
        eventName: 'ScheduleKeyDeletion',
        ip: '177.54.1.9',
        ua: 'python-requests/2.31',
        region: 'sa-east-1',
        readOnly: false,
      }),
    ]);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.description).not.toContain('country');
    expect(hits[0]!.description).toContain('region sa-east-1 new (previously us-east-1 100%)');
  });
});
