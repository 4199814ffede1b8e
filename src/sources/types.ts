import type { InputProblem } from '../core/errors.js';

/**
 * One input to read: a file (or FIFO) path, or `-` for standard input. Plain data, so it can be posted to
 * worker threads.
 */
export interface InputFile {
  path: string;
  /** Bytes on disk, when known (regular files). */
  size?: number;
}

/** One raw CloudTrail record as read, before normalization. */
export interface RawRecord {
  record: Record<string, unknown>;
  file: string;
  /** 0-based position of the record in its file (the `Records` array index for AWS log files). */
  index: number;
}

export interface ReadOptions {
  onProblem(problem: InputProblem): void;
  /** Records larger than this (bytes of JSON) are skipped with VIGIL_INPUT_TOO_LARGE. Default 8 MiB. */
  maxRecordBytes?: number;
  /**
   * Inputs whose decompressed size is at most this are read whole and parsed with one `JSON.parse`;
   * larger ones are split record by record in bounded memory. Default 32 MiB.
   */
  wholeFileMaxBytes?: number;
  /** Standard input, for `-`. Default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
}

/**
 * Why a file found while walking a folder was left out: a CloudTrail digest; another service's logs in
 * AWS's S3 layout (`AWSLogs/<account>/vpcflowlogs/…`, `Config`, `elasticloadbalancing`, CloudTrail
 * Insights); or a name that is not a JSON log (`README.txt`). Files named on the command line are always read.
 */
export type SkipReason = 'digest' | 'other-service' | 'not-json';
