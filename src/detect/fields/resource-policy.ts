import type { DerivedField } from './index.js';
import { parsePolicy, principalAccount, requestPolicy, statements } from './policy.js';

/**
 * Facts about resource policies and grants in a request that the `vigil.policy.*` fields do not state:
 * - `vigil.policy.outsideAccess` — who outside the event's account an Allow statement of the request's
 *   policy lets in: account ids, or `*` for anyone. Unlike `vigil.policy.publicPrincipal` it reads the
 *   account conditions KMS key policies use (`kms:CallerAccount`, `aws:PrincipalAccount`), so the usual
 *   "any principal of this account, via this service" statement is not counted as public;
 * - `vigil.backup.restoreDenied` — a Backup vault access policy denies `backup:StartRestoreJob`;
 * - `vigil.organizations.policyAllowsAll` — an Organizations policy's new content allows every action
 *   and denies nothing (an SCP or RCP turned into allow-all);
 * - `vigil.kms.granteeOutsideAccount` — the account of a KMS grant's grantee, when not the event's.
 *
 * Every input is attacker-controlled text: parsed with `JSON.parse` only, never evaluated; malformed
 * text yields `undefined`.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function effectIs(statement: Json, effect: 'allow' | 'deny'): boolean {
  return typeof statement['Effect'] === 'string' && statement['Effect'].toLowerCase() === effect;
}

/**
 * Whether an IAM action pattern (`service:Name`, `*` any run of characters, `?` one character,
 * case-insensitive) matches an action. A plain two-pointer glob match: no regular expression is built
 * from the pattern.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  let pi = 0;
  let ai = 0;
  let star = -1;
  let mark = 0;
  while (ai < a.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === a[ai])) {
      pi++;
      ai++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ai;
    } else if (star !== -1) {
      pi = star + 1;
      ai = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Whether a statement's Action (or, for NotAction, the complement of its list) covers an action. */
function coversAction(statement: Json, action: string): boolean {
  if (statement['Action'] !== undefined)
    return strings(statement['Action']).some((p) => actionMatches(p, action));
  if (statement['NotAction'] !== undefined)
    return !strings(statement['NotAction']).some((p) => actionMatches(p, action));
  return false;
}

/** True when a Deny statement of the document covers `action` (whatever its principal or condition). */
export function deniesAction(doc: Json, action: string): boolean {
  return statements(doc).some((s) => effectIs(s, 'deny') && coversAction(s, action));
}

/**
 * True when the document allows every action on every resource and has no Deny statement: what an
 * SCP or RCP becomes when an attacker replaces its guardrails with allow-all.
 */
export function allowsAll(doc: Json): boolean {
  const list = statements(doc);
  if (list.length === 0 || list.some((s) => effectIs(s, 'deny'))) return false;
  return list.some(
    (s) =>
      effectIs(s, 'allow') &&
      strings(s['Action']).some((a) => a === '*' || a === '*:*') &&
      (s['Resource'] === undefined || strings(s['Resource']).includes('*')),
  );
}

/** Condition keys that name the calling account (values are account ids). */
const ACCOUNT_KEYS = new Set(['kms:calleraccount', 'aws:principalaccount']);
/** Condition keys naming caller ARNs (accounts read from each ARN). */
const ARN_KEYS = new Set(['aws:principalarn']);
/** Condition keys that keep a `*` principal inside an organization or a network: not outside access. */
const CONFINING_KEYS = new Set(
  [
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:SourceVpce',
    'aws:SourceVpc',
    'aws:SourceIp',
    'aws:SourceArn',
    'aws:SourceAccount',
  ].map((k) => k.toLowerCase()),
);

/**
 * What the positive conditions of a statement say about who may call: the accounts they name
 * (`kms:CallerAccount`, `aws:PrincipalAccount`, accounts of `aws:PrincipalArn`; `*` for an ARN pattern
 * with no concrete account), whether some other key confines the caller, or nothing.
 */
