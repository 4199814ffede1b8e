import type { VigilEvent } from '../../core/event.js';
import { formatValue } from '../template.js';
import { compileKey, lenientAccessor } from '../hit.js';
import type { Aggregate, CompiledSigma, Detection, FieldGetter } from '../types.js';
import { createFirstSeenState } from './first-seen.js';
import type { ScopeClocks } from './clock.js';
import type { Persistable } from './persist.js';
import { createSequenceState } from './sequence.js';
import type { Contribution, Fire, Signal } from './types.js';
import { createWindowState } from './window.js';

/**
 * One stateful detection in the engine, split in two halves: `local` reads the event (any thread)
 * and says what it means for the detection as a Signal; `apply` changes the state (one thread).
 */
export interface StatefulRuntime {
  local(event: VigilEvent): Signal | undefined;
  apply(signal: Signal, contribution: Contribution): Fire | undefined;
  /** The state `apply` changes, for persistence (see persist.ts). */
  readonly state: Persistable;
}

export interface StatefulOptions {
  index: number;
  detection: Detection & { aggregate: Aggregate };
  compiled: CompiledSigma;
  getField: FieldGetter;
  maxGroups: number;
  /** Track changed state for incremental saves (see persist.ts). */
  track?: boolean;
  /** first-seen: the engine's shared learning clocks and which one this detection reads. */
  clock?: { clocks: ScopeClocks; index: number };
}

function checkTime(event: VigilEvent): void {
  if (!Number.isFinite(event.ts)) throw new Error(`event has no valid time ("${String(event.time)}")`);
}

function amount(value: unknown): string | number | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

export function createStatefulRuntime(o: StatefulOptions): StatefulRuntime {
  const { index, detection, compiled, getField, maxGroups, track } = o;
  const a = detection.aggregate;
  const id = detection.id;

  switch (a.kind) {
    case 'count':
    case 'distinct':
    case 'sum': {
      const state = createWindowState({
        kind: a.kind,
        window: a.window,
        threshold: a.threshold,
        maxGroups,
        track,
      });
      const groupOf = compileKey(a.groupBy, getField);
      const readField = a.kind === 'count' ? undefined : lenientAccessor(getField, a.field);
      return {
        local(event) {
          if (!compiled.matches(event)) return undefined;
          checkTime(event);
          let value: string | number | undefined;
          if (a.kind === 'distinct') {
            const v = readField!(event);
            value = v === undefined || v === null ? undefined : formatValue(v);
          } else if (a.kind === 'sum') value = amount(readField!(event));
          const group = groupOf(event);
          return { kind: 'window', detection: index, detectionId: id, group, value, event };
        },
        apply(signal, c) {
          if (signal.kind !== 'window') return undefined;
          return state.apply(signal.group, signal.value, c);
        },
        state,
      };
    }
    case 'first-seen': {
      const state = createFirstSeenState({ learning: a.learning, maxGroups, track });
      const scopeOf = compileKey(a.scope, getField);
      const keyOfEvent = compileKey(a.key, getField);
      // Keys are taught by the baseline, by default the candidates themselves; the learning clock
      // (when the scope was first seen, by any event) is the engine's, shared: see clock.ts.
      const baseline = a.baseline === undefined ? undefined : compiled.compileCondition(a.baseline);
      const clock = o.clock;
      if (!clock) throw new Error(`first-seen detection ${id} needs a scope clock`);
      // Observations already sent by this instance teach nothing new (a Set cleared when full:
      // sending one twice is harmless).
      const sent = new Set<string>();
      return {
        local(event) {
          const candidate = compiled.matches(event);
          const observe = baseline ? baseline(event) : candidate;
          if (!candidate && !observe) return undefined;
          checkTime(event);
          const scope = scopeOf(event);
          const key = keyOfEvent(event);
          if (!candidate) {
            const pair = `${scope}\u0000${key}`;
            if (sent.has(pair)) return undefined;
            if (sent.size >= maxGroups) sent.clear();
            sent.add(pair);
          }
          return {
            kind: 'first-seen',
            detection: index,
            detectionId: id,
            scope,
            key,
            observe,
            candidate,
            event,
          };
        },
        apply(signal, c) {
          if (signal.kind !== 'first-seen') return undefined;
          const since = clock.clocks.since(clock.index, signal.scope);
          if (!state.apply(signal.scope, signal.key, signal.observe, signal.candidate, c.ts, since))
            return undefined;
          return { group: signal.scope, value: 1, values: [signal.key], evidence: [c] };
        },
        state: {
          takeChanges: () => state.takeChanges(),
          exportAll: () => state.exportAll(),
          importAll(stored) {
            sent.clear(); // observations sent before may be gone from the restored state
            return state.importAll(stored);
          },
        },
      };
    }
    case 'sequence': {
      const steps = a.steps.map((s) => compiled.compileCondition(s));
      const state = createSequenceState({ steps: steps.length, window: a.window, maxGroups, track });
      const groupOf = compileKey(a.groupBy, getField);
      return {
        local(event) {
          let matched: number[] | undefined;
          for (let i = 0; i < steps.length; i++) if (steps[i]!(event)) (matched ??= []).push(i);
          if (!matched) return undefined;
          checkTime(event);
          const group = groupOf(event);
          return { kind: 'sequence', detection: index, detectionId: id, group, steps: matched, event };
        },
        apply(signal, c) {
          if (signal.kind !== 'sequence') return undefined;
          return state.apply(signal.group, signal.steps, c);
        },
        state,
      };
    }
  }
}
