import { MAX_EVIDENCE_IDS } from '../../core/finding.js';
import { LruMap } from './lru.js';
import {
  decodeContribution,
  dirtySet,
  encodeContribution,
  isNumber,
  isTextOrNull,
  takeDirty,
  type Persistable,
} from './persist.js';
import { sweepExpired, type SweptGroup } from './sweep.js';
import type { Contribution, Fire } from './types.js';

/**
 * Threshold over a sliding window per group: `count` events, `distinct` values of a field, or the
 * `sum` of a numeric field. Fires once when some window of length `window` reaches `threshold`;
 * the group is re-armed only after it has been quiet for a whole window.
 *
 * Time is event time. Entries are kept sorted, so events arriving out of order are placed where
 * they belong; an event later than the newest of its group by more than `lateness` (default one
 * window) is too late to count. State is bounded: at most `maxGroups` groups (least recently used
 * evicted), per group at most 2×threshold entries (count, distinct) or MAX_SUM_ENTRIES (sum), and
 * groups whose newest event is older than the watermark minus window+lateness are dropped.
 */
export type WindowKind = 'count' | 'distinct' | 'sum';

export interface WindowOptions {
  kind: WindowKind;
  window: number;
  threshold: number;
  maxGroups: number;
  lateness?: number;
  /** Keep the set of groups changed since the last `takeChanges` (persisted state). */
  track?: boolean;
}

export interface WindowState extends Persistable {
  /** Adds one event to `group`; `value` is the distinct value or the amount to sum. */
  apply(group: string, value: string | number | undefined, contribution: Contribution): Fire | undefined;
  /** Number of groups held. */
  readonly size: number;
  /** Number of entries held by one group (0 when absent or fired). */
  entries(group: string): number;
}

export const MAX_SUM_ENTRIES = 1024;
const MAX_VALUES = 10;

interface Entry extends Contribution {
  weight: number;
  value: string | undefined;
}

interface Group extends SweptGroup {
  entries: Entry[];
  maxTs: number;
  fired: boolean;
}

/** A group as stored: its newest time, whether it fired, and its entries as [...contribution, weight, value]. */
interface StoredGroup {
  maxTs: number;
  fired: boolean;
  entries: unknown[][];
}

function encodeGroup(g: Group): StoredGroup {
  return {
    maxTs: g.maxTs,
    fired: g.fired,
    entries: g.entries.map((e) => [...encodeContribution(e), e.weight, e.value ?? null]),
  };
}

function decodeGroup(value: unknown): Group | undefined {
  const v = value as Partial<StoredGroup> | null;
  if (!v || !isNumber(v.maxTs) || typeof v.fired !== 'boolean' || !Array.isArray(v.entries)) return undefined;
  const entries: Entry[] = [];
  for (const raw of v.entries) {
    const c = decodeContribution(raw);
    const [weight, text] = Array.isArray(raw) ? raw.slice(4) : [];
    if (!c || !isNumber(weight) || !isTextOrNull(text)) return undefined;
    if (entries.length && before(c, entries[entries.length - 1]!)) return undefined; // kept sorted
    entries.push({ ...c, weight, value: text ?? undefined });
  }
  return { maxTs: v.maxTs, fired: v.fired, entries, touched: 0 };
}

function before(a: Contribution, b: Contribution): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}

/** Inserts keeping (ts, seq) order; returns the index. Appends in O(1) for in-order arrival. */
function insertSorted(entries: Entry[], entry: Entry): number {
  let i = entries.length;
  while (i > 0 && before(entry, entries[i - 1]!)) i--;
  entries.splice(i, 0, entry);
  return i;
}

/** First index in [0, hi] whose ts is >= ts. */
function lowerBound(entries: Entry[], ts: number, hi: number): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Finds a window [l, r] containing index i whose span is <= window and whose total reaches threshold. */
function findWindow(
  entries: Entry[],
  i: number,
  window: number,
  threshold: number,
): [number, number] | undefined {
  let l = lowerBound(entries, entries[i]!.ts - window, i);
  let total = 0;
  for (let k = l; k <= i; k++) total += entries[k]!.weight;
  for (let r = i; r < entries.length; r++) {
    if (r > i) total += entries[r]!.weight;
    while (entries[r]!.ts - entries[l]!.ts > window) total -= entries[l++]!.weight;
    if (l > i) return undefined;
    if (total >= threshold) return [l, r];
  }
  return undefined;
}

