import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputProblem } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { SeverityLabel } from '../core/severity.js';
import type { DetectionError, Hit } from '../detect/types.js';
import { createEngine, type Engine, type Signal } from '../detect/index.js';
import { createAggregator } from '../findings/index.js';
import { findSequences } from '../findings/sequence.js';
import { dateFromS3Key, deliveryOrderKey, discoverInputs, type InputFile } from '../sources/index.js';
import { buildContext, type DetectionContext } from './context.js';
import type { ScanOptions } from './options.js';
import { readEvents, type ReadStats } from './read-input.js';
import { fromWire, type Batch, type FromWorker, type ToWorker, type WorkerInit } from './wire.js';
import { createFileScanner } from './file-scanner.js';
import { unpackObservations } from '../baseline/wire.js';
import { createBaselineDetector } from '../baseline/index.js';

export interface ScanProgress {
  filesTotal: number;
  filesDone: number;
  records: number;
  skipped: number;
  findings: Record<SeverityLabel, number>;
}

export interface ScanListener {
  onProblem?(problem: InputProblem): void;
  onDetectionError?(error: DetectionError): void;
  onProgress?(progress: ScanProgress): void;
}

export interface ScanResult {
  findings: Finding[];
  context: DetectionContext;
  progress: ScanProgress;
  /** Records well-formed but outside --since/--until. */
  filtered: number;
  /** Flow log records without traffic (log-status NODATA or SKIPDATA). */
  noData: number;
  /** Files found in folders and left out: digests, other services' logs, names that are not JSON logs. */
  filesSkipped: number;
  problems: number;
  detectionErrors: Record<string, number>;
  /** Principals with a behavioural baseline at the end (with `baselines`). */
  baselinePrincipals?: number;
}

const DAY = 86_400_000;

/** Skips S3-layout files whose delivery day cannot hold events inside --since/--until. */
function outsideWindow(file: InputFile, since?: number, until?: number): boolean {
  if (since === undefined && until === undefined) return false;
  const day = dateFromS3Key(file.path);
  if (!day) return false;
  const start = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(start)) return false;
  // CloudTrail delivers within about 15 minutes; a day of slack on each side is generous.
  if (until !== undefined && start - DAY > until) return true;
  if (since !== undefined && start + 2 * DAY < since) return true;
  return false;
}

function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // Under the test runner this module is TypeScript source; the workers run the built copy.
  return new URL('../../dist/scan/worker.js', import.meta.url);
}

