import { ActionError } from './types.js';
import type {
  ActionContext,
  ActionEffects,
  ActionTarget,
  AwsCallRecord,
  ClientFactory,
  SdkClient,
} from './types.js';
import type { Finding } from '../core/finding.js';

/** AWS error codes that mean "slow down": retried with backoff. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
]);
/** Transient server-side failures, also retried. */
const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'InternalServerError']);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'Forbidden',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
]);
const NOT_FOUND = /NotFound|NoSuch|DoesNotExist|^ResourceNotFoundException$/;
const INVALID = /^(Invalid|Malformed|Validation|ValidationException$)/;

export interface AwsErrorInfo {
  code: string;
  message: string;
  requestId?: string;
  httpStatus?: number;
}

/** The code, message and request ID of an error thrown by an AWS SDK v3 client. */
export function awsErrorInfo(err: unknown): AwsErrorInfo {
  const e = err as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { requestId?: string; httpStatusCode?: number };
  };
  const code = e?.Code ?? e?.name ?? e?.code ?? 'Error';
  return {
    code: code === 'Error' && typeof e?.code === 'string' ? e.code : code,
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(e?.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
    ...(e?.$metadata?.httpStatusCode ? { httpStatus: e.$metadata.httpStatusCode } : {}),
  };
}

/** Throttling, transient server errors and 5xx: worth another attempt after a backoff. */
export function isRetryableAwsError(info: AwsErrorInfo): boolean {
  return THROTTLING.has(info.code) || TRANSIENT.has(info.code) || (info.httpStatus ?? 0) >= 500;
}

export interface ContextOptions {
  target: ActionTarget;
  clients: ClientFactory;
  actionId: string;
  finding?: Finding;
  effects?: ActionEffects;
  now?: () => Date;
  /** Waits between retries; tests pass an instant one. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per call when throttled (default 5). */
  maxAttempts?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The context an action runs in. Calls are retried here rather than by the SDK (clients are built with
 * `maxAttempts: 1`), so every attempt is counted in the audit log and the policy is the same for all
 * services: throttling and transient errors back off exponentially with full jitter up to `maxAttempts`;
 * access denied, not found and invalid requests fail at once with a message naming the API, account and
 * region.
 */
export function createActionContext(options: ContextOptions): ActionContext {
  const calls: AwsCallRecord[] = [];
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 5;
  const where = `account ${options.target.accountId} in ${options.target.region}`;
  return {
    target: options.target,
    clients: options.clients,
    actionId: options.actionId,
    ...(options.finding ? { finding: options.finding } : {}),
    ...(options.effects ? { effects: options.effects } : {}),
    now: options.now ?? (() => new Date()),
    calls,
    async call<O>(client: SdkClient, command: unknown, api: string, accept: readonly string[] = []) {
      for (let attempt = 1; ; attempt++) {
        try {
          const out = (await client.send(command as never)) as O & { $metadata?: { requestId?: string } };
          calls.push({
            api,
            attempts: attempt,
            ...(out?.$metadata?.requestId ? { requestId: out.$metadata.requestId } : {}),
          });
          return out;
        } catch (err) {
          const info = awsErrorInfo(err);
          const retryable = isRetryableAwsError(info);
          if (retryable && attempt < maxAttempts) {
            await sleep(Math.random() * Math.min(20_000, 200 * 2 ** attempt));
            continue;
          }
          const record: AwsCallRecord = {
            api,
            attempts: attempt,
            errorCode: info.code,
            ...(info.requestId ? { requestId: info.requestId } : {}),
          };
          calls.push(record);
          if (accept.includes(info.code)) return { errorCode: info.code } as O & { errorCode?: string };
          throw toActionError(info, api, where, attempt, retryable);
        }
      }
    },
  };
}

function toActionError(
  info: AwsErrorInfo,
  api: string,
  where: string,
  attempts: number,
  retryable: boolean,
): ActionError {
  const said = `${info.code}: ${info.message}`;
  if (retryable)
    return new ActionError(
      'throttled',
      `${api} in ${where} still failed after ${attempts} attempts (${said})`,
      info.code,
      info.requestId,
    );
  if (DENIED.has(info.code))
    return new ActionError(
      'access-denied',
      `${api} was denied in ${where} (${said}). Grant the response role "${api}" (see the README's response actions).`,
      info.code,
      info.requestId,
    );
  if (NOT_FOUND.test(info.code))
    return new ActionError('not-found', `${api} in ${where}: not found (${said})`, info.code, info.requestId);
  if (INVALID.test(info.code))
    return new ActionError(
      'invalid',
      `${api} in ${where}: rejected as invalid (${said})`,
      info.code,
      info.requestId,
    );
  return new ActionError('aws', `${api} in ${where} failed (${said})`, info.code, info.requestId);
}
