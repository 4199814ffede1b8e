import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { severityLabel } from '../core/severity.js';
import { runScan } from '../scan/scan.js';
import { findingId } from './aggregate.js';
import { createSequenceTracker, findSequences, SEQUENCE_DETECTOR } from './sequence.js';

const ACCOUNT = '123456789012';
const DEMO = fileURLToPath(new URL('../../demo/cloudtrail', import.meta.url));

interface Spec {
  detector: string;
  tactics: string[];
  at: string;
  user?: string;
  key?: string;
  ip?: string;
  severity?: number;
  type?: string;
}

/** A finding as the aggregator makes it, for one detector and actor. */
function finding(s: Spec): Finding {
  const severity = s.severity ?? 5;
  const user = s.user ?? 'mallory';
  return {
    id: findingId(s.detector, `${user}\u0000${s.at}`),
    type: s.type ?? 'Discovery:IAMUser/Example',
    detector: s.detector,
    title: `${s.detector} by ${user}`,
    description: '',
    severity,
    severityLabel: severityLabel(severity),
    status: 'NEW',
    accountId: ACCOUNT,
    region: 'us-east-1',
    firstSeen: s.at,
    lastSeen: s.at,
    count: 1,
    actor: {
      principal: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      principalType: 'IAMUser',
      accessKeyId: s.key ?? `AKIA${user.toUpperCase().padEnd(16, 'X')}`,
      ip: s.ip ?? '203.0.113.77',
    },
    resources: [],
    evidence: { eventIds: [`ev-${s.detector}-${s.at}`], eventNames: ['X'] },
    mitre: { tactics: s.tactics, techniques: [] },
    remediation: '',
    references: [],
  };
}

/** Discovery → privilege escalation → defence evasion by one principal within an hour. */
function chain(user = 'mallory', ip = '203.0.113.77', day = '2026-11-20'): Finding[] {
  return [
    finding({ detector: 'iam-enumeration-burst', tactics: ['TA0007'], at: `${day}T02:16:00Z`, user, ip }),
    finding({
      detector: 'iam-admin-policy-attached',
      tactics: ['TA0004', 'TA0003'],
      at: `${day}T02:24:00Z`,
      user,
      ip,
      severity: 7,
    }),
    finding({
      detector: 'cloudtrail-logging-stopped',
      tactics: ['TA0005'],
      at: `${day}T02:27:00Z`,
      user,
      ip,
      severity: 7,
    }),
  ];
}

