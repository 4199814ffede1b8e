import type { InputProblem } from '../core/errors.js';
import type { Detection, DetectionError, Hit } from '../detect/types.js';
import type { Signal } from '../detect/index.js';
import type { PackedObservations } from '../baseline/wire.js';
import type { Observation } from '../baseline/index.js';
import type { InputFile } from '../sources/index.js';
import type { ContextOptions } from './options.js';
import type { ReadStats } from './read-input.js';

/** A Hit on its way from a worker: the detection by index, the event without its raw record. */
export type WireHit = Omit<Hit, 'detection'> & { d: number };

export interface WorkerInit {
  /** The main thread's detections, loaded once there (without their test cases). */
  detections: Detection[];
  lookups: Pick<ContextOptions, 'threatIntel' | 'awsIpRanges' | 'geo' | 'torExits'>;
  since?: number;
  until?: number;
  maxRecordBytes?: number;
  /** Batches stay on this thread: observations are passed as objects, not packed in columns. */
  sameThread?: boolean;
  /** Extract behavioural-baseline observations (the main thread owns and applies the baselines). */
  baselines?: boolean;
}

export type ToWorker = { type: 'file'; seq: number; input: InputFile } | { type: 'end' };

/** Part of one file's results; the last batch of a file has `done: true`. */
export interface Batch {
  type: 'batch';
  seq: number;
  hits: WireHit[];
  signals: Signal[];
  /** Behavioural-baseline observations of the batch's events, in event order, packed in columns (with `baselines`). */
  observations?: PackedObservations | Observation[];
  problems: InputProblem[];
  detectionErrors: DetectionError[];
  stats: ReadStats;
  done: boolean;
}

export type FromWorker =
  { type: 'ready'; detectionIds: string[] } | { type: 'fatal'; message: string } | Batch;

export function toWire(hit: Hit, index: number): WireHit {
  const { detection: _detection, event, ...rest } = hit;
  return { ...rest, d: index, event: { ...event, raw: {} } };
}

export function fromWire(wire: WireHit, detections: readonly Detection[]): Hit {
  const { d, ...rest } = wire;
  const detection = detections[d];
  if (!detection) throw new Error(`worker sent a hit for unknown detection index ${d}`);
  return { ...rest, detection };
}
