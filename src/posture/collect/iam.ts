import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccountAliasesCommand,
  ListVirtualMFADevicesCommand,
  type GetAccountAuthorizationDetailsResponse,
  type GetCredentialReportResponse,
  type ListVirtualMFADevicesResponse,
  type PolicyDetail,
} from '@aws-sdk/client-iam';
import type { AccountSnapshot, IamAuthorizationDetails, InlinePolicy, PolicyDocument } from '../types.js';
import type { AccountContext } from './context.js';
import { parseCredentialReport } from './credential-report.js';
import { parsePolicy, PolicyParseError, plain } from './plain.js';

type IamSnapshot = NonNullable<AccountSnapshot['iam']>;

/** Polls of GenerateCredentialReport while AWS builds the report (a few seconds in practice). */
const REPORT_POLLS = 15;
const REPORT_POLL_MS = 2_000;

/**
 * IAM, read once per account: authorization details (every user, group, role and managed policy with
 * documents decoded), the credential report, password policy, account summary, virtual MFA devices and
 * the account alias. IAM Access Analyzer is not collected (no SDK client for it ships with Vigil): the
 * collection error says so, and checks that need it answer UNKNOWN.
 */
export async function collectIam(ctx: AccountContext): Promise<{ iam: IamSnapshot; alias?: string }> {
  const iam = await ctx.clients.get(IAMClient, { accountId: ctx.accountId, region: ctx.globalRegion });
  const scope = { accountId: ctx.accountId, service: 'iam' };
  const [details, report, policy, summary, mfa, aliases] = await Promise.all([
    authorizationDetails(ctx, iam),
    credentialReport(ctx, iam),
    ctx.caller.call<{ PasswordPolicy?: object }>(
      iam,
      new GetAccountPasswordPolicyCommand({}),
      'iam:GetAccountPasswordPolicy',
      scope,
      ['NoSuchEntity', 'NoSuchEntityException'],
    ),
    ctx.caller.call<{ SummaryMap?: Record<string, number> }>(
      iam,
      new GetAccountSummaryCommand({}),
      'iam:GetAccountSummary',
      scope,
    ),
    ctx.caller.pages<ListVirtualMFADevicesResponse>(
      iam,
      (Marker) => new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned', Marker }),
      (p) => (p.IsTruncated ? p.Marker : undefined),
      'iam:ListVirtualMFADevices',
      scope,
    ),
    ctx.caller.call<{ AccountAliases?: string[] }>(
      iam,
      new ListAccountAliasesCommand({}),
      'iam:ListAccountAliases',
      scope,
    ),
  ]);
  ctx.caller.record({
    ...scope,
    service: 'access-analyzer',
    api: 'access-analyzer:ListAnalyzers',
    code: 'NotCollected',
    message:
      'Vigil does not collect IAM Access Analyzer analyzers (no Access Analyzer SDK client is bundled)',
  });

  const out: IamSnapshot = {};
  if (details) out.authorizationDetails = details;
  if (report) out.credentialReport = report;
  if (policy !== undefined) out.passwordPolicy = policy === null ? null : plain(policy.PasswordPolicy ?? {});
  if (summary?.SummaryMap) out.accountSummary = { ...summary.SummaryMap };
  if (mfa)
    out.virtualMfaDevices = mfa.flatMap((p) =>
      (p.VirtualMFADevices ?? []).map((d) => ({
        SerialNumber: d.SerialNumber ?? '',
        ...(d.User?.Arn ? { User: { Arn: d.User.Arn } } : {}),
      })),
    );
  const alias = aliases?.AccountAliases?.[0];
  return { iam: out, ...(alias ? { alias } : {}) };
}

