import { LruMap } from './lru.js';

/**
 * First seen: fires when a candidate event brings a key never seen before in its scope, once the
 * scope has been observed for at least `learning` (event time). Baseline observations teach keys;
 * while a scope is still learning, candidates are quiet (their key is learned if they are also
 * observations). A key that fired is remembered, so it fires once.
 *
 * Bounded: at most `maxGroups` scopes and `maxGroups` (scope, key) pairs, least recently used
 * forgotten first (a forgotten key may fire again: noisy rather than blind).
 */
export interface FirstSeenOptions {
  learning: number;
  maxGroups: number;
}

export interface FirstSeenState {
  /** Applies one event; true when it fires. A `key` of undefined only observes the scope. */
  apply(scope: string, key: string | undefined, observe: boolean, candidate: boolean, ts: number): boolean;
  readonly scopes: number;
  readonly keys: number;
}

export function createFirstSeenState(options: FirstSeenOptions): FirstSeenState {
  const scopes = new LruMap<string, number>(options.maxGroups); // scope -> first observation time
  const keys = new LruMap<string, true>(options.maxGroups);

  return {
    get scopes() {
      return scopes.size;
    },
    get keys() {
      return keys.size;
    },
    apply(scope, key, observe, candidate, ts) {
      if (key === undefined) {
        const first = scopes.get(scope);
        if (observe && (first === undefined || ts < first)) scopes.set(scope, ts);
        return false;
      }
      const pair = `${scope}\u0000${key}`;
      const known = keys.get(pair) !== undefined;
      const since = scopes.get(scope);
      const fires = candidate && !known && since !== undefined && ts - since >= options.learning;
      if (observe) {
        if (since === undefined || ts < since) scopes.set(scope, ts);
        keys.set(pair, true);
      }
      if (fires) keys.set(pair, true);
      return fires;
    },
  };
}
