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
  /** Location and AS of the actor's IP (src/enrich): filled into `actor.geo` when known. */
  geo?: (ip: string) => FindingActor['geo'] | undefined;
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

function actorOf(e: VigilEvent, geoOf?: AggregatorOptions['geo']): FindingActor {
  const actor: FindingActor = {};
  if (e.principal !== undefined) actor.principal = e.principal;
  actor.principalType = e.principalType;
  if (e.accessKeyId !== undefined) actor.accessKeyId = e.accessKeyId;
  if (e.sourceIp !== undefined && !e.sourceIsService) actor.ip = e.sourceIp;
  if (e.userAgent !== undefined) actor.userAgent = e.userAgent;
  if (actor.ip !== undefined && geoOf) {
    const geo = geoOf(actor.ip);
    if (geo) actor.geo = geo;
  }
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
 * - Title, description, actor, account and region come from the earliest event seen (so the result does
 *   not depend on the order parallel readers deliver events in). `accountId` and `region` are UNKNOWN (`-`) when the event has
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
    const key = `${d.id}\u0000${hit.dedupKey}`;
    const ts = Number.isFinite(e.ts) ? e.ts : now();
    const repeats = hit.repeats;
    const firstTs = repeats && Number.isFinite(repeats.firstTs) ? Math.min(ts, repeats.firstTs) : ts;
    const lastTs = repeats && Number.isFinite(repeats.lastTs) ? Math.max(ts, repeats.lastTs) : ts;
    const count = repeats ? repeats.count : 1;
    const severity = clampSeverity(d.severity);
    const eventIds = hit.eventIds.length ? hit.eventIds : [eventKey(e)];
    const eventNames = hit.eventNames.length ? hit.eventNames : e.eventName ? [e.eventName] : [];

    const entry = open.get(key);
    if (entry) {
      const f = entry.finding;
      f.count += count;
      if (firstTs < entry.first) {
        entry.first = firstTs;
        f.firstSeen = isoTime(firstTs);
        // The earliest event speaks for the finding, whatever order the events arrived in (parallel
        // readers): title, description, actor, account and region follow it.
        if (ts === firstTs) {
          f.title = hit.title;
          f.description = hit.description;
          f.actor = actorOf(e, options.geo);
          f.accountId = e.accountId && ACCOUNT.test(e.accountId) ? e.accountId : UNKNOWN;
          f.region = e.region && REGION.test(e.region) ? e.region : UNKNOWN;
        }
      }
      if (lastTs > entry.last) {
        entry.last = lastTs;
        f.lastSeen = isoTime(lastTs);
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
      open.delete(key);
      open.set(key, entry);
      return { finding: f, isNew: false, severityRaised };
    }

    const finding: Finding = {
      id: findingId(d.id, hit.dedupKey),
      type: d.type,
      detector: d.id,
      title: hit.title,
      description: hit.description,
      severity,
      severityLabel: severityLabel(severity),
      status: 'NEW',
      accountId: e.accountId && ACCOUNT.test(e.accountId) ? e.accountId : UNKNOWN,
      region: e.region && REGION.test(e.region) ? e.region : UNKNOWN,
      firstSeen: isoTime(firstTs),
      lastSeen: isoTime(lastTs),
      count,
      actor: actorOf(e, options.geo),
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
    open.set(key, { finding, first: firstTs, last: lastTs });
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
