import type { AccountSnapshot, CheckResult, PostureSnapshot, RegionSnapshot } from '../types.js';

/**
 * Small helpers shared by the resource checks (S3, CloudTrail, EC2, services): building results, and
 * explaining UNKNOWN with the collection error that caused it when the snapshot has one.
 */

export type Status = CheckResult['status'];

export function result(
  checkId: string,
  status: Status,
  account: AccountSnapshot,
  resource: CheckResult['resource'],
  message: string,
  region?: string,
): CheckResult {
  return { checkId, status, accountId: account.accountId, ...(region ? { region } : {}), resource, message };
}

export function accountResource(account: AccountSnapshot): CheckResult['resource'] {
  return { type: 'AwsAccount', id: account.accountId };
}

/** `account 111122223333 (prod)`: how messages name an account. */
export function accountName(account: AccountSnapshot): string {
  return `account ${account.accountId}${account.alias ? ` (${account.alias})` : ''}`;
}

/**
 * Why data is missing: ` (s3:GetBucketPolicy failed: AccessDenied — …)` when a collection error matches,
 * or ` (no collection error was recorded)`.
 */
export function whyMissing(
  snapshot: PostureSnapshot,
  where: { accountId: string; service: string; region?: string; resource?: string; api?: string },
): string {
  const match = snapshot.errors.find(
    (e) =>
      e.accountId === where.accountId &&
      e.service === where.service &&
      (where.region === undefined || e.region === undefined || e.region === where.region) &&
      (where.resource === undefined || e.resource === undefined || e.resource === where.resource) &&
      (where.api === undefined || e.api === where.api),
  );
  return match
    ? ` (${match.api} failed: ${match.code} — ${match.message})`
    : ' (no collection error was recorded)';
}

/** One UNKNOWN result for data that was not collected. */
export function notCollected(
  checkId: string,
  snapshot: PostureSnapshot,
  account: AccountSnapshot,
  resource: CheckResult['resource'],
  what: string,
  where: { service: string; region?: string; resource?: string; api?: string },
): CheckResult {
  const why = whyMissing(snapshot, { accountId: account.accountId, ...where });
  return result(
    checkId,
    'UNKNOWN',
    account,
    resource,
    `${capitalise(what)} was not collected${why}.`,
    where.region,
  );
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Runs `perRegion` over every collected region of every account. */
export function eachRegion(
  snapshot: PostureSnapshot,
  perRegion: (account: AccountSnapshot, region: RegionSnapshot) => CheckResult[],
): CheckResult[] {
  return snapshot.accounts.flatMap((account) =>
    account.regions.flatMap((region) => perRegion(account, region)),
  );
}

/** `a, b and c`. */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
