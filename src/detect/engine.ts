import type { VigilEvent } from '../core/event.js';
import { buildHit, compileHitTemplates, compileKey, type HitTemplates, type KeyReader } from './hit.js';
import { compileSigma, createJsonText, type JsonText } from './sigma/index.js';
import { createStatefulRuntime, type StatefulRuntime } from './stateful/runtime.js';
import { createScopeClocks } from './stateful/clock.js';
import { createEngineState, type EngineState, type StateOwner } from './stateful/engine-state.js';
import { fingerprint } from './stateful/persist.js';
import type { Signal } from './stateful/types.js';
import type { Aggregate, CompiledSigma, Detection, DetectionError, FieldGetter, Hit } from './types.js';

export interface EngineOptions {
  getField: FieldGetter;
  /** Called for every detection that throws on an event. */
  onError?: (error: DetectionError) => void;
  /** Groups of state kept per stateful detection (least recently used evicted). Default 100 000. */
  maxGroups?: number;
  /**
   * Skip detections that cannot match the event's eventName or eventSource (default true). Off only
   * to compare.
   */
  indexEventNames?: boolean;
  /**
   * Called before a stateless Hit is built, with the detection's index and the hit's dedup key. Returning
   * true means the caller has counted this repeat of a hit it already holds, so the engine skips
   * rendering it (a noisy detection can match most events of an archive).
   */
  absorb?: (detection: number, dedupKey: string, event: VigilEvent) => boolean;
  /**
   * Keep track of the stateful state changed since the last `state.takeChanges()`, for a host that
   * saves it incrementally (`vigil serve`). Off by default: nobody would empty the set.
   */
  trackState?: boolean;
}

export interface LocalResult {
  hits: readonly Hit[];
  signals: readonly Signal[];
}

/**
 * Evaluates every detection once per event. `process` does it all on one thread; parallel scans
 * split it: workers call `matchLocal` (stateless hits, plus a Signal per stateful detection the
 * event concerns) and the thread that owns the state calls `processSignal`. `process(e)` is
 * `matchLocal(e)` followed by `processSignal` of its signals.
 */
export interface Engine {
  readonly detections: readonly Detection[];
  process(event: VigilEvent): readonly Hit[];
  matchLocal(event: VigilEvent): LocalResult;
  processSignal(signal: Signal): readonly Hit[];
  /** Errors per detection id so far. */
  errorCounts(): Record<string, number>;
  /** The stateful detections' and learning clocks' state, to save and restore (stateful/engine-state.ts). */
  readonly state: EngineState;
}

export const DEFAULT_MAX_GROUPS = 100_000;
const NAME_CACHE_MAX = 10_000;
const NO_HITS: readonly Hit[] = Object.freeze([]);
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
const NOTHING: LocalResult = Object.freeze({ hits: NO_HITS, signals: NO_SIGNALS });

interface Runtime {
  index: number;
  detection: Detection;
  templates: HitTemplates;
  dedupKey: KeyReader;
  matches: (event: VigilEvent) => boolean;
  stateful: StatefulRuntime | undefined;
}

function addTo(index: Map<string, Runtime[]>, keys: ReadonlySet<string>, rt: Runtime): void {
  for (const key of keys) {
    const list = index.get(key);
    if (list) list.push(rt);
    else index.set(key, [rt]);
  }
}

/**
 * The compiled block whose eventNames and eventSources bound the events a detection can use. Most
 * detections: their condition. A first-seen with a baseline: the condition or the baseline (an event
 * matching neither is neither a candidate nor an observation). A sequence: any of its steps. A
 * first-seen without a baseline observes every event: undefined.
 */
