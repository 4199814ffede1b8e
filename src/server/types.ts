import type { FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { RecordFormat } from '../sources/index.js';
import type { ServeMetrics } from './metrics.js';

/** Which HTTP ingest endpoint a batch arrived on. */
export type IngestKind = 'eventbridge' | 'cloudtrail' | 'firehose' | 'logs';

/**
 * The parsed JSON items of one HTTP request, every one of them a JSON object (the server lists
 * anything else as rejected itself). What each item is — a CloudTrail record, a GuardDuty or
 * Security Hub event — is the pipeline's decision.
 */
export interface IngestBatch {
  source: 'http';
  kind: IngestKind;
  items: unknown[];
  /**
   * The format of each item the server parsed from a log line (`formats[i]` for `items[i]`): a flow log
   * or S3 access log line, a Resolver query log. Set only by the server, never read from the request, so
   * a sender cannot pass one format off as another; undefined leaves the decision to the pipeline.
   */
  formats?: (RecordFormat | undefined)[];
}

/** One item the pipeline or the server refused, by its index in what was sent. */
export interface IngestRejection {
  index: number;
  error: string;
}

export interface IngestResult {
  accepted: number;
  /** Indexes are positions in `IngestBatch.items`. */
  rejected: IngestRejection[];
}

export interface HealthReport {
  ok: boolean;
  details: Record<string, unknown>;
}

export interface ServerDeps {
  ingest: (batch: IngestBatch) => Promise<IngestResult> | IngestResult;
  /** The registry `/metrics` exposes. */
  metrics: Registry;
  /** When set, every ingest request must carry it (Bearer or Firehose access key). */
  ingestToken?: string;
  /** Largest accepted request body, in bytes (after gzip decoding). */
  maxBodyBytes: number;
  health: () => HealthReport;
  /** `false` (the default) for no logs, or pino options. */
  logger?: false | Exclude<FastifyServerOptions['logger'], boolean | undefined>;
  /**
   * Field names of header-less flow log lines (CloudWatch Logs delivery, posts without a header line) in a
   * custom format (`parseFlowLogFormat`); default: the version 2 fields.
   */
  flowLogFields?: readonly string[];
  /** When given, items the server itself rejects are counted in `vigil_records_rejected_total`. */
  serveMetrics?: Pick<ServeMetrics, 'recordsRejected'>;
}
