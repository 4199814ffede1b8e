/** The persisted alert outbox: deliveries that survive restarts, with retries, rate limits and dead letters. */
export { createOutbox, realTimers } from './outbox.js';
export { openOutboxDatabase, migrateOutbox, OUTBOX_MIGRATIONS } from './schema.js';
export { alertKey, MAX_DIGEST_ALERTS } from './store.js';
export { backoffDelay } from './backoff.js';
export { createTokenBucket, type TokenBucket } from './rate-limit.js';
export { shouldAlert } from './suppress.js';
export type {
  DeadReason,
  Delivery,
  DeliveryFilter,
  DeliveryStatus,
  DeliverySummary,
  DigestOptions,
  Outbox,
  OutboxOptions,
  OutboxStats,
  Timers,
} from './types.js';
export { DELIVERY_STATUSES } from './types.js';
