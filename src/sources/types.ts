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

/** The log formats Vigil reads; each has its own normalizer (`normalizeRecord`). */
export type RecordFormat = 'cloudtrail' | 'vpcflow' | 'dns' | 's3access';

/** One raw record as read, before normalization. */
export interface RawRecord {
  record: Record<string, unknown>;
  file: string;
  /** 0-based position of the record in its file (the `Records` array index for AWS log files). */
  index: number;
  /** The record's format, read from the content; absent means CloudTrail (the common case, kept lean). */
  format?: RecordFormat;
  /** The region the file's S3 layout names, for flow records whose format has no `region` field. */
  region?: string;
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
  /** Called for each flow log record without traffic (`log-status` NODATA or SKIPDATA), which is not yielded. */
  onNoData?(): void;
}

/**
 * Why a file found while walking a folder was left out: a CloudTrail digest; another service's logs in
 * AWS's S3 layout (`AWSLogs/<account>/Config/…`, `elasticloadbalancing`, CloudTrail Insights; flow logs and
 * Resolver query logs are read); or a name that is not a log (`README.txt`). Files named on the command
 * line are always read.
 */
export type SkipReason = 'digest' | 'other-service' | 'not-json';
