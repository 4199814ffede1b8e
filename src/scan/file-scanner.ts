/**
 * Reads files, normalizes each record once, runs every stateless detection and turns the results into
 * batches for the thread that owns all state: Hits (repeats of one merged), the Signals stateful
 * detections need, behavioural-baseline Observations, input problems and counts. Runs in worker threads and, for its share of the files,
 * on the main thread too.
 */
import type { InputProblem } from '../core/errors.js';
import { createHeapBudget } from './heap-budget.js';
import type { Detection, DetectionError } from '../detect/types.js';
import { MAX_EVIDENCE_IDS } from '../core/finding.js';
import type { Signal } from '../detect/index.js';
import { createEngine } from '../detect/index.js';
import { compileTemplate } from '../detect/template.js';
import { isModelField } from '../detect/fields/index.js';
import type { InputFile } from '../sources/index.js';
import { observe, type Observation } from '../baseline/index.js';
import { packObservations } from '../baseline/wire.js';
import { buildFieldGetter } from './context.js';
import { readEvents, type ReadStats } from './read-input.js';
import { toWire, type Batch, type WireHit, type WorkerInit } from './wire.js';

const BATCH = 2000;
/** Heap growth allowed between full collections on a scan thread (heap-budget.ts; measured in bench). */
const HEAP_BUDGET_BYTES = 32 * 2 ** 20;

/**
 * The top-level raw keys a stateful detection's hit can read on the main thread (its templates and
 * dedup key), or 'all' when a derived field needs the whole record. Signals carry only those keys:
 * copying whole records between threads cost more than evaluating them.
 */
function rawKeysForHits(d: Detection): Set<string> | 'all' {
  const paths = [
    ...compileTemplate(d.title).paths,
    ...compileTemplate(d.description).paths,
    ...d.resources.flatMap((r) => compileTemplate(r.id).paths),
    ...d.dedupKey,
  ];
  const keys = new Set<string>();
  for (const path of paths) {
    if (path.startsWith('aggregate.')) continue;
    if (path.startsWith('vigil.')) {
      if (isModelField(path)) continue;
      return 'all';
    }
    keys.add(path.split('.')[0]!);
  }
  return keys;
}

function pruned(signal: Signal, keysOf: readonly (Set<string> | 'all')[]): Signal {
  if (signal.kind === 'clock') return signal;
  const keys = keysOf[signal.detection]!;
  if (keys === 'all') return signal;
  const raw: Record<string, unknown> = {};
  for (const k of keys) if (k in signal.event.raw) raw[k] = signal.event.raw[k];
  return { ...signal, event: { ...signal.event, raw } };
}

/** True when every resource id template reads only fields of the dedup key. */
function resourcesFollowDedupKey(d: Detection): boolean {
  const key = new Set(d.dedupKey);
  return d.resources.every((r) => [...r.id.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].every((m) => key.has(m[1]!)));
}

export interface FileScanner {
  readonly detectionIds: string[];
  /** Scans one file, handing its results over in batches; the last has `done: true`. */
  scanFile(seq: number, input: InputFile, emit: (batch: Batch) => void): Promise<void>;
}

export function createFileScanner(init: WorkerInit): FileScanner {
  const { detections } = init;
  const { getField, geo } = buildFieldGetter(init.lookups);
  const index = new Map(detections.map((d, i) => [d.id, i]));
  let detectionErrors: DetectionError[] = [];
  // Repeats of a hit already in this batch (same detection and dedup key) are merged into it instead
  // of being rendered and sent one by one — when that loses nothing: the detection's resources must
  // be a function of its dedup key.
  const pending = new Map<string, WireHit>();
  const mergeable = detections.map(resourcesFollowDedupKey);
  const hitKeys = detections.map(rawKeysForHits);
  const engine = createEngine(detections, {
    getField,
    onError: (e) => {
      if (detectionErrors.length < 100) detectionErrors.push(e);
    },
    absorb: (d, dedupKey, event) => {
      if (!mergeable[d]) return false;
      const wire = pending.get(`${d}\u0000${dedupKey}`);
      if (!wire) return false;
      const r = wire.repeats!;
      r.count++;
      if (event.ts < r.firstTs) r.firstTs = event.ts;
      if (event.ts > r.lastTs) r.lastTs = event.ts;
      const id = event.eventId;
      if (id !== undefined && wire.eventIds.length < MAX_EVIDENCE_IDS && !wire.eventIds.includes(id))
        wire.eventIds.push(id);
      const name = event.eventName;
      if (name !== undefined && !wire.eventNames.includes(name)) wire.eventNames.push(name);
      return true;
    },
  });

  // One budget per thread (each has its own heap): see heap-budget.ts.
  const heap = createHeapBudget(HEAP_BUDGET_BYTES);

  async function scanFile(seq: number, input: InputFile, emit: (batch: Batch) => void): Promise<void> {
    let signals: Signal[] = [];
    let observations: Observation[] = [];
    let problems: InputProblem[] = [];
    const total: ReadStats = { records: 0, skipped: 0, filtered: 0, noData: 0 };
    const sent: ReadStats = { records: 0, skipped: 0, filtered: 0, noData: 0 };
    const flush = (done: boolean) => {
      const stats: ReadStats = {
        records: total.records - sent.records,
        skipped: total.skipped - sent.skipped,
        filtered: total.filtered - sent.filtered,
        noData: total.noData - sent.noData,
      };
      Object.assign(sent, total);
      emit({
        type: 'batch',
        seq,
        hits: [...pending.values()],
        signals,
        ...(observations.length
          ? { observations: init.sameThread ? observations : packObservations(observations) }
          : {}),
        problems,
        detectionErrors,
        stats,
        done,
      });
      pending.clear();
      signals = [];
      observations = [];
      problems = [];
      detectionErrors = [];
    };
    const events = readEvents(input, total, {
      since: init.since,
      until: init.until,
      maxRecordBytes: init.maxRecordBytes,
      onProblem: (p) => problems.push(p),
    });
    let n = 0;
    for await (const event of events) {
      const local = engine.matchLocal(event);
      for (const hit of local.hits) {
        const d = index.get(hit.detection.id)!;
        const wire = toWire(hit, d);
        wire.repeats = { count: 1, firstTs: hit.event.ts, lastTs: hit.event.ts };
        const key = `${d}\u0000${hit.dedupKey}`;
        // A hit the engine could not merge (resources vary) is sent on its own.
        if (pending.has(key)) pending.set(`${key}\u0000${pending.size}`, wire);
        else pending.set(key, wire);
      }
      for (const signal of local.signals) signals.push(pruned(signal, hitKeys));
      if (init.baselines) {
        const o = observe(event, geo);
        if (o) observations.push(o);
      }
      if (++n % BATCH === 0) flush(false);
    }
    flush(true);
    heap.check();
  }

  return { detectionIds: detections.map((d) => d.id), scanFile };
}
