import { HttpError } from './http-error.js';
import type { IngestRejection, IngestResult } from './types.js';

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** An EventBridge event or an array of them (as an API destination sends them). */
export function eventBridgeItems(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isJsonObject(body)) return [body];
  throw new HttpError(
    400,
    'VIGIL_HTTP_BAD_SHAPE',
    `expected an EventBridge event (object) or an array of events, got ${describe(body)}`,
  );
}

/** A CloudTrail record, an array of records, or a CloudTrail log file `{"Records": [...]}`. */
export function cloudTrailItems(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isJsonObject(body)) {
    if (!('Records' in body)) return [body];
    if (Array.isArray(body.Records)) return body.Records;
    throw new HttpError(
      400,
      'VIGIL_HTTP_BAD_SHAPE',
      `"Records" must be an array of CloudTrail records, got ${describe(body.Records)}`,
    );
  }
  throw new HttpError(
    400,
    'VIGIL_HTTP_BAD_SHAPE',
    `expected a CloudTrail record, an array of records or {"Records": [...]}, got ${describe(body)}`,
  );
}

/** The objects among `items`, the rest as rejections, and where each kept object came from. */
export interface Partition {
  objects: Record<string, unknown>[];
  /** `origin[i]` is the index in `items` of `objects[i]`. */
  origin: number[];
  rejected: IngestRejection[];
}

export function partitionObjects(items: readonly unknown[]): Partition {
  const out: Partition = { objects: [], origin: [], rejected: [] };
  items.forEach((item, index) => {
    if (isJsonObject(item)) {
      out.objects.push(item);
      out.origin.push(index);
    } else {
      out.rejected.push({ index, error: `item ${index} is ${describe(item)}, not a JSON object` });
    }
  });
  return out;
}

/**
 * Checks the pipeline's answer and maps its indexes (positions among the objects it was given)
 * back to positions in the request, merged with the server's own rejections, in index order.
 */
export function mergeResult(partition: Partition, result: IngestResult): IngestResult {
  if (!isJsonObject(result) || typeof result.accepted !== 'number' || !Array.isArray(result.rejected))
    throw new Error('ingest returned something other than { accepted, rejected }');
  const mapped = result.rejected.map((r) => ({
    index: partition.origin[r.index] ?? r.index,
    error: String(r.error),
  }));
  const rejected = [...partition.rejected, ...mapped].sort((a, b) => a.index - b.index);
  return { accepted: result.accepted, rejected };
}
