import { actionMatches, list, statementsOf } from './iam-analysis.js';
import type { Principal } from './iam-analysis.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** Role trust policies: who may assume a role, and whether a condition ties that to a known caller. */

/** Condition keys that tie a trust to a known caller: an organization, an account, a resource, an external id. */
const TRUST_RESTRICTING_KEYS = new Set(
  [
    'sts:ExternalId',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOrgID',
  ].map((k) => k.toLowerCase()),
);

function values(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/** A concrete condition value: not only wildcards; for ARN keys, no wildcard in the account field. */
function concrete(key: string, value: string): boolean {
  if (/^[*?]*$/.test(value)) return false;
  if (key === 'aws:principalarn' || key === 'aws:sourcearn') {
    const account = value.split(':')[4] ?? '';
    return !/[*?]/.test(account);
  }
  return true;
}

/**
 * The restricting condition keys of a statement: under a positive operator (negated operators admit everyone
 * else, `...IfExists` passes when the key is missing, `Null` only tests presence), with concrete values.
 */
function restrictingKeys(statement: PolicyStatement, accept: (key: string) => boolean): string[] {
  const out: string[] = [];
  const condition = statement.Condition;
  if (!condition || typeof condition !== 'object') return out;
  for (const [operator, block] of Object.entries(condition)) {
    const op = operator.toLowerCase();
    if (op.includes('not') || op.endsWith('ifexists') || op === 'null') continue;
    if (!block || typeof block !== 'object') continue;
    for (const [key, value] of Object.entries(block)) {
      const k = key.toLowerCase();
      if (accept(k) && values(value).every((v) => concrete(k, v))) out.push(key);
    }
  }
  return out;
}

export interface TrustIssue {
  index: number;
  sid?: string;
  /** Why the statement is open, as a clause. */
  why: string;
}

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];

function principalValues(principal: PolicyStatement['Principal'], kind: string): string[] {
  if (principal === '*') return ['*'];
  if (!principal || typeof principal !== 'object') return [];
  const entry = Object.entries(principal).find(([k]) => k.toLowerCase() === kind.toLowerCase());
  return entry ? list(entry[1]) : [];
}

/** The OIDC provider host of a Federated principal, or undefined for SAML providers and others. */
function oidcHost(value: string): string | undefined {
  if (value.includes(':saml-provider/')) return undefined;
  const arn = /:oidc-provider\/(.+)$/.exec(value);
  if (arn?.[1]) return arn[1];
  return /^[a-z0-9.-]+\.[a-z]{2,}(\/.*)?$/i.test(value) ? value : undefined;
}

/**
 * Trust statements that let anyone assume the role: Principal `*` (or AWS `*`, or NotPrincipal) without a
 * condition naming an organization, account, ARN or external id; and web-identity trusts of an OIDC provider
 * without a condition on the token's subject (for GitHub Actions: any repository on GitHub could assume it).
 */
export function openTrustStatements(trust: PolicyDocument | undefined): TrustIssue[] {
  const issues: TrustIssue[] = [];
  statementsOf(trust).forEach((s, index) => {
    if (typeof s.Effect !== 'string' || s.Effect.toLowerCase() !== 'allow') return;
    const actions = list(s.Action);
    const assumes = ASSUME_ACTIONS.filter((a) => actions.some((p) => actionMatches(p, a)));
    if (assumes.length === 0 && s.NotAction === undefined) return;
    const base = { index, ...(typeof s.Sid === 'string' && s.Sid ? { sid: s.Sid } : {}) };
    const restricted = restrictingKeys(s, (k) => TRUST_RESTRICTING_KEYS.has(k));
    if (s.NotPrincipal !== undefined && restricted.length === 0) {
      issues.push({
        ...base,
        why: 'allows every principal except those in NotPrincipal, with no restricting condition',
      });
      return;
    }
    if (principalValues(s.Principal, 'AWS').includes('*') && restricted.length === 0) {
      issues.push({
        ...base,
        why: 'allows Principal "*" (any AWS account) with no condition on sts:ExternalId, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn or a fixed aws:PrincipalArn',
      });
      return;
    }
    for (const federated of principalValues(s.Principal, 'Federated')) {
      const host = oidcHost(federated);
      if (!host) continue;
      const wanted = host.startsWith('token.actions.githubusercontent.com') ? [':sub'] : [':sub', ':aud'];
      const bound = restrictingKeys(s, (k) => wanted.some((w) => k === `${host.toLowerCase()}${w}`));
      if (bound.length === 0)
        issues.push({
          ...base,
          why: `trusts web identities from ${host} with no condition on ${wanted.map((w) => host + w).join(' or ')}, so any identity of that provider can assume it`,
        });
    }
  });
  return issues;
}

/** Whether a role's trust policy lets an AWS service (`lambda.amazonaws.com`) assume it. */
export function trustsService(role: Principal, service: string): boolean {
  return statementsOf(role.trustPolicy).some((s) => {
    if (typeof s.Effect !== 'string' || s.Effect.toLowerCase() !== 'allow') return false;
    if (!list(s.Action).some((p) => actionMatches(p, 'sts:AssumeRole'))) return false;
    return principalValues(s.Principal, 'Service').some((v) => v.toLowerCase() === service.toLowerCase());
  });
}
