import type { VigilEvent } from '../../core/event.js';
import type { DerivedField } from './index.js';

/**
 * Facts about the IAM / resource policy document carried in a request, and about S3 ACL grants.
 *
 * Policy documents reach CloudTrail as JSON text (IAM `policyDocument`, `assumeRolePolicyDocument`),
 * sometimes URL-encoded, or already parsed (S3 `bucketPolicy`). Every field here is computed from
 * attacker-controlled text: it is parsed with `JSON.parse` only, never evaluated, and malformed text
 * yields `undefined` rather than an exception.
 */

type Json = Record<string, unknown>;

/** Largest policy text we parse. AWS caps policies far below this (IAM 10 KB, S3 20 KB). */
const MAX_POLICY_TEXT = 256 * 1024;

/** Request parameters that hold a policy document, in order of preference. */
const POLICY_PARAMETERS = [
  'policyDocument',
  'assumeRolePolicyDocument',
  'bucketPolicy',
  'policy',
  'resourcePolicy',
  'policyText',
] as const;

/** Managed policies that grant administrator access or a direct path to it. PowerUserAccess excludes IAM and does not count. */
const ADMIN_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|IAMFullAccess)$/;

/** Condition keys that tie a public principal to a network, an organization, an account or a resource. */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceVpce',
    'aws:SourceVpc',
    'aws:SourceIp',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOwner',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:PrincipalArn',
  ].map((k) => k.toLowerCase()),
);

/** Condition keys that bind a cross-account trust to a specific caller (confused-deputy protection or org membership). */
const TRUST_BINDING_KEYS = new Set(
  [
    'sts:ExternalId',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalArn',
    'aws:SourceArn',
    'aws:SourceAccount',
  ].map((k) => k.toLowerCase()),
);

const PUBLIC_ACL_URIS = [
  'acs.amazonaws.com/groups/global/AllUsers',
  'acs.amazonaws.com/groups/global/AuthenticatedUsers',
];
const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const ACL_EVENTS = new Set(['PutBucketAcl', 'PutObjectAcl', 'CreateBucket', 'PutObject', 'CopyObject']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function tryDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses a policy document given as an object, JSON text or URL-encoded JSON text.
 * Returns the document object, or undefined when the value is not a policy-shaped JSON object.
 */
export function parsePolicy(value: unknown): Json | undefined {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '' || text.length > MAX_POLICY_TEXT) return undefined;
  let parsed = tryJson(text);
  if (parsed === undefined && text.includes('%')) {
    const decoded = tryDecode(text) ?? tryDecode(text.replace(/\+/g, ' '));
    if (decoded !== undefined) parsed = tryJson(decoded) ?? tryJson(decoded.replace(/\+/g, ' '));
  }
  return isObject(parsed) ? parsed : undefined;
}

/**
 * A document that is only a wrapper around the policy text (Glacier's `{"Policy": "..."}` vault access
 * policy) gives the wrapped policy; any other document is returned as it is.
 */
function unwrapPolicy(doc: Json): Json | undefined {
  if (doc['Statement'] !== undefined) return doc;
  const inner = doc['Policy'] ?? doc['policy'];
  return typeof inner === 'string' ? parsePolicy(inner) : doc;
}

/** The request's policy document, whichever parameter holds it (including SQS/SNS `Policy` attributes). */
export function requestPolicy(raw: Json): Json | undefined {
  const params = raw['requestParameters'];
  if (!isObject(params)) return undefined;
  for (const name of POLICY_PARAMETERS) {
    if (params[name] !== undefined) {
      const parsed = parsePolicy(params[name]);
      const doc = parsed && unwrapPolicy(parsed);
      if (doc) return doc;
    }
  }
  const attributes = params['attributes'];
  if (isObject(attributes) && attributes['Policy'] !== undefined) return parsePolicy(attributes['Policy']);
  if (params['attributeName'] === 'Policy') return parsePolicy(params['attributeValue']);
  return undefined;
}

/** The document's statements as objects (Statement may be one object or an array). */
export function statements(doc: Json): Json[] {
  return asArray(doc['Statement']).filter(isObject);
}

function isAllow(statement: Json): boolean {
  return typeof statement['Effect'] === 'string' && statement['Effect'].toLowerCase() === 'allow';
}

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

/** True when an Allow statement grants every action (or every IAM action) on every resource. */
export function grantsAdmin(doc: Json): boolean {
  return statements(doc).some((s) => {
    if (!isAllow(s) || !strings(s['Resource']).includes('*')) return false;
    const actions = strings(s['Action']).map((a) => a.toLowerCase());
    if (actions.some((a) => a === '*' || a === '*:*' || a === 'iam:*')) return true;
    // Allow + NotAction on every resource grants everything not listed: admin unless IAM is excluded.
    const notActions = strings(s['NotAction']).map((a) => a.toLowerCase());
    return s['NotAction'] !== undefined && !notActions.some((a) => a === 'iam:*' || a === '*');
  });
}

/** Principal values of one kind (`AWS`, `Service`, `Federated`, `CanonicalUser`), or `*` for a bare wildcard. */
function principalValues(principal: unknown, kind: string): string[] {
  if (principal === '*') return ['*'];
  if (!isObject(principal)) return [];
  return strings(principal[kind]);
}

