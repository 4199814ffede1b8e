import { awsErrorInfo, isRetryableAwsError } from '../../respond/context.js';
import type { SdkClient } from '../../respond/types.js';
import type { CollectionError } from '../types.js';

/** Where a call is made and what it is about: becomes the `CollectionError` when it fails. */
export interface CallScope {
  accountId: string;
  region?: string;
  service: string;
  resource?: string;
}

export interface CallerOptions {
  /** AWS calls in flight at once, over every account and region (default 8). */
  concurrency?: number;
  /** Attempts per call when throttled or AWS fails transiently (default 5). */
  maxAttempts?: number;
  /** Waits between retries and while a report is generated; tests pass an instant one. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends read-only calls for the collector. Failures never throw: the call is recorded in `errors` and
 * answers `undefined` ("not collected"), except the error codes listed in `none`, which answer `null`
 * because AWS uses them to say "there is none" (NoSuchBucketPolicy, NoSuchEntity…).
 */
export interface Caller {
  call<O>(
    client: SdkClient,
    command: unknown,
    api: string,
    scope: CallScope,
    none?: readonly string[],
  ): Promise<O | null | undefined>;
  /**
   * Every page of a paginated API, or `undefined` if any page failed: a partial list would read as
   * complete and let a check pass on what it never saw.
   */
  pages<O>(
    client: SdkClient,
    command: (token: string | undefined) => unknown,
    next: (page: O) => string | undefined,
    api: string,
    scope: CallScope,
  ): Promise<O[] | undefined>;
  /** Records a problem that is not a failed call (a document that does not parse, a list cut short). */
  record(error: CollectionError): void;
  sleep(ms: number): Promise<void>;
  readonly errors: CollectionError[];
  readonly stats: { calls: number };
}

/** Pages followed at most, so a token AWS (or a bug) keeps repeating cannot loop forever. */
const MAX_PAGES = 10_000;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A counting semaphore: `run` waits for a free slot, so at most `limit` calls are in flight. */
function limiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * The collector's caller. SDK clients come from the response client factory with `maxAttempts: 1`, so
 * retries happen here with the response context's policy (throttling and transient errors, exponential
 * backoff with full jitter); only the send holds a concurrency slot, never the wait for a retry.
 */
export function createCaller(options: CallerOptions = {}): Caller {
  const errors: CollectionError[] = [];
  const stats = { calls: 0 };
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 5;
  const slot = limiter(options.concurrency ?? 8);

  const call = async <O>(
    client: SdkClient,
    command: unknown,
    api: string,
    scope: CallScope,
    none: readonly string[] = [],
  ): Promise<O | null | undefined> => {
    for (let attempt = 1; ; attempt++) {
      try {
        stats.calls++;
        return await slot(() => client.send(command as never) as Promise<O>);
      } catch (err) {
        const info = awsErrorInfo(err);
        if (none.includes(info.code)) return null;
        if (isRetryableAwsError(info) && attempt < maxAttempts) {
          await sleep(Math.random() * Math.min(20_000, 200 * 2 ** attempt));
          continue;
        }
        errors.push({
          accountId: scope.accountId,
          ...(scope.region ? { region: scope.region } : {}),
          service: scope.service,
          api,
          ...(scope.resource ? { resource: scope.resource } : {}),
          code: info.code,
          message: info.message,
        });
        return undefined;
      }
    }
  };

  return {
    call,
    async pages<O>(
      client: SdkClient,
      command: (token: string | undefined) => unknown,
      next: (page: O) => string | undefined,
      api: string,
      scope: CallScope,
    ) {
      const out: O[] = [];
      let token: string | undefined;
      const seen = new Set<string>();
      for (let n = 0; n < MAX_PAGES; n++) {
        const page = await call<O>(client, command(token), api, scope);
        if (!page) return undefined;
        out.push(page);
        token = next(page);
        if (!token) return out;
        if (seen.has(token)) break;
        seen.add(token);
      }
      errors.push({
        ...scope,
        api,
        code: 'PaginationLoop',
        message: `${api} kept returning a next-page token; the list was not collected`,
      });
      return undefined;
    },
    record(error) {
      errors.push(error);
    },
    sleep,
    errors,
    stats,
  };
}
