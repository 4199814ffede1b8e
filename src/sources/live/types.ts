import type { InputProblem } from '../../core/errors.js';
import type { RawRecord } from '../types.js';
import type { CheckpointStore } from './checkpoint-store.js';

/** setTimeout/clearTimeout, injected so tests decide when a poll or a replay step runs. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Records handed to the pipeline. Call `commit()` once their findings are stored: only then is the
 * source's checkpoint moved past them. Commits of one file may come in any order; the checkpoint only
 * advances over an unbroken run of committed batches.
 */
export interface RecordBatch {
  sourceId: string;
  file: string;
  records: RawRecord[];
  commit(): void;
}

export interface LiveSourceDeps {
  checkpoints: CheckpointStore;
  /** Awaited before the next batch is read (back-pressure); commit may be called later. */
  onRecords(batch: RecordBatch): void | Promise<void>;
  onProblem(problem: InputProblem): void;
  timers?: Timers;
  now?: () => number;
}

export interface LiveSourceStats {
  filesSeen: number;
  filesDone: number;
  records: number;
  /** now − newest event time delivered (or newest file mtime when no event time is usable); undefined before any. */
  lagMs: number | undefined;
}

export interface LiveSource {
  readonly id: string;
  start(): void;
  /** Stops polling; resolves once the step in progress (if any) has ended. No batch is handed over after. */
  stop(): Promise<void>;
  stats(): LiveSourceStats;
}
