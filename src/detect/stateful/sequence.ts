import { MAX_EVIDENCE_IDS } from '../../core/finding.js';
import { LruMap } from './lru.js';
import {
  decodeContribution,
  dirtySet,
  encodeContribution,
  isNumber,
  takeDirty,
  type Persistable,
  type StoredContribution,
} from './persist.js';
import { sweepExpired, type SweptGroup } from './sweep.js';
import type { Contribution, Fire } from './types.js';

/**
 * Ordered sequence per group: step 0, then step 1, … then the last step, all within `window`
 * (event time, first to last). Each step keeps its most recent matches (at most MAX_PER_STEP), so
 * events that arrive out of order still complete the sequence in their true time order. A
 * completed sequence fires once and clears the group. At most `maxGroups` groups (LRU), and a
 * group idle for longer than window+lateness behind the watermark is dropped.
 */
export interface SequenceOptions {
  steps: number;
  window: number;
  maxGroups: number;
  lateness?: number;
  /** Keep the set of groups changed since the last `takeChanges` (persisted state). */
  track?: boolean;
}

export interface SequenceState extends Persistable {
  apply(group: string, steps: readonly number[], contribution: Contribution): Fire | undefined;
  readonly size: number;
}

export const MAX_PER_STEP = 16;

interface Group extends SweptGroup {
  steps: Contribution[][];
  maxTs: number;
}

/** A group as stored: its newest time and each step's matches. */
interface StoredGroup {
  maxTs: number;
  steps: StoredContribution[][];
}

function encodeGroup(g: Group): StoredGroup {
  return { maxTs: g.maxTs, steps: g.steps.map((list) => list.map(encodeContribution)) };
}

function decodeGroup(value: unknown, steps: number): Group | undefined {
  const v = value as Partial<StoredGroup> | null;
  if (!v || !isNumber(v.maxTs) || !Array.isArray(v.steps) || v.steps.length !== steps) return undefined;
  const out: Contribution[][] = [];
  for (const list of v.steps) {
    if (!Array.isArray(list)) return undefined;
    const matches: Contribution[] = [];
    for (const raw of list) {
      const c = decodeContribution(raw);
      if (!c) return undefined;
      insert(matches, c);
    }
    out.push(matches);
  }
  return { maxTs: v.maxTs, steps: out, touched: 0 };
}

function before(a: Contribution, b: Contribution): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}

function insert(list: Contribution[], c: Contribution): void {
  let i = list.length;
  while (i > 0 && before(c, list[i - 1]!)) i--;
  list.splice(i, 0, c);
  if (list.length > MAX_PER_STEP) list.shift();
}

/** For each match of the last step, the latest chain ending in it; the first chain within the window. */
function findChain(steps: Contribution[][], window: number): Contribution[] | undefined {
  const last = steps[steps.length - 1]!;
  for (let k = last.length - 1; k >= 0; k--) {
    const chain: Contribution[] = [last[k]!];
    for (let s = steps.length - 2; s >= 0; s--) {
      const next = chain[0]!;
      const list = steps[s]!;
      let j = list.length - 1;
      while (j >= 0 && !before(list[j]!, next)) j--;
      if (j < 0) break;
      chain.unshift(list[j]!);
    }
    if (chain.length === steps.length && chain[chain.length - 1]!.ts - chain[0]!.ts <= window) return chain;
  }
  return undefined;
}

export function createSequenceState(options: SequenceOptions): SequenceState {
  const { window } = options;
  const retention = window + (options.lateness ?? window);
  const dirty = dirtySet(options.track);
  const groups = new LruMap<string, Group>(options.maxGroups, (key) => dirty?.add(key));
  let watermark = -Infinity;
  let applies = 0;

  return {
    get size() {
      return groups.size;
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
        const g = decodeGroup(value, options.steps);
        if (!g) continue;
        groups.set(key, g);
        if (g.maxTs > watermark) watermark = g.maxTs;
        for (const list of g.steps) for (const c of list) if (c.seq > maxSeq) maxSeq = c.seq;
      }
      return maxSeq;
    },
    apply(group, matched, contribution) {
      const ts = contribution.ts;
      if (ts > watermark) watermark = ts;
      sweepExpired(groups, watermark - retention, ++applies);
      let g = groups.get(group);
      if (!g) {
        g = { steps: Array.from({ length: options.steps }, () => []), maxTs: ts, touched: applies };
        groups.set(group, g);
      }
      g.touched = applies;
      dirty?.add(group);
      if (ts > g.maxTs) g.maxTs = ts;
      const horizon = g.maxTs - retention;
      if (ts < horizon) return undefined;
      for (const list of g.steps) {
        let drop = 0;
        while (drop < list.length && list[drop]!.ts < horizon) drop++;
        if (drop) list.splice(0, drop);
      }
      for (const s of matched) if (s >= 0 && s < g.steps.length) insert(g.steps[s]!, contribution);
      const chain = findChain(g.steps, window);
      if (!chain) return undefined;
      groups.delete(group);
      return { group, value: chain.length, values: [], evidence: chain.slice(-MAX_EVIDENCE_IDS) };
    },
  };
}
