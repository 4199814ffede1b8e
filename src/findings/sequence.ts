import {
  MAX_EVIDENCE_IDS,
  type Finding,
  type FindingResource,
  type RelatedFinding,
} from '../core/finding.js';
import { severityLabel } from '../core/severity.js';
import { findingId, MAX_RESOURCES } from './aggregate.js';

/**
 * Attack sequences (GuardDuty's Extended Threat Detection, `AttackSequence:IAM/CompromisedCredentials`):
 * findings of one actor that together walk the kill chain become one CRITICAL finding linking them.
 *
 * - **Actor.** Findings are linked when they share a principal (ARN), an access key id or a public
 *   source IP; the actor is a connected group of findings. A leaked key used to create a backdoor user
 *   from the same VPS therefore chains both users, while two people who merely work in the same account
 *   on the same day are not chained. AWS service principals, `anonymous` and non-public IPs never link.
 * - **Window.** Each actor's findings are cut into windows by event time (default 24 h), each window
 *   starting at the earliest finding not yet in one: the sequence's id is that of its actor and first
 *   member, so re-running on the same logs gives the same id, and later members make it grow.
 * - **Rule** (default): at least 3 distinct MITRE tactics, one of them "impact-class" (defence evasion,
 *   credential access, collection, exfiltration, command and control, impact), carried by at least two
 *   different detectors. A LOW finding counts half: a tactic is established by members weighing 1
 *   together (one MEDIUM+ finding, or two LOW findings of different detectors), so a few low-confidence
 *   signals do not make a CRITICAL. An admin's routine IAM work (persistence, privilege escalation) plus
 *   a discovery finding has no impact-class tactic and is not an attack sequence.
 * - Findings without tactics take them from their GuardDuty threat purpose (`Discovery:…` → TA0007), so
 *   ingested GuardDuty findings join sequences too. Suppressed findings and sequences never join.
 */

export const SEQUENCE_DETECTOR = 'attack-sequence';
export const SEQUENCE_SEVERITY = 9;
export const DEFAULT_SEQUENCE_WINDOW_MS = 24 * 3_600_000;
/** Most members a sequence lists in `related`; more still count. */
export const MAX_RELATED = 100;

export interface SequenceOptions {
  /** Span of one sequence, by event time (default 24 h). */
  windowMs?: number;
  /** Distinct established tactics needed (default 3). */
  minTactics?: number;
  /** Bound on findings the online tracker holds (default 100,000; oldest by event time go first). */
  maxMembers?: number;
}

const TACTIC_NAMES: Record<string, string> = {
  TA0043: 'Reconnaissance',
  TA0042: 'Resource Development',
  TA0001: 'Initial Access',
  TA0002: 'Execution',
  TA0003: 'Persistence',
  TA0004: 'Privilege Escalation',
  TA0005: 'Defense Evasion',
  TA0006: 'Credential Access',
  TA0007: 'Discovery',
  TA0008: 'Lateral Movement',
  TA0009: 'Collection',
  TA0011: 'Command and Control',
  TA0010: 'Exfiltration',
  TA0040: 'Impact',
};

/** Tactics that mean the actor is acting on its objective, not only looking around or settling in. */
const IMPACT_CLASS = new Set(['TA0005', 'TA0006', 'TA0009', 'TA0010', 'TA0011', 'TA0040']);

/** GuardDuty threat purposes → tactic, for findings that carry no MITRE tactics of their own. */
const PURPOSE_TACTIC: Record<string, string> = {
  Recon: 'TA0043',
  Discovery: 'TA0007',
  InitialAccess: 'TA0001',
  UnauthorizedAccess: 'TA0001',
  Execution: 'TA0002',
  Persistence: 'TA0003',
  PrivilegeEscalation: 'TA0004',
  DefenseEvasion: 'TA0005',
  Stealth: 'TA0005',
  CredentialAccess: 'TA0006',
  Exfiltration: 'TA0010',
  Backdoor: 'TA0011',
  Impact: 'TA0040',
  CryptoCurrency: 'TA0040',
};

const NAME_TACTIC = new Map(
  Object.entries(TACTIC_NAMES).map(([id, name]) => [name.toLowerCase().replace(/[^a-z]/g, ''), id]),
);

