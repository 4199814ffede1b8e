import type { DeliveryResult } from './types.js';

/** What every HTTP channel is given: the `fetch` to use and how long one request may take. */
export interface HttpDeps {
  fetch: typeof globalThis.fetch;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** 408 (timeout), 425, 429 (rate limited) and every 5xx are worth retrying; other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * POSTs a body and turns every outcome into a DeliveryResult: never throws. The request is aborted by
 * the caller's signal or by the timeout, whichever comes first; both are retryable, as are network errors.
 * `isOk` decides which statuses count as delivered (default: any 2xx).
 */
export async function postJson(
  deps: HttpDeps,
  url: string,
  body: string,
  options: {
    signal: AbortSignal;
    headers?: Record<string, string>;
    isOk?: (status: number) => boolean;
    providerId?: (responseText: string, response: Response) => string | undefined;
  },
): Promise<DeliveryResult> {
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    const response = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body,
      signal,
      redirect: 'error',
    });
    const text = await response.text().catch(() => '');
    const ok = options.isOk ? options.isOk(response.status) : response.status >= 200 && response.status < 300;
    if (ok) {
      const providerId = options.providerId?.(text, response);
      return providerId ? { ok: true, providerId } : { ok: true };
    }
    return {
      ok: false,
      retryable: isRetryableStatus(response.status),
      error: `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    };
  } catch (err) {
    if (timeout.aborted && !options.signal.aborted) {
      return {
        ok: false,
        retryable: true,
        error: `timed out after ${deps.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`,
      };
    }
    if (options.signal.aborted) return { ok: false, retryable: true, error: 'aborted' };
    return { ok: false, retryable: true, error: `request failed: ${describe(err)}` };
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