export async function runScan(
  options: ScanOptions,
  listener: ScanListener = {},
  deps: { stdin?: NodeJS.ReadableStream; context?: DetectionContext } = {},
): Promise<ScanResult> {
  const context = deps.context ?? buildContext(options);
  const aggregator = createAggregator({ geo: context.actorGeo });
  const progress: ScanProgress = {
    filesTotal: 0,
    filesDone: 0,
    records: 0,
    skipped: 0,
    findings: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
  };
  let filtered = 0;
  let noData = 0;
  let filesSkipped = 0;
  let problems = 0;
  const detectionErrors: Record<string, number> = {};
  const onProblem = (p: InputProblem) => {
    problems++;
    listener.onProblem?.(p);
  };
  const onDetectionError = (e: DetectionError) => {
    detectionErrors[e.detectionId] = (detectionErrors[e.detectionId] ?? 0) + 1;
    listener.onDetectionError?.(e);
  };
  const engine: Engine = createEngine(context.detections, {
    getField: context.getField,
    onError: onDetectionError,
  });
  const addHit = (hit: Hit) => {
    const { finding, isNew } = aggregator.add(hit);
    if (isNew) progress.findings[finding.severityLabel]++;
  };
  const addSignal = (signal: Signal) => {
    for (const hit of engine.processSignal(signal)) addHit(hit);
  };
  // Baselines read no detection state, so applying each file's observations in file order (after its
  // signals) gives the same findings as the single-threaded scan, which applies them event by event.
  const baselines = options.baselines
    ? createBaselineDetector({ ...options.baselines, ...(context.geo ? { geo: context.geo } : {}) })
    : undefined;
  const addStats = (s: ReadStats) => {
    progress.records += s.records;
    progress.skipped += s.skipped;
    filtered += s.filtered;
    noData += s.noData;
  };

  const files: InputFile[] = [];
  let stdin = false;
  for (const path of options.paths) {
    if (path === '-') {
      stdin = true;
      continue;
    }
    for await (const file of discoverInputs([path], onProblem, { onSkipped: () => filesSkipped++ })) {
      if (!outsideWindow(file, options.since, options.until)) files.push(file);
    }
  }
  // Delivery order across regions and accounts (stable: same-stamp files keep their path order).
  const keyed = files.map((file, i) => ({ file, i, key: deliveryOrderKey(file.path) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  files.splice(0, files.length, ...keyed.map((k) => k.file));
  progress.filesTotal = files.length + (stdin ? 1 : 0);
  listener.onProgress?.(progress);

  const readOptions = {
    since: options.since,
    until: options.until,
    maxRecordBytes: options.maxRecordBytes,
    onProblem,
  };
  // N threads read and evaluate: the main thread and N-1 worker threads (0 or 1: the main thread alone).
  const threads = Math.min(options.workers, files.length);
  if (threads > 1) {
    await scanInWorkers(files, threads - 1, {
      init: {
        detections: context.detections.map((d) => ({ ...d, tests: [] })),
        lookups: {
          threatIntel: options.threatIntel,
          awsIpRanges: options.awsIpRanges,
          geo: options.geo,
          torExits: options.torExits,
        },
        since: options.since,
        until: options.until,
        maxRecordBytes: options.maxRecordBytes,
        baselines: baselines !== undefined,
      },
      expectedIds: context.detections.map((d) => d.id),
      onBatch: (m) => {
        for (const w of m.hits) addHit(fromWire(w, context.detections));
        for (const s of m.signals) addSignal(s);
        if (baselines && m.observations)
          for (const o of Array.isArray(m.observations) ? m.observations : unpackObservations(m.observations))
            for (const hit of baselines.apply(o)) addHit(hit);
        for (const p of m.problems) onProblem(p);
        for (const e of m.detectionErrors) onDetectionError(e);
        addStats(m.stats);
        if (m.done) progress.filesDone++;
        listener.onProgress?.(progress);
      },
    });
  } else {
    for (const file of files) {
      await scanInProcess(file);
    }
  }
  if (stdin) await scanInProcess('-');

  async function scanInProcess(input: InputFile | '-') {
    const stats: ReadStats = { records: 0, skipped: 0, filtered: 0, noData: 0 };
    let n = 0;
    for await (const event of readEvents(input, stats, { ...readOptions, stdin: deps.stdin })) {
      for (const hit of engine.process(event)) addHit(hit);
      if (baselines) for (const hit of baselines.process(event)) addHit(hit);
      if (++n % 5000 === 0) listener.onProgress?.({ ...progress, records: progress.records + stats.records });
    }
    addStats(stats);
    progress.filesDone++;
    listener.onProgress?.(progress);
  }

  // Attack sequences chain the finished findings by actor; they come after them, so a scan that raises
  // none lists exactly what it did before.
  const findings = aggregator.findings();
  const sequences = options.sequences === false ? [] : findSequences(findings, options.sequences);
  for (const s of sequences) progress.findings[s.severityLabel]++;
  return {
    findings: sequences.length ? [...findings, ...sequences] : findings,
    context,
    progress,
    filtered,
    noData,
    filesSkipped,
    problems,
    detectionErrors,
    ...(baselines ? { baselinePrincipals: baselines.principals } : {}),
  };
}

interface WorkerPlan {
  init: WorkerInit;
  expectedIds: string[];
  onBatch(message: Batch): void;
}

/**
 * How far past the oldest unfinished file the threads may read ahead (bounds what is held back below): at
 * most this many files, and at most AHEAD_BYTES of input, so folders of many small files (flow and DNS logs
 * every few minutes) keep every thread busy while big CloudTrail files keep memory bounded.
 */
const MAX_AHEAD = 256;
const AHEAD_BYTES = 2 * 1024 * 1024;
/**
 * Files a worker holds at once (one being read, the next ones waiting), within the bounds above: more when
 * they are small, so a worker never waits for the busy main thread to hand it the next few-KB file.
 */
const IN_FLIGHT = 2;
const IN_FLIGHT_SMALL = 8;
const SMALL_FILE = 64 * 1024;

/**
 * Hands files to worker threads as they ask for work (at most two in flight each) and scans a share
 * on the main thread as well, applying all results in file order: the batches of a file that finishes
 * early wait until every earlier file is done. Stateful detections then see the same order as a
 * single-threaded scan, so the findings do not depend on which thread was faster.
 */
async function scanInWorkers(files: InputFile[], count: number, plan: WorkerPlan): Promise<void> {
  let next = 0;
  let head = 0; // the oldest file whose results are not all applied
  // Input bytes before each file (unknown sizes count as 1 MiB), for the read-ahead bound.
  const before = new Float64Array(files.length + 1);
  files.forEach((f, i) => (before[i + 1] = before[i]! + (f.size ?? 1024 * 1024)));
  const mayReadAhead = () =>
    next < files.length &&
    next < head + MAX_AHEAD &&
    (next === head || before[next]! - before[head]! < AHEAD_BYTES);
  const held = new Map<number, Batch[]>();
  const feeders: (() => void)[] = [];
  const deliver = (m: Batch) => {
    if (m.seq !== head) {
      const list = held.get(m.seq);
      if (list) list.push(m);
      else held.set(m.seq, [m]);
      return;
    }
    plan.onBatch(m);
    if (!m.done) return;
    head++;
    // Release the files that finished while waiting, in order.
    for (let list = held.get(head); list; list = held.get(head)) {
      held.delete(head);
      let finished = false;
      for (const b of list) {
        plan.onBatch(b);
        finished ||= b.done;
      }
      if (!finished) break; // its remaining batches will arrive as the head's
      head++;
    }
    for (const feed of [...feeders]) feed();
  };

  // The main thread's share: the same scanner, its batches delivered without copying. It takes the
  // next file whenever it is free, and waits (letting worker results in) when it is too far ahead.
  const local = async () => {
    const scanner = createFileScanner({ ...plan.init, sameThread: true });
    while (next < files.length) {
      if (!mayReadAhead()) {
        await new Promise<void>((resolve) => {
          const once = () => {
            feeders.splice(feeders.indexOf(once), 1);
            resolve();
          };
          feeders.push(once);
        });
        continue;
      }
      const seq = next++;
      await scanner.scanFile(seq, files[seq]!, deliver);
      // Let worker messages in between files.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  const url = workerUrl();
  const runOne = () =>
    new Promise<void>((resolve, reject) => {
      // A smaller young generation than V8's default keeps each worker's heap (and the process's RSS)
      // down at no measured cost in speed: records die young and are collected either way.
      const worker = new Worker(url, {
        workerData: plan.init,
        resourceLimits: { maxYoungGenerationSizeMb: 16 },
      });
      let inFlight = 0;
      let ended = false;
      let ready = false;
      const feed = () => {
        if (!ready || ended) return;
        const limit = () => ((files[next]?.size ?? Infinity) < SMALL_FILE ? IN_FLIGHT_SMALL : IN_FLIGHT);
        while (inFlight < limit() && mayReadAhead()) {
          const message: ToWorker = { type: 'file', seq: next, input: files[next++]! };
          inFlight++;
          worker.postMessage(message);
        }
        if (inFlight === 0 && next >= files.length) {
          ended = true;
          worker.postMessage({ type: 'end' } satisfies ToWorker);
        }
      };
      feeders.push(feed);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          if (m.detectionIds.join('\n') !== plan.expectedIds.join('\n')) {
            reject(new Error('a scan worker loaded a different set of detections than the main thread'));
            void worker.terminate();
            return;
          }
          ready = true;
          feed();
        } else if (m.type === 'fatal') {
          reject(new Error(`scan worker failed: ${m.message}`));
          void worker.terminate();
        } else {
          if (m.done) inFlight--;
          deliver(m);
          if (m.done) feed();
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (ended) resolve();
        else reject(new Error(`scan worker exited unexpectedly (code ${code})`));
      });
    });
  await Promise.all([...Array.from({ length: count }, runOne), local()]);
}