/** A tactic as `TA00xx`, whether written so or by name (`privilege-escalation`, `Defense Evasion`). */
function tacticId(t: string): string | undefined {
  if (/^TA\d{4}$/.test(t)) return t;
  return NAME_TACTIC.get(t.toLowerCase().replace(/[^a-z]/g, ''));
}

interface Member {
  finding: Finding;
  firstMs: number;
  lastMs: number;
  tactics: string[];
  weight: number;
  keys: string[];
}

function tacticsOf(f: Finding): string[] {
  const out: string[] = [];
  for (const t of f.mitre.tactics) {
    const id = tacticId(t);
    if (id && !out.includes(id)) out.push(id);
  }
  if (!out.length) {
    const purpose = PURPOSE_TACTIC[f.type.split(':')[0] ?? ''];
    if (purpose) out.push(purpose);
  }
  return out;
}

const IPV4_PRIVATE = /^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.)/;

/** The keys that link a finding to others of the same actor (see the module comment). */
function linkKeys(f: Finding): string[] {
  const a = f.actor;
  const keys: string[] = [];
  const service = a.principalType === 'AWSService' || (a.principal ?? '').endsWith('.amazonaws.com');
  if (a.principal && a.principal !== '-' && a.principal !== 'anonymous' && !service) {
    keys.push(`p\u0000${f.accountId}\u0000${a.principal}`);
  }
  if (a.accessKeyId) keys.push(`k\u0000${a.accessKeyId}`);
  if (a.ip && !service && !IPV4_PRIVATE.test(a.ip) && a.ip.includes('.')) keys.push(`i\u0000${a.ip}`);
  else if (a.ip && !service && a.ip.includes(':') && !/^(f[cd]|fe80|::1$)/i.test(a.ip)) {
    keys.push(`i\u0000${a.ip.toLowerCase()}`);
  }
  return keys;
}

function joins(f: Finding): boolean {
  return (
    f.detector !== SEQUENCE_DETECTOR && !f.type.startsWith('AttackSequence:') && f.status !== 'SUPPRESSED'
  );
}

function toMember(f: Finding): Member | undefined {
  const firstMs = Date.parse(f.firstSeen);
  const lastMs = Date.parse(f.lastSeen);
  if (!Number.isFinite(firstMs) || !Number.isFinite(lastMs)) return undefined;
  const keys = linkKeys(f);
  if (!keys.length) return undefined;
  return { finding: f, firstMs, lastMs, tactics: tacticsOf(f), weight: f.severity >= 4 ? 1 : 0.5, keys };
}

const byTime = (a: Member, b: Member) =>
  a.firstMs - b.firstMs || (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0);