export function indexedBy(
  detection: Detection,
  compiled: CompiledSigma,
  getField: FieldGetter,
  jsonText: JsonText,
): Pick<CompiledSigma, 'eventNames' | 'eventSources'> | undefined {
  const a = detection.aggregate;
  if (!a || (a.kind !== 'first-seen' && a.kind !== 'sequence')) return compiled;
  // first-seen reads its condition and its baseline (by default the condition); the learning clocks
  // that see every event are the engine's, outside this index.
  if (a.kind === 'first-seen' && a.baseline === undefined) return compiled;
  const own = detection.detection.condition;
  const conditions =
    a.kind === 'sequence' ? a.steps : [...(Array.isArray(own) ? (own as string[]) : [own]), a.baseline];
  // A list of conditions matches when any does.
  return compileSigma({ ...detection.detection, condition: conditions }, getField, { jsonText });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createEngine(detections: readonly Detection[], options: EngineOptions): Engine {
  const { getField, absorb } = options;
  const maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
  const errors: Record<string, number> = {};
  let seq = 0;
  // One JSON-text memo for every detection: an object field is serialized once per event.
  const jsonText = createJsonText();

  // Detections that can only match some eventNames, by lower-cased name; of the others, those that can
  // only match some eventSources, by lower-cased source; the rest see every event.
  const byLowerName = new Map<string, Runtime[]>();
  const byLowerSource = new Map<string, Runtime[]>();
  const everyEvent: Runtime[] = [];
  // first-seen learning clocks, one per distinct list of scope fields (see stateful/clock.ts).
  const clockIndex = new Map<string, number>();
  const clockKeys: KeyReader[] = [];
  for (const d of detections) {
    if (d.aggregate?.kind !== 'first-seen') continue;
    const name = JSON.stringify(d.aggregate.scope);
    if (!clockIndex.has(name)) {
      clockIndex.set(name, clockKeys.length);
      clockKeys.push(compileKey(d.aggregate.scope, getField));
    }
  }
  const clocks = createScopeClocks(clockKeys, maxGroups, options.trackState);
  const runtimes: Runtime[] = detections.map((detection, index) => {
    const compiled = compileSigma(detection.detection, getField, { jsonText });
    const a = detection.aggregate;
    const stateful = a
      ? createStatefulRuntime({
          index,
          detection: detection as Detection & { aggregate: Aggregate },
          compiled,
          getField,
          maxGroups,
          track: options.trackState,
          ...(a.kind === 'first-seen'
            ? { clock: { clocks, index: clockIndex.get(JSON.stringify(a.scope))! } }
            : {}),
        })
      : undefined;
    const rt: Runtime = {
      index,
      detection,
      templates: compileHitTemplates(detection),
      dedupKey: compileKey(detection.dedupKey, getField),
      matches: compiled.matches,
      stateful,
    };
    const indexSets =
      options.indexEventNames === false ? undefined : indexedBy(detection, compiled, getField, jsonText);
    const names = indexSets?.eventNames;
    const sources = names ? undefined : indexSets?.eventSources;
    if (names) addTo(byLowerName, names, rt);
    else if (sources) addTo(byLowerSource, sources, rt);
    else everyEvent.push(rt);
    return rt;
  });
  // Per exact eventName, then eventSource: the detections to evaluate, in catalogue order. Built once
  // per pair seen.
  const byName = new Map<string | undefined, Map<string | undefined, readonly Runtime[]>>();
  let cached = 0;
  function candidates(eventName: string | undefined, eventSource: string | undefined): readonly Runtime[] {
    if (byLowerName.size === 0 && byLowerSource.size === 0) return everyEvent;
    let bySource = byName.get(eventName);
    let list = bySource?.get(eventSource);
    if (!list) {
      const named = eventName === undefined ? undefined : byLowerName.get(eventName.toLowerCase());
      const sourced = eventSource === undefined ? undefined : byLowerSource.get(eventSource.toLowerCase());
      list =
        named || sourced
          ? [...(named ?? []), ...(sourced ?? []), ...everyEvent].sort((x, y) => x.index - y.index)
          : everyEvent;
      if (cached >= NAME_CACHE_MAX) {
        byName.clear();
        cached = 0;
        bySource = undefined;
      }
      if (!bySource) byName.set(eventName, (bySource = new Map()));
      bySource.set(eventSource, list);
      cached++;
    }
    return list;
  }

  // Persisted state: one owner per stateful detection (its id, made unique) and per learning clock, each
  // with the fingerprint of what gives its state meaning.
  const owners: StateOwner[] = [];
  for (const [name, c] of clockIndex)
    owners.push({
      owner: `clock:${name}`,
      fingerprint: fingerprint(JSON.parse(name)),
      state: clocks.state(c),
    });
  const taken = new Set<string>();
  for (const rt of runtimes) {
    if (!rt.stateful) continue;
    const { id, source, detection, aggregate } = rt.detection;
    let owner = `detection:${id}`;
    for (let n = 2; taken.has(owner); n++) owner = `detection:${id}#${n}`;
    taken.add(owner);
    owners.push({
      owner,
      fingerprint: fingerprint({ source, detection, aggregate }),
      state: rt.stateful.state,
    });
  }
  // Restored contributions keep their order before new ones of the same time.
  const state = createEngineState(owners, (maxSeq) => (seq = Math.max(seq, maxSeq + 1)));

  function report(rt: Runtime, event: VigilEvent, err: unknown): void {
    const id = rt.detection.id;
    errors[id] = (errors[id] ?? 0) + 1;
    options.onError?.({ detectionId: id, eventId: event.eventId, message: message(err) });
  }

  function matchLocal(event: VigilEvent): LocalResult {
    let hits: Hit[] | undefined;
    let signals: Signal[] | undefined;
    if (clocks.count) {
      // Every event moves the learning clocks, before any detection reads them.
      const ticks: Signal[] = [];
      try {
        clocks.local(event, ticks);
      } catch (err) {
        options.onError?.({
          detectionId: '(first-seen clock)',
          eventId: event.eventId,
          message: message(err),
        });
      }
      if (ticks.length) signals = ticks;
    }
    const list = candidates(event.eventName, event.eventSource);
    for (let i = 0; i < list.length; i++) {
      const rt = list[i]!;
      if (rt.detection.source !== event.source) continue;
      try {
        if (rt.stateful) {
          const signal = rt.stateful.local(event);
          if (signal) (signals ??= []).push(signal);
        } else if (rt.matches(event)) {
          const dedupKey = rt.dedupKey(event);
          if (absorb?.(rt.index, dedupKey, event)) continue;
          (hits ??= []).push(buildHit(rt.detection, rt.templates, event, getField, undefined, dedupKey));
        }
      } catch (err) {
        report(rt, event, err);
      }
    }
    if (!hits && !signals) return NOTHING;
    return { hits: hits ?? NO_HITS, signals: signals ?? NO_SIGNALS };
  }

  function processSignal(signal: Signal): readonly Hit[] {
    if (signal.kind === 'clock') {
      clocks.apply(signal);
      return NO_HITS;
    }
    const rt = runtimes[signal.detection];
    if (!rt || !rt.stateful || rt.detection.id !== signal.detectionId) {
      throw new Error(
        `signal for detection ${signal.detection} "${signal.detectionId}" does not match this engine's detections`,
      );
    }
    const { event } = signal;
    try {
      const fire = rt.stateful.apply(signal, {
        ts: event.ts,
        seq: seq++,
        id: event.eventId,
        name: event.eventName,
      });
      if (!fire) return NO_HITS;
      return [buildHit(rt.detection, rt.templates, event, getField, fire, rt.dedupKey(event))];
    } catch (err) {
      report(rt, event, err);
      return NO_HITS;
    }
  }

  return {
    detections,
    matchLocal,
    processSignal,
    process(event) {
      const local = matchLocal(event);
      if (local.signals.length === 0) return local.hits;
      const hits = [...local.hits];
      for (const signal of local.signals) for (const hit of processSignal(signal)) hits.push(hit);
      return hits.length ? hits : NO_HITS;
    },
    errorCounts: () => ({ ...errors }),
    state,
  };
}