/** Whether a statement's Condition block holds a restricting key under a positive operator with a concrete value. */
function hasConditionKey(statement: Json, keys: ReadonlySet<string>): boolean {
  const condition = statement['Condition'];
  if (!isObject(condition)) return false;
  for (const [operator, block] of Object.entries(condition)) {
    const op = operator.toLowerCase();
    // Negated operators allow everyone else; IfExists passes when the key is absent; Null tests presence only.
    if (op.includes('not') || op.endsWith('ifexists') || op === 'null') continue;
    if (!isObject(block)) continue;
    for (const [key, value] of Object.entries(block)) {
      const concrete = strings(value).some((v) => v !== '*' && v !== '');
      if (keys.has(key.toLowerCase()) && concrete) return true;
    }
  }
  return false;
}

function isPublicStatement(s: Json): boolean {
  if (!isAllow(s)) return false;
  // Allow with NotPrincipal grants everyone except the listed principals.
  const open = s['NotPrincipal'] !== undefined || principalValues(s['Principal'], 'AWS').includes('*');
  return open && !hasConditionKey(s, RESTRICTING_KEYS);
}

/** True when an Allow statement's principal is everyone and no condition restricts who or from where. */
export function hasPublicPrincipal(doc: Json): boolean {
  return statements(doc).some(isPublicStatement);
}

/** The account id an AWS principal names: a bare 12-digit id or the account field of an ARN. */
export function principalAccount(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return value;
  const match = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(value);
  return match?.[1];
}

function accountsOf(s: Json, ownAccount: string | undefined): string[] {
  const out: string[] = [];
  for (const value of principalValues(s['Principal'], 'AWS')) {
    const account = principalAccount(value);
    if (account && account !== ownAccount && !out.includes(account)) out.push(account);
  }
  return out;
}

/** Accounts other than `ownAccount` named as AWS principals in Allow statements. */
export function externalAccounts(doc: Json, ownAccount: string | undefined, onlyUnbound = false): string[] {
  const out: string[] = [];
  for (const s of statements(doc)) {
    if (!isAllow(s)) continue;
    if (onlyUnbound && hasConditionKey(s, TRUST_BINDING_KEYS)) continue;
    for (const account of accountsOf(s, ownAccount)) if (!out.includes(account)) out.push(account);
  }
  return out;
}

function policyArns(raw: Json): string[] {
  const params = raw['requestParameters'];
  return isObject(params) ? strings(params['policyArn']) : [];
}

function stringsUnder(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsUnder(v, out);
  else if (isObject(value)) for (const v of Object.values(value)) stringsUnder(v, out);
  return out;
}

/** True when an S3 ACL request grants AllUsers or AuthenticatedUsers, by grant list, grant header or canned ACL. */
export function grantsPublicAcl(raw: Json): boolean {
  if (typeof raw['eventName'] !== 'string' || !ACL_EVENTS.has(raw['eventName'])) return false;
  const params = raw['requestParameters'];
  if (!isObject(params)) return false;
  for (const [key, value] of Object.entries(params)) {
    const k = key.toLowerCase();
    if (k === 'x-amz-acl' && strings(value).some((v) => PUBLIC_CANNED_ACLS.has(v.trim().toLowerCase())))
      return true;
    if (k.startsWith('x-amz-grant-') || k === 'accesscontrolpolicy') {
      if (stringsUnder(value).some((v) => PUBLIC_ACL_URIS.some((uri) => v.includes(uri)))) return true;
    }
  }
  return false;
}

/**
 * The IAM user, role or group a policy request targets, as an ARN built from the request's
 * `userName` / `roleName` / `groupName` and the event's account (partition taken from the caller).
 */
export function attachedTo(event: VigilEvent): string | undefined {
  const params = event.raw['requestParameters'];
  if (!isObject(params) || !event.accountId) return undefined;
  const partition = /^arn:(aws[a-z-]*):/.exec(event.principal ?? '')?.[1] ?? 'aws';
  for (const [key, kind] of [
    ['userName', 'user'],
    ['roleName', 'role'],
    ['groupName', 'group'],
  ] as const) {
    const name = params[key];
    if (typeof name === 'string' && name) return `arn:${partition}:iam::${event.accountId}:${kind}/${name}`;
  }
  return undefined;
}

function withDoc<T>(fn: (doc: Json, event: VigilEvent) => T): DerivedField {
  return (event) => {
    const doc = requestPolicy(event.raw);
    return doc ? fn(doc, event) : undefined;
  };
}

function nonEmpty(list: string[]): string[] | undefined {
  return list.length ? list : undefined;
}

/** The `vigil.policy.*` and `vigil.acl.*` derived fields, keyed without the `vigil.` prefix. */
export const policyFields: Record<string, DerivedField> = {
  'policy.document': (event) => requestPolicy(event.raw),
  'policy.adminAccess': (event) => {
    if (policyArns(event.raw).some((arn) => ADMIN_MANAGED_POLICY.test(arn))) return true;
    const doc = requestPolicy(event.raw);
    return doc ? grantsAdmin(doc) : undefined;
  },
  'policy.publicPrincipal': withDoc((doc) => hasPublicPrincipal(doc)),
  'policy.externalAccounts': withDoc((doc, event) => nonEmpty(externalAccounts(doc, event.accountId))),
  'policy.unboundExternalAccounts': withDoc((doc, event) =>
    nonEmpty(externalAccounts(doc, event.accountId, true)),
  ),
  'policy.attachedTo': attachedTo,
  'acl.publicGrant': (event) => grantsPublicAcl(event.raw),
};
