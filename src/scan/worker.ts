/**
 * A scan worker thread: reads the files it is given, normalizes each record once, runs every stateless
 * detection and sends the hits — plus the signals stateful detections need — to the main thread, which
 * owns all state. One worker per core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InputProblem } from '../core/errors.js';
import type { DetectionError } from '../detect/types.js';
import type { Signal } from '../detect/index.js';
import { createEngine } from '../detect/index.js';
import { buildFieldGetter } from './context.js';
import { readEvents, type ReadStats } from './read-input.js';
import { toWire, type FromWorker, type ToWorker, type WireHit, type WorkerInit } from './wire.js';

const BATCH = 2000;

function post(message: FromWorker): void {
  parentPort!.postMessage(message);
}

async function run(init: WorkerInit): Promise<void> {
  const { detections } = init;
  const { getField } = buildFieldGetter(init.lookups);
  const index = new Map(detections.map((d, i) => [d.id, i]));
  let detectionErrors: DetectionError[] = [];
  const engine = createEngine(detections, {
    getField,
    onError: (e) => {
      if (detectionErrors.length < 100) detectionErrors.push(e);
    },
  });
  post({ type: 'ready', detectionIds: detections.map((d) => d.id) });

  const queue: ToWorker[] = [];
  let wake: (() => void) | undefined;
  parentPort!.on('message', (m: ToWorker) => {
    queue.push(m);
    wake?.();
  });

  for (;;) {
    if (!queue.length) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    const message = queue.shift()!;
    if (message.type === 'end') break;
    const { seq, input } = message;
    let hits: WireHit[] = [];
    let signals: Signal[] = [];
    let problems: InputProblem[] = [];
    const total: ReadStats = { records: 0, skipped: 0, filtered: 0 };
    const sent: ReadStats = { records: 0, skipped: 0, filtered: 0 };
    const flush = (done: boolean) => {
      const stats: ReadStats = {
        records: total.records - sent.records,
        skipped: total.skipped - sent.skipped,
        filtered: total.filtered - sent.filtered,
      };
      Object.assign(sent, total);
      post({ type: 'batch', seq, hits, signals, problems, detectionErrors, stats, done });
      hits = [];
      signals = [];
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
      for (const hit of local.hits) hits.push(toWire(hit, index.get(hit.detection.id)!));
      for (const signal of local.signals) signals.push(signal);
      if (++n % BATCH === 0) flush(false);
    }
    flush(true);
  }
  parentPort!.close();
}

run(workerData as WorkerInit).catch((err: unknown) => {
  post({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
