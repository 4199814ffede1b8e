/**
 * A scan worker thread: scans the files the main thread hands it (see file-scanner.ts) and posts the
 * batches back; the main thread owns all state and applies them in file order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createFileScanner } from './file-scanner.js';
import type { FromWorker, ToWorker, WorkerInit } from './wire.js';

function post(message: FromWorker): void {
  parentPort!.postMessage(message);
}

async function run(init: WorkerInit): Promise<void> {
  const scanner = createFileScanner(init);
  post({ type: 'ready', detectionIds: scanner.detectionIds });
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
    await scanner.scanFile(message.seq, message.input, post);
  }
  parentPort!.close();
}

run(workerData as WorkerInit).catch((err: unknown) => {
  post({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
