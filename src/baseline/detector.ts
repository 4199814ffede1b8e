import type { VigilEvent } from '../core/event.js';
import type { Detection, Hit } from '../detect/types.js';
import { createEngineState, type EngineState } from '../detect/stateful/engine-state.js';
import {
  dirtySet,
  fingerprint,
  isNumber,
  type Persistable,
  type StateEntry,
} from '../detect/stateful/persist.js';
import { API_DETECTIONS, GET_OBJECT_VOLUME, atSeverity } from './detections.js';
import { observe, type GeoLookup, type Observation } from './features.js';
import {
  HOURS,
  Interner,
  KINDS,
  Population,
  Profile,
  TOTALS,
  VOLUMES,
  VOL_MEAN,
  VOL_NOW,
  VOL_PEAK,
  VOL_VAR,
} from './model.js';
import { isSensitive, tacticOf } from './tactic.js';

export interface BaselineOptions {
  /** Days a principal is watched before anything it does can fire (default 7). */
  learningDays?: number;
  /** Events a principal must have made before anything fires (default 50). */
  minEvents?: number;
  /** 0 (fewest findings) to 1 (most); default 0.5. Moves the threshold on the combined score. */
  sensitivity?: number;
  /** Counts halve every this many days, so old habits fade (default 30). */
  halfLifeDays?: number;
  /** Principals kept; the least recently active are forgotten first (default 10 000). */
  maxPrincipals?: number;
  /** One finding per principal and type per window (default 24 hours). */
  windowMs?: number;
  /** Hour of day in this offset from UTC, in minutes (default 0). */
  utcOffsetMinutes?: number;
  /** Country and ASN of a source IP; without it those features are not used. */
  geo?: GeoLookup;
  /** Track the principals changed since the last save (`vigil serve`). */
  track?: boolean;
}

export interface BaselineDetector {
  /** The features of one event, or undefined when no baseline applies (can run on another thread). */
  observe(event: VigilEvent): Observation | undefined;
  /** Scores an observation against its principal's baseline, then learns from it. In event order. */
  apply(observation: Observation): readonly Hit[];
  /** `apply(observe(event))`. */
  process(event: VigilEvent): readonly Hit[];
  /**
   * The state entries `process(event)` reads and changes: its principal's profile (none when no baseline
   * applies). What a store holding one event's share of the state at a time (Lambda) loads before it.
   */
  keysFor(event: VigilEvent): { owner: string; key: string }[];
  /** The baselines, saved and restored like the stateful detections' state (owner `baseline:principals`). */
  readonly state: EngineState;
  readonly principals: number;
  /** Rough bytes held by the profiles (typed arrays and fixed overheads, not the Map itself). */
  approximateBytes(): number;
}

/** The state owner of the profiles, one entry per principal keyed by the principal. */
export const BASELINE_OWNER = 'baseline:principals';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Weight of the population prior, in events. */
const PRIOR = 5;
/** A value is "unusual" only when the principal's smoothed probability of it is below this. */
const RARE = 0.02;
/** EWMA weight of one active hour in the volume baselines. */
const ALPHA = 0.05;
/** Volume z-scores are measured against at least this spread of log1p(count). */
const MIN_SD = 0.5;
/** Active hours of volume history needed before volumes are judged. */
const MIN_HOURS = 24;
/** The busiest hour so far is forgotten by this much (log1p units) per active hour. */
const PEAK_DECAY = 0.005;
/** A volume is unusual only above this multiple of the principal's busiest hour so far (as log). */
const PEAK_MARGIN = Math.log(4);
/** Per volume kind (VOLUMES order): the least count per hour worth a finding. */
const MIN_VOLUME = [500, 50, 200, 50];
/** Weight of an unusual value of each kind (KINDS order) in the combined score. */
const WEIGHT = [1, 0.5, 0.5, 1, 0.7, 0.6];
const HOUR_WEIGHT = 0.4;
const NOUNS = ['API', 'service', 'region', 'country', 'ASN', 'user agent'];

interface Unusual {
  kind: number; // KINDS index, or −1 for the hour
  value: string;
  score: number;
  prob: number;
  share: number;
}

