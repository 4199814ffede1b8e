import type { FastifyBaseLogger } from 'fastify';
import { HttpError } from './http-error.js';
import { mergeResult, partitionObjects } from './items.js';
import type { RecordFormat } from '../sources/index.js';
import type { IngestBatch, IngestKind, IngestResult, ServerDeps } from './types.js';

/**
 * Hands the objects among `items` to the pipeline and answers with positions in `items`: items
 * that are not objects are rejected here and never reach the pipeline. A pipeline that throws is
 * answered 503, so the sender retries the batch. `formats[i]`, when given, is the format the server read
 * `items[i]` in (see IngestBatch.formats).
 */
export async function runIngest(
  deps: ServerDeps,
  kind: IngestKind,
  items: readonly unknown[],
  log: FastifyBaseLogger,
  formats?: readonly (RecordFormat | undefined)[],
): Promise<IngestResult> {
  const partition = partitionObjects(items);
  if (partition.rejected.length > 0)
    deps.serveMetrics?.recordsRejected.inc(
      { source: `http:${kind}`, reason: 'not_object' },
      partition.rejected.length,
    );
  if (partition.objects.length === 0) return { accepted: 0, rejected: partition.rejected };
  let result: IngestResult;
  try {
    const batch: IngestBatch = { source: 'http', kind, items: partition.objects };
    if (formats?.some((f) => f !== undefined)) batch.formats = partition.origin.map((i) => formats[i]);
    result = await deps.ingest(batch);
    return mergeResult(partition, result);
  } catch (error) {
    log.error({ err: error, kind }, 'ingest failed');
    throw new HttpError(
      503,
      'VIGIL_INGEST_UNAVAILABLE',
      'the pipeline could not take this batch; retry later',
    );
  }
}
