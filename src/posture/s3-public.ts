import { isIP } from 'node:net';
import type { BucketSnapshot, PolicyDocument, PolicyStatement, PublicAccessBlock } from './types.js';

/**
 * Is this bucket public, and why — decided the way Amazon S3 decides it ("The meaning of public" in the
 * Block Public Access chapter of the S3 User Guide), from the bucket policy, the bucket ACL and the account
 * and bucket Block Public Access (BPA) settings together.
 *
 * Rules, as AWS documents them:
 *
 * - **ACL**: public when it grants any permission to the predefined `AllUsers` or `AuthenticatedUsers` group.
 * - **Policy**: S3 starts by assuming a policy is public; it is non-public only when every statement that
 *   grants access is limited to *fixed* values — no wildcard (`*`, `?`) and no policy variable (`${…}`) — of:
 *   a principal (an account, user, role or service principal; or the principal condition keys
 *   `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`), `aws:SourceIp` (a set of CIDRs),
 *   `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`, `aws:userid`,
 *   `s3:DataAccessPointArn` (a wildcard access point name is allowed when the account id is fixed),
 *   `s3:DataAccessPointAccount`. `aws:userid` with the role-session pattern `AROLEID:*` contains a wildcard and
 *   so does not count. An `aws:SourceIp` range broader than /8 (IPv4, RFC 1918 private ranges excepted) or
 *   /32 (IPv6) is public: `0.0.0.0/0`, `0.0.0.0/1` and `::/0` restrict nothing. Older documentation also
 *   listed `s3:x-amz-server-side-encryption-aws-kms-key-id`; the current list does not, so it is not honoured.
 * - **RestrictPublicBuckets** (account or bucket): a bucket whose policy is public can then be reached only by
 *   AWS service principals and users of the owner account — anonymous and *all* cross-account access derived
 *   from the policy is blocked. So a public policy under RestrictPublicBuckets is not public.
 * - **IgnorePublicAcls** (account or bucket): public ACL grants are ignored, so a public ACL is not public.
 * - **BlockPublicPolicy / BlockPublicAcls** only refuse *new* public policies and ACLs: an existing public
 *   policy or ACL stays in force, so they do not change today's answer.
 * - The effective setting is the most restrictive combination of the account and bucket settings.
 *
 * Precision on conditions (each is a place where a careless reading calls a private bucket public, or the
 * reverse):
 *
 * - Condition operators in one statement are ANDed, so one restricting key suffices.
 * - Only positive operators restrict: `StringEquals`, `StringEqualsIgnoreCase`, `StringLike`, `ArnEquals`,
 *   `ArnLike`, and `IpAddress` for `aws:SourceIp`. Negated operators (`StringNotEquals`, `NotIpAddress`…) let
 *   everyone outside a set in.
 * - `…IfExists` operators do not restrict: an anonymous request simply lacks `aws:SourceVpce` or
 *   `aws:PrincipalOrgID`, and then the condition holds.
 * - `ForAllValues:` does not restrict either: it is true when the key is absent. `ForAnyValue:` with fixed
 *   values does (it needs a value from the set); AWS asks for these set operators on multivalued keys.
 * - `Deny` statements grant nothing, but a Deny that applies to everyone (`Principal: "*"`, or a `NotPrincipal`
 *   naming fixed principals) and refuses every request outside fixed values of a restricting key — the data
 *   perimeter pattern `StringNotEquals aws:SourceVpce` — takes away what a public Allow gives, for the actions
 *   and resources it covers. IAM Access Analyzer reasons this way too; the message says so when it applies.
 * - `Allow` with `NotPrincipal` grants everyone not named: public unless a condition restricts it.
 */

export type Mitigation = 'account BPA' | 'bucket BPA';

export interface BucketPublicAccess {
  /** Reachable by anyone (anonymous or any AWS account) today, after Block Public Access. */
  public: boolean;
  /** Objects or listings readable by the public (only when `public`). */
  read: boolean;
  /** Objects, ACLs or the policy writable/deletable by the public (only when `public`). */
  write: boolean;
  /** One sentence per statement, grant or setting that decided the answer, naming it (Sid or index, grantee). */
  reasons: string[];
  /** Set when a policy or ACL grants public access but Block Public Access neutralises it. */
  mitigatedBy?: Mitigation;
  /** Inputs that were not collected and could change the answer; empty when the answer is certain. */
  missing: string[];
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** Condition keys whose fixed values make a grant non-public (lower case: keys are case-insensitive). */
const RESTRICTING_KEYS = new Set([
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  'aws:userid',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
]);

const POSITIVE_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
  'ipaddress',
]);
const NEGATED_OPERATORS = new Set([
  'stringnotequals',
  'stringnotequalsignorecase',
  'stringnotlike',
  'arnnotequals',
  'arnnotlike',
  'notipaddress',
]);

