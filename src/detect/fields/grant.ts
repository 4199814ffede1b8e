import type { DerivedField } from './index.js';
import { principalAccount } from './policy.js';

/**
 * Facts about permission-style requests: grants that name principals as request parameters rather than
 * in a policy document (SQS `AddPermission` `aWSAccountIds`, SNS `AddPermission` `aWSAccountId`, Lambda
 * `AddPermission` / `AddLayerVersionPermission` and EventBridge `PutPermission` `principal`).
 *
 * - `vigil.grant.externalAccounts` — the account ids such a request grants access to, other than the
 *   event's own account (array; absent when none).
 */

type Json = Record<string, unknown>;

/** Request parameters that name the grantee account(s) of a permission-style request. */
const GRANTEE_PARAMETERS = ['aWSAccountIds', 'aWSAccountId', 'principal'] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Account ids other than `ownAccount` that the request's grantee parameters name (bare ids or IAM/STS ARNs). */
export function grantedExternalAccounts(
  requestParameters: unknown,
  ownAccount: string | undefined,
): string[] {
  if (!isObject(requestParameters)) return [];
  const out: string[] = [];
  for (const name of GRANTEE_PARAMETERS) {
    const value = requestParameters[name];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string') continue;
      const account = principalAccount(v.trim());
      if (account && account !== ownAccount && !out.includes(account)) out.push(account);
    }
  }
  return out;
}

/** The `vigil.grant.*` derived fields, keyed without the `vigil.` prefix. */
export const grantFields: Record<string, DerivedField> = {
  'grant.externalAccounts': (event) => {
    const accounts = grantedExternalAccounts(event.raw['requestParameters'], event.accountId);
    return accounts.length ? accounts : undefined;
  },
};