export function createWindowState(options: WindowOptions): WindowState {
  const { kind, window, threshold } = options;
  const retention = window + (options.lateness ?? window);
  const cap = kind === 'sum' ? MAX_SUM_ENTRIES : Math.max(2, Math.ceil(threshold) * 2);
  const dirty = dirtySet(options.track);
  const groups = new LruMap<string, Group>(options.maxGroups, (key) => dirty?.add(key));
  let watermark = -Infinity;
  let applies = 0;

  function weightOf(value: string | number | undefined): number | undefined {
    if (kind !== 'sum') return 1;
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    return Number.isFinite(n) ? n : undefined;
  }

  function fire(group: string, g: Group, l: number, r: number): Fire {
    const win = g.entries.slice(l, r + 1);
    let value = 0;
    for (const e of win) value += e.weight;
    const values: string[] = [];
    if (kind === 'distinct') {
      for (let k = win.length - 1; k >= 0 && values.length < MAX_VALUES; k--) values.push(win[k]!.value!);
    }
    g.fired = true;
    g.entries = [];
    const evidence = win.slice(-MAX_EVIDENCE_IDS).map(({ ts, seq, id, name }) => ({ ts, seq, id, name }));
    return { group, value, values, evidence };
  }

  return {
    get size() {
      return groups.size;
    },
    entries(group) {
      return groups.peek(group)?.entries.length ?? 0;
    },
    takeChanges: () => takeDirty(dirty, (key) => groups.peek(key), encodeGroup),
    exportAll: () => Array.from(groups.entries(), ([key, g]) => ({ key, value: encodeGroup(g) })),
    importAll(stored) {
      groups.clear();
      dirty?.clear();
      // The watermark comes back as the newest group time: at most the one saved, so expiry can only be later.
      watermark = -Infinity;
      applies = 0;
      let maxSeq = -1;
      for (const { key, value } of stored) {
        const g = decodeGroup(value);
        if (!g) continue;
        groups.set(key, g);
        if (g.maxTs > watermark) watermark = g.maxTs;
        for (const e of g.entries) if (e.seq > maxSeq) maxSeq = e.seq;
      }
      return maxSeq;
    },
    apply(group, value, contribution) {
      const ts = contribution.ts;
      if (ts > watermark) watermark = ts;
      sweepExpired(groups, watermark - retention, ++applies);
      const weight = weightOf(value);
      if (weight === undefined || (kind === 'distinct' && value === undefined)) return undefined;

      let g = groups.get(group);
      if (!g) {
        g = { entries: [], maxTs: ts, fired: false, touched: applies };
        groups.set(group, g);
      }
      g.touched = applies;
      dirty?.add(group);
      if (g.fired) {
        if (ts - g.maxTs <= window) {
          if (ts > g.maxTs) g.maxTs = ts;
          return undefined;
        }
        g.fired = false; // quiet for a whole window: re-armed
        g.entries = [];
      }
      if (ts > g.maxTs) g.maxTs = ts;
      const entries = g.entries;
      const horizon = g.maxTs - retention;
      if (ts < horizon) return undefined; // too late to count
      let drop = 0;
      while (drop < entries.length && entries[drop]!.ts < horizon) drop++;
      if (drop) entries.splice(0, drop);

      const text = kind === 'distinct' ? String(value) : undefined;
      if (text !== undefined) {
        const k = entries.findIndex((e) => e.value === text);
        if (k >= 0) {
          if (entries[k]!.ts >= ts) return undefined; // value already counted at a later time
          entries.splice(k, 1);
        }
      }
      const entry: Entry = { ...contribution, weight, value: text };
      const i = insertSorted(entries, entry);
      const found = findWindow(entries, i, window, threshold);
      if (found) return fire(group, g, found[0], found[1]);
      if (entries.length > cap) entries.splice(0, entries.length - cap);
      return undefined;
    },
  };
}