/** Concrete actions used to tell whether an action pattern reads or writes data. */
const READ_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAcl',
  's3:GetObjectTagging',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
  's3:ListMultipartUploadParts',
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
];
const WRITE_ACTIONS = [
  's3:PutObject',
  's3:PutObjectAcl',
  's3:PutObjectTagging',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:AbortMultipartUpload',
  's3:RestoreObject',
  's3:ReplicateObject',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketPublicAccessBlock',
  's3:PutLifecycleConfiguration',
  's3:PutEncryptionConfiguration',
  's3:DeleteBucket',
  's3:BypassGovernanceRetention',
];

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function policyStatements(doc: PolicyDocument | null | undefined): PolicyStatement[] {
  return doc ? asArray(doc.Statement) : [];
}

/** `statement "Sid"` or `Statement[2]` — how messages name a statement. */
export function statementLabel(statement: PolicyStatement, index: number): string {
  return statement.Sid ? `statement "${statement.Sid}"` : `Statement[${index}]`;
}

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** IAM-style wildcard match (`*`, `?`), case-insensitive as action names are. */
export function globMatch(pattern: string, value: string): boolean {
  return globRegExp(pattern).test(value);
}

function hasWildcard(value: string): boolean {
  return /[*?]/.test(value);
}

/** True when every value matched by `inner` is matched by `outer` (exact for literals, prefix for `x*`). */
export function globCovers(outer: string, inner: string): boolean {
  if (!hasWildcard(inner)) return globMatch(outer, inner);
  if (outer === '*') return true;
  const prefix = outer.endsWith('*') ? outer.slice(0, -1) : undefined;
  if (prefix !== undefined && !hasWildcard(prefix))
    return inner.toLowerCase().startsWith(prefix.toLowerCase());
  return outer.toLowerCase() === inner.toLowerCase();
}

function parseIpv4(text: string): number | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const PRIVATE_V4: [number, number][] = [
  [parseIpv4('10.0.0.0')!, 8],
  [parseIpv4('172.16.0.0')!, 12],
  [parseIpv4('192.168.0.0')!, 16],
];

/**
 * Whether an `aws:SourceIp` value is narrow enough to count as fixed: an address or a CIDR no broader than
 * /8 (IPv4) or /32 (IPv6); a broader IPv4 range inside an RFC 1918 private range also counts.
 */
export function isRestrictingCidr(value: string): boolean {
  const [address = '', prefixText] = value.trim().split('/');
  const family = isIP(address);
  if (family === 0) return false;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return false;
  if (family === 6) return prefix >= 32;
  if (prefix >= 8) return true;
  const ip = parseIpv4(address)!;
  return PRIVATE_V4.some(
    ([net, bits]) => prefix >= bits && Math.floor(ip / 2 ** (32 - bits)) === net / 2 ** (32 - bits),
  );
}

function conditionValues(raw: unknown): string[] {
  return asArray(raw as unknown).map((v) => String(v));
}

/** Whether one value of a restricting key is a fixed value, and if not, why. */
function fixedValueProblem(key: string, value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.includes('${')) return `"${value}" contains a policy variable`;
  if (key === 'aws:sourceip') return isRestrictingCidr(value) ? undefined : `"${value}" is too broad a range`;
  if (key === 's3:dataaccesspointarn') {
    // A wildcard in the access point name is allowed for bucket policies when the account id is fixed.
    const m = /^arn:[^:]+:s3:[^:]*:([^:]*):accesspoint\/.*$/i.exec(value);
    if (m && /^\d{12}$/.test(m[1]!)) return undefined;
  }
  return hasWildcard(value) ? `"${value}" contains a wildcard` : undefined;
}

