import type { InputProblem } from '../core/errors.js';
import type { VigilEvent } from '../core/event.js';
import { VigilError } from '../core/errors.js';
import { normalizeRecord, readRecords, type InputFile } from '../sources/index.js';

export interface ReadStats {
  /** Records read and normalized. */
  records: number;
  /** Records rejected as malformed. */
  skipped: number;
  /** Well-formed records outside --since/--until. */
  filtered: number;
  /** Flow log records without traffic (NODATA, SKIPDATA): counted, not events. */
  noData: number;
}

export interface ReadInputOptions {
  since?: number;
  until?: number;
  maxRecordBytes?: number;
  onProblem(problem: InputProblem): void;
  stdin?: NodeJS.ReadableStream;
}

/**
 * Reads one input and yields its normalized events, reporting malformed records (with file and record
 * index) and carrying on with the next one. Shared by the in-process scan and the worker threads.
 */
export async function* readEvents(
  input: InputFile | '-',
  stats: ReadStats,
  options: ReadInputOptions,
): AsyncGenerator<VigilEvent> {
  const { since, until } = options;
  for await (const { record, file, index, format, region } of readRecords(input, {
    onProblem: options.onProblem,
    maxRecordBytes: options.maxRecordBytes,
    stdin: options.stdin,
    onNoData: () => stats.noData++,
  })) {
    let event: VigilEvent;
    try {
      event = normalizeRecord(record, format, region === undefined ? undefined : { region });
    } catch (err) {
      stats.skipped++;
      const code = err instanceof VigilError ? err.code : 'VIGIL_INPUT_BAD_RECORD';
      options.onProblem({ file, record: index, code, message: (err as Error).message });
      continue;
    }
    if ((since !== undefined && event.ts < since) || (until !== undefined && event.ts >= until)) {
      stats.filtered++;
      continue;
    }
    stats.records++;
    yield event;
  }
}
