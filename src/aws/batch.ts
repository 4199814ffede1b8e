import { createHash } from 'node:crypto';
import { errorMessage, type Logger } from './log.js';
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent, SQSRecord } from './types.js';

/**
 * A record that can never succeed (not JSON, not an EventBridge event, a finding that cannot be read):
 * thrown by a record handler to have the message acknowledged and logged as poison instead of retried.
 */
export class PoisonRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonRecordError';
  }
}

/** The EventBridge event an SQS message body holds; anything else is poison. */
export function parseEventBridgeBody(body: string): EventBridgeEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new PoisonRecordError(`body is not JSON: ${errorMessage(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PoisonRecordError('body is not a JSON object');
  const e = value as Record<string, unknown>;
  if (typeof e['detail-type'] !== 'string' || typeof e.source !== 'string' || !('detail' in e))
    throw new PoisonRecordError('body is not an EventBridge event (detail-type, source and detail)');
  if (typeof e.id !== 'string') throw new PoisonRecordError('EventBridge event has no id');
  return e as unknown as EventBridgeEvent;
}

/**
 * Runs `handle` on every record independently (in order: stateful detection and aggregation depend on
 * it) and reports the failed ones as batch item failures, so SQS delivers only those again and, after
 * maxReceiveCount, moves them to the dead-letter queue.
 *
 * Poison records (PoisonRecordError) are acknowledged, not failed: no retry can parse them, and three
 * doomed deliveries would only delay the queue and bury real failures in the dead-letter queue. They
 * are logged at error level with `poison: true` (a metric filter can alarm on it), the message id, the
 * reason and the body's size and SHA-256, so the message can still be found and examined.
 */
export async function processBatch(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
  log: Logger,
): Promise<SQSBatchResponse> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records ?? []) {
    try {
      await handle(record);
    } catch (err) {
      const body = typeof record.body === 'string' ? record.body : '';
      if (err instanceof PoisonRecordError) {
        log('error', 'poison record acknowledged', {
          poison: true,
          messageId: record.messageId,
          reason: err.message,
          bodyBytes: Buffer.byteLength(body),
          bodySha256: createHash('sha256').update(body).digest('hex'),
          bodyStart: body.slice(0, 256),
        });
        continue;
      }
      log('error', 'record failed; SQS will deliver it again', {
        messageId: record.messageId,
        error: errorMessage(err),
        ...(err instanceof Error && err.name !== 'Error' ? { errorName: err.name } : {}),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