async function authorizationDetails(
  ctx: AccountContext,
  iam: IAMClient,
): Promise<IamAuthorizationDetails | undefined> {
  const scope = { accountId: ctx.accountId, service: 'iam' };
  const pages = await ctx.caller.pages<GetAccountAuthorizationDetailsResponse>(
    iam,
    (Marker) => new GetAccountAuthorizationDetailsCommand({ Marker, MaxItems: 1000 }),
    (p) => (p.IsTruncated ? p.Marker : undefined),
    'iam:GetAccountAuthorizationDetails',
    scope,
  );
  if (!pages) return undefined;
  /** Decodes one document; a malformed one is recorded against its owner and left out. */
  const doc = (text: string | undefined, owner: string): PolicyDocument | undefined => {
    if (text === undefined) return undefined;
    try {
      return parsePolicy(text, true);
    } catch (err) {
      if (!(err instanceof PolicyParseError)) throw err;
      ctx.caller.record({
        ...scope,
        api: 'iam:GetAccountAuthorizationDetails',
        resource: owner,
        code: 'MalformedPolicyDocument',
        message: `a policy document of ${owner} could not be read: ${err.message}`,
      });
      return undefined;
    }
  };
  const inline = (list: PolicyDetail[] | undefined, owner: string): InlinePolicy[] =>
    (list ?? []).flatMap((p) => {
      const d = doc(p.PolicyDocument, owner);
      return d ? [{ PolicyName: p.PolicyName ?? '', PolicyDocument: d }] : [];
    });

  const out: IamAuthorizationDetails = {
    UserDetailList: [],
    RoleDetailList: [],
    GroupDetailList: [],
    Policies: [],
  };
  for (const page of pages) {
    for (const u of page.UserDetailList ?? []) {
      const { UserPolicyList, ...rest } = u;
      out.UserDetailList.push({
        ...plain<IamAuthorizationDetails['UserDetailList'][number]>(rest),
        UserPolicyList: inline(UserPolicyList, u.Arn ?? u.UserName ?? 'a user'),
      });
    }
    for (const r of page.RoleDetailList ?? []) {
      const { RolePolicyList, AssumeRolePolicyDocument, InstanceProfileList, ...rest } = r;
      const owner = r.Arn ?? r.RoleName ?? 'a role';
      const trust = doc(AssumeRolePolicyDocument, owner);
      out.RoleDetailList.push({
        ...plain<IamAuthorizationDetails['RoleDetailList'][number]>(rest),
        ...(trust ? { AssumeRolePolicyDocument: trust } : {}),
        RolePolicyList: inline(RolePolicyList, owner),
        // The profiles' nested role copies repeat this role (with its encoded trust policy): names suffice.
        ...(InstanceProfileList?.length
          ? {
              InstanceProfileList: InstanceProfileList.map((p) => ({
                InstanceProfileName: p.InstanceProfileName,
                Arn: p.Arn,
              })),
            }
          : {}),
      });
    }
    for (const g of page.GroupDetailList ?? []) {
      const { GroupPolicyList, ...rest } = g;
      out.GroupDetailList.push({
        ...plain<IamAuthorizationDetails['GroupDetailList'][number]>(rest),
        GroupPolicyList: inline(GroupPolicyList, g.Arn ?? g.GroupName ?? 'a group'),
      });
    }
    for (const p of page.Policies ?? []) {
      // AWS managed policies come by the thousand: keep those attached to something here.
      if (p.Arn?.startsWith('arn:aws:iam::aws:') && !p.AttachmentCount && !p.PermissionsBoundaryUsageCount)
        continue;
      const { PolicyVersionList, ...rest } = p;
      const current = PolicyVersionList?.find((v) => v.IsDefaultVersion);
      const d = doc(current?.Document, p.Arn ?? p.PolicyName ?? 'a policy');
      out.Policies.push({
        ...plain<IamAuthorizationDetails['Policies'][number]>(rest),
        ...(d ? { Document: d } : {}),
      });
    }
  }
  return out;
}

/**
 * Asks IAM for a fresh credential report and reads it. GenerateCredentialReport answers STARTED or
 * INPROGRESS until the report is ready (it reuses a report younger than four hours), so it is polled a
 * bounded number of times; a report never ready is recorded as not collected.
 */
async function credentialReport(ctx: AccountContext, iam: IAMClient) {
  const scope = { accountId: ctx.accountId, service: 'iam' };
  let ready = false;
  for (let poll = 0; poll < REPORT_POLLS && !ready; poll++) {
    if (poll > 0) await ctx.caller.sleep(REPORT_POLL_MS);
    const state = await ctx.caller.call<{ State?: string }>(
      iam,
      new GenerateCredentialReportCommand({}),
      'iam:GenerateCredentialReport',
      scope,
    );
    if (!state) return undefined;
    ready = state.State === 'COMPLETE';
  }
  if (!ready) {
    ctx.caller.record({
      ...scope,
      api: 'iam:GenerateCredentialReport',
      code: 'ReportInProgress',
      message: `the credential report was still being generated after ${REPORT_POLLS} polls`,
    });
    return undefined;
  }
  const got = await ctx.caller.call<GetCredentialReportResponse>(
    iam,
    new GetCredentialReportCommand({}),
    'iam:GetCredentialReport',
    scope,
  );
  if (!got?.Content) return undefined;
  try {
    return parseCredentialReport(Buffer.from(got.Content).toString('utf8'));
  } catch (err) {
    ctx.caller.record({
      ...scope,
      api: 'iam:GetCredentialReport',
      code: 'MalformedCredentialReport',
      message: (err as Error).message,
    });
    return undefined;
  }
}
