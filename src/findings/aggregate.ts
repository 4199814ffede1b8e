import { createHash } from 'node:crypto';
import type { VigilEvent } from '../core/event.js';
import { MAX_EVIDENCE_IDS, type Finding, type FindingActor, type FindingResource } from '../core/finding.js';
import { severityLabel } from '../core/severity.js';
import type { Hit } from '../detect/types.js';

/** What `accountId` / `region` hold when the event does not say (or says something malformed). */
export const UNKNOWN = '-';

/** Default bound on findings held in memory; see `createAggregator`. */
export const MAX_OPEN_FINDINGS = 1_000_000;

/** Most resources one finding keeps; later distinct resources are not added. */
export const MAX_RESOURCES = 100;

/** Stable finding id: the first 32 hex characters of sha256(detector NUL dedupKey). */
export function findingId(detector: string, dedupKey: string): string {
  return createHash('sha256').update(detector).update('\0').update(dedupKey).digest('hex').slice(0, 32);
}

/**
 * The id an event is known by: its CloudTrail `eventID`, or — for records without one — `raw:` plus the
 * first 32 hex characters of sha256 over the raw record's JSON text. The same record read twice gets the
 * same id, which is what lets the store recognise it on a rescan.
 */
export function eventKey(event: VigilEvent): string {
  if (event.eventId) return event.eventId;
  return 'raw:' + createHash('sha256').update(JSON.stringify(event.raw)).digest('hex').slice(0, 32);
}

export interface AddResult {
  finding: Finding;
  /** First hit for this detector and dedup key. */
  isNew: boolean;
  /** An existing finding's severity went up with this hit (worth a fresh alert). */
  severityRaised: boolean;
}

export interface Aggregator {
  add(hit: Hit): AddResult;
  /** Findings currently held, oldest-updated first. */
  findings(): Finding[];
  /** How many findings were evicted because the bound was reached. */
  readonly evicted: number;
}

export interface AggregatorOptions {
  /** Clock used when an event's time cannot be read. */
  now?: () => number;
  /** Bound on findings held (default MAX_OPEN_FINDINGS). */
  maxFindings?: number;
  /** Called with each finding evicted past the bound, so a host can store it before it is dropped. */
  onEvict?: (finding: Finding) => void;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z0-9-]{1,32}$/;

function isoTime(ts: number): string {
  return new Date(ts).toISOString().replace('.000Z', 'Z');
}

function clampSeverity(s: number): number {
  if (!Number.isFinite(s)) return 1;
  return Math.min(10, Math.max(1, s));
}

function actorOf(e: VigilEvent): FindingActor {
  const actor: FindingActor = {};
  if (e.principal !== undefined) actor.principal = e.principal;
  actor.principalType = e.principalType;
  if (e.accessKeyId !== undefined) actor.accessKeyId = e.accessKeyId;
  if (e.sourceIp !== undefined && !e.sourceIsService) actor.ip = e.sourceIp;
  if (e.userAgent !== undefined) actor.userAgent = e.userAgent;
  return actor;
}

function pushUnique(list: string[], values: Iterable<string>, max = Infinity): void {
  for (const v of values) {
    if (list.length >= max) return;
    if (!list.includes(v)) list.push(v);
  }
}

function addResources(list: FindingResource[], values: readonly FindingResource[]): void {
  for (const r of values) {
    if (list.length >= MAX_RESOURCES) return;
    if (!list.some((x) => x.type === r.type && x.id === r.id)) list.push({ type: r.type, id: r.id });
  }
}

/**
 * Turns hits into findings: one finding per detector and dedup key, growing with every hit.
 *
 * - `count` is the number of hits; `firstSeen`/`lastSeen` are the min/max event times, so events may
 *   arrive in any order. An event whose time cannot be read is placed at `now()`.
 * - `evidence.eventIds` (unique, at most MAX_EVIDENCE_IDS) and `evidence.eventNames` (unique) grow;
 *   `severity` is the highest seen.
 * - Title, description, actor, account and region come from the first hit and stay fixed, so a finding
 *   does not change identity as it grows. `accountId` and `region` are UNKNOWN (`-`) when the event has
 *   none or a malformed one. The actor's `ip` is omitted when the source is an AWS service name.
 * - Bounded: at most `maxFindings` (default 1,000,000) findings are held. Past it, the least recently
 *   updated finding is evicted (handed to `onEvict` first) and counted in `evicted`; if it fires again it
 *   starts over as a new finding.
 */
export function createAggregator(options: AggregatorOptions = {}): Aggregator {
  const now = options.now ?? Date.now;
  const max = options.maxFindings ?? MAX_OPEN_FINDINGS;
  const open = new Map<string, { finding: Finding; first: number; last: number }>();
  let evicted = 0;

  function add(hit: Hit): AddResult {
    const d = hit.detection;
    const e = hit.event;
    const id = findingId(d.id, hit.dedupKey);
    const ts = Number.isFinite(e.ts) ? e.ts : now();
    const severity = clampSeverity(d.severity);
    const eventIds = hit.eventIds.length ? hit.eventIds : [eventKey(e)];
    const eventNames = hit.eventNames.length ? hit.eventNames : e.eventName ? [e.eventName] : [];

    const entry = open.get(id);
    if (entry) {
      const f = entry.finding;
      f.count++;
      if (ts < entry.first) {
        entry.first = ts;
        f.firstSeen = isoTime(ts);
      }
      if (ts > entry.last) {
        entry.last = ts;
        f.lastSeen = isoTime(ts);
      }
      pushUnique(f.evidence.eventIds, eventIds, MAX_EVIDENCE_IDS);
      pushUnique(f.evidence.eventNames, eventNames);
      addResources(f.resources, hit.resources);
      const severityRaised = severity > f.severity;
      if (severityRaised) {
        f.severity = severity;
        f.severityLabel = severityLabel(severity);
      }
      // Re-insert so the map's order is least recently updated first (eviction order).
      open.delete(id);
      open.set(id, entry);
      return { finding: f, isNew: false, severityRaised };
    }

    const finding: Finding = {
      id,
      type: d.type,
      detector: d.id,
      title: hit.title,
      description: hit.description,
      severity,
      severityLabel: severityLabel(severity),
      status: 'NEW',
      accountId: e.accountId && ACCOUNT.test(e.accountId) ? e.accountId : UNKNOWN,
      region: e.region && REGION.test(e.region) ? e.region : UNKNOWN,
      firstSeen: isoTime(ts),
      lastSeen: isoTime(ts),
      count: 1,
      actor: actorOf(e),
      resources: [],
      evidence: { eventIds: [], eventNames: [] },
      mitre: { tactics: [...d.mitre.tactics], techniques: [...d.mitre.techniques] },
      remediation: d.remediation,
      references: [...d.references],
    };
    pushUnique(finding.evidence.eventIds, eventIds, MAX_EVIDENCE_IDS);
    pushUnique(finding.evidence.eventNames, eventNames);
    addResources(finding.resources, hit.resources);
    if (open.size >= max) {
      const oldest = open.keys().next();
      if (!oldest.done) {
        const gone = open.get(oldest.value)!;
        open.delete(oldest.value);
        evicted++;
        options.onEvict?.(gone.finding);
      }
    }
    open.set(id, { finding, first: ts, last: ts });
    return { finding, isNew: true, severityRaised: false };
  }

  return {
    add,
    findings: () => [...open.values()].map((v) => v.finding),
    get evicted() {
      return evicted;
    },
  };
}
