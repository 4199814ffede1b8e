/**
 * The few Lambda event shapes the handlers read (no @types/aws-lambda dependency): an SQS batch, and the
 * partial-batch response that tells SQS which messages to deliver again (ReportBatchItemFailures).
 */
export interface SQSRecord {
  messageId: string;
  receiptHandle?: string;
  body: string;
  attributes?: Record<string, string>;
  messageAttributes?: Record<string, unknown>;
  eventSource?: string;
  eventSourceARN?: string;
  awsRegion?: string;
}

export interface SQSEvent {
  Records: SQSRecord[];
}

export interface SQSBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** An EventBridge event as a rule delivers it to SQS (the message body). */
export interface EventBridgeEvent {
  version?: string;
  id: string;
  'detail-type': string;
  source: string;
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
  detail: unknown;
}

/** Vigil's own EventBridge events: detect → triage, triage → notify and respond. */
export const VIGIL_SOURCE = 'vigil';
export const FINDING_DETAIL_TYPE = 'Vigil Finding';
export const ALERT_DETAIL_TYPE = 'Vigil Alert';