interface ParsedOperator {
  base: string;
  set?: 'any' | 'all';
  ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  let op = operator.toLowerCase();
  let set: ParsedOperator['set'];
  if (op.startsWith('forallvalues:')) [set, op] = ['all', op.slice('forallvalues:'.length)];
  else if (op.startsWith('foranyvalue:')) [set, op] = ['any', op.slice('foranyvalue:'.length)];
  const ifExists = op.endsWith('ifexists');
  if (ifExists) op = op.slice(0, -'ifexists'.length);
  return { base: op, ifExists, ...(set ? { set } : {}) };
}

function operatorFitsKey(base: string, key: string): boolean {
  const ip = base === 'ipaddress' || base === 'notipaddress';
  return key === 'aws:sourceip' ? ip : !ip;
}

interface ConditionVerdict {
  /** A restricting key with fixed values, e.g. `aws:SourceVpce = vpce-1a2b`. */
  restriction?: string;
  /** Keys that look restricting but are not, and why. */
  notes: string[];
}

/**
 * Looks for one condition of an Allow statement that limits it to fixed values of a restricting key.
 * Conditions are ANDed, so one is enough.
 */
function allowRestriction(condition: PolicyStatement['Condition']): ConditionVerdict {
  const notes: string[] = [];
  for (const [operator, block] of Object.entries(condition ?? {})) {
    const op = parseOperator(operator);
    for (const [rawKey, raw] of Object.entries(block ?? {})) {
      const key = rawKey.toLowerCase();
      if (!RESTRICTING_KEYS.has(key)) continue;
      if (!POSITIVE_OPERATORS.has(op.base) || !operatorFitsKey(op.base, key)) {
        notes.push(`${rawKey} under ${operator} does not restrict (it admits everyone outside a set)`);
        continue;
      }
      if (op.ifExists) {
        notes.push(`${rawKey} under ${operator} does not restrict (a request without the key passes)`);
        continue;
      }
      if (op.set === 'all') {
        notes.push(
          `${rawKey} under ${operator} does not restrict (ForAllValues holds when the key is absent)`,
        );
        continue;
      }
      const values = conditionValues(raw);
      const problem =
        values.length === 0 ? 'has no value' : values.map((v) => fixedValueProblem(key, v)).find(Boolean);
      if (problem) {
        notes.push(`${rawKey} under ${operator} does not restrict: ${problem}`);
        continue;
      }
      return { restriction: `${rawKey} ${operator} ${values.join(', ')}`, notes };
    }
  }
  return { notes };
}

/**
 * A Deny condition that is true for every request outside fixed values of a restricting key (negated
 * operators are true when the key is absent, so anonymous callers are refused too).
 */
function denyRestriction(condition: PolicyStatement['Condition']): string | undefined {
  const entries = Object.entries(condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block ?? {}).map(([key, raw]) => ({ operator, key, raw })),
  );
  if (entries.length === 0) return undefined;
  const parts: string[] = [];
  for (const { operator, key: rawKey, raw } of entries) {
    const op = parseOperator(operator);
    const key = rawKey.toLowerCase();
    // Every condition of the Deny must hold for any outsider, or the Deny only sometimes applies.
    if (!RESTRICTING_KEYS.has(key) || !NEGATED_OPERATORS.has(op.base) || op.set === 'any') return undefined;
    if (!operatorFitsKey(op.base, key)) return undefined;
    const values = conditionValues(raw);
    if (values.length === 0 || values.some((v) => fixedValueProblem(key, v))) return undefined;
    parts.push(`${rawKey} is not ${values.join(', ')}`);
  }
  return parts.join(' and ');
}

function principalValues(principal: PolicyStatement['Principal']): string[] {
  if (principal === undefined) return [];
  if (principal === '*') return ['*'];
  return Object.values(principal).flatMap((v) => asArray(v));
}

/** Why a statement's principal is open to everyone, or undefined when it names fixed principals. */
function openPrincipal(statement: PolicyStatement): string | undefined {
  if (statement.NotPrincipal !== undefined)
    return statement.Effect === 'Allow' ? 'its NotPrincipal grants everyone not named' : undefined;
  if (statement.Principal === '*') return 'Principal "*" is everyone';
  const open = principalValues(statement.Principal).find((v) => hasWildcard(v));
  return open === undefined ? undefined : `principal "${open}" is everyone`;
}

