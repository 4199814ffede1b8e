import { createHmac, timingSafeEqual } from 'node:crypto';
import { postJson, type HttpDeps } from './http.js';
import { safeLink } from './message.js';
import type { Alert, Channel, Digest } from './types.js';

export const SIGNATURE_HEADER = 'X-Vigil-Signature';
export const TIMESTAMP_HEADER = 'X-Vigil-Timestamp';
/** On a digest: its id, stable across resends. */
export const DIGEST_HEADER = 'X-Vigil-Digest';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a delivery: the signature must match (compared in constant time) and the timestamp must be
 * within `toleranceSeconds` of `now` (a Date or milliseconds since the epoch), so a captured request
 * cannot be replayed later. `body` is the raw request body, exactly as received.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  now: Date | number,
  toleranceSeconds = 300,
): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const nowSeconds = Math.floor((typeof now === 'number' ? now : now.getTime()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The body: the routed event as the router saw it, why it was sent, and the dashboard link when known. */
export function formatWebhook(alert: Alert): Record<string, unknown> {
  const link = safeLink(alert.link);
  return { event: alert.event, reason: alert.reason, ...(link ? { link } : {}) };
}

/**
 * A digest's body: a JSON array with one element per alert, each exactly the body that alert would have
 * had alone (its routed event id stays the receiver's dedup key). A single alert's body is an object.
 */
export function formatWebhookDigest(digest: Digest): Record<string, unknown>[] {
  return digest.alerts.map(formatWebhook);
}

export interface WebhookChannelOptions {
  id: string;
  url: string;
  /** The shared HMAC secret (from config). */
  secret: string;
  /** Extra fixed headers from config (e.g. an API gateway key). */
  headers?: Record<string, string>;
}

export interface WebhookDeps extends HttpDeps {
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/** 2xx delivered; 408, 429, 5xx, network errors and timeouts retried; other 4xx not. */
export function createWebhookChannel(options: WebhookChannelOptions, deps: WebhookDeps): Channel {
  const now = deps.now ?? Date.now;
  const post = (body: string, signal: AbortSignal, extra: Record<string, string> = {}) => {
    const timestamp = String(Math.floor(now() / 1000));
    return postJson(deps, options.url, body, {
      signal,
      headers: {
        ...options.headers,
        ...extra,
        'user-agent': 'Vigil-Webhook/1',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
      },
    });
  };
  return {
    id: options.id,
    kind: 'webhook',
    send: (alert, { signal }) => post(JSON.stringify(formatWebhook(alert)), signal),
    sendDigest: (digest, { signal }) =>
      post(JSON.stringify(formatWebhookDigest(digest)), signal, { [DIGEST_HEADER]: digest.id }),
  };
}
