import { HttpError } from './http-error.js';
import { isJsonObject } from './items.js';

export const FIREHOSE_REQUEST_ID_HEADER = 'x-amz-firehose-request-id';
const MAX_REQUEST_ID_LENGTH = 256;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A Firehose record (or one line of it) that could not be turned into an item. */
export interface RecordProblem {
  record: number;
  line?: number;
  reason: 'bad_record' | 'bad_base64' | 'bad_utf8' | 'bad_json';
  error: string;
}

export interface DecodedDelivery {
  requestId: string;
  /** The decoded JSON values, in order, and the record (and line) each came from. */
  items: unknown[];
  origin: { record: number; line?: number }[];
  problems: RecordProblem[];
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

/** Decodes one record's text: one JSON document, or newline-delimited JSON. */
function parseRecordText(text: string, record: number, out: DecodedDelivery): void {
  try {
    for (const item of spread(JSON.parse(text))) {
      out.items.push(item);
      out.origin.push({ record });
    }
    return;
  } catch (error) {
    const lines = text.split(/\r?\n/);
    if (lines.filter((l) => l.trim() !== '').length <= 1) {
      out.problems.push({
        record,
        reason: 'bad_json',
        error: `record ${record} is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }
  }
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    try {
      for (const item of spread(JSON.parse(line))) {
        out.items.push(item);
        out.origin.push({ record, line: i + 1 });
      }
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

/**
 * Decodes the records of a Firehose HTTP endpoint delivery: each `data` is base64 of UTF-8 JSON
 * (a CloudTrail record or an EventBridge event, or newline-delimited JSON). A bad record is listed
 * in `problems` and the others are still decoded.
 */
export function decodeFirehoseRecords(requestId: string, records: readonly unknown[]): DecodedDelivery {
  const out: DecodedDelivery = { requestId, items: [], origin: [], problems: [] };
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
    let text: string;
    try {
      text = decoder.decode(Buffer.from(compact, 'base64'));
    } catch {
      out.problems.push({ record, reason: 'bad_utf8', error: `record ${record} is not UTF-8 text` });
      return;
    }
    if (text.trim() === '') {
      out.problems.push({ record, reason: 'bad_json', error: `record ${record} is empty` });
      return;
    }
    parseRecordText(text, record, out);
  });
  return out;
}
