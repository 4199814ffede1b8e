import { stat } from 'node:fs/promises';
import { basename, relative, sep } from 'node:path';
import { VigilError, type InputProblem } from '../../core/errors.js';
import { discoverInputs } from '../cloudtrail/discover.js';
import { readRecords } from '../cloudtrail/read-records.js';
import { describeFsError } from '../cloudtrail/fs-error.js';
import type { RawRecord } from '../types.js';
import { createCommitQueue } from './commit-queue.js';
import { byDeliveryOrder, noteBatchTimes, readInBatches } from './batches.js';
import { reportOnce } from './report-once.js';
import { realTimers, type LiveSource, type LiveSourceDeps } from './types.js';

export interface FolderSourceOptions {
  id: string;
  /** The folder to watch (walked recursively, as `discoverInputs` walks it). */
  path: string;
  /** Time between polls. */
  pollMs: number;
  /** Time to the next poll while a file is still changing (default min(pollMs, 500)). */
  settleMs?: number;
  /** Records per batch handed to `onRecords` (default 500). */
  maxBatch?: number;
}

export const DONE = 'done';

interface Seen {
  size: number;
  mtimeMs: number;
}

function usage(message: string): VigilError {
  return new VigilError('VIGIL_USAGE', message);
}

function validate(o: FolderSourceOptions): Required<FolderSourceOptions> {
  if (typeof o.id !== 'string' || o.id.length === 0)
    throw usage('folder source: id must be a non-empty string');
  if (typeof o.path !== 'string' || o.path.length === 0) {
    throw usage(`folder source ${o.id}: path must be a non-empty string`);
  }
  const positive = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw usage(`folder source ${o.id}: ${name} must be a positive number, got ${String(v)}`);
    }
    return v;
  };
  const pollMs = positive('pollMs', o.pollMs);
  const settleMs = positive('settleMs', o.settleMs ?? Math.min(pollMs, 500));
  const maxBatch = positive('maxBatch', o.maxBatch ?? 500);
  if (!Number.isInteger(maxBatch)) throw usage(`folder source ${o.id}: maxBatch must be an integer`);
  return { id: o.id, path: o.path, pollMs, settleMs, maxBatch };
}

/**
 * Follows a local folder as `aws s3 sync` fills it: polls it, reads each new file once its size and
 * modification time are the same at two polls in a row, in delivery order, and hands its records over in
 * batches. A file's checkpoint (`done`, or the index of the last record committed) is written only by the
 * batch's `commit()`. See README.md.
 */
