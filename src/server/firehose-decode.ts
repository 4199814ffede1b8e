import { gunzipSync } from 'node:zlib';
import { createLogLineReader, isResolverQueryLog, type RecordFormat } from '../sources/index.js';
import { HttpError } from './http-error.js';
import { isJsonObject } from './items.js';

export const FIREHOSE_REQUEST_ID_HEADER = 'x-amz-firehose-request-id';
const MAX_REQUEST_ID_LENGTH = 256;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Where an item came from: its Firehose record, and its line or CloudWatch Logs log event (0-based). */
export interface ItemOrigin {
  record: number;
  line?: number;
  logEvent?: number;
}

/** A Firehose record (or one line or log event of it) that could not be turned into an item. */
export interface RecordProblem extends ItemOrigin {
  reason:
    | 'bad_record'
    | 'bad_base64'
    | 'bad_gzip'
    | 'too_large'
    | 'bad_utf8'
    | 'bad_json'
    | 'bad_line'
    | 'bad_log_event';
  error: string;
}

export interface DecodedDelivery {
  requestId: string;
  /** The decoded values, in order, and the record (and line or log event) each came from. */
  items: unknown[];
  /**
   * The format of each item the decoder recognised (a flow log line, a Resolver query log); undefined
   * leaves the decision to the pipeline (CloudTrail record, EventBridge event).
   */
  formats: (RecordFormat | undefined)[];
  origin: ItemOrigin[];
  problems: RecordProblem[];
  /** CloudWatch Logs CONTROL_MESSAGE payloads (sent when a subscription is created), acknowledged and ignored. */
  controlMessages: number;
}

export interface DecodeOptions {
  /** Field names of header-less flow log lines in a custom format (`server.ingest.flowLogFormat`). */
  flowFields?: readonly string[];
  /** Largest decompressed gzip record, in bytes; default 10 MiB. */
  maxRecordBytes?: number;
  /**
   * Largest total of decompressed bytes in one delivery; over it the delivery is answered 413 (Firehose
   * retries it, and a smaller buffer size fixes it). Default 16 × `maxRecordBytes`.
   */
  maxDecodedBytes?: number;
}

/** The request id a Firehose error answer should carry, before or without a parsed body. */
export function headerRequestId(headers: Record<string, string | string[] | undefined>): string {
  const value = headers[FIREHOSE_REQUEST_ID_HEADER];
  return typeof value === 'string' ? value.slice(0, MAX_REQUEST_ID_LENGTH) : '';
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Checks the delivery envelope; anything wrong with it fails the whole request (400). */
export function checkEnvelope(
  body: unknown,
  headerId: string | undefined,
): { requestId: string; records: unknown[] } {
  if (!isJsonObject(body))
    throw new HttpError(
      400,
      'VIGIL_FIREHOSE_BAD_REQUEST',
      'expected a Firehose delivery request {"requestId", "timestamp", "records"}',
    );
  const { requestId, records } = body;
  if (typeof requestId !== 'string' || requestId === '')
    throw new HttpError(400, 'VIGIL_FIREHOSE_BAD_REQUEST', '"requestId" must be a non-empty string');
  if (requestId.length > MAX_REQUEST_ID_LENGTH)
    throw new HttpError(
      400,
      'VIGIL_FIREHOSE_BAD_REQUEST',
      `"requestId" is longer than ${MAX_REQUEST_ID_LENGTH} characters`,
    );
  if (headerId !== undefined && headerId !== requestId)
    throw new HttpError(
      400,
      'VIGIL_FIREHOSE_BAD_REQUEST',
      `X-Amz-Firehose-Request-Id header "${clip(headerId)}" does not match the body's requestId "${clip(requestId)}"`,
    );
  if (!Array.isArray(records))
    throw new HttpError(
      400,
      'VIGIL_FIREHOSE_BAD_REQUEST',
      '"records" must be an array of {"data": <base64>}',
    );
  return { requestId, records };
}

/** A decoded value as items: an array or `{"Records": [...]}` is spread, anything else is one item. */
function spread(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isJsonObject(value) && Array.isArray(value.Records)) return value.Records;
  return [value];
}

function push(out: DecodedDelivery, item: unknown, origin: ItemOrigin, format?: RecordFormat): void {
  out.items.push(item);
  out.formats.push(format ?? (isResolverQueryLog(item) ? 'dns' : undefined));
  out.origin.push(origin);
}

/** True for the payload a CloudWatch Logs subscription sends (gzip-decoded). */
function isLogsPayload(value: unknown): value is Record<string, unknown> {
  return isJsonObject(value) && typeof value.messageType === 'string' && 'logEvents' in value;
}

/**
 * A CloudWatch Logs subscription payload `{"messageType", "logGroup", "logEvents": [{"id", "timestamp",
 * "message"}]}`: each DATA_MESSAGE log event's message is one log line (a CloudTrail record, a flow log
 * line, a Resolver query log); CONTROL_MESSAGE payloads only check that the destination is reachable.
 */
