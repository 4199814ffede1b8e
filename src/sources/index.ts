export type { InputFile, RawRecord, ReadOptions, RecordFormat, SkipReason } from './types.js';
export { discoverInputs, type DiscoverOptions } from './cloudtrail/discover.js';
export { dateFromS3Key, deliveryOrderKey, isDigestPath } from './cloudtrail/s3-key.js';
export {
  readRecords,
  DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_WHOLE_FILE_MAX_BYTES,
} from './cloudtrail/read-records.js';
export { normalizeCloudTrail, BadRecordError } from './cloudtrail/normalize.js';
export { CLOUDTRAIL_DETAIL_TYPES } from './cloudtrail/entries.js';
export { normalizeRecord } from './normalize.js';
export { isResolverQueryLog } from './dns/normalize.js';
export { parseFlowLogFormat } from './vpcflow/fields.js';
export { linesOf, type Line } from './text/lines.js';
export { createLogLineReader, type LogLine, type LogLineOptions, type LogValue } from './text/log-lines.js';
