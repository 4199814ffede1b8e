import type { DerivedField } from './index.js';

/**
 * Facts about a request's parameters that a Sigma selection cannot state on its own:
 * - `vigil.ssm.parameterCount` — how many SSM parameters a read request asks for (for `sum` windows);
 * - `vigil.ssm.readTarget` — what an SSM read asks for, the same text for the same request (so that a
 *   `distinct` window counts different parameters, not repeated loads of the same configuration);
 * - `vigil.s3.foreignKmsKeyAccount` — the account of a KMS key ARN an S3 write asks to encrypt with,
 *   when that account is not the bucket owner's (the event's) account;
 * - `vigil.s3.deleteWeight` — how much an S3 delete call destroys, for `sum` windows;
 * - `vigil.ec2.listsAll` — whether an EC2 Describe/Get request lists everything it can (names no
 *   resource id and no filter), as inventory sweeps do, rather than reading resources it already knows.
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

/**
 * What an SSM read names, as one text: `GetParameter` its name; `GetParameters` its names, sorted,
 * de-duplicated and joined by commas, which names cannot contain (one name gives the same text as
 * `GetParameter` of it); `GetParametersByPath` the path, with `/**` when recursive (the page token is left out, so every page of one walk is one target).
 * Undefined for other events and malformed requests.
 */
export function ssmReadTarget(eventName: string | undefined, request: unknown): string | undefined {
  if (!isObject(request)) return undefined;
  switch (eventName) {
    case 'GetParameter':
      return typeof request['name'] === 'string' ? request['name'] : undefined;
    case 'GetParameters': {
      const raw = request['names'];
      const names = (Array.isArray(raw) ? raw : [raw]).filter((n): n is string => typeof n === 'string');
      return names.length ? [...new Set(names)].sort().join(',') : undefined;
    }
    case 'GetParametersByPath': {
      const path = request['path'];
      if (typeof path !== 'string') return undefined;
      const recursive = request['recursive'] === true || request['recursive'] === 'true';
      return recursive ? `${path.replace(/\/+$/, '')}/**` : path;
    }
    default:
      return undefined;
  }
}

/**
 * Weight of an S3 delete call: a version deleted for good (`versionId` given) 4, any other
 * `DeleteObject` 2 (a delete marker in a versioned bucket, permanent in an unversioned one), a
 * `DeleteObjects` batch 20 (up to 1000 keys, not logged) and a `DeleteBucket` 20. Undefined for other events.
 */
export function s3DeleteWeight(eventName: string | undefined, request: unknown): number | undefined {
  switch (eventName) {
    case 'DeleteObject': {
      const version = isObject(request) ? request['versionId'] : undefined;
      return typeof version === 'string' && version !== '' ? 4 : 2;
    }
    case 'DeleteObjects':
    case 'DeleteBucket':
      return 20;
    default:
      return undefined;
  }
}

/** An EC2 resource id (`i-0abc…`, `sg-…`, `vpc-…`, `eipalloc-…`, `ami-…`). */
const EC2_ID = /^[a-z]+(?:-[a-z]+)?-[0-9a-f]{8,17}$/;

/** Lists that do not narrow a sweep: an owner (`self`) or restorable-by list still lists everything of it. */
const BROAD_LISTS = new Set(['ownersSet', 'restorableBySet', 'executableBySet']);

/** True when some value under `value` names something: a non-empty `items` list or an EC2 resource id. */
function namesSomething(value: unknown, depth: number): boolean {
  if (depth > 6) return true;
  if (typeof value === 'string') return EC2_ID.test(value);
  if (Array.isArray(value)) return value.some((v) => namesSomething(v, depth + 1));
  if (!isObject(value)) return false;
  for (const [key, v] of Object.entries(value)) {
    if (BROAD_LISTS.has(key)) continue;
    if (key === 'items' && Array.isArray(v) && v.length > 0) return true;
    if (namesSomething(v, depth + 1)) return true;
  }
  return false;
}

/**
 * Whether an EC2 `Describe*` / `Get*` request lists everything it can: it names no resource id and
 * no filter (CloudTrail logs empty `…Set` objects for absent lists). Inventory sweeps and recon
 * tools list everything; infrastructure-as-code refreshes and applications read resources by id or
 * filter. Undefined for other events.
 */
export function ec2ListsAll(eventName: string | undefined, request: unknown): boolean | undefined {
  if (eventName === undefined || !/^(Describe|Get)/.test(eventName)) return undefined;
  if (request === null || request === undefined) return true;
  return !namesSomething(request, 0);
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
  'ssm.readTarget': (e) =>
    e.eventSource === 'ssm.amazonaws.com'
      ? ssmReadTarget(e.eventName, e.raw['requestParameters'])
      : undefined,
  'ec2.listsAll': (e) =>
    e.eventSource === 'ec2.amazonaws.com' ? ec2ListsAll(e.eventName, e.raw['requestParameters']) : undefined,
  's3.deleteWeight': (e) =>
    e.eventSource === 's3.amazonaws.com'
      ? s3DeleteWeight(e.eventName, e.raw['requestParameters'])
      : undefined,
  's3.foreignKmsKeyAccount': (e) =>
    e.eventSource === 's3.amazonaws.com'
      ? foreignKmsKeyAccount(e.raw['requestParameters'], e.accountId)
      : undefined,
};