/** Whether a Deny applies to every caller that the public could be. */
function denyAppliesToEveryone(statement: PolicyStatement): string | undefined {
  if (statement.NotPrincipal !== undefined) {
    const named = principalValues(statement.NotPrincipal);
    return named.length > 0 && !named.some(hasWildcard) ? `everyone but ${named.join(', ')}` : undefined;
  }
  return openPrincipal({ ...statement, Effect: 'Allow' }) ? 'everyone' : undefined;
}

function actionGrants(statement: PolicyStatement, concrete: string): boolean {
  if (statement.NotAction !== undefined)
    return !asArray(statement.NotAction).some((p) => globMatch(p, concrete));
  return asArray(statement.Action).some((p) => globMatch(p, concrete));
}

/** What an Allow statement lets its grantees do: [read, write]. */
export function statementAccess(statement: PolicyStatement): { read: boolean; write: boolean } {
  const read = READ_ACTIONS.some((a) => actionGrants(statement, a));
  let write = WRITE_ACTIONS.some((a) => actionGrants(statement, a));
  // An s3 action outside both samples (a new or unsupported one) is treated as a write, as S3 does.
  if (!read && !write && statement.NotAction === undefined)
    write = asArray(statement.Action).some((a) => /^s3:/i.test(a) && !/^s3:(get|list)/i.test(a));
  return { read, write };
}

function denyCovers(deny: PolicyStatement, allow: PolicyStatement): boolean {
  const allowActions = allow.NotAction !== undefined ? ['*'] : asArray(allow.Action);
  const actionsCovered = allowActions.every((a) =>
    deny.NotAction !== undefined
      ? !hasWildcard(a) && !asArray(deny.NotAction).some((p) => globMatch(p, a))
      : asArray(deny.Action).some((p) => globCovers(p, a)),
  );
  if (!actionsCovered || deny.NotResource !== undefined) return false;
  const allowResources = allow.NotResource !== undefined ? ['*'] : asArray(allow.Resource ?? '*');
  return allowResources.every((r) => asArray(deny.Resource).some((p) => globCovers(p, r)));
}

export interface PolicyVerdict {
  public: boolean;
  read: boolean;
  write: boolean;
  /** One sentence per statement that decided the answer. */
  reasons: string[];
}

/** Applies "the meaning of public" to a bucket policy alone (no Block Public Access). */
export function assessBucketPolicy(doc: PolicyDocument | null): PolicyVerdict {
  const statements = policyStatements(doc);
  const verdict: PolicyVerdict = { public: false, read: false, write: false, reasons: [] };
  const denies = statements
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.Effect === 'Deny')
    .map(({ s, i }) => ({ s, i, who: denyAppliesToEveryone(s) }))
    .filter((d) => d.who !== undefined)
    .map((d) => {
      const unless = denyRestriction(d.s.Condition);
      const noCondition = Object.keys(d.s.Condition ?? {}).length === 0;
      // Principal "*" with no condition refuses everyone; NotPrincipal refuses everyone else.
      const limit =
        unless !== undefined
          ? `refuses ${d.who} whenever ${unless}`
          : noCondition
            ? `refuses ${d.who}`
            : undefined;
      return { ...d, limit };
    })
    .filter((d) => d.limit !== undefined);

  statements.forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const label = statementLabel(statement, index);
    const open = openPrincipal(statement);
    if (!open) return;
    const { restriction, notes } = allowRestriction(statement.Condition);
    if (restriction) {
      verdict.reasons.push(
        `Bucket policy ${label} is not public: ${open}, but it is limited to ${restriction}.`,
      );
      return;
    }
    const deny = denies.find((d) => denyCovers(d.s, statement));
    if (deny) {
      verdict.reasons.push(
        `Bucket policy ${label} is not public: ${open}, but Deny ${statementLabel(deny.s, deny.i)} ${deny.limit} for the same actions and resources.`,
      );
      return;
    }
    const access = statementAccess(statement);
    verdict.public = true;
    verdict.read ||= access.read;
    verdict.write ||= access.write;
    const what = [access.read && 'read', access.write && 'write'].filter(Boolean).join(' and ') || 'access';
    const extra = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    verdict.reasons.push(
      `Bucket policy ${label} grants public ${what}: ${open} and no condition restricts it${extra}.`,
    );
  });
  return verdict;
}

