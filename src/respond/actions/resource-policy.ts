/**
 * Bucket-policy analysis for `s3.remove-public-policy-statements`: which Allow statements open the bucket
 * to everyone, and which grant principals of accounts outside an allowed set. Pure functions over the
 * parsed policy, so the judgement is tested without AWS. The policy text comes from the bucket (an
 * attacker may have written it): it is parsed, never evaluated, and re-serialized with JSON.stringify.
 */

export type PolicyStatement = Record<string, unknown>;
export type PolicyDocument = Record<string, unknown> & { Statement: PolicyStatement[] | PolicyStatement };

/** Parses a policy: a JSON object whose Statement is an array of objects (or one object, which AWS allows). */
export function parsePolicy(text: string): { policy: PolicyDocument } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { error: 'the policy is not JSON' };
  }
  if (!isObject(doc)) return { error: 'the policy is not a JSON object' };
  const st = doc.Statement;
  const list = Array.isArray(st) ? st : [st];
  if (st === undefined || list.length === 0 || !list.every(isObject))
    return { error: 'the policy has no Statement array of objects' };
  return { policy: doc as PolicyDocument };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Principal "*", {AWS: "*"} or an AWS list containing "*": everyone, signed or not. */
export function isPublicPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  return isObject(principal) && list(principal.AWS).includes('*');
}

/** Condition keys that, pinned to concrete values, keep an Allow-everyone statement from being public. */
export const RESTRICTING_KEYS = [
  'aws:SourceVpce',
  'aws:SourceVpc',
  'aws:SourceIp',
  'aws:PrincipalOrgID',
  'aws:PrincipalAccount',
  'aws:SourceAccount',
  'aws:SourceArn',
];

/**
 * Whether a Condition block restricts the statement by one of `keys` (case-insensitive, as IAM compares
 * keys). Conditions that hold when the key is absent (…IfExists, ForAllValues:, Null) or that exclude
 * rather than select (…Not…) do not restrict, nor do wildcard values or a /0 address range.
 */
export function restrictsBy(condition: unknown, keys: readonly string[]): boolean {
  if (!isObject(condition)) return false;
  const wanted = new Set(keys.map((k) => k.toLowerCase()));
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    const op = operator.toLowerCase();
    if (op.endsWith('ifexists') || op.includes('not') || op === 'null' || op.startsWith('forallvalues:'))
      continue;
    for (const [key, value] of Object.entries(block)) {
      if (!wanted.has(key.toLowerCase())) continue;
      const values = list(value);
      const concrete = values.every((v) => typeof v === 'string' && v !== '' && v !== '*' && !/\/0$/.test(v));
      if (values.length > 0 && concrete) return true;
    }
  }
  return false;
}

/** The account of an AWS principal entry (an account id or an IAM/STS ARN); undefined when it has none. */
export function principalAccount(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return undefined;
  if (/^\d{12}$/.test(entry)) return entry;
  return /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(entry)?.[1];
}

export interface RemovedStatement {
  /** Position in the original Statement list. */
  index: number;
  sid?: string;
  reason: 'public' | 'cross-account';
  /** The foreign principals taken out (cross-account only). */
  principals?: string[];
  /** Whether the whole statement went (a cross-account statement with other principals is kept without the foreign ones). */
  whole: boolean;
}

export interface PolicyAnalysis {
  /** The policy without the removed statements or principals; undefined when no statement remains. */
  policy?: PolicyDocument;
  removed: RemovedStatement[];
}

/**
 * Removes public statements and, when `allowedAccounts` is given, principals of other accounts from Allow
 * statements (a statement left with no principal goes whole). Deny statements are never touched.
 */
export function analyzeBucketPolicy(
  policy: PolicyDocument,
  allowedAccounts?: ReadonlySet<string>,
): PolicyAnalysis {
  const statements = list(policy.Statement) as PolicyStatement[];
  const kept: PolicyStatement[] = [];
  const removed: RemovedStatement[] = [];
  statements.forEach((s, index) => {
    const sid = typeof s.Sid === 'string' ? { sid: s.Sid } : {};
    if (s.Effect !== 'Allow') return void kept.push(s);
    const everyone = isPublicPrincipal(s.Principal) || s.NotPrincipal !== undefined;
    if (everyone && !restrictsBy(s.Condition, RESTRICTING_KEYS)) {
      removed.push({ index, ...sid, reason: 'public', whole: true });
      return;
    }
    if (!allowedAccounts || !isObject(s.Principal)) return void kept.push(s);
    const aws = list(s.Principal.AWS);
    const foreign = aws.filter((e) => {
      const account = principalAccount(e);
      return account !== undefined && !allowedAccounts.has(account);
    }) as string[];
    if (foreign.length === 0) return void kept.push(s);
    const rest = aws.filter((e) => !foreign.includes(e as string));
    const others = Object.keys(s.Principal).filter((k) => k !== 'AWS');
    const whole = rest.length === 0 && others.length === 0;
    removed.push({ index, ...sid, reason: 'cross-account', principals: foreign, whole });
    if (whole) return;
    const principal: Record<string, unknown> = { ...s.Principal };
    if (rest.length) principal.AWS = rest.length === 1 ? rest[0] : rest;
    else delete principal.AWS;
    kept.push({ ...s, Principal: principal });
  });
  return kept.length ? { policy: { ...policy, Statement: kept }, removed } : { removed };
}
