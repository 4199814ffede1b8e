import type { ErrorCode, InputLocation, InputProblem } from '../../core/errors.js';
import type { RawRecord } from '../types.js';
import { isResolverQueryLog } from '../dns/normalize.js';

/** EventBridge detail-types whose `detail` is a CloudTrail record. */
export const CLOUDTRAIL_DETAIL_TYPES: ReadonlySet<string> = new Set([
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
  'AWS Service Event via CloudTrail',
]);

type Obj = Record<string, unknown>;

function asObject(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function looksLikeRecord(o: Obj): boolean {
  return 'eventVersion' in o || 'eventName' in o || 'eventSource' in o || 'eventTime' in o;
}

/**
 * Turns parsed JSON values into raw records for one input, keeping the running record index and whether
 * the input has shown itself to be CloudTrail. The first value that is neither a record, a Records file
 * nor an EventBridge event marks the whole input as not CloudTrail and stops it (`stopped`).
 */
export class EntryReader {
  index = 0;
  stopped = false;
  /** Set once a damaged record was skipped by looking for the next record start. */
  resynced = false;
  private recognized = false;
  /** Set once the input has shown itself to be a Resolver query log. */
  private dns = false;

  constructor(
    readonly file: string,
    private readonly onProblem: (p: InputProblem) => void,
  ) {}

  problem(code: ErrorCode, message: string, where: Omit<InputLocation, 'file'> = {}): void {
    this.onProblem({ file: this.file, ...where, code, message });
  }

  /** Location of record `index`, plus the line or byte offset the caller knows. */
  at(index: number, extra?: { line?: number; offset?: number }): Omit<InputLocation, 'file'> {
    return extra ? { record: index, ...extra } : { record: index };
  }

  /** An element of a `Records` array: must be an object. */
  recordElement(value: unknown, extra?: { line?: number; offset?: number }): RawRecord | undefined {
    const index = this.index++;
    const o = asObject(value);
    if (o === undefined) {
      this.problem(
        'VIGIL_INPUT_BAD_RECORD',
        `record is ${describe(value)}, expected an object`,
        this.at(index, extra),
      );
      return undefined;
    }
    return { record: o, file: this.file, index };
  }

  /** A top-level value, array element or line: a record, a Records file, or an EventBridge event. */
  *entry(value: unknown, extra?: { line?: number; offset?: number }): Generator<RawRecord> {
    const o = asObject(value);
    if (o === undefined) {
      if (!this.recognized) {
        this.problem(
          'VIGIL_INPUT_NOT_CLOUDTRAIL',
          `not a CloudTrail log: the JSON is ${describe(value)}`,
          extra,
        );
        this.stopped = true;
        return;
      }
      const index = this.index++;
      this.problem(
        'VIGIL_INPUT_BAD_RECORD',
        `record is ${describe(value)}, expected an object`,
        this.at(index, extra),
      );
      return;
    }
    const records = o.Records;
    if (records !== undefined) {
      if (!Array.isArray(records)) {
        this.index++;
        this.problem(
          'VIGIL_INPUT_NOT_CLOUDTRAIL',
          `"Records" is ${describe(records)}, expected an array`,
          extra,
        );
        return;
      }
      this.recognized = true;
      for (const r of records) {
        const raw = this.recordElement(r, extra?.line !== undefined ? { line: extra.line } : undefined);
        if (raw) yield raw;
      }
      return;
    }
    const detailType = o['detail-type'];
    if (typeof detailType === 'string' && 'detail' in o) {
      this.recognized = true;
      const index = this.index++;
      if (!CLOUDTRAIL_DETAIL_TYPES.has(detailType)) {
        this.problem(
          'VIGIL_INPUT_NOT_CLOUDTRAIL',
          `EventBridge event with detail-type ${JSON.stringify(detailType.slice(0, 100))} is not a CloudTrail event`,
          this.at(index, extra),
        );
        return;
      }
      const detail = asObject(o.detail);
      if (detail === undefined) {
        this.problem(
          'VIGIL_INPUT_BAD_RECORD',
          `EventBridge detail is ${describe(o.detail)}, expected an object`,
          this.at(index, extra),
        );
        return;
      }
      yield { record: detail, file: this.file, index };
      return;
    }
    if (this.dns || isResolverQueryLog(o)) {
      // A Route 53 Resolver query log record (JSON lines as delivered to S3, or an array of them); once
      // an input has shown itself to be one, its damaged records are reported against that format.
      this.recognized = true;
      this.dns = true;
      yield { record: o, file: this.file, index: this.index++, format: 'dns' };
      return;
    }
    if (!this.recognized && !looksLikeRecord(o)) {
      const keys = Object.keys(o)
        .slice(0, 5)
        .map((k) => JSON.stringify(k.slice(0, 40)));
      this.problem(
        'VIGIL_INPUT_NOT_CLOUDTRAIL',
        `not a CloudTrail log: no "Records" array, EventBridge event, CloudTrail or Resolver query log record (keys: ${keys.join(', ') || 'none'})`,
        this.at(this.index, extra),
      );
      this.stopped = true;
      return;
    }
    this.recognized = true;
    yield { record: o, file: this.file, index: this.index++ };
  }
}