/** Whether a window's members make an attack sequence (the rule in the module comment). */
function qualifies(members: readonly Member[], minTactics: number): boolean {
  const weights = new Map<string, Map<string, number>>(); // tactic → detector → heaviest member weight
  for (const m of members) {
    for (const t of m.tactics) {
      const perDetector = weights.get(t) ?? new Map<string, number>();
      perDetector.set(m.finding.detector, Math.max(perDetector.get(m.finding.detector) ?? 0, m.weight));
      weights.set(t, perDetector);
    }
  }
  const established: string[] = [];
  const detectors = new Set<string>();
  for (const [t, perDetector] of weights) {
    let sum = 0;
    for (const w of perDetector.values()) sum += w;
    if (sum < 1) continue;
    established.push(t);
    for (const d of perDetector.keys()) detectors.add(d);
  }
  return (
    established.length >= minTactics && established.some((t) => IMPACT_CLASS.has(t)) && detectors.size >= 2
  );
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function tacticLabel(tactics: readonly string[]): string {
  return tactics.map((t) => TACTIC_NAMES[t] ?? t).join('/') || 'no tactic';
}

function isS3Data(m: Member): boolean {
  return (
    m.finding.type.includes(':S3/') &&
    m.tactics.some((t) => t === 'TA0009' || t === 'TA0010' || t === 'TA0040')
  );
}

/** The sequence finding of one qualifying window, members in time order. */
function sequenceFinding(members: readonly Member[]): Finding {
  const first = members[0]!.finding;
  const actor = first.actor.principal ?? first.actor.accessKeyId ?? first.actor.ip ?? '-';
  const tactics: string[] = [];
  const techniques: string[] = [];
  const resources: FindingResource[] = [];
  const eventIds: string[] = [];
  const eventNames: string[] = [];
  const related: RelatedFinding[] = [];
  const principals: string[] = [];
  let lastMs = 0;
  for (const m of members) {
    const f = m.finding;
    lastMs = Math.max(lastMs, m.lastMs);
    for (const t of m.tactics) if (!tactics.includes(t)) tactics.push(t);
    for (const t of f.mitre.techniques) if (!techniques.includes(t)) techniques.push(t);
    for (const r of f.resources) {
      if (resources.length < MAX_RESOURCES && !resources.some((x) => x.type === r.type && x.id === r.id))
        resources.push({ type: r.type, id: r.id });
    }
    for (const id of f.evidence.eventIds)
      if (eventIds.length < MAX_EVIDENCE_IDS && !eventIds.includes(id)) eventIds.push(id);
    for (const n of f.evidence.eventNames)
      if (eventNames.length < 100 && !eventNames.includes(n)) eventNames.push(n);
    if (related.length < MAX_RELATED) related.push({ id: f.id, type: f.type, title: f.title });
    const p = f.actor.principal;
    if (p && !principals.includes(p)) principals.push(p);
  }
  const s3 = members.some(isS3Data);
  const story = members
    .map((m, i) => `${i + 1}. ${isoTime(m.firstMs)} [${tacticLabel(m.tactics)}] ${m.finding.title}`)
    .join('\n');
  return {
    id: findingId(SEQUENCE_DETECTOR, `${actor}\u0000${first.id}`),
    type: s3 ? 'AttackSequence:S3/CompromisedData' : 'AttackSequence:IAM/CompromisedCredentials',
    detector: SEQUENCE_DETECTOR,
    title: `Attack sequence by ${actor}: ${members.length} findings across ${tactics.length} tactics`,
    description:
      `${members.length} findings of one actor (${principals.join(', ') || actor}) walk the kill chain ` +
      `within ${Math.max(1, Math.round((lastMs - members[0]!.firstMs) / 60_000))} minutes: ` +
      `${tacticLabel(tactics)}.\n${story}`,
    severity: SEQUENCE_SEVERITY,
    severityLabel: severityLabel(SEQUENCE_SEVERITY),
    status: 'NEW',
    accountId: first.accountId,
    region: first.region,
    firstSeen: isoTime(members[0]!.firstMs),
    lastSeen: isoTime(lastMs),
    count: members.length,
    actor: structuredClone(first.actor),
    resources,
    evidence: { eventIds, eventNames },
    mitre: { tactics, techniques },
    remediation:
      'Treat the credentials involved as compromised: deactivate the access keys and sessions of every ' +
      'principal in the sequence, remove what they created (users, keys, policies, instances), restore ' +
      'logging and detectors they disabled, and review the related findings in order.',
    references: ['https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-extended-threat-detection.html'],
    related,
  };
}

/** Connected groups of members (shared link keys), each in time order; groups ordered by first member. */
function actorGroups(members: readonly Member[]): Member[][] {
  const byKey = new Map<string, Member[]>();
  for (const m of members) for (const k of m.keys) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(m);
  const seen = new Set<Member>();
  const groups: Member[][] = [];
  for (const start of [...members].sort(byTime)) {
    if (seen.has(start)) continue;
    const group: Member[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length) {
      const m = stack.pop()!;
      group.push(m);
      for (const k of m.keys) {
        for (const n of byKey.get(k) ?? []) {
          if (!seen.has(n)) {
            seen.add(n);
            stack.push(n);
          }
        }
      }
    }
    groups.push(group.sort(byTime));
  }
  return groups;
}

/** Cuts one actor's members (in time order) into windows anchored at their first member. */
function windows(group: readonly Member[], windowMs: number): Member[][] {
  const out: Member[][] = [];
  let current: Member[] = [];
  for (const m of group) {
    if (current.length && m.firstMs >= current[0]!.firstMs + windowMs) {
      out.push(current);
      current = [];
    }
    current.push(m);
  }
  if (current.length) out.push(current);
  return out;
}

function sequencesOf(members: readonly Member[], options: SequenceOptions): Finding[] {
  const windowMs = options.windowMs ?? DEFAULT_SEQUENCE_WINDOW_MS;
  const minTactics = options.minTactics ?? 3;
  const out: Finding[] = [];
  for (const group of actorGroups(members)) {
    for (const w of windows(group, windowMs)) if (qualifies(w, minTactics)) out.push(sequenceFinding(w));
  }
  return out;
}

/**
 * The attack sequences among a finished set of findings (`vigil scan`): deterministic whatever the
 * input order, in order of their first member. Empty when no actor walks the kill chain.
 */
export function findSequences(findings: readonly Finding[], options: SequenceOptions = {}): Finding[] {
  const members: Member[] = [];
  for (const f of findings) {
    if (!joins(f)) continue;
    const m = toMember(f);
    if (m) members.push(m);
  }
  return sequencesOf(members, options);
}

export interface SequenceTracker {
  /**
   * A finding stored or updated (`vigil serve`). Returns the sequence findings it created or changed —
   * usually none; the sequence it belongs to when it completes or grows one.
   */
  add(finding: Finding): Finding[];
  /** Loads findings (e.g. from the store after a restart) without reporting sequences. */
  seed(findings: Iterable<Finding>): void;
  /** Findings held. */
  readonly size: number;
}

/**
 * The online form of `findSequences`: holds recent findings (bounded, the oldest by event time evicted
 * first, and those older than two windows before the newest dropped), and on each update recomputes
 * the sequences of the updated finding's actor only.
 */
export function createSequenceTracker(options: SequenceOptions = {}): SequenceTracker {
  const windowMs = options.windowMs ?? DEFAULT_SEQUENCE_WINDOW_MS;
  const maxMembers = options.maxMembers ?? 100_000;
  const members = new Map<string, Member>();
  const byKey = new Map<string, Set<string>>();
  /** What each sequence looked like when last reported: unchanged ones are not reported again. */
  const reported = new Map<string, string>();
  let newestMs = -Infinity;
  let puts = 0;

  function remove(id: string): void {
    const m = members.get(id);
    if (!m) return;
    members.delete(id);
    for (const k of m.keys) {
      const set = byKey.get(k);
      set?.delete(id);
      if (set && !set.size) byKey.delete(k);
    }
  }

  function put(f: Finding): Member | undefined {
    remove(f.id);
    if (!joins(f)) return undefined;
    const m = toMember(f);
    if (!m) return undefined;
    members.set(f.id, m);
    for (const k of m.keys) (byKey.get(k) ?? byKey.set(k, new Set()).get(k)!).add(f.id);
    newestMs = Math.max(newestMs, m.lastMs);
    prune();
    return m;
  }

  function prune(): void {
    // Age-based pruning now and then (a full pass), size-based whenever the bound is passed.
    if (members.size <= maxMembers && ++puts % 1024 !== 0) return;
    const horizon = newestMs - 2 * windowMs;
    for (const [id, m] of members) if (m.lastMs < horizon) remove(id);
    if (members.size <= maxMembers) return;
    const oldest = [...members.values()].sort(byTime);
    for (const m of oldest.slice(0, members.size - maxMembers)) remove(m.finding.id);
  }

  function actorOf(start: Member): Member[] {
    const seen = new Set<string>([start.finding.id]);
    const stack = [start];
    const out: Member[] = [];
    while (stack.length) {
      const m = stack.pop()!;
      out.push(m);
      for (const k of m.keys) {
        for (const id of byKey.get(k) ?? []) {
          if (seen.has(id)) continue;
          seen.add(id);
          stack.push(members.get(id)!);
        }
      }
    }
    return out;
  }

  return {
    add(finding) {
      const m = put(finding);
      if (!m) return [];
      const out: Finding[] = [];
      for (const s of sequencesOf(actorOf(m), options)) {
        if (!s.related?.some((r) => r.id === finding.id)) continue;
        const signature = `${s.lastSeen}\u0000${s.related.map((r) => r.id).join(',')}`;
        if (reported.get(s.id) === signature) continue;
        reported.set(s.id, signature);
        if (reported.size > maxMembers) reported.delete(reported.keys().next().value!);
        out.push(s);
      }
      return out;
    },
    seed(findings) {
      for (const f of findings) put(f);
    },
    get size() {
      return members.size;
    },
  };
}
