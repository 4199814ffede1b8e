import { buildIamModel } from '../iam-analysis.js';
import type { IamModel, PolicySource, Principal } from '../iam-analysis.js';
import type {
  AccountSnapshot,
  CheckResult,
  IamAuthorizationDetails,
  PolicyDocument,
  PostureSnapshot,
} from '../types.js';

/** Shared helpers of the IAM checks: results, UNKNOWN with the failed call, the analysed model, policies. */

export type Status = CheckResult['status'];

export function accountResource(accountId: string): CheckResult['resource'] {
  return { type: 'AwsAccount', id: accountId };
}

const RESOURCE_TYPES = { user: 'AwsIamUser', role: 'AwsIamRole', group: 'AwsIamGroup' } as const;

export function principalResource(principal: Principal): CheckResult['resource'] {
  return { type: RESOURCE_TYPES[principal.kind], id: principal.arn };
}

export function result(
  checkId: string,
  accountId: string,
  status: Status,
  resource: CheckResult['resource'],
  message: string,
  region?: string,
): CheckResult {
  return { checkId, status, accountId, ...(region ? { region } : {}), resource, message };
}

/** The snapshot's time: every "N days ago" is measured from it. */
export function collectedAt(snapshot: PostureSnapshot): Date {
  const ms = Date.parse(snapshot.collectedAt);
  return Number.isNaN(ms) ? new Date(0) : new Date(ms);
}

/**
 * UNKNOWN for one account: `what` was not collected. Names the failed call from `snapshot.errors` when one
 * of `operations` (API names like `GetCredentialReport`) failed for this account.
 */
export function unknown(
  checkId: string,
  snapshot: PostureSnapshot,
  account: AccountSnapshot,
  what: string,
  operations: string[],
): CheckResult {
  const wanted = new Set(operations.map((o) => o.toLowerCase()));
  const error = snapshot.errors.find(
    (e) => e.accountId === account.accountId && wanted.has((e.api.split(':').pop() ?? e.api).toLowerCase()),
  );
  const why = error
    ? `${error.api} failed: ${error.code}${error.message ? ` (${error.message.slice(0, 200)})` : ''}`
    : 'no collection error was recorded';
  return result(
    checkId,
    account.accountId,
    'UNKNOWN',
    accountResource(account.accountId),
    `Account ${account.accountId}: ${what} was not collected, so this cannot be checked (${why}).`,
  );
}

const models = new WeakMap<IamAuthorizationDetails, IamModel>();

/** The analysed principals of an account, built once per snapshot object. */
export function iamModel(account: AccountSnapshot): IamModel | undefined {
  const details = account.iam?.authorizationDetails;
  if (!details) return undefined;
  let model = models.get(details);
  if (!model) {
    model = buildIamModel(details, account.accountId);
    models.set(details, model);
  }
  return model;
}

export const AUTH_DETAILS = { what: 'IAM authorization details', ops: ['GetAccountAuthorizationDetails'] };
export const CREDENTIAL_REPORT = {
  what: 'the IAM credential report',
  ops: ['GetCredentialReport', 'GenerateCredentialReport'],
};

/** A policy document the account's administrators wrote: customer managed, or inline on a principal. */
export interface OwnedPolicy {
  resource: CheckResult['resource'];
  /** "Customer managed policy Deploy (attached to 2 principals)", "Inline policy ci of IAM user bob". */
  label: string;
  document?: PolicyDocument;
}

export function ownedPolicies(model: IamModel): OwnedPolicy[] {
  const out: OwnedPolicy[] = [];
  for (const p of model.policies) {
    if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(p.Arn)) continue;
    const count = p.AttachmentCount;
    const attached =
      count === undefined
        ? ''
        : count > 0
          ? ` (attached to ${count} principal${count === 1 ? '' : 's'})`
          : ' (not attached to any principal)';
    out.push({
      resource: { type: 'AwsIamPolicy', id: p.Arn },
      label: `Customer managed policy ${p.PolicyName}${attached}`,
      ...(p.Document ? { document: p.Document } : {}),
    });
  }
  for (const principal of [...model.users, ...model.groups, ...model.roles]) {
    for (const source of principal.policies.filter((s: PolicySource) => s.kind === 'inline' && !s.viaGroup)) {
      out.push({
        resource: { type: 'AwsIamPolicy', id: `${principal.arn}/inline-policy/${source.policyName}` },
        label: `Inline policy ${source.policyName} of IAM ${principal.kind} ${principal.name}`,
        ...(source.document ? { document: source.document } : {}),
      });
    }
  }
  return out;
}

/** "a, b, c and 4 more" */
export function listSome(items: string[], max = 6): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