const pct = (x: number) => `${x >= 0.995 ? 100 : x < 0.01 ? '<1' : Math.round(x * 100)}%`;
const days = (ms: number) => `${Math.max(1, Math.round(ms / DAY))} day${ms >= 1.5 * DAY ? 's' : ''}`;

export function createBaselineDetector(options: BaselineOptions = {}): BaselineDetector {
  const learning = (options.learningDays ?? 7) * DAY;
  const minEvents = options.minEvents ?? 50;
  const sensitivity = Math.min(1, Math.max(0, options.sensitivity ?? 0.5));
  const threshold = 2.5 - 2 * sensitivity;
  const zThreshold = 5 - 2 * sensitivity;
  const halfLife = (options.halfLifeDays ?? 30) * DAY;
  const maxPrincipals = options.maxPrincipals ?? 10_000;
  const windowMs = options.windowMs ?? DAY;
  const offset = (options.utcOffsetMinutes ?? 0) * 60_000;
  const geo = options.geo;

  const interner = new Interner();
  let pop = new Population();
  const profiles = new Map<string, Profile>();
  const dirty = dirtySet(options.track);

  function evict(): void {
    while (profiles.size > maxPrincipals) {
      const [key, p] = profiles.entries().next().value as [string, Profile];
      p.remove(pop, interner.kinds);
      profiles.delete(key);
      pop.size--;
      dirty?.add(key);
    }
  }

  function profileOf(key: string, ts: number): Profile {
    let p = profiles.get(key);
    if (p) profiles.delete(key);
    else {
      p = new Profile(ts);
      pop.size++;
    }
    profiles.set(key, p);
    evict();
    return p;
  }

  const valuesOf = (o: Observation): (string | undefined)[] => [
    o.api,
    o.service,
    o.region,
    o.country,
    o.asn === undefined ? undefined : String(o.asn),
    o.ua,
  ];

  function rarity(p: Profile, id: number, kind: number): { prob: number; share: number; seen: number } {
    const seen = p.count(id);
    const own = p.stats[TOTALS + kind]!;
    // The population without this principal: what everyone else does is the prior.
    const others = Math.max(0, pop.counts[id] ?? 0) - seen;
    const othersTotal = Math.max(0, pop.totals[kind]! - own);
    const q = (Math.max(0, others) + 1) / (othersTotal + pop.values[kind]! + 1);
    const prob = (seen + PRIOR * q) / (own + PRIOR);
    const users = (pop.principals[id] ?? 0) - (seen > 0 ? 1 : 0);
    const share = pop.size > 1 ? Math.max(0, users) / (pop.size - 1) : 0;
    return { prob, share, seen };
  }

  const strength = (prob: number) => Math.min(1, Math.max(0, Math.log10(1 / prob) / 3));

  function unusualValues(
    p: Profile,
    ids: (number | undefined)[],
    values: (string | undefined)[],
    hour: number,
  ) {
    const out: Unusual[] = [];
    for (let k = 0; k < KINDS.length; k++) {
      const id = ids[k];
      if (id === undefined) continue;
      const { prob, share, seen } = rarity(p, id, k);
      if (seen >= 1 || prob >= RARE) continue;
      // What many other principals do is less telling for APIs and services (an admin's first
      // CreateRole), a little less for places and tools.
      const discount = k <= 1 ? (1 - share) ** 2 : 1 - share / 2;
      const score = WEIGHT[k]! * strength(prob) * discount;
      if (score > 0.05) out.push({ kind: k, value: values[k]!, score, prob, share });
    }
    const h = p.stats;
    let total = 0;
    for (let i = 0; i < 24; i++) total += h[HOURS + i]!;
    const near = h[HOURS + hour]! + 0.5 * (h[HOURS + ((hour + 23) % 24)]! + h[HOURS + ((hour + 1) % 24)]!);
    const prob = (near + PRIOR / 24) / (total + PRIOR);
    if (near < 1 && prob < RARE / 2)
      out.push({
        kind: -1,
        value: `${String(hour).padStart(2, '0')}:00`,
        score: HOUR_WEIGHT * strength(prob),
        prob,
        share: 0,
      });
    return out;
  }

  /** The principal's most used value of a kind and its share, for "previously US 100%". */
  function usual(p: Profile, kind: number): string {
    let best = -1;
    let bestCount = 0;
    for (let i = 0; i < p.n; i++) {
      const id = p.features[i * 2]!;
      if (interner.kinds[id] === kind && p.features[i * 2 + 1]! > bestCount) {
        best = id;
        bestCount = p.features[i * 2 + 1]!;
      }
    }
    const total = p.stats[TOTALS + kind]!;
    return best < 0 || total <= 0 ? '' : ` (previously ${interner.names[best]} ${pct(bestCount / total)})`;
  }

  function explain(p: Profile, u: Unusual, o: Observation): string {
    if (u.kind === -1)
      return `active at ${u.value} ${offset ? 'local time' : 'UTC'}, an hour it is rarely active in`;
    const who = `${p.events} events over ${days(o.ts - p.first)}`;
    const others = u.share > 0 ? `; used by ${pct(u.share)} of other principals` : '';
    if (u.kind === 0) return `${u.value} never seen for this principal in ${who}${others}`;
    return `${NOUNS[u.kind]} ${u.value} new${usual(p, u.kind)}${others}`;
  }

  function hitFor(
    detection: Detection,
    severity: number,
    o: Observation,
    title: string,
    description: string,
  ): Hit {
    const e = o.event as VigilEvent;
    const windowStart = Math.floor(o.ts / windowMs) * windowMs;
    return {
      detection: atSeverity(detection, severity),
      event: e.raw ? e : { ...e, raw: {} },
      eventIds: e.eventId ? [e.eventId] : [],
      eventNames: e.eventName ? [e.eventName] : [],
      dedupKey: `${o.principal}|${new Date(windowStart).toISOString()}`,
      title,
      description,
      resources: [{ type: principalResource(e), id: o.principal }],
    };
  }

  function scoreBehaviour(
    p: Profile,
    o: Observation,
    ids: (number | undefined)[],
    values: (string | undefined)[],
    hour: number,
  ): Hit | undefined {
    const unusual = unusualValues(p, ids, values, hour);
    if (!unusual.length) return undefined;
    const eventName = o.event.eventName ?? '';
    const tactic = tacticOf(o.service, eventName);
    const sensitive = isSensitive(tactic);
    let score = 0;
    let api = false;
    let context = 0;
    let place = false;
    for (const u of unusual) {
      const s = u.kind === 0 && sensitive ? u.score * 1.5 : u.score;
      score += s;
      if (u.kind === 0) api = true;
      else if (u.kind !== 1) context += u.score;
      if (u.kind === 3 || u.kind === 4) place = true;
    }
    if (score < threshold) return undefined;
    // MEDIUM and above need an unusual API in an unusual context: a new API alone is someone's new
    // task, a new place alone is travel.
    let severity = score >= threshold + 1 ? 3 : 2;
    if (api && context >= 0.9) severity = sensitive && place ? 7 : 5;
    unusual.sort((a, b) => b.score - a.score);
    const why = unusual.map((u) => explain(p, u, o)).join('; ');
    const name = o.event.principalName ?? o.principal;
    return hitFor(
      API_DETECTIONS[tactic],
      severity,
      o,
      `Unusual ${tactic} activity by ${name}: ${o.api}`,
      `${o.principal} called ${o.api} in a way unusual for it (score ${score.toFixed(1)}, threshold ${threshold.toFixed(1)}): ${why}.`,
    );
  }

  /** Folds the finished hour's volumes into the EWMAs and starts a new hour. */
  function rollHour(p: Profile, hour: number): void {
    if (p.hour === hour) return;
    if (p.hour >= 0 && hour < p.hour) return; // a late event counts in the current hour
    const s = p.stats;
    if (p.hour >= 0) {
      for (let k = 0; k < VOLUMES.length; k++) {
        const x = Math.log1p(s[VOL_NOW + k]!);
        s[VOL_PEAK + k] = Math.max(x, s[VOL_PEAK + k]! - PEAK_DECAY);
        if (p.hoursSeen === 0) {
          s[VOL_MEAN + k] = x;
          s[VOL_VAR + k] = MIN_SD * MIN_SD;
        } else {
          const d = x - s[VOL_MEAN + k]!;
          s[VOL_MEAN + k]! += ALPHA * d;
          s[VOL_VAR + k] = (1 - ALPHA) * (s[VOL_VAR + k]! + ALPHA * d * d);
        }
        s[VOL_NOW + k] = 0;
      }
      p.hoursSeen++;
    }
    p.hour = hour;
    p.volumeFired = 0;
  }

  function scoreVolume(p: Profile, o: Observation, out: Hit[]): void {
    if (p.hoursSeen < MIN_HOURS) return;
    for (let k = 0; k < VOLUMES.length; k++) {
      if (!(o.volume & (1 << k)) || p.volumeFired & (1 << k)) continue;
      const count = p.stats[VOL_NOW + k]!;
      if (count < MIN_VOLUME[k]!) continue;
      const mean = p.stats[VOL_MEAN + k]!;
      const sd = Math.max(MIN_SD, Math.sqrt(p.stats[VOL_VAR + k]!));
      const z = (Math.log1p(count) - mean) / sd;
      if (z < zThreshold) continue;
      // A job that is busy at its own hours (nightly exports, backfills up to 4× its busiest hour) is normal.
      const peak = p.stats[VOL_PEAK + k]!;
      if (Math.log1p(count) < peak + PEAK_MARGIN) continue;
      p.volumeFired |= 1 << k;
      const usualCount = Math.round(Math.expm1(mean));
      const what = ['read calls', 'delete calls', 'GetObject calls', 'failed calls'][k]!;
      const detection = k === 2 ? GET_OBJECT_VOLUME : API_DETECTIONS[k === 1 ? 'Impact' : 'Discovery'];
      const severity = k === 2 || k === 1 ? (z >= 2 * zThreshold ? 7 : 5) : 3;
      out.push(
        hitFor(
          detection,
          severity,
          o,
          `Unusual volume of ${what} by ${o.event.principalName ?? o.principal}`,
          `${o.principal} made ${count} ${what} within the hour, against a usual ${usualCount} per active hour ` +
            `and at most ${Math.round(Math.expm1(peak))} in its busiest hour so far ` +
            `(z ${z.toFixed(1)} on ${p.hoursSeen} active hours over ${days(o.ts - p.first)}).`,
        ),
      );
    }
  }

  const NO_HITS: readonly Hit[] = Object.freeze([]);

  function apply(o: Observation): readonly Hit[] {
    const p = profileOf(o.principal, o.ts);
    if (o.ts - p.decayedAt >= HOUR) p.decay(o.ts, halfLife, pop, interner.kinds);
    rollHour(p, Math.floor(o.ts / HOUR));
    const values = valuesOf(o);
    const ids = values.map((v, k) => (v === undefined ? undefined : interner.id(k, v)));
    for (const id of ids) if (id !== undefined) pop.ensure(id);
    const hour = Math.floor(((((o.ts + offset) % DAY) + DAY) % DAY) / HOUR);
    const learned = o.ts - p.first >= learning && p.events >= minEvents;
    let hits: Hit[] | undefined;
    if (learned) {
      const hit = scoreBehaviour(p, o, ids, values, hour);
      if (hit) hits = [hit];
    }
    for (let k = 0; k < KINDS.length; k++) if (ids[k] !== undefined) p.add(ids[k]!, k, 1, pop);
    p.stats[HOURS + hour]! += 1;
    for (let k = 0; k < VOLUMES.length; k++) if (o.volume & (1 << k)) p.stats[VOL_NOW + k]! += 1;
    p.events++;
    if (o.ts > p.last) p.last = o.ts;
    dirty?.add(o.principal);
    if (learned) scoreVolume(p, o, (hits ??= []));
    return hits?.length ? hits : NO_HITS;
  }

  // Persistence: one entry per principal, feature values by name (not interned id).
  function encode(p: Profile): unknown {
    const k: Record<string, number> = {};
    for (let i = 0; i < p.n; i++) {
      const id = p.features[i * 2]!;
      k[`${interner.kinds[id]}:${interner.names[id]}`] = Math.round(p.features[i * 2 + 1]! * 1000) / 1000;
    }
    return {
      f: p.first,
      l: p.last,
      d: p.decayedAt,
      e: p.events,
      h: p.hour,
      s: p.hoursSeen,
      v: p.volumeFired,
      t: Array.from(p.stats.subarray(HOURS), (x) => Math.round(x * 1000) / 1000),
      k,
    };
  }

  function decode(value: unknown): Profile | undefined {
    if (!value || typeof value !== 'object') return undefined;
    const v = value as Record<string, unknown>;
    if (
      ![v.f, v.l, v.d, v.e, v.h, v.s, v.v].every(isNumber) ||
      !Array.isArray(v.t) ||
      !v.k ||
      typeof v.k !== 'object'
    )
      return undefined;
    const t = v.t as unknown[];
    if (t.length !== p0.stats.length - HOURS || !t.every(isNumber)) return undefined;
    const p = new Profile(v.f as number);
    p.last = v.l as number;
    p.decayedAt = v.d as number;
    p.events = v.e as number;
    p.hour = v.h as number;
    p.hoursSeen = v.s as number;
    p.volumeFired = v.v as number;
    p.stats.set(t as number[], HOURS);
    for (const [name, count] of Object.entries(v.k as Record<string, unknown>)) {
      const colon = name.indexOf(':');
      const kind = Number(name.slice(0, colon));
      if (!(kind >= 0 && kind < KINDS.length) || !isNumber(count) || count <= 0) continue;
      p.add(interner.id(kind, name.slice(colon + 1)), kind, count, pop);
    }
    return p;
  }
  const p0 = new Profile(0);

  const persistable: Persistable = {
    takeChanges() {
      if (!dirty) throw new Error('these baselines were created without change tracking');
      const out: StateEntry[] = [];
      for (const key of dirty) {
        const p = profiles.get(key);
        out.push({ key, value: p ? encode(p) : undefined });
      }
      dirty.clear();
      return out;
    },
    exportAll: () => Array.from(profiles, ([key, p]) => ({ key, value: encode(p) })),
    importAll(entries) {
      profiles.clear();
      pop = new Population();
      dirty?.clear();
      for (const { key, value } of entries) {
        const p = decode(value);
        if (!p) continue;
        const old = profiles.get(key);
        if (old) {
          old.remove(pop, interner.kinds);
          profiles.delete(key);
          pop.size--;
        }
        profiles.set(key, p);
        pop.size++;
        evict();
      }
      return -1;
    },
  };

  const state = createEngineState(
    [
      {
        owner: BASELINE_OWNER,
        fingerprint: fingerprint({ model: 1, halfLife, kinds: KINDS, volumes: VOLUMES }),
        state: persistable,
      },
    ],
    () => {},
  );

  return {
    observe: (event) => observe(event, geo),
    apply,
    process(event) {
      const o = observe(event, geo);
      return o ? apply(o) : NO_HITS;
    },
    keysFor(event) {
      const o = observe(event, geo);
      return o ? [{ owner: BASELINE_OWNER, key: o.principal }] : [];
    },
    state,
    get principals() {
      return profiles.size;
    },
    approximateBytes() {
      let bytes = interner.size * 64 + pop.counts.byteLength + pop.principals.byteLength;
      for (const [key, p] of profiles) bytes += p.bytes + 80 + key.length * 2;
      return bytes;
    },
  };
}

function principalResource(e: Omit<VigilEvent, 'raw'>): string {
  switch (e.principalType) {
    case 'AssumedRole':
      return 'AwsIamRole';
    case 'IAMUser':
      return 'AwsIamUser';
    case 'Root':
      return 'AwsAccount';
    default:
      return 'AwsIamPrincipal';
  }
}
