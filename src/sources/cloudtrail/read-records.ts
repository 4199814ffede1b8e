import { readFileSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { InputFile, RawRecord, ReadOptions } from '../types.js';
import {
  ReadFailure,
  SNIFF_BYTES,
  bomLength,
  gunzipChunks,
  isGzip,
  looksBinary,
  prepend,
  sliced,
  streamChunks,
  type GunzipProgress,
} from './bytes.js';
import { EntryReader } from './entries.js';
import { describeFsError } from './fs-error.js';
import { JsonSplitter, type SplitItem } from './splitter.js';
import { LineSplitter, linesOf } from '../text/lines.js';
import { TextRecordReader, firstLineOf, sniffTextFormat, type TextFormat } from '../text/reader.js';

export const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
export const DEFAULT_WHOLE_FILE_MAX_BYTES = 32 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

interface Limits {
  maxRecordBytes: number;
  wholeFileMaxBytes: number;
  onNoData?: () => void;
}

/**
 * Reads the raw records of one input: a CloudTrail `{"Records":[…]}` file, gzip or not (by magic bytes),
 * JSON lines, a JSON array, or EventBridge events (their `detail`); Route 53 Resolver query logs (JSON);
 * VPC Flow Logs and S3 server access logs (text, recognised by their first line). Inputs up to `wholeFileMaxBytes`
 * decompressed are parsed whole; larger ones and standard input are split record by record, so memory is
 * bounded by one record. Problems are reported through `onProblem`, never thrown: a bad record is skipped,
 * a bad file ends after its last good record.
 */
export async function* readRecords(input: InputFile | '-', options: ReadOptions): AsyncGenerator<RawRecord> {
  const limits: Limits = {
    maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    wholeFileMaxBytes: options.wholeFileMaxBytes ?? DEFAULT_WHOLE_FILE_MAX_BYTES,
    onNoData: options.onNoData,
  };
  const file = input === '-' ? '-' : input.path;
  const entries = new EntryReader(file, options.onProblem);
  if (file === '-') {
    yield* readStream(streamChunks(options.stdin ?? process.stdin), entries, limits);
    return;
  }
  // Small files (most AWS log files) are read synchronously: one system call sequence without four
  // round trips through the thread pool, which dominate when a folder holds thousands of small files.
  // Reads run in scan worker threads or between batches of the main thread, so blocking is brief.
  let small: Buffer | undefined;
  try {
    const st = statSync(file);
    if (st.isFile() && st.size <= Math.min(SYNC_READ_MAX_BYTES, limits.wholeFileMaxBytes))
      small = readFileSync(file);
  } catch {
    // Reported below by the asynchronous path, with the usual wording.
  }
  if (small !== undefined) {
    yield* wholeRecords(decodeWhole(small, entries, limits), file, entries, limits);
    return;
  }
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    entries.problem('VIGIL_INPUT_UNREADABLE', describeFsError(err));
    return;
  }
  try {
    let st: Stats;
    try {
      st = await fh.stat();
    } catch (err) {
      entries.problem('VIGIL_INPUT_UNREADABLE', describeFsError(err));
      return;
    }
    if (st.isDirectory()) {
      entries.problem('VIGIL_INPUT_UNREADABLE', 'is a directory, not a file');
      return;
    }
    if (st.isFile() && st.size <= limits.wholeFileMaxBytes) {
      let buf: Buffer;
      try {
        buf = await fh.readFile();
      } catch (err) {
        entries.problem('VIGIL_INPUT_UNREADABLE', describeFsError(err));
        return;
      }
      yield* wholeRecords(decodeWhole(buf, entries, limits), file, entries, limits);
    } else {
      yield* readStream(fileChunks(fh), entries, limits);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Files up to this size are read with one synchronous call (see readRecords). */
const SYNC_READ_MAX_BYTES = 4 * 1024 * 1024;

/** The records of a file decoded whole (or, when it did not fit, streamed from its decompressed bytes). */
async function* wholeRecords(
  whole: ReturnType<typeof decodeWhole>,
  file: string,
  entries: EntryReader,
  limits: Limits,
): AsyncGenerator<RawRecord> {
  if (whole.records !== undefined) {
    // The common case, kept tight (one async step per record): an AWS log file read whole.
    const { records } = whole;
    for (let i = 0; i < records.length; i++) {
      const r: unknown = records[i];
      if (typeof r === 'object' && r !== null && !Array.isArray(r)) {
        yield { record: r as Record<string, unknown>, file, index: entries.index++ };
      } else {
        const raw = entries.recordElement(r);
        if (raw) yield raw;
      }
    }
  } else if (whole.rest !== undefined) {
    for (const raw of whole.rest) yield raw;
  } else if (whole.stream !== undefined) {
    yield* readStream(sliced(whole.stream), entries, limits);
  }
}

async function* fileChunks(fh: FileHandle): AsyncGenerator<Buffer> {
  for (;;) {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let n: number;
    try {
      n = (await fh.read(buf, 0, READ_CHUNK, null)).bytesRead;
    } catch (err) {
      throw new ReadFailure(err);
    }
    if (n === 0) return;
    yield n < READ_CHUNK ? buf.subarray(0, n) : buf;
  }
}

/** What to do with an input read whole: its Records array, other records, or stream it after all. */
interface Whole {
  records?: unknown[];
  rest?: Iterable<RawRecord>;
  stream?: Buffer;
}

/** The fast path: decompress and `JSON.parse` the whole input at once; on failure, split it instead. */
function decodeWhole(buf: Buffer, entries: EntryReader, limits: Limits): Whole {
  let data = buf;
  if (isGzip(buf)) {
    // ISIZE (the last four bytes) is the decompressed size modulo 2^32: a hint, bounded below anyway.
    const hinted = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0;
    if (hinted > limits.wholeFileMaxBytes) return { stream: buf };
    try {
      // The gzip trailer gives the decompressed size: one output chunk of that size saves the copying
      // of many 16 KiB chunks into one buffer.
      const chunkSize = Math.min(Math.max(hinted + 1, 64 * 1024), limits.wholeFileMaxBytes);
      data = gunzipSync(buf, { maxOutputLength: limits.wholeFileMaxBytes, chunkSize });
    } catch {
      // Too big after all, or corrupt: the streaming path keeps what decodes and reports where it stops.
      return { stream: buf };
    }
  }
  if (data.length === 0) return {};
  if (looksBinary(data.subarray(0, SNIFF_BYTES), data.length <= SNIFF_BYTES)) {
    reportBinary(entries);
    return {};
  }
  const bom = bomLength(data);
  const text = data.toString('utf8', bom);
  const format = sniffText(text);
  if (format !== undefined) return { rest: textRecords(text, format, entries, limits) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON lines, or a malformed file: split it, which keeps every record that parses.
    return { rest: splitAll(bom ? data.subarray(bom) : data, entries, limits) };
  }
  if (Array.isArray(value)) return { rest: arrayEntries(value, entries) };
  const records = (value as { Records?: unknown } | null)?.Records;
  if (Array.isArray(records)) return { records };
  return { rest: entries.entry(value) };
}

/** The text format of an input's start, skipping the line search for JSON (by far the common case). */
function sniffText(text: string): TextFormat | undefined {
  for (let i = 0; i < text.length && i < 64; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) return undefined;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
  }
  const first = firstLineOf(text.length > 65_536 ? text.slice(0, 65_537) : text);
  return first === undefined ? undefined : sniffTextFormat(first);
}

function* textRecords(
  text: string,
  format: TextFormat,
  entries: EntryReader,
  limits: Limits,
): Generator<RawRecord> {
  const reader = new TextRecordReader(format, entries, limits.onNoData, limits.maxRecordBytes);
  for (const line of linesOf(text)) {
    const raw = reader.line(line);
    if (raw) yield raw;
  }
}

function* arrayEntries(values: unknown[], entries: EntryReader): Generator<RawRecord> {
  for (let i = 0; i < values.length && !entries.stopped; i++) yield* entries.entry(values[i]);
}

function* splitAll(data: Buffer, entries: EntryReader, limits: Limits): Generator<RawRecord> {
  const splitter = new JsonSplitter({ maxRecordBytes: limits.maxRecordBytes });
  const ctx: ItemContext = { entries, limits, data, depth: 0 };
  for (const item of splitter.push(data)) {
    yield* handleItem(item, ctx);
    if (entries.stopped) return;
  }
  for (const item of splitter.finish()) yield* handleItem(item, ctx);
}

/** The bounded-memory path: decompress as a stream, split record by record. */
async function* readStream(
  source: AsyncIterable<Buffer>,
  entries: EntryReader,
  limits: Limits,
): AsyncGenerator<RawRecord> {
  const it = source[Symbol.asyncIterator]();
  const progress: GunzipProgress = { compressedBytes: 0 };
  const splitter = new JsonSplitter({ maxRecordBytes: limits.maxRecordBytes });
  const ctx: ItemContext = { entries, limits, depth: 0 };
  let gzip = false;
  /** The first bytes, held until there are enough to tell text from binary. */
  let sniff: Buffer | undefined = Buffer.alloc(0) as Buffer;
  /** Set when the first line shows a text log (flow logs, S3 access logs): read line by line instead. */
  let lines: { splitter: LineSplitter; reader: TextRecordReader } | undefined;

  function* feed(data: Buffer): Generator<RawRecord> {
    if (lines !== undefined) {
      for (const item of lines.splitter.push(data)) {
        const raw = lines.reader.line(item);
        if (raw) yield raw;
      }
      return;
    }
    for (const item of splitter.push(data)) {
      yield* handleItem(item, ctx);
      if (entries.stopped) return;
    }
  }
  /** Takes the held first bytes: undefined when they are binary (reported), else the text to feed. */
  function takeSniff(complete: boolean): Buffer | undefined {
    const held = sniff!;
    sniff = undefined;
    if (looksBinary(held.subarray(0, SNIFF_BYTES), complete && held.length <= SNIFF_BYTES)) {
      reportBinary(entries);
      return undefined;
    }
    const body = held.subarray(bomLength(held));
    const nl = body.indexOf(10);
    const format = sniffText(body.toString('utf8', 0, nl < 0 ? body.length : nl));
    if (format !== undefined) {
      lines = {
        splitter: new LineSplitter(limits.maxRecordBytes),
        reader: new TextRecordReader(format, entries, limits.onNoData, limits.maxRecordBytes),
      };
    }
    return body;
  }

  try {
    let head: Buffer = Buffer.alloc(0);
    let ended = false;
    while (head.length < 2) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head = head.length ? Buffer.concat([head, r.value]) : r.value;
    }
    gzip = isGzip(head);
    const raw = ended ? sliced(head) : prepend(head, it);
    for await (const chunk of gzip ? gunzipChunks(raw, progress) : raw) {
      let text: Buffer | undefined = chunk;
      if (sniff !== undefined) {
        sniff = sniff.length ? Buffer.concat([sniff, chunk]) : chunk;
        if (sniff.length < SNIFF_BYTES) continue;
        text = takeSniff(false);
        if (text === undefined) return;
      }
      // Sync iteration here: one async step per record, not one per generator level.
      for (const raw of feed(text)) yield raw;
      if (entries.stopped) return;
    }
    if (sniff !== undefined && sniff.length > 0) {
      const text = takeSniff(true);
      if (text === undefined) return;
      for (const raw of feed(text)) yield raw;
    }
  } catch (err) {
    const zlibCode = (err as { code?: unknown })?.code;
    const badGzip = gzip && typeof zlibCode === 'string' && zlibCode.startsWith('Z_');
    // Anything else is a bug (or a throwing callback), not bad input: let it surface.
    if (!(err instanceof ReadFailure) && !badGzip) throw err;
    // Keep what arrived before the failure, then say where it stopped.
    if (sniff !== undefined && sniff.length > 0) {
      const text = takeSniff(false);
      if (text !== undefined) for (const raw of feed(text)) yield raw;
    }
    if (err instanceof ReadFailure) {
      entries.problem('VIGIL_INPUT_UNREADABLE', `read failed: ${describeFsError(err.cause)}`);
    } else {
      entries.problem(
        'VIGIL_INPUT_BAD_GZIP',
        `gzip data is corrupt or truncated at or after this compressed byte (${(err as Error).message}); the records before it were read`,
        { offset: progress.compressedBytes },
      );
    }
    return;
  }
  if (entries.stopped) return;
  if (lines !== undefined) {
    for (const item of lines.splitter.finish()) {
      const raw = lines.reader.line(item);
      if (raw) yield raw;
    }
    return;
  }
  for (const item of splitter.finish()) for (const raw of handleItem(item, ctx)) yield raw;
}

function reportBinary(entries: EntryReader): void {
  entries.problem('VIGIL_INPUT_BINARY', 'binary data, not text (NUL bytes or invalid UTF-8 at the start)', {
    offset: 0,
  });
}

interface ItemContext {
  entries: EntryReader;
  limits: Limits;
  /** The whole (decompressed) input, when it is in memory anyway: lets a runaway record be re-read. */
  data?: Buffer;
  /** How many resynchronisations deep this item is. */
  depth: number;
}

/** AWS writes every CloudTrail record starting with these bytes; a damaged record is skipped up to the next. */
const RECORD_START = Buffer.from('{"eventVersion":');
const RECORDS_PREFIX = Buffer.from('{"Records":[');
const MAX_RESYNC_DEPTH = 64;

function canResync(bytes: Buffer | undefined, ctx: ItemContext): bytes is Buffer {
  return bytes !== undefined && ctx.depth < MAX_RESYNC_DEPTH && bytes.indexOf(RECORD_START, 1) > 0;
}

function* handleItem(item: SplitItem, ctx: ItemContext): Generator<RawRecord> {
  const { entries, limits } = ctx;
  if (item.kind === 'parsed') {
    for (const value of item.values) {
      const raw = entries.recordElement(value);
      if (raw) yield raw;
    }
    return;
  }
  const where = item.lines ? { line: item.line } : { offset: item.offset };
  if (item.kind === 'too-large') {
    const held =
      item.inRecords && ctx.data ? ctx.data.subarray(item.offset, item.offset + item.size) : undefined;
    if (canResync(held, ctx)) {
      yield* resync(held, item.offset, 'its brackets do not close before the next record', ctx);
      return;
    }
    entries.problem(
      'VIGIL_INPUT_TOO_LARGE',
      `record is ${item.size} bytes, over the limit of ${limits.maxRecordBytes} bytes; skipped`,
      entries.at(entries.index++, where),
    );
    return;
  }
  if (item.kind === 'bad') {
    if (item.inRecords && canResync(item.bytes, ctx)) {
      yield* resync(item.bytes, item.offset, item.message, ctx);
      return;
    }
    // A bracket missing at the very end is the echo of a damaged record already reported.
    if (item.bytes === undefined && entries.resynced) return;
    entries.problem('VIGIL_INPUT_BAD_JSON', item.message, entries.at(entries.index, where));
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(item.bytes.toString('utf8'));
  } catch (err) {
    if (item.inRecords && canResync(item.bytes, ctx)) {
      yield* resync(item.bytes, item.offset, (err as Error).message, ctx);
      return;
    }
    entries.problem(
      'VIGIL_INPUT_BAD_JSON',
      `record is not valid JSON: ${(err as Error).message}`,
      entries.at(entries.index++, where),
    );
    return;
  }
  if (item.inRecords) {
    const raw = entries.recordElement(value, where);
    if (raw) yield raw;
  } else {
    yield* entries.entry(value, where);
  }
}

/**
 * A slice of a Records array that is not one valid record (a lost quote or bracket can swallow the records
 * after it): report the damaged part and split the rest again from the next `{"eventVersion":`.
 */
function* resync(bytes: Buffer, offset: number, reason: string, ctx: ItemContext): Generator<RawRecord> {
  const next = bytes.indexOf(RECORD_START, 1);
  ctx.entries.resynced = true;
  ctx.entries.problem(
    'VIGIL_INPUT_BAD_JSON',
    `record is not valid JSON (${reason}); reading resumes at the next record, byte ${offset + next}`,
    ctx.entries.at(ctx.entries.index++, { offset }),
  );
  const sub = new JsonSplitter({ maxRecordBytes: ctx.limits.maxRecordBytes });
  const shift = offset + next - RECORDS_PREFIX.length;
  const inner: ItemContext = { ...ctx, depth: ctx.depth + 1 };
  sub.push(RECORDS_PREFIX);
  const items = sub.push(bytes.subarray(next));
  // The slice need not close the array it came from: only a record cut off inside it is worth a word.
  for (const item of sub.finish()) if (item.kind !== 'bad' || item.bytes !== undefined) items.push(item);
  for (const item of items) yield* handleItem({ ...item, offset: item.offset + shift }, inner);
}
