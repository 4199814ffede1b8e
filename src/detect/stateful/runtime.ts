import type { VigilEvent } from '../../core/event.js';
import { formatValue } from '../template.js';
import { compileKey, lenientAccessor } from '../hit.js';
import type { Aggregate, CompiledSigma, Detection, FieldGetter } from '../types.js';
import { createFirstSeenState } from './first-seen.js';
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
}

export interface StatefulOptions {
  index: number;
  detection: Detection & { aggregate: Aggregate };
  compiled: CompiledSigma;
  getField: FieldGetter;
  maxGroups: number;
}

function checkTime(event: VigilEvent): void {
  if (!Number.isFinite(event.ts)) throw new Error(`event has no valid time ("${String(event.time)}")`);
}

function amount(value: unknown): string | number | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

export function createStatefulRuntime(o: StatefulOptions): StatefulRuntime {
  const { index, detection, compiled, getField, maxGroups } = o;
  const a = detection.aggregate;
  const id = detection.id;

  switch (a.kind) {
    case 'count':
    case 'distinct':
    case 'sum': {
      const state = createWindowState({ kind: a.kind, window: a.window, threshold: a.threshold, maxGroups });
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
      };
    }
    case 'first-seen': {
      const state = createFirstSeenState({ learning: a.learning, maxGroups });
      const scopeOf = compileKey(a.scope, getField);
      const keyOfEvent = compileKey(a.key, getField);
      const baseline = a.baseline === undefined ? undefined : compiled.compileCondition(a.baseline);
      // Without an explicit baseline every event is an observation. When the key includes the event
      // name and candidates are limited to some names (exact, or by prefix), an event with another
      // name can only teach a key no candidate will ever have: it just observes its scope, which is
      // far cheaper.
      const keyHasName = a.key.some((k) => k === 'vigil.eventName' || k === 'eventName');
      const couldMatch = baseline || !keyHasName ? undefined : compiled.couldMatchEventName;
      const nameIsCandidate = new Map<string, boolean>();
      const couldBeCandidate = (event: VigilEvent): boolean => {
        if (!couldMatch || event.eventName === undefined) return true;
        let yes = nameIsCandidate.get(event.eventName);
        if (yes === undefined) {
          yes = couldMatch(event.eventName);
          if (nameIsCandidate.size > 10_000) nameIsCandidate.clear();
          nameIsCandidate.set(event.eventName, yes);
        }
        return yes;
      };
      // Observations already sent by this instance teach nothing new unless earlier in event time (the
      // state keeps a scope's earliest observation): the earliest time sent per observation, in a Map
      // cleared when full (sending an observation twice is harmless).
      const sent = new Map<string, number>();
      let last: string | undefined;
      let lastTs = 0;
      const remember = (k: string, ts: number): boolean => {
        // Consecutive events mostly share their scope: compare with the last one before hashing.
        if (k === last && ts >= lastTs) return false;
        const before = sent.get(k);
        last = k;
        if (before !== undefined && ts >= before) {
          lastTs = before;
          return false;
        }
        if (sent.size >= maxGroups) sent.clear();
        sent.set(k, ts);
        lastTs = ts;
        return true;
      };
      return {
        local(event) {
          if (!couldBeCandidate(event)) {
            checkTime(event);
            const scope = scopeOf(event);
            if (!remember(scope, event.ts)) return undefined;
            return {
              kind: 'first-seen',
              detection: index,
              detectionId: id,
              scope,
              key: undefined,
              observe: true,
              candidate: false,
              event,
            };
          }
          const candidate = compiled.matches(event);
          const observe = baseline ? baseline(event) : true;
          if (!candidate && !observe) return undefined;
          checkTime(event);
          const scope = scopeOf(event);
          const key = keyOfEvent(event);
          if (observe && !candidate && !remember(`${scope}\u0000${key}`, event.ts)) return undefined;
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
          if (!state.apply(signal.scope, signal.key, signal.observe, signal.candidate, c.ts))
            return undefined;
          return { group: signal.scope, value: 1, values: [signal.key ?? '-'], evidence: [c] };
        },
      };
    }
    case 'sequence': {
      const steps = a.steps.map((s) => compiled.compileCondition(s));
      const state = createSequenceState({ steps: steps.length, window: a.window, maxGroups });
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
      };
    }
  }
}
