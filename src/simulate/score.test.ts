import { describe, expect, it } from 'vitest';
import { formatScore, overlap, score, type ScenarioTruth, type ScoredFinding } from './score.js';

const scenario = (over: Partial<ScenarioTruth> = {}): ScenarioTruth => ({
  id: 'recon',
  kind: 'reconnaissance',
  start: '2026-11-20T02:00:00Z',
  end: '2026-11-20T02:10:00Z',
  actors: ['AKIAEXAMPLE', '5.188.10.55'],
  eventIds: new Set(['ev-1', 'ev-2']),
  ...over,
});

const finding = (over: Partial<ScoredFinding> = {}): ScoredFinding => ({
  id: 'f1',
  type: 'Recon:IAMUser/Enumeration',
  detector: 'iam-enumeration',
  severityLabel: 'MEDIUM',
  firstSeen: '2026-11-20T02:05:00Z',
  lastSeen: '2026-11-20T02:06:00Z',
  actor: {},
  resources: [],
  evidence: { eventIds: [] },
  ...over,
});

describe('overlap', () => {
  it('matches shared evidence whatever the time', () => {
    expect(
      overlap(
        finding({
          evidence: { eventIds: ['x', 'ev-2'] },
          firstSeen: '2026-12-01T00:00:00Z',
          lastSeen: '2026-12-01T00:00:00Z',
        }),
        scenario(),
      ),
    ).toBe('evidence');
  });

  it('matches an actor (key, IP or resource id) only within the time range plus slack', () => {
    expect(overlap(finding({ actor: { accessKeyId: 'AKIAEXAMPLE' } }), scenario())).toBe('actor');
    expect(overlap(finding({ resources: [{ type: 'AwsEc2Instance', id: '5.188.10.55' }] }), scenario())).toBe(
      'actor',
    );
    const later = { firstSeen: '2026-11-20T02:20:00Z', lastSeen: '2026-11-20T03:00:00Z' };
    expect(
      overlap(finding({ actor: { ip: '5.188.10.55' }, ...later }), scenario(), 5 * 60_000),
    ).toBeUndefined();
    expect(overlap(finding({ actor: { ip: '5.188.10.55' }, ...later }), scenario(), 15 * 60_000)).toBe(
      'actor',
    );
    // A span that covers the whole scenario overlaps it too.
    expect(
      overlap(
        finding({
          actor: { ip: '5.188.10.55' },
          firstSeen: '2026-11-19T00:00:00Z',
          lastSeen: '2026-11-21T00:00:00Z',
        }),
        scenario(),
        0,
      ),
    ).toBe('actor');
  });

  it('does not match other actors', () => {
    expect(
      overlap(finding({ actor: { principal: 'arn:aws:iam::1:user/bob', ip: '73.162.44.10' } }), scenario()),
    ).toBeUndefined();
  });
});

describe('score', () => {
  it('counts detected scenarios and MEDIUM+ findings outside every scenario as false positives per 100k benign records', () => {
    const scenarios = [
      scenario(),
      scenario({ id: 'mining', kind: 'crypto-mining', actors: ['i-miner'], eventIds: new Set(['ev-9']) }),
    ];
    const findings = [
      finding({ id: 'a', evidence: { eventIds: ['ev-1'] }, severityLabel: 'HIGH' }),
      finding({
        id: 'b',
        type: 'Policy:IAMUser/RootCredentialUsage',
        detector: 'root',
        actor: { ip: '73.162.44.10' },
      }),
      finding({
        id: 'c',
        type: 'Policy:IAMUser/RootCredentialUsage',
        detector: 'root',
        actor: { ip: '73.162.44.11' },
        severityLabel: 'CRITICAL',
      }),
      finding({ id: 'd', type: 'Discovery:IAMUser/Rare', detector: 'rare', severityLabel: 'LOW' }),
    ];
    const s = score(findings, scenarios, 200_000);
    expect(s.scenarios.map((x) => [x.id, x.detected])).toEqual([
      ['recon', true],
      ['mining', false],
    ]);
    expect(s.scenarios[0]!.findings).toEqual([
      { type: 'Recon:IAMUser/Enumeration', severityLabel: 'HIGH', byEvidence: true },
    ]);
    expect(s.falsePositives.map((f) => f.id)).toEqual(['b', 'c']);
    expect(s.fpPer100k).toBe(1);
    expect(s.fpByType).toEqual([
      { type: 'Policy:IAMUser/RootCredentialUsage', detector: 'root', findings: 2 },
    ]);
    expect(s.lowUnmatched).toBe(1);
    expect(s.recall).toBe(0.5);
    expect(s.targetsMet).toBe(false);
    const text = formatScore(s);
    expect(text).toMatch(/mining\s+crypto-mining\s+NO/);
    expect(text).toMatch(/1\.00 per 100k/);
    expect(text).toMatch(/targets MISSED/);
  });

  it('meets the targets when every scenario is found and false positives stay under 1 per 100k', () => {
    const s = score(
      [finding({ actor: { accessKeyId: 'AKIAEXAMPLE' } }), finding({ id: 'fp', actor: { ip: '1.1.1.1' } })],
      [scenario()],
      150_000,
    );
    expect(s.fpPer100k).toBeCloseTo(0.667, 2);
    expect(s.targetsMet).toBe(true);
    expect(formatScore(s)).toMatch(/targets met/);
  });
});
