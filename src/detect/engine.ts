import type { VigilEvent } from '../core/event.js';
import { buildHit, compileHitTemplates, compileKey, type HitTemplates, type KeyReader } from './hit.js';
import { compileSigma, createJsonText } from './sigma/index.js';
import { createStatefulRuntime, type StatefulRuntime } from './stateful/runtime.js';
import type { Signal } from './stateful/types.js';
import type { Aggregate, Detection, DetectionError, FieldGetter, Hit } from './types.js';

export interface EngineOptions {
  getField: FieldGetter;
  /** Called for every detection that throws on an event. */
  onError?: (error: DetectionError) => void;
  /** Groups of state kept per stateful detection (least recently used evicted). Default 100 000. */
  maxGroups?: number;
  /** Skip detections that cannot match the event's eventName (default true). Off only to compare. */
  indexEventNames?: boolean;
  /**
   * Called before a stateless Hit is built, with the detection's index and the hit's dedup key. Returning
   * true means the caller has counted this repeat of a hit it already holds, so the engine skips
   * rendering it (a noisy detection can match most events of an archive).
   */
  absorb?: (detection: number, dedupKey: string, event: VigilEvent) => boolean;
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

  // Detections that can only match some eventNames, by lower-cased name; the rest see every event.
  const byLowerName = new Map<string, Runtime[]>();
  const everyEvent: Runtime[] = [];
  const runtimes: Runtime[] = detections.map((detection, index) => {
    const compiled = compileSigma(detection.detection, getField, { jsonText });
    const stateful = detection.aggregate
      ? createStatefulRuntime({
          index,
          detection: detection as Detection & { aggregate: Aggregate },
          compiled,
          getField,
          maxGroups,
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
    const a = detection.aggregate;
    // first-seen baselines and sequence steps read events beyond the main condition: never indexed.
    const indexable =
      options.indexEventNames !== false && (!a || (a.kind !== 'first-seen' && a.kind !== 'sequence'));
    const names = indexable ? compiled.eventNames : undefined;
    if (!names) everyEvent.push(rt);
    else {
      for (const name of names) {
        const list = byLowerName.get(name);
        if (list) list.push(rt);
        else byLowerName.set(name, [rt]);
      }
    }
    return rt;
  });
  // Per exact eventName: the detections to evaluate, in catalogue order. Built once per name seen.
  const byName = new Map<string, readonly Runtime[]>();
  function candidates(eventName: string | undefined): readonly Runtime[] {
    if (eventName === undefined || byLowerName.size === 0) return everyEvent;
    let list = byName.get(eventName);
    if (!list) {
      const indexed = byLowerName.get(eventName.toLowerCase());
      list = indexed ? [...indexed, ...everyEvent].sort((x, y) => x.index - y.index) : everyEvent;
      if (byName.size >= NAME_CACHE_MAX) byName.clear();
      byName.set(eventName, list);
    }
    return list;
  }

  function report(rt: Runtime, event: VigilEvent, err: unknown): void {
    const id = rt.detection.id;
    errors[id] = (errors[id] ?? 0) + 1;
    options.onError?.({ detectionId: id, eventId: event.eventId, message: message(err) });
  }

  function matchLocal(event: VigilEvent): LocalResult {
    let hits: Hit[] | undefined;
    let signals: Signal[] | undefined;
    const list = candidates(event.eventName);
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
  };
}