describe('findSequences', () => {
  it('chains discovery, privilege escalation and defence evasion of one actor into one CRITICAL finding', () => {
    const members = chain();
    const [seq, ...rest] = findSequences(members);
    expect(rest).toEqual([]);
    expect(seq).toMatchObject({
      type: 'AttackSequence:IAM/CompromisedCredentials',
      detector: SEQUENCE_DETECTOR,
      severity: 9,
      severityLabel: 'CRITICAL',
      count: 3,
      firstSeen: '2026-11-20T02:16:00Z',
      lastSeen: '2026-11-20T02:27:00Z',
      mitre: { tactics: ['TA0007', 'TA0004', 'TA0003', 'TA0005'] },
    });
    expect(seq!.related!.map((r) => r.id)).toEqual(members.map((m) => m.id));
    // The story in order: stage, time, title.
    const lines = seq!.description.split('\n').slice(1);
    expect(lines[0]).toBe('1. 2026-11-20T02:16:00Z [Discovery] iam-enumeration-burst by mallory');
    expect(lines[2]).toContain('[Defense Evasion] cloudtrail-logging-stopped');
  });

  it('is deterministic whatever the input order, and stable when later members join', () => {
    const members = chain();
    const a = findSequences(members);
    const b = findSequences([...members].reverse());
    expect(b).toEqual(a);
    const later = finding({
      detector: 'ebs-snapshot-shared',
      tactics: ['TA0010'],
      at: '2026-11-20T05:00:00Z',
    });
    const grown = findSequences([...members, later]);
    expect(grown[0]!.id).toBe(a[0]!.id);
    expect(grown[0]!.count).toBe(4);
  });

  it("does not make a sequence of an admin's IAM work plus a discovery finding (no impact-class tactic)", () => {
    const admin = [
      finding({
        detector: 'iam-credentials-for-other-user',
        tactics: ['TA0003', 'TA0004'],
        at: '2026-11-20T10:00:00Z',
        user: 'admin',
      }),
      finding({
        detector: 'iam-new-admin-user-with-keys',
        tactics: ['TA0003', 'TA0004'],
        at: '2026-11-20T10:05:00Z',
        user: 'admin',
        severity: 7,
      }),
      finding({
        detector: 'access-denied-burst',
        tactics: ['TA0007'],
        at: '2026-11-20T11:00:00Z',
        user: 'admin',
      }),
    ];
    expect(findSequences(admin)).toEqual([]);
  });

  it('does not chain findings of different principals with different keys and addresses', () => {
    const [discovery, escalation, evasion] = chain();
    const others = [
      discovery!,
      {
        ...escalation!,
        actor: {
          ...escalation!.actor,
          principal: 'arn:aws:iam::123456789012:user/bob',
          accessKeyId: 'AKIABOB',
          ip: '198.51.100.9',
        },
      },
      {
        ...evasion!,
        actor: {
          ...evasion!.actor,
          principal: 'arn:aws:iam::123456789012:user/carol',
          accessKeyId: 'AKIACAROL',
          ip: '192.0.2.200',
        },
      },
    ];
    expect(findSequences(others)).toEqual([]);
  });

  it('links principals through a shared public IP or access key, never through a private address', () => {
    const [discovery, escalation, evasion] = chain();
    const backdoor = {
      ...evasion!,
      actor: {
        ...evasion!.actor,
        principal: 'arn:aws:iam::123456789012:user/svc-backup',
        accessKeyId: 'AKIABACKDOOR',
      },
    };
    expect(findSequences([discovery!, escalation!, backdoor])).toHaveLength(1);
    const inside = (f: Finding, user: string, key: string): Finding => ({
      ...f,
      actor: {
        ...f.actor,
        principal: `arn:aws:iam::123456789012:user/${user}`,
        accessKeyId: key,
        ip: '10.0.12.34',
      },
    });
    expect(
      findSequences([
        inside(discovery!, 'a', 'K1'),
        inside(escalation!, 'b', 'K2'),
        inside(evasion!, 'c', 'K3'),
      ]),
    ).toEqual([]);
  });

  it('counts a LOW finding half: one LOW impact finding does not complete a sequence, two of different detectors do', () => {
    const [discovery, escalation] = chain();
    const low = (detector: string, at: string) => finding({ detector, tactics: ['TA0005'], at, severity: 2 });
    expect(
      findSequences([
        discovery!,
        escalation!,
        low('s3-bucket-block-public-access-disabled', '2026-11-20T03:00:00Z'),
      ]),
    ).toEqual([]);
    expect(
      findSequences([
        discovery!,
        escalation!,
        low('s3-bucket-block-public-access-disabled', '2026-11-20T03:00:00Z'),
        low('vpc-flow-logs-deleted', '2026-11-20T03:01:00Z'),
      ]),
    ).toHaveLength(1);
  });

  it('keeps sequences inside the window: stages a week apart are not one attack', () => {
    const [discovery, escalation, evasion] = chain();
    const late = { ...evasion!, firstSeen: '2026-11-27T02:27:00Z', lastSeen: '2026-11-27T02:27:00Z' };
    expect(findSequences([discovery!, escalation!, late])).toEqual([]);
    expect(findSequences([discovery!, escalation!, late], { windowMs: 8 * 24 * 3_600_000 })).toHaveLength(1);
    expect(findSequences(chain(), { minTactics: 5 })).toEqual([]);
  });

  it('names S3 data compromise when an S3 exfiltration finding is a member', () => {
    const s3 = finding({
      detector: 's3-bucket-policy-public',
      tactics: ['TA0010', 'TA0005'],
      at: '2026-11-20T02:40:00Z',
      type: 'Policy:S3/BucketPublicAccessGranted',
      severity: 7,
    });
    expect(findSequences([...chain(), s3])[0]!.type).toBe('AttackSequence:S3/CompromisedData');
  });

  it('takes tactics from the threat purpose of findings without any (GuardDuty)', () => {
    const gd = chain().map((f, i) => ({
      ...f,
      mitre: { tactics: [], techniques: [] },
      type: [
        'Discovery:IAMUser/AnomalousBehavior',
        'PrivilegeEscalation:IAMUser/AnomalousBehavior',
        'Stealth:IAMUser/CloudTrailLoggingDisabled',
      ][i]!,
    }));
    expect(findSequences(gd)[0]!.mitre.tactics).toEqual(['TA0007', 'TA0004', 'TA0005']);
  });
});