export function createFolderSource(options: FolderSourceOptions, deps: LiveSourceDeps): LiveSource {
  const { id, path: root, pollMs, settleMs, maxBatch } = validate(options);
  const timers = deps.timers ?? realTimers;
  const now = deps.now ?? Date.now;
  const { checkpoints } = deps;
  const problem = reportOnce(deps.onProblem);

  /** Session state, reset by start(). */
  let positions = new Map<string, string>();
  let observed = new Map<string, Seen>();
  /** Files whose read failed (unreadable), at the size and mtime they had: retried when those change. */
  let failed = new Map<string, Seen>();
  /** Files with batches handed over and not all committed: not read again meanwhile. */
  let inFlight = new Set<string>();
  let readTokens = new Map<string, number>();
  let filesSeen = new Set<string>();
  let records = 0;
  let newestMs: number | undefined;

  let generation = 0;
  let running = false;
  let timer: unknown;
  let current: Promise<void> | undefined;

  const keyOf = (file: string): string => {
    const rel = relative(root, file);
    return rel === '' ? basename(file) : rel.split(sep).join('/');
  };

  function noteTime(ms: number): void {
    if (newestMs === undefined || ms > newestMs) newestMs = ms;
  }

  /** One poll; true when some file was still changing. */
  async function poll(): Promise<boolean> {
    const found: { path: string; key: string }[] = [];
    for await (const input of discoverInputs([root], problem)) {
      if (input.path === '-') continue;
      const key = keyOf(input.path);
      filesSeen.add(key);
      if (positions.get(key) !== DONE && !inFlight.has(key)) found.push({ path: input.path, key });
    }
    const present = new Set(found.map((f) => f.key));
    for (const key of observed.keys()) if (!present.has(key)) observed.delete(key);

    let settling = false;
    const ready: { path: string; key: string; seen: Seen }[] = [];
    for (const f of found) {
      let seen: Seen;
      try {
        const st = await stat(f.path);
        seen = { size: st.size, mtimeMs: st.mtimeMs };
      } catch (err) {
        observed.delete(f.key);
        problem({ file: f.path, code: 'VIGIL_INPUT_UNREADABLE', message: describeFsError(err) });
        continue;
      }
      const before = observed.get(f.key);
      observed.set(f.key, seen);
      const bad = failed.get(f.key);
      if (bad && bad.size === seen.size && bad.mtimeMs === seen.mtimeMs) continue;
      if (before && before.size === seen.size && before.mtimeMs === seen.mtimeMs) ready.push({ ...f, seen });
      else settling = true;
    }
    ready.sort((a, b) => byDeliveryOrder(a.key, b.key));
    const gen = generation;
    for (const f of ready) {
      if (!running || gen !== generation) break;
      await readFile(f.path, f.key, f.seen, gen);
    }
    return settling;
  }

  async function readFile(file: string, key: string, seen: Seen, gen: number): Promise<void> {
    const token = (readTokens.get(key) ?? 0) + 1;
    readTokens.set(key, token);
    const stored = positions.get(key);
    const after = stored !== undefined && /^\d+$/.test(stored) ? Number(stored) : -1;
    // Later commits of an earlier session (after a restart) or of an abandoned read are ignored: the
    // records they covered are handed over again by the read that replaced them.
    const queue = createCommitQueue((position) => {
      if (generation !== gen || readTokens.get(key) !== token) return;
      checkpoints.set(id, key, position);
      positions.set(key, position);
    });
    let unreadable = false;
    const onProblem = (p: InputProblem) => {
      if (p.code === 'VIGIL_INPUT_UNREADABLE') unreadable = true;
      problem(p);
    };
    let timed = false;

    const deliver = async (batch: RawRecord[], position: string): Promise<boolean> => {
      inFlight.add(key);
      const queued = queue.add(position);
      const commit = () => {
        queued();
        if (queue.size === 0 && readTokens.get(key) === token) inFlight.delete(key);
      };
      records += batch.length;
      if (noteBatchTimes(batch, now(), noteTime)) timed = true;
      try {
        await deps.onRecords({ sourceId: id, file, records: batch, commit });
        return true;
      } catch (err) {
        // The pipeline failed on this batch: abandon this read; the next poll reads the file again
        // from its checkpoint.
        readTokens.set(key, token + 1);
        inFlight.delete(key);
        problem({
          file,
          code: 'VIGIL_STORE',
          message: `the pipeline failed on a batch (${err instanceof Error ? err.message : String(err)}); the file will be read again`,
        });
        return false;
      }
    };

    const { ended, delivered } = await readInBatches({
      records: readRecords({ path: file, size: seen.size }, { onProblem }),
      after,
      maxBatch,
      deliver,
      current: () => running && gen === generation,
      unreadable: () => unreadable,
      done: () => queue.add(DONE)(),
      donePosition: DONE,
    });
    if (ended === 'abandoned') return;
    if (ended === 'nothing') {
      failed.set(key, seen);
      return;
    }
    failed.delete(key);
    // No usable event time in the file: its modification time stands in for lag.
    if (!timed && delivered > 0) noteTime(seen.mtimeMs);
    if (unreadable) failed.set(key, seen);
  }

  function schedule(ms: number): void {
    timer = timers.setTimeout(() => {
      timer = undefined;
      run();
    }, ms);
  }

  function run(): void {
    const gen = generation;
    current = (async () => {
      let next = pollMs;
      try {
        if (await poll()) next = settleMs;
      } catch (err) {
        problem({
          file: root,
          code: 'VIGIL_INPUT_UNREADABLE',
          message: `polling failed: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
      if (running && gen === generation) schedule(next);
    })();
  }

  return {
    id,
    start() {
      if (running) return;
      running = true;
      generation++;
      positions = new Map(checkpoints.list(id).map((c) => [c.key, c.position]));
      observed = new Map();
      failed = new Map();
      inFlight = new Set();
      readTokens = new Map();
      filesSeen = new Set();
      records = 0;
      newestMs = undefined;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await current;
    },
    stats() {
      let filesDone = 0;
      for (const key of filesSeen) if (positions.get(key) === DONE) filesDone++;
      return {
        filesSeen: filesSeen.size,
        filesDone,
        records,
        lagMs: newestMs === undefined ? undefined : Math.max(0, now() - newestMs),
      };
    },
  };
}