function readLogsPayload(
  payload: Record<string, unknown>,
  record: number,
  out: DecodedDelivery,
  options: DecodeOptions,
): void {
  if (payload.messageType === 'CONTROL_MESSAGE') {
    out.controlMessages++;
    return;
  }
  if (payload.messageType !== 'DATA_MESSAGE' || !Array.isArray(payload.logEvents)) {
    out.problems.push({
      record,
      reason: 'bad_record',
      error: `record ${record} is a CloudWatch Logs payload with messageType ${JSON.stringify(String(payload.messageType).slice(0, 40))} or without a logEvents array`,
    });
    return;
  }
  const reader = createLogLineReader(options.flowFields ? { flowFields: options.flowFields } : {});
  payload.logEvents.forEach((event: unknown, logEvent) => {
    const message = isJsonObject(event) ? event.message : undefined;
    if (typeof message !== 'string') {
      out.problems.push({
        record,
        logEvent,
        reason: 'bad_log_event',
        error: `record ${record} log event ${logEvent} has no "message" string`,
      });
      return;
    }
    const read = reader.line({ n: logEvent + 1, text: message });
    if (read.kind === 'json') for (const v of read.values) push(out, v.value, { record, logEvent }, v.format);
    else if (read.kind === 'text') push(out, read.record, { record, logEvent }, read.format);
    else if (read.kind === 'bad')
      out.problems.push({
        record,
        logEvent,
        reason: 'bad_log_event',
        error: `record ${record} log event ${logEvent}: ${read.error}`,
      });
  });
}

/** Text that is not one JSON document nor JSON lines: log lines (flow logs, Resolver query logs, JSON). */
function readLines(text: string, record: number, out: DecodedDelivery, options: DecodeOptions): void {
  const reader = createLogLineReader(options.flowFields ? { flowFields: options.flowFields } : {});
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const read = reader.line({ n: i + 1, text: raw });
    const origin = { record, line: i + 1 };
    if (read.kind === 'json') for (const v of read.values) push(out, v.value, origin, v.format);
    else if (read.kind === 'text') push(out, read.record, origin, read.format);
    else if (read.kind === 'bad')
      out.problems.push({
        ...origin,
        reason: 'bad_line',
        error: `record ${record} line ${i + 1}: ${read.error}`,
      });
  }
}

/** Decodes one record's text: one JSON document, newline-delimited JSON, or log lines. */
function parseRecordText(text: string, record: number, out: DecodedDelivery, options: DecodeOptions): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const start = text.trimStart().charCodeAt(0);
    if (start !== 123 /* { */ && start !== 91 /* [ */) {
      readLines(text, record, out, options);
      return;
    }
    if (text.split(/\r?\n/).filter((l) => l.trim() !== '').length <= 1) {
      out.problems.push({
        record,
        reason: 'bad_json',
        error: `record ${record} is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }
    readJsonLines(text, record, out);
    return;
  }
  if (isLogsPayload(value)) readLogsPayload(value, record, out, options);
  else for (const item of spread(value)) push(out, item, { record });
}

function readJsonLines(text: string, record: number, out: DecodedDelivery): void {
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    try {
      for (const item of spread(JSON.parse(line))) push(out, item, { record, line: i + 1 });
    } catch (error) {
      out.problems.push({
        record,
        line: i + 1,
        reason: 'bad_json',
        error: `record ${record} line ${i + 1} is not valid JSON: ${(error as Error).message}`,
      });
    }
  }
}

const DEFAULT_MAX_RECORD_BYTES = 10 * 1024 * 1024;

/**
 * Decodes the records of a Firehose HTTP endpoint delivery: each `data` is base64 of UTF-8 text, gzip'd
 * or not — a JSON document (a CloudTrail record, an EventBridge event, a Resolver query log, an array of
 * them), newline-delimited JSON, a CloudWatch Logs subscription payload (what a subscription filter with a
 * Firehose destination delivers: gzip'd, one log line per log event), or log lines (flow logs). A bad
 * record, line or log event is listed in `problems` and the others are still decoded.
 */
export function decodeFirehoseRecords(
  requestId: string,
  records: readonly unknown[],
  options: DecodeOptions = {},
): DecodedDelivery {
  const out: DecodedDelivery = {
    requestId,
    items: [],
    formats: [],
    origin: [],
    problems: [],
    controlMessages: 0,
  };
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  let budget = options.maxDecodedBytes ?? 16 * maxRecordBytes;
  records.forEach((entry, record) => {
    const data = isJsonObject(entry) ? entry.data : undefined;
    if (typeof data !== 'string') {
      out.problems.push({ record, reason: 'bad_record', error: `record ${record} has no "data" string` });
      return;
    }
    const compact = data.replace(/\s+/g, '');
    if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
      out.problems.push({
        record,
        reason: 'bad_base64',
        error: `record ${record} "data" is not valid base64`,
      });
      return;
    }
    let bytes = Buffer.from(compact, 'base64');
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      const limit = Math.min(maxRecordBytes, budget);
      try {
        bytes = gunzipSync(bytes, { maxOutputLength: limit });
      } catch (error) {
        const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
        if (tooLarge && limit < maxRecordBytes)
          throw new HttpError(
            413,
            'VIGIL_HTTP_TOO_LARGE',
            `the records decompress to more than ${options.maxDecodedBytes ?? 16 * maxRecordBytes} bytes; lower the Firehose buffer size`,
          );
        out.problems.push(
          tooLarge
            ? {
                record,
                reason: 'too_large',
                error: `record ${record} decompresses to more than ${maxRecordBytes} bytes`,
              }
            : { record, reason: 'bad_gzip', error: `record ${record} is not valid gzip data` },
        );
        return;
      }
      budget -= bytes.length;
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      out.problems.push({ record, reason: 'bad_utf8', error: `record ${record} is not UTF-8 text` });
      return;
    }
    if (text.trim() === '') {
      out.problems.push({ record, reason: 'bad_json', error: `record ${record} is empty` });
      return;
    }
    parseRecordText(text, record, out, options);
  });
  return out;
}
