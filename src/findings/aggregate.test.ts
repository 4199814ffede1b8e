import { describe, it, expect } from 'vitest';
import { MAX_EVIDENCE_IDS } from '../core/finding.js';
import { createAggregator, eventKey, findingId, UNKNOWN } from './aggregate.js';
import { makeDetection, makeEvent, makeHit } from './testing.js';

describe('findingId', () => {
  it('is a 32-character hex hash that depends on detector and dedup key', () => {
    const id = findingId('d', 'k');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(findingId('d', 'k')).toBe(id);
    expect(findingId('d', 'k2')).not.toBe(id);
    expect(findingId('d2', 'k')).not.toBe(id);
  });

  it('separates detector and key with NUL so "ab"+"c" differs from "a"+"bc"', () => {
    expect(findingId('ab', 'c')).not.toBe(findingId('a', 'bc'));
  });
});

describe('eventKey', () => {
  it('uses the event id, or a stable hash of the raw record', () => {
    expect(eventKey(makeEvent({ eventId: 'abc' }))).toBe('abc');
    const a = eventKey(makeEvent({ eventId: undefined, raw: { x: 1 } }));
    expect(a).toMatch(/^raw:[0-9a-f]{32}$/);
    expect(eventKey(makeEvent({ eventId: undefined, raw: { x: 1 } }))).toBe(a);
    expect(eventKey(makeEvent({ eventId: undefined, raw: { x: 2 } }))).not.toBe(a);
  });
});

describe('createAggregator', () => {
  it('creates one finding from the first hit with the contract fields', () => {
    const agg = createAggregator();
    const { finding, isNew, severityRaised } = agg.add(makeHit());
    expect(isNew).toBe(true);
    expect(severityRaised).toBe(false);
    expect(finding).toMatchObject({
      id: findingId('cloudtrail-logging-stopped', '123456789012|management-trail'),
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      detector: 'cloudtrail-logging-stopped',
      severity: 7.5,
      severityLabel: 'HIGH',
      status: 'NEW',
      accountId: '123456789012',
      region: 'us-east-1',
      firstSeen: '2026-11-20T10:00:00Z',
      lastSeen: '2026-11-20T10:00:00Z',
      count: 1,
      actor: {
        principal: 'arn:aws:iam::123456789012:user/alice',
        principalType: 'IAMUser',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        ip: '203.0.113.7',
      },
      evidence: { eventIds: ['3f0e1c2a-8b1d-4f5e-9a6b-000000000001'], eventNames: ['StopLogging'] },
      mitre: { tactics: ['TA0005'], techniques: ['T1562.008'] },
    });
    expect(agg.findings()).toHaveLength(1);
  });

  it('grows count, time span and evidence for the same key, with events out of order', () => {
    const agg = createAggregator();
    const times = [
      '2026-11-20T10:05:00Z',
      '2026-11-20T10:00:00Z',
      '2026-11-20T10:10:00Z',
      '2026-11-20T10:07:00Z',
    ];
    times.forEach((time, i) =>
      agg.add(
        makeHit({
          event: makeEvent({ time, eventId: `e${i}`, eventName: i % 2 ? 'DeleteTrail' : 'StopLogging' }),
        }),
      ),
    );
    // the same event again adds no duplicate evidence
    const last = agg.add(makeHit({ event: makeEvent({ time: times[0], eventId: 'e0' }) }));
    expect(last.isNew).toBe(false);
    const f = last.finding;
    expect(f.count).toBe(5);
    expect(f.firstSeen).toBe('2026-11-20T10:00:00Z');
    expect(f.lastSeen).toBe('2026-11-20T10:10:00Z');
    expect(f.evidence.eventIds).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(f.evidence.eventNames).toEqual(['StopLogging', 'DeleteTrail']);
    expect(f.resources).toHaveLength(1);
    expect(agg.findings()).toHaveLength(1);
  });

  it('keeps different dedup keys apart', () => {
    const agg = createAggregator();
    agg.add(makeHit({ dedupKey: 'a' }));
    agg.add(makeHit({ dedupKey: 'b' }));
    expect(agg.findings().map((f) => f.count)).toEqual([1, 1]);
  });

  it('caps evidence ids at MAX_EVIDENCE_IDS while count keeps counting', () => {
    const agg = createAggregator();
    let f;
    for (let i = 0; i < MAX_EVIDENCE_IDS + 25; i++)
      f = agg.add(makeHit({ event: makeEvent({ eventId: `id-${i}` }) })).finding;
    expect(f!.count).toBe(MAX_EVIDENCE_IDS + 25);
    expect(f!.evidence.eventIds).toHaveLength(MAX_EVIDENCE_IDS);
    expect(f!.evidence.eventIds[0]).toBe('id-0');
  });

  it('keeps the highest severity and says when it rose', () => {
    const agg = createAggregator();
    agg.add(makeHit({ detection: makeDetection({ severity: 5 }) }));
    const lower = agg.add(makeHit({ detection: makeDetection({ severity: 3 }) }));
    expect(lower.severityRaised).toBe(false);
    expect(lower.finding.severity).toBe(5);
    const higher = agg.add(makeHit({ detection: makeDetection({ severity: 9.5 }) }));
    expect(higher.severityRaised).toBe(true);
    expect(higher.finding.severity).toBe(9.5);
    expect(higher.finding.severityLabel).toBe('CRITICAL');
  });

  it('omits the ip when the source is an AWS service, and uses - for unknown or malformed account/region', () => {
    const agg = createAggregator();
    const { finding } = agg.add(
      makeHit({
        event: makeEvent({
          sourceIp: 'ec2.amazonaws.com',
          sourceIsService: true,
          accountId: undefined,
          region: 'us-east-1\u001b[31m',
        }),
      }),
    );
    expect(finding.actor.ip).toBeUndefined();
    expect(finding.accountId).toBe(UNKNOWN);
    expect(finding.region).toBe(UNKNOWN);
  });

  it('uses a raw-record hash as evidence for events without an id, and the clock for unreadable times', () => {
    const agg = createAggregator({ now: () => Date.parse('2030-01-01T00:00:00Z') });
    const event = makeEvent({ eventId: undefined, ts: Number.NaN, raw: { a: 1 } });
    const { finding } = agg.add(makeHit({ event, eventIds: [] }));
    expect(finding.evidence.eventIds).toEqual([eventKey(event)]);
    expect(finding.firstSeen).toBe('2030-01-01T00:00:00Z');
  });

  it('adds each distinct resource once', () => {
    const agg = createAggregator();
    agg.add(makeHit({ resources: [{ type: 'AwsS3Bucket', id: 'a' }] }));
    const { finding } = agg.add(
      makeHit({
        resources: [
          { type: 'AwsS3Bucket', id: 'a' },
          { type: 'AwsS3Bucket', id: 'b' },
        ],
      }),
    );
    expect(finding.resources.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('evicts the least recently updated finding past the bound and reports it', () => {
    const evictedIds: string[] = [];
    const agg = createAggregator({ maxFindings: 2, onEvict: (f) => evictedIds.push(f.id) });
    const a = agg.add(makeHit({ dedupKey: 'a' })).finding;
    agg.add(makeHit({ dedupKey: 'b' }));
    agg.add(makeHit({ dedupKey: 'a' })); // a is now the most recently updated
    const c = agg.add(makeHit({ dedupKey: 'c' })).finding;
    expect(evictedIds).toEqual([findingId('cloudtrail-logging-stopped', 'b')]);
    expect(agg.evicted).toBe(1);
    expect(agg.findings().map((f) => f.id)).toEqual([a.id, c.id]);
  });
});
