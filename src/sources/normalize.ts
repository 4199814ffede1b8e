import type { InputLocation } from '../core/errors.js';
import type { VigilEvent } from '../core/event.js';
import type { RecordFormat } from './types.js';
import { BadRecordError, normalizeCloudTrail } from './cloudtrail/normalize.js';
import { normalizeDns } from './dns/normalize.js';
import { normalizeS3Access } from './s3access/normalize.js';
import { normalizeVpcFlow } from './vpcflow/normalize.js';

/**
 * Turns one raw record into an Event with the normalizer of its format (`RawRecord.format`; absent means
 * CloudTrail). `hint.region` is the region the file's S3 layout names, used by flow records without a
 * `region` field. Throws BadRecordError (VIGIL_INPUT_BAD_RECORD) for a record that cannot be an Event.
 */
export function normalizeRecord(
  record: unknown,
  format: RecordFormat | undefined,
  hint: { region?: string } = {},
  location?: InputLocation,
): VigilEvent {
  if (format === undefined || format === 'cloudtrail') return normalizeCloudTrail(record, location);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new BadRecordError('record is not an object', location);
  }
  const raw = record as Record<string, unknown>;
  switch (format) {
    case 'vpcflow':
      return normalizeVpcFlow(raw, hint, location);
    case 'dns':
      return normalizeDns(raw, location);
    case 's3access':
      return normalizeS3Access(raw, location);
  }
}
