import type { Finding } from '../core/finding.js';
import type { RoutedEvent } from '../router/routed-event.js';

/** What a channel is asked to deliver: one finding (new, or its severity rose, or it was resolved). */
export interface Alert {
  finding: Finding;
  event: RoutedEvent;
  /** Why this alert: a new finding, a severity increase, or the finding resolved (PagerDuty resolve). */
  reason: 'new' | 'severity-raised' | 'resolved';
  /** Link to the finding in the dashboard, when the server knows its public URL. */
  link?: string;
  /** When the record that raised it reached Vigil (epoch ms), for the end-to-end latency metric. */
  receivedAt?: number;
}

/**
 * Several held alerts of one channel sent as one message (a per-channel digest of LOW findings, say).
 * Built by the outbox when the channel's digest window ends; at most 1000 alerts per digest.
 */
export interface Digest {
  /** The outbox id of the digest delivery: stable across retries and restarts (a receiver's dedup key). */
  id: string;
  channelId: string;
  /** When the first of these alerts was held, and when the digest was cut (ISO 8601). */
  since: string;
  until: string;
  /** In the order they were held. */
  alerts: Alert[];
}

export type DeliveryResult =
  { ok: true; providerId?: string } | { ok: false; retryable: boolean; error: string };

/**
 * A notification channel. `send` never throws: a failure is a result, retryable or not, so the outbox
 * decides about retries, backoff and dead letters in one place.
 */
export interface Channel {
  /** The channel's name in config (`security-email`, `oncall-pagerduty`). */
  readonly id: string;
  readonly kind: 'email' | 'sns' | 'slack' | 'teams' | 'pagerduty' | 'webhook' | 'log';
  send(alert: Alert, options: { signal: AbortSignal }): Promise<DeliveryResult>;
  /** Sends a digest as one message; absent for channels where a digest makes no sense (PagerDuty). */
  sendDigest?(digest: Digest, options: { signal: AbortSignal }): Promise<DeliveryResult>;
}
