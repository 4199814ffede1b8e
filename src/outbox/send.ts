import type { DeliveryResult } from '../notify/types.js';
import type { Timers } from './types.js';

function invalid(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const r = value as Record<string, unknown>;
  if (r.ok === true) return r.providerId !== undefined && typeof r.providerId !== 'string';
  return r.ok !== false || typeof r.retryable !== 'boolean' || typeof r.error !== 'string';
}

/**
 * One send (an alert or a digest: `send` calls the channel) with a deadline. After `timeoutMs` the signal is aborted and the attempt counts as a
 * retryable timeout, even if the channel ignores the signal and its promise never settles. A channel
 * that throws, or returns something that is not a DeliveryResult, breaks its contract: that is a
 * retryable failure too, so the attempt budget bounds it.
 */
export async function sendWithTimeout(
  send: (options: { signal: AbortSignal }) => Promise<DeliveryResult>,
  timeoutMs: number,
  timers: Timers,
): Promise<DeliveryResult> {
  const controller = new AbortController();
  let handle: unknown;
  const timeout = new Promise<DeliveryResult>((resolve) => {
    handle = timers.setTimeout(() => {
      const error = `timed out after ${timeoutMs} ms`;
      resolve({ ok: false, retryable: true, error });
      controller.abort(new Error(error));
    }, timeoutMs);
  });
  const sending = (async (): Promise<DeliveryResult> => {
    try {
      const result: unknown = await send({ signal: controller.signal });
      if (invalid(result))
        return { ok: false, retryable: true, error: 'the channel returned an invalid result' };
      return result as DeliveryResult;
    } catch (err) {
      return {
        ok: false,
        retryable: true,
        error: `the channel threw: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  })();
  try {
    return await Promise.race([sending, timeout]);
  } finally {
    timers.clearTimeout(handle);
  }
}