function callerConditions(statement: Json): { accounts: string[] | undefined; confined: boolean } {
  const condition = statement['Condition'];
  let accounts: string[] | undefined;
  let confined = false;
  if (!isObject(condition)) return { accounts, confined };
  for (const [operator, block] of Object.entries(condition)) {
    const op = operator.toLowerCase();
    // Negated operators let everyone else in; IfExists passes when the key is absent; Null tests presence only.
    if (op.includes('not') || op.endsWith('ifexists') || op === 'null' || !isObject(block)) continue;
    for (const [rawKey, value] of Object.entries(block)) {
      const key = rawKey.toLowerCase();
      const values = strings(value).filter((v) => v !== '' && v !== '*');
      if (values.length === 0) continue;
      if (ACCOUNT_KEYS.has(key)) {
        accounts = intersect(
          accounts,
          values.map((v) => (/^\d{12}$/.test(v) ? v : '*')),
        );
      } else if (ARN_KEYS.has(key)) {
        accounts = intersect(
          accounts,
          values.map((v) => principalAccount(v) ?? '*'),
        );
      } else if (CONFINING_KEYS.has(key)) confined = true;
    }
  }
  return { accounts, confined };
}

/** Accounts both lists allow (every key of a condition must hold); `*` stands for any account. */
function intersect(previous: string[] | undefined, named: string[]): string[] {
  if (previous === undefined) return [...new Set(named)];
  const out = new Set<string>();
  for (const a of previous)
    for (const n of named) {
      if (a === '*') out.add(n);
      else if (n === '*' || n === a) out.add(a);
    }
  return [...out];
}

function principalEntries(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!isObject(principal)) return [];
  return strings(principal['AWS']);
}

/**
 * Accounts outside `ownAccount` (or `*` for anyone) that Allow statements of a resource policy let in.
 * A `*` principal counts as `*` unless a condition names the calling accounts (then those outside
 * `ownAccount` count) or confines callers to an organization, network or source resource (then nothing
 * counts). Allow with NotPrincipal counts as `*`.
 */
export function outsideAccess(doc: Json, ownAccount: string | undefined): string[] {
  const out = new Set<string>();
  for (const s of statements(doc)) {
    if (!effectIs(s, 'allow')) continue;
    const entries = s['NotPrincipal'] !== undefined ? ['*'] : principalEntries(s['Principal']);
    for (const entry of entries) {
      if (entry !== '*') {
        const account = principalAccount(entry);
        if (account !== undefined && account !== ownAccount) out.add(account);
        continue;
      }
      const { accounts, confined } = callerConditions(s);
      if (accounts) {
        for (const a of accounts) if (a !== ownAccount) out.add(a);
      } else if (!confined) out.add('*');
    }
  }
  return [...out];
}

/** Account of a KMS grantee principal (an IAM ARN or a bare account id); undefined for service principals. */
export function granteeAccount(grantee: unknown): string | undefined {
  return typeof grantee === 'string' ? principalAccount(grantee.trim()) : undefined;
}

function params(raw: Json): Json | undefined {
  const p = raw['requestParameters'];
  return isObject(p) ? p : undefined;
}

export const resourcePolicyFields: Record<string, DerivedField> = {
  'policy.outsideAccess': (e) => {
    const doc = requestPolicy(e.raw);
    if (!doc) return undefined;
    const list = outsideAccess(doc, e.accountId);
    return list.length ? list : undefined;
  },
  'backup.restoreDenied': (e) => {
    if (e.eventSource !== 'backup.amazonaws.com' || e.eventName !== 'PutBackupVaultAccessPolicy')
      return undefined;
    const p = params(e.raw);
    const doc = p ? parsePolicy(p['policy'] ?? p['Policy']) : undefined;
    return doc ? deniesAction(doc, 'backup:StartRestoreJob') : undefined;
  },
  'organizations.policyAllowsAll': (e) => {
    if (e.eventSource !== 'organizations.amazonaws.com') return undefined;
    const p = params(e.raw);
    const doc = p ? parsePolicy(p['content']) : undefined;
    return doc ? allowsAll(doc) : undefined;
  },
  'kms.granteeOutsideAccount': (e) => {
    if (e.eventSource !== 'kms.amazonaws.com' || e.eventName !== 'CreateGrant') return undefined;
    const account = granteeAccount(params(e.raw)?.['granteePrincipal']);
    return account !== undefined && account !== e.accountId ? account : undefined;
  },
};
