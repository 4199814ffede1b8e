import { EntryReader } from '../cloudtrail/entries.js';
import { isResolverQueryLog } from '../dns/normalize.js';
import type { RecordFormat } from '../types.js';
import { DEFAULT_FIELDS } from '../vpcflow/fields.js';
import type { Line } from './lines.js';
import { TextRecordReader, sniffTextFormat, type TextFormat } from './reader.js';

/** A JSON value read from a log line, tagged `dns` when it is a Resolver query log record. */
export interface LogValue {
  value: unknown;
  format?: RecordFormat;
}

/** What one log line holds. */
export type LogLine =
  /** JSON: the values it holds (an array or a `{"Records": […]}` file is spread). */
  | { kind: 'json'; values: LogValue[] }
  /** A flow log or S3 server access log line, parsed. */
  | { kind: 'text'; record: Record<string, unknown>; format: RecordFormat }
  /** Nothing to ingest: a blank line, the header line, or a flow record without traffic (NODATA, SKIPDATA). */
  | { kind: 'skipped'; why: 'blank' | 'header' | 'no-data' }
  | { kind: 'bad'; error: string };

export interface LogLineOptions {
  /** Field names of header-less flow log lines in a custom format (`parseFlowLogFormat`). */
  flowFields?: readonly string[];
  /** Longest line accepted, in characters. */
  maxLineChars?: number;
}

const DEFAULT_MAX_LINE_CHARS = 8 * 1024 * 1024;

/** A line that starts like a flow record (a version number), read with the default fields when nothing else fits. */
const FLOW_LIKE = /^\d{1,3} /;

function spread(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const records = (value as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) ? records : [value];
}

/**
 * Reads log lines that arrive one at a time rather than as a file: the messages of a CloudWatch Logs
 * subscription and the lines of a body posted over HTTP. A line starting with `{` or `[` is JSON, left for
 * the caller to classify (a CloudTrail record, an EventBridge event), except that Resolver query logs are
 * tagged. Text lines go through the folder source's detection and parsers: the first text line fixes the
 * format — a flow log header line (then skipped), an S3 server access log line, the configured flow log
 * format, a default-format flow record — and every later text line is parsed in that format, so a damaged
 * line gets an error naming the field that is wrong.
 */
export function createLogLineReader(options: LogLineOptions = {}): { line(line: Line): LogLine } {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  let problem: string | undefined;
  let noData = false;
  const entries = new EntryReader('http', (p) => (problem ??= p.message));
  let text: TextRecordReader | undefined;

  function reader(format: TextFormat): TextRecordReader {
    return new TextRecordReader(format, entries, () => (noData = true), maxLineChars);
  }

  /** Fixes the text format from the first text line; true when that line was a header. */
  function decide(line: string): boolean | undefined {
    const sniffed = sniffTextFormat(line);
    if (sniffed?.format === 'vpcflow' && sniffed.header) {
      text = reader({ format: 'vpcflow', fields: sniffed.fields, header: false });
      return true;
    }
    if (sniffed?.format === 's3access') text = reader(sniffed);
    else if (options.flowFields)
      text = reader({ format: 'vpcflow', fields: options.flowFields, header: false });
    else if (sniffed !== undefined || FLOW_LIKE.test(line))
      text = reader({ format: 'vpcflow', fields: DEFAULT_FIELDS, header: false });
    else return undefined;
    return false;
  }

  return {
    line({ n, text: raw }) {
      const line = raw.trim();
      if (line === '') return { kind: 'skipped', why: 'blank' };
      if (line.length > maxLineChars)
        return { kind: 'bad', error: `line is ${line.length} characters, over the limit of ${maxLineChars}` };
      const c = line.charCodeAt(0);
      if (c === 123 /* { */ || c === 91 /* [ */) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch (error) {
          return { kind: 'bad', error: `not valid JSON: ${(error as Error).message}` };
        }
        return {
          kind: 'json',
          values: spread(parsed).map((value) =>
            isResolverQueryLog(value) ? { value, format: 'dns' as const } : { value },
          ),
        };
      }
      if (text === undefined) {
        const header = decide(line);
        if (header) return { kind: 'skipped', why: 'header' };
      }
      if (text === undefined)
        return {
          kind: 'bad',
          error:
            'not a VPC flow log line, S3 server access log line or JSON record (CloudTrail, Resolver query log)',
        };
      problem = undefined;
      noData = false;
      const record = text.line({ n, text: line });
      if (record !== undefined) return { kind: 'text', record: record.record, format: record.format! };
      if (noData) return { kind: 'skipped', why: 'no-data' };
      return { kind: 'bad', error: problem ?? 'not a log record' };
    },
  };
}