describe('createSequenceTracker', () => {
  it('reports the sequence when a finding completes it, again when it grows, not on repeats', () => {
    const tracker = createSequenceTracker();
    const [discovery, escalation, evasion] = chain();
    expect(tracker.add(discovery!)).toEqual([]);
    expect(tracker.add(escalation!)).toEqual([]);
    const [done] = tracker.add(evasion!);
    expect(done).toEqual(findSequences(chain())[0]);
    expect(tracker.add(evasion!)).toEqual([]);
    const exfil = finding({
      detector: 'ebs-snapshot-shared',
      tactics: ['TA0010'],
      at: '2026-11-20T02:38:00Z',
    });
    const [grown] = tracker.add(exfil);
    expect(grown!.id).toBe(done!.id);
    expect(grown!.count).toBe(4);
    // Its own sequence finding offered back is ignored.
    expect(tracker.add(grown!)).toEqual([]);
  });

  it('drops a member that became suppressed', () => {
    const tracker = createSequenceTracker();
    const [discovery, escalation, evasion] = chain();
    tracker.seed([discovery!, escalation!]);
    expect(tracker.add({ ...evasion!, status: 'SUPPRESSED' })).toEqual([]);
    expect(tracker.size).toBe(2);
  });

  it('stays bounded', () => {
    const tracker = createSequenceTracker({ maxMembers: 50 });
    for (let i = 0; i < 500; i++) {
      tracker.add(
        finding({
          detector: 'd',
          tactics: ['TA0007'],
          at: new Date(Date.UTC(2026, 10, 20) + i * 60_000).toISOString(),
          user: `u${i}`,
        }),
      );
    }
    expect(tracker.size).toBeLessThanOrEqual(50);
  });
});

describe('vigil scan on the demo story', () => {
  const options = {
    paths: [DEMO],
    ruleDirs: [],
    builtin: true,
    experimental: false,
    threatIntel: [],
    workers: 0,
  };

  it('raises one attack sequence for the leaked-key chain and none for the background', async () => {
    const result = await runScan(options);
    const sequences = result.findings.filter((f) => f.detector === SEQUENCE_DETECTOR);
    expect(sequences).toHaveLength(1);
    const seq = sequences[0]!;
    expect(seq.type).toBe('AttackSequence:S3/CompromisedData');
    expect(seq.actor.principal).toBe(`arn:aws:iam::${ACCOUNT}:user/deploy-bot`);
    const members = result.findings.filter((f) => seq.related!.some((r) => r.id === f.id));
    expect(members).toHaveLength(seq.related!.length);
    const principals = new Set(members.map((m) => m.actor.principal?.split(':').pop()));
    expect(principals).toEqual(new Set(['user/deploy-bot', 'user/svc-backup', 'role/app-server-role']));
    // Every member came from the attacker's address; no background finding is chained.
    expect(members.every((m) => m.actor.ip === '203.0.113.77')).toBe(true);
    expect(result.progress.findings.CRITICAL).toBe(1);

    // Idempotent: the same logs give the same sequence; without sequences the rest is unchanged.
    const again = await runScan(options);
    expect(again.findings.find((f) => f.detector === SEQUENCE_DETECTOR)).toEqual(seq);
    const without = await runScan({ ...options, sequences: false });
    expect(without.findings).toEqual(result.findings.filter((f) => f.detector !== SEQUENCE_DETECTOR));
  });
});
