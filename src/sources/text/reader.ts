import type { EntryReader } from '../cloudtrail/entries.js';
import type { RawRecord } from '../types.js';
import { flowLogRegion } from '../aws-log-keys.js';
import { DEFAULT_FIELDS, NO_DATA_STATUS, isDefaultFormatLine, parseHeader } from '../vpcflow/fields.js';
import { parseFlowLine } from '../vpcflow/parse.js';
import { isS3AccessLine, parseS3AccessLine } from '../s3access/parse.js';
import type { Line, LineItem } from './lines.js';

/** A text log format recognised from the first line of an input. */
export type TextFormat =
  { format: 'vpcflow'; fields: readonly string[]; header: boolean } | { format: 's3access' };

/**
 * The text format a first line announces: a VPC Flow Logs header line (`version account-id …`, as AWS
 * writes at the top of every file it delivers to S3), a default-format flow record without header, or an
 * S3 server access log line; undefined for anything else (JSON starts with `{` or `[` and is never
 * matched), which then goes to the JSON reader and its error reporting.
 */
export function sniffTextFormat(firstLine: string): TextFormat | undefined {
  const c = firstLine.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */ || firstLine === '') return undefined;
  const header = parseHeader(firstLine);
  if (header) return { format: 'vpcflow', fields: header, header: true };
  if (isDefaultFormatLine(firstLine)) return { format: 'vpcflow', fields: DEFAULT_FIELDS, header: false };
  if (isS3AccessLine(firstLine)) return { format: 's3access' };
  return undefined;
}

/** The first line of a text start (up to `maxChars`), or undefined when no line ends that early. */
export function firstLineOf(text: string, maxChars = 64 * 1024): string | undefined {
  const nl = text.indexOf('\n');
  if (nl < 0) return text.length <= maxChars ? text.replace(/\r$/, '') : undefined;
  if (nl > maxChars) return undefined;
  return text.slice(0, nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
}

/**
 * Turns the lines of one text log into raw records. A line that does not parse is one
 * VIGIL_INPUT_BAD_RECORD problem naming its line and what is wrong, and the next line is read. Flow
 * records whose `log-status` is NODATA or SKIPDATA carry no traffic: they are counted (`onNoData`), not
 * yielded.
 */
export class TextRecordReader {
  private readonly region: string | undefined;

  constructor(
    private readonly format: TextFormat,
    private readonly entries: EntryReader,
    private readonly onNoData: (() => void) | undefined,
    private readonly maxRecordBytes: number,
  ) {
    this.region = format.format === 'vpcflow' ? flowLogRegion(entries.file) : undefined;
  }

  line(item: LineItem): RawRecord | undefined {
    const { entries } = this;
    if ('tooLong' in item) {
      entries.problem(
        'VIGIL_INPUT_TOO_LARGE',
        `line is ${item.tooLong} characters, over the limit of ${this.maxRecordBytes}; skipped`,
        entries.at(entries.index++, { line: item.n }),
      );
      return undefined;
    }
    const { format } = this;
    if (format.format === 'vpcflow') return this.flow(item, format.fields, format.header);
    if (item.text.trim() === '') return undefined;
    const parsed = parseS3AccessLine(item.text);
    const index = entries.index++;
    if ('error' in parsed) {
      this.bad(index, item, `S3 server access log line ${parsed.error}`);
      return undefined;
    }
    return { record: parsed.record, file: entries.file, index, format: 's3access' };
  }

  private flow(item: Line, fields: readonly string[], header: boolean): RawRecord | undefined {
    if (header && item.n === 1) return undefined;
    const text = item.text.trim();
    if (text === '') return undefined;
    const { entries } = this;
    const index = entries.index++;
    const parsed = parseFlowLine(text, fields);
    if ('error' in parsed) {
      this.bad(index, item, `flow log record ${parsed.error}`);
      return undefined;
    }
    const { record } = parsed;
    const status = record['log-status'];
    if (typeof status === 'string' && NO_DATA_STATUS.has(status)) {
      this.onNoData?.();
      return undefined;
    }
    if (typeof record.start !== 'number') {
      this.bad(index, item, 'flow log record has no start time');
      return undefined;
    }
    const raw: RawRecord = { record, file: entries.file, index, format: 'vpcflow' };
    if (this.region !== undefined) raw.region = this.region;
    return raw;
  }

  private bad(index: number, item: Line, message: string): void {
    this.entries.problem('VIGIL_INPUT_BAD_RECORD', message, this.entries.at(index, { line: item.n }));
  }
}
