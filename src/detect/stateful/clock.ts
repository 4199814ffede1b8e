import type { VigilEvent } from '../../core/event.js';
import type { KeyReader } from '../hit.js';
import { LruMap } from './lru.js';
import { dirtySet, isNumber, takeDirty, type Persistable } from './persist.js';
import type { Signal } from './types.js';

/**
 * The learning clocks of first-seen detections: when each scope (an account, a principal…) was first
 * seen, by any event of the source. One clock per distinct list of scope fields, shared by every
 * first-seen detection that uses it, so each event is read once per clock, not once per detection.
 *
 * Split like the rest of the state: `local` (any thread) turns an event into the clock observations
 * worth sending — a scope not sent before, or sent with a later time —, `apply` (the owning thread)
 * keeps each scope's earliest time. Bounded: `maxGroups` scopes per clock, least recently used first.
 */
export interface ScopeClocks {
  readonly count: number;
  local(event: VigilEvent, out: Signal[]): void;
  apply(signal: Extract<Signal, { kind: 'clock' }>): void;
  /** The earliest time the scope was seen, or undefined. */
  since(clock: number, scope: string): number | undefined;
  /** One clock's state (scope → earliest time), for persistence; changes only with `track`. */
  state(clock: number): Persistable;
}

export function createScopeClocks(keys: readonly KeyReader[], maxGroups: number, track = false): ScopeClocks {
  const dirty = keys.map(() => dirtySet(track));
  const firstSeen = keys.map((_, c) => new LruMap<string, number>(maxGroups, (s) => dirty[c]?.add(s)));
  // Worker side: what each clock already sent (earliest time), and the last scope, which most events share.
  const sent = keys.map(() => new Map<string, number>());
  const last: (string | undefined)[] = keys.map(() => undefined);
  const lastTs: number[] = keys.map(() => 0);
  const states: Persistable[] = keys.map((_, c) => {
    const map = firstSeen[c]!;
    return {
      takeChanges: () =>
        takeDirty(
          dirty[c],
          (scope) => map.peek(scope),
          (ts) => ts,
        ),
      exportAll: () => Array.from(map.entries(), ([key, ts]) => ({ key, value: ts })),
      importAll(stored) {
        map.clear();
        dirty[c]?.clear();
        // What this side remembers having sent may be gone from the restored state: send again.
        sent[c]!.clear();
        last[c] = undefined;
        for (const { key, value } of stored) if (isNumber(value)) map.set(key, value);
        return -1;
      },
    };
  });

  return {
    count: keys.length,
    local(event, out) {
      const ts = event.ts;
      if (!Number.isFinite(ts)) return;
      for (let c = 0; c < keys.length; c++) {
        const scope = keys[c]!(event);
        if (scope === last[c] && ts >= lastTs[c]!) continue;
        const map = sent[c]!;
        const before = map.get(scope);
        last[c] = scope;
        if (before !== undefined && ts >= before) {
          lastTs[c] = before;
          continue;
        }
        if (map.size >= maxGroups) map.clear();
        map.set(scope, ts);
        lastTs[c] = ts;
        out.push({ kind: 'clock', clock: c, scope, ts });
      }
    },
    apply(signal) {
      const map = firstSeen[signal.clock];
      if (!map) throw new Error(`clock signal for unknown clock ${signal.clock}`);
      const first = map.peek(signal.scope);
      if (first === undefined || signal.ts < first) {
        map.set(signal.scope, signal.ts);
        dirty[signal.clock]?.add(signal.scope);
      } else map.get(signal.scope); // keep it recent (not saved: see first-seen.ts)
    },
    since(clock, scope) {
      return firstSeen[clock]?.peek(scope);
    },
    state(clock) {
      const state = states[clock];
      if (!state) throw new Error(`unknown clock ${clock}`);
      return state;
    },
  };
}
