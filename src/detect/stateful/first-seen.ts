import { LruMap } from './lru.js';
import { dirtySet, takeDirty, type Persistable } from './persist.js';

/**
 * First seen: fires when a candidate event brings a key never seen before in its scope, once the scope
 * has been watched for at least `learning` (event time; the scope's first time comes from its learning
 * clock, see clock.ts, and must be strictly earlier than the candidate: the first event of a scope
 * never fires). Baseline observations teach keys; a key that fired is remembered, so it fires once.
 *
 * Bounded: at most `maxGroups` (scope, key) pairs, least recently used forgotten first (a forgotten
 * key may fire again: noisy rather than blind).
 */
export interface FirstSeenOptions {
  learning: number;
  maxGroups: number;
  /** Keep the set of keys learned or forgotten since the last `takeChanges` (persisted state). */
  track?: boolean;
}

/**
 * Persisted as one entry per (scope, key) pair (value 1). A known key read again is not re-saved, so
 * after a restart the least-recently-used order is that of learning, not of last use.
 */
export interface FirstSeenState extends Persistable {
  /** Applies one event; `since` is when its scope was first seen. True when it fires. */
  apply(
    scope: string,
    key: string,
    observe: boolean,
    candidate: boolean,
    ts: number,
    since: number | undefined,
  ): boolean;
  readonly keys: number;
}

export function createFirstSeenState(options: FirstSeenOptions): FirstSeenState {
  const dirty = dirtySet(options.track);
  const keys = new LruMap<string, true>(options.maxGroups, (pair) => dirty?.add(pair));
  return {
    get keys() {
      return keys.size;
    },
    takeChanges: () =>
      takeDirty(
        dirty,
        (pair) => keys.peek(pair),
        () => 1,
      ),
    exportAll: () => Array.from(keys.entries(), ([key]) => ({ key, value: 1 })),
    importAll(stored) {
      keys.clear();
      dirty?.clear();
      for (const { key, value } of stored) if (value === 1) keys.set(key, true);
      return -1;
    },
    apply(scope, key, observe, candidate, ts, since) {
      const pair = `${scope}\u0000${key}`;
      const known = keys.get(pair) !== undefined;
      const fires =
        candidate && !known && since !== undefined && since < ts && ts - since >= options.learning;
      if (observe || fires) {
        keys.set(pair, true);
        if (!known) dirty?.add(pair);
      }
      return fires;
    },
  };
}