/** Applies "the meaning of public" to a bucket ACL alone. */
export function assessBucketAcl(acl: NonNullable<BucketSnapshot['Acl']>): PolicyVerdict {
  const verdict: PolicyVerdict = { public: false, read: false, write: false, reasons: [] };
  acl.Grants.forEach((grant, index) => {
    const uri = grant.Grantee.URI;
    if (uri !== ALL_USERS && uri !== AUTHENTICATED_USERS) return;
    const who = uri === ALL_USERS ? 'AllUsers (anyone)' : 'AuthenticatedUsers (any AWS account)';
    const read = ['READ', 'READ_ACP', 'FULL_CONTROL'].includes(grant.Permission);
    const write = ['WRITE', 'WRITE_ACP', 'FULL_CONTROL'].includes(grant.Permission);
    verdict.public = true;
    verdict.read ||= read;
    verdict.write ||= write;
    verdict.reasons.push(`Bucket ACL grant ${index} gives ${grant.Permission} to ${who}.`);
  });
  return verdict;
}

type Flag = keyof PublicAccessBlock;

/** Where a Block Public Access flag is on: the account, the bucket, neither, or unknown (not collected). */
function flagSource(
  flag: Flag,
  account: PublicAccessBlock | null | undefined,
  bucket: PublicAccessBlock | null | undefined,
): Mitigation | 'off' | 'unknown' {
  if (account?.[flag] === true) return 'account BPA';
  if (bucket?.[flag] === true) return 'bucket BPA';
  return account === undefined || bucket === undefined ? 'unknown' : 'off';
}

/**
 * The whole decision for one bucket. `accountBpa` is the owner account's Block Public Access configuration
 * (null: none; undefined: not collected).
 */
export function assessBucketPublicAccess(
  bucket: BucketSnapshot,
  accountBpa: PublicAccessBlock | null | undefined,
): BucketPublicAccess {
  const result: BucketPublicAccess = { public: false, read: false, write: false, reasons: [], missing: [] };
  const mitigations: Mitigation[] = [];
  const uncollected: string[] = [];
  const unknownBpa: string[] = [];
  let certain = false;
  const parts: { name: string; flag: Flag; verdict?: PolicyVerdict; input: string }[] = [
    {
      name: 'policy',
      flag: 'RestrictPublicBuckets',
      input: 'bucket policy (s3:GetBucketPolicy)',
      ...(bucket.Policy !== undefined ? { verdict: assessBucketPolicy(bucket.Policy) } : {}),
    },
    {
      name: 'ACL',
      flag: 'IgnorePublicAcls',
      input: 'bucket ACL (s3:GetBucketAcl)',
      ...(bucket.Acl !== undefined ? { verdict: assessBucketAcl(bucket.Acl) } : {}),
    },
  ];
  for (const part of parts) {
    const source = flagSource(part.flag, accountBpa, bucket.PublicAccessBlock);
    const blocked = source === 'account BPA' || source === 'bucket BPA';
    if (!part.verdict) {
      if (blocked)
        result.reasons.push(
          `The bucket ${part.name} was not collected, but ${part.flag} is on (${source}), which neutralises any public grant in it.`,
        );
      else uncollected.push(part.input);
      continue;
    }
    result.reasons.push(...part.verdict.reasons);
    if (!part.verdict.public) continue;
    if (blocked) {
      mitigations.push(source);
      result.reasons.push(
        part.flag === 'RestrictPublicBuckets'
          ? `RestrictPublicBuckets is on (${source}): only AWS service principals and users of the owner account can use the public policy, so it is not public.`
          : `IgnorePublicAcls is on (${source}): S3 ignores the public ACL grants.`,
      );
      continue;
    }
    if (source === 'unknown') {
      unknownBpa.push(
        bucket.PublicAccessBlock === undefined
          ? 'bucket Block Public Access (s3:GetBucketPublicAccessBlock)'
          : 'account Block Public Access (s3:GetAccountPublicAccessBlock)',
      );
    } else certain = true;
    result.public = true;
    result.read ||= part.verdict.read;
    result.write ||= part.verdict.write;
  }
  // A grant that nothing blocks makes the answer certain; otherwise what was not read could change it.
  if (!certain) result.missing = [...new Set(result.public ? unknownBpa : uncollected)];
  if (mitigations.length > 0 && !result.public)
    result.mitigatedBy = mitigations.every((m) => m === 'account BPA') ? 'account BPA' : 'bucket BPA';
  if (result.reasons.length === 0)
    result.reasons.push('Neither the bucket policy nor the ACL grants public access.');
  return result;
}
