import type { DerivedField } from './index.js';

/**
 * Facts about a request's parameters that a Sigma selection cannot state on its own:
 * - `vigil.ssm.parameterCount` — how many SSM parameters a read request asks for (for `sum` windows);
 * - `vigil.s3.foreignKmsKeyAccount` — the account of a KMS key ARN an S3 write asks to encrypt with,
 *   when that account is not the bucket owner's (the event's) account.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `GetParametersByPath` returns at most this many parameters per call unless `maxResults` says otherwise. */
export const BY_PATH_PAGE_SIZE = 10;

/**
 * Number of parameters an SSM read names: `GetParameter` 1, `GetParameters` the length of `names`,
 * `GetParametersByPath` its page size (`maxResults`, default 10; the response is not logged).
 * Undefined for other events.
 */
export function ssmParameterCount(eventName: string | undefined, request: unknown): number | undefined {
  if (!isObject(request)) return undefined;
  switch (eventName) {
    case 'GetParameter':
      return 1;
    case 'GetParameters': {
      const names = request['names'];
      if (Array.isArray(names)) return names.length;
      return typeof names === 'string' ? 1 : undefined;
    }
    case 'GetParametersByPath': {
      const max = Number(request['maxResults']);
      return Number.isInteger(max) && max > 0 ? max : BY_PATH_PAGE_SIZE;
    }
    default:
      return undefined;
  }
}

/** Request parameters (S3 headers as CloudTrail logs them, and SDK names) that name a KMS key for SSE. */
const KMS_KEY_PARAMS = [
  'x-amz-server-side-encryption-aws-kms-key-id',
  'SSEKMSKeyId',
  'sseKmsKeyId',
  'kmsKeyId',
] as const;

const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]*:(\d{12}):(?:key|alias)\//;

/** Account id of a KMS key ARN; undefined for bare key ids and aliases (they name the caller's account). */
export function kmsKeyAccount(keyId: unknown): string | undefined {
  if (typeof keyId !== 'string') return undefined;
  return KMS_ARN.exec(keyId.trim())?.[1];
}

/** The foreign account of the KMS key an S3 request names, or undefined when none or the same account. */
export function foreignKmsKeyAccount(request: unknown, accountId: string | undefined): string | undefined {
  if (!isObject(request) || accountId === undefined) return undefined;
  for (const name of KMS_KEY_PARAMS) {
    const account = kmsKeyAccount(request[name]);
    if (account !== undefined && account !== accountId) return account;
  }
  return undefined;
}

export const requestFields: Record<string, DerivedField> = {
  'ssm.parameterCount': (e) =>
    e.eventSource === 'ssm.amazonaws.com'
      ? ssmParameterCount(e.eventName, e.raw['requestParameters'])
      : undefined,
  's3.foreignKmsKeyAccount': (e) =>
    e.eventSource === 's3.amazonaws.com'
      ? foreignKmsKeyAccount(e.raw['requestParameters'], e.accountId)
      : undefined,
};
