export { createServer, type VigilServer, type ServerOptions } from './server.js';
export { createMetrics, LATENCY_BUCKETS, type ServeMetrics } from './metrics.js';
export { tokensEqual } from './auth.js';
export { decodeFirehoseRecords, type DecodedDelivery, type RecordProblem } from './firehose-decode.js';
export type {
  IngestBatch,
  IngestKind,
  IngestRejection,
  IngestResult,
  HealthReport,
  ServerDeps,
} from './types.js';
