import { ageInDays, day, isRootRow, isTrue, reportDate } from '../iam-credentials.js';
import type { AccountSnapshot, Check, CheckResult, CredentialReportRow, PostureSnapshot } from '../types.js';
import {
  AUTH_DETAILS,
  CREDENTIAL_REPORT,
  accountResource,
  collectedAt,
  iamModel,
  listSome,
  result,
  unknown,
} from './iam-support.js';

/** Account-wide IAM checks: the root user, the password policy, the support role, IAM Access Analyzer. */

const SUMMARY = { what: 'the IAM account summary', ops: ['GetAccountSummary'] };
const IAM_URL = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/';

function rootRow(account: AccountSnapshot): CredentialReportRow | undefined {
  return account.iam?.credentialReport?.find(isRootRow);
}

/** The root user's MFA state: account summary first, then the credential report. */
function rootMfa(account: AccountSnapshot): { enabled: boolean; from: string } | undefined {
  const summary = account.iam?.accountSummary;
  if (typeof summary?.['AccountMFAEnabled'] === 'number')
    return { enabled: summary['AccountMFAEnabled'] === 1, from: 'account summary' };
  const row = rootRow(account);
  if (row) return { enabled: isTrue(row.mfa_active), from: 'credential report' };
  return undefined;
}

function perAccount(
  snapshot: PostureSnapshot,
  fn: (account: AccountSnapshot) => CheckResult | CheckResult[],
): CheckResult[] {
  return snapshot.accounts.flatMap(fn);
}

const rootAccessKeys: Check = {
  id: 'iam-root-access-keys',
  title: 'The root user has no access keys',
  severity: 'CRITICAL',
  service: 'iam',
  rationale:
    'Root access keys give unrestricted, unconditional API access to the whole account and cannot be limited by IAM policies. Leaked root keys mean a lost account.',
  remediation: {
    text: 'Sign in as the root user and delete its access keys; use IAM roles for programmatic access. Root credentials cannot be managed with CloudFormation or the CDK.',
    console:
      'Sign in as root → account menu → Security credentials → Access keys → Actions → Delete for every key.',
    cli: '# Run with root credentials only, once, to delete them:\naws iam list-access-keys\naws iam delete-access-key --access-key-id AKIA...',
  },
  references: { cis: ['1.4'], fsbp: ['IAM.4'], urls: [`${IAM_URL}id_root-user_manage_delete-key.html`] },
  findingType: 'Policy:IAMUser/RootAccessKeyPresent',
  run: (snapshot) =>
    perAccount(snapshot, (account) => {
      const id = account.accountId;
      const present = account.iam?.accountSummary?.['AccountAccessKeysPresent'];
      const res = accountResource(id);
      if (typeof present === 'number')
        return present > 0
          ? result(
              rootAccessKeys.id,
              id,
              'FAIL',
              res,
              `The root user of account ${id} has access keys (AccountAccessKeysPresent = ${present}).`,
            )
          : result(rootAccessKeys.id, id, 'PASS', res, `The root user of account ${id} has no access keys.`);
      const row = rootRow(account);
      if (!row)
        return unknown(rootAccessKeys.id, snapshot, account, 'the account summary or credential report', [
          ...SUMMARY.ops,
          ...CREDENTIAL_REPORT.ops,
        ]);
      const active = [1, 2].filter((n) =>
        isTrue(row[n === 1 ? 'access_key_1_active' : 'access_key_2_active']),
      );
      return active.length
        ? result(
            rootAccessKeys.id,
            id,
            'FAIL',
            res,
            `The root user of account ${id} has active access key${active.length > 1 ? 's' : ''} ${active.join(' and ')} (credential report).`,
          )
        : result(
            rootAccessKeys.id,
            id,
            'PASS',
            res,
            `The root user of account ${id} has no active access keys (credential report).`,
          );
    }),
};

const rootMfaCheck: Check = {
  id: 'iam-root-mfa',
  title: 'The root user has MFA enabled',
  severity: 'CRITICAL',
  service: 'iam',
  rationale:
    'The root user can do anything, including closing the account and changing its contact details. MFA keeps a stolen password from being enough to take the account.',
  remediation: {
    text: 'Register an MFA device (preferably a FIDO security key) for the root user. Root MFA cannot be managed with CloudFormation or the CDK.',
    console:
      'Sign in as root → account menu → Security credentials → Multi-factor authentication (MFA) → Assign MFA device.',
    cli: '# Root MFA is assigned from the console while signed in as root.\naws iam get-account-summary --query "SummaryMap.AccountMFAEnabled"',
  },
  references: { cis: ['1.5'], fsbp: ['IAM.9'], urls: [`${IAM_URL}enable-virt-mfa-for-root.html`] },
  findingType: 'Policy:IAMUser/RootMFADisabled',
  run: (snapshot) =>
    perAccount(snapshot, (account) => {
      const id = account.accountId;
      const mfa = rootMfa(account);
      if (!mfa)
        return unknown(rootMfaCheck.id, snapshot, account, 'the account summary or credential report', [
          ...SUMMARY.ops,
          ...CREDENTIAL_REPORT.ops,
        ]);
      return mfa.enabled
        ? result(
            rootMfaCheck.id,
            id,
            'PASS',
            accountResource(id),
            `The root user of account ${id} has MFA enabled (${mfa.from}).`,
          )
        : result(
            rootMfaCheck.id,
            id,
            'FAIL',
            accountResource(id),
            `The root user of account ${id} has no MFA device (${mfa.from}).`,
          );
    }),
};

const rootHardwareMfa: Check = {
  id: 'iam-root-hardware-mfa',
  title: 'The root user uses a hardware MFA device',
  severity: 'MEDIUM',
  service: 'iam',
  rationale:
    'A virtual MFA lives on a phone or computer that can be lost, cloned or compromised together with the password. A hardware device (a FIDO security key or a hardware TOTP token) is a separate object.',
  remediation: {
    text: "Replace the root user's virtual MFA device with a FIDO security key or a hardware TOTP token. Cannot be managed with CloudFormation or the CDK.",
    console:
      'Sign in as root → Security credentials → MFA → remove the virtual device, then Assign MFA device → Passkey or security key / Hardware TOTP token.',
    cli: 'aws iam list-virtual-mfa-devices --assignment-status Assigned --query "VirtualMFADevices[?ends_with(User.Arn, \':root\')]"',
  },
  references: { cis: ['1.6'], fsbp: ['IAM.6'], urls: [`${IAM_URL}id_credentials_mfa_enable_physical.html`] },
  findingType: 'Policy:IAMUser/RootVirtualMFA',
  run: (snapshot) =>
    perAccount(snapshot, (account) => {
      const id = account.accountId;
      const res = accountResource(id);
      const mfa = rootMfa(account);
      if (!mfa)
        return unknown(rootHardwareMfa.id, snapshot, account, 'the account summary or credential report', [
          ...SUMMARY.ops,
          ...CREDENTIAL_REPORT.ops,
        ]);
      if (!mfa.enabled)
        return result(
          rootHardwareMfa.id,
          id,
          'FAIL',
          res,
          `The root user of account ${id} has no MFA device at all, hardware or virtual.`,
        );
      const devices = account.iam?.virtualMfaDevices;
      if (!devices)
        return unknown(rootHardwareMfa.id, snapshot, account, 'the list of virtual MFA devices', [
          'ListVirtualMFADevices',
        ]);
      const virtual = devices.find(
        (d) => /:root$/.test(d.User?.Arn ?? '') || /\/root-account-mfa-device$/.test(d.SerialNumber ?? ''),
      );
      return virtual
        ? result(
            rootHardwareMfa.id,
            id,
            'FAIL',
            res,
            `The root user of account ${id} uses the virtual MFA device ${virtual.SerialNumber}, not a hardware device.`,
          )
        : result(
            rootHardwareMfa.id,
            id,
            'PASS',
            res,
            `The root user of account ${id} has MFA and no virtual MFA device, so it uses a hardware device or security key.`,
          );
    }),
};

const ROOT_USE_DAYS = 30;

const rootRecentUse: Check = {
  id: 'iam-root-recent-use',
  title: `The root user was not used in the last ${ROOT_USE_DAYS} days`,
  severity: 'MEDIUM',
  service: 'iam',
  rationale:
    'The root user should only do the few tasks that need it (see "Tasks that require root user credentials"). Regular use multiplies the chances its credentials leak and leaves no per-person attribution.',
  remediation: {
    text: 'Do daily administration with IAM Identity Center or IAM roles; keep the root user for the tasks that require it, and investigate any root use you did not expect.',
    console:
      'IAM → Credential report → Download; check the <root_account> row (password_last_used, access_key_*_last_used_date).',
    cli: 'aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d | grep "<root_account>"',
  },
  references: { cis: ['1.7'], urls: [`${IAM_URL}root-user-tasks.html`] },
  findingType: 'Policy:IAMUser/RootCredentialUsage',
  run: (snapshot) => {
    const now = collectedAt(snapshot);
    return perAccount(snapshot, (account) => {
      const id = account.accountId;
      const row = rootRow(account);
      if (!row)
        return unknown(rootRecentUse.id, snapshot, account, CREDENTIAL_REPORT.what, CREDENTIAL_REPORT.ops);
      const uses = (
        [
          ['password', row.password_last_used],
          ['access key 1', row.access_key_1_last_used_date],
          ['access key 2', row.access_key_2_last_used_date],
        ] as const
      ).flatMap(([name, value]) => {
        const date = reportDate(value);
        return date ? [{ name, date, age: ageInDays(date, now) }] : [];
      });
      const recent = uses.filter((u) => u.age < ROOT_USE_DAYS);
      if (recent.length)
        return result(
          rootRecentUse.id,
          id,
          'FAIL',
          accountResource(id),
          `The root user of account ${id} was used in the last ${ROOT_USE_DAYS} days: ${recent.map((u) => `${u.name} on ${day(u.date)}`).join(', ')}.`,
        );
      const last = uses.sort((a, b) => b.date.getTime() - a.date.getTime())[0];
      return result(
        rootRecentUse.id,
        id,
        'PASS',
        accountResource(id),
        last
          ? `The root user of account ${id} was last used ${last.age} days ago (${last.name} on ${day(last.date)}).`
          : `The root user of account ${id} has no recorded use.`,
      );
    });
  },
};

function passwordPolicyCheck(
  id: string,
  title: string,
  severity: Check['severity'],
  field: 'MinimumPasswordLength' | 'PasswordReusePrevention',
  minimum: number,
  describe: (value: number | undefined) => string,
  noPolicy: string,
  references: Check['references'],
  option: string,
  cdkProp: string,
): Check {
  const check: Check = {
    id,
    title,
    severity,
    service: 'iam',
    rationale:
      field === 'MinimumPasswordLength'
        ? 'Long passwords resist guessing and offline cracking; CIS asks for at least 14 characters for IAM users with console access.'
        : 'Preventing reuse of the last 24 passwords stops users from cycling back to a password that may already be exposed.',
    remediation: {
      text: `Set the account password policy's ${field} to ${minimum} or more. The CDK has no construct for it; use a custom resource calling iam:UpdateAccountPasswordPolicy.`,
      console: `IAM → Account settings → Password policy → Edit → ${option}.`,
      cli: `aws iam update-account-password-policy --${cdkProp} ${minimum}  # other settings you pass stay; unspecified ones reset to defaults`,
      cdk: `new cr.AwsCustomResource(this, 'PasswordPolicy', {\n  onUpdate: {\n    service: 'IAM',\n    action: 'updateAccountPasswordPolicy',\n    parameters: { MinimumPasswordLength: 14, PasswordReusePrevention: 24, RequireSymbols: true, RequireNumbers: true },\n    physicalResourceId: cr.PhysicalResourceId.of('account-password-policy'),\n  },\n  policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),\n});`,
    },
    references,
    findingType: 'Policy:IAMUser/WeakPasswordPolicy',
    run: (snapshot) =>
      perAccount(snapshot, (account) => {
        const acct = account.accountId;
        const policy = account.iam?.passwordPolicy;
        if (policy === undefined)
          return unknown(id, snapshot, account, 'the account password policy', ['GetAccountPasswordPolicy']);
        if (policy === null)
          return result(
            id,
            acct,
            'FAIL',
            accountResource(acct),
            `Account ${acct} has no password policy: ${noPolicy}`,
          );
        const value = policy[field];
        const ok = typeof value === 'number' && value >= minimum;
        return result(
          id,
          acct,
          ok ? 'PASS' : 'FAIL',
          accountResource(acct),
          `The password policy of account ${acct} ${describe(value)}${ok ? '' : `; at least ${minimum} is required`}.`,
        );
      }),
  };
  return check;
}

const passwordLength = passwordPolicyCheck(
  'iam-password-length',
  'The password policy requires at least 14 characters',
  'MEDIUM',
  'MinimumPasswordLength',
  14,
  (v) => `requires a minimum password length of ${v ?? 'unset (AWS default 8)'}`,
  "AWS's default applies, which requires only 8 characters.",
  { cis: ['1.8'], fsbp: ['IAM.7'], urls: [`${IAM_URL}id_credentials_passwords_account-policy.html`] },
  'Minimum password length 14',
  'minimum-password-length',
);

const passwordReuse = passwordPolicyCheck(
  'iam-password-reuse',
  'The password policy prevents reuse of the last 24 passwords',
  'LOW',
  'PasswordReusePrevention',
  24,
  (v) => (v ? `prevents reuse of the last ${v} passwords` : 'does not prevent password reuse'),
  'passwords may be reused.',
  { cis: ['1.9'], fsbp: ['IAM.7'], urls: [`${IAM_URL}id_credentials_passwords_account-policy.html`] },
  'Prevent password reuse, remember 24',
  'password-reuse-prevention',
);

const SUPPORT_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AWSSupportAccess$/;

const supportRole: Check = {
  id: 'iam-support-role',
  title: 'A role with AWSSupportAccess exists for incident handling',
  severity: 'LOW',
  service: 'iam',
  rationale:
    'During an incident, people need to open and follow AWS Support cases without being given broad permissions; a dedicated role with AWSSupportAccess provides exactly that.',
  remediation: {
    text: 'Create a role that your incident responders can assume and attach the AWS managed policy AWSSupportAccess to it.',
    console:
      'IAM → Roles → Create role → AWS account (this account) → attach AWSSupportAccess → name it, e.g. aws-support.',
    cli: 'aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json\naws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess',
    cdk: "new iam.Role(this, 'SupportRole', {\n  assumedBy: new iam.AccountRootPrincipal(),\n  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSSupportAccess')],\n});",
  },
  references: {
    cis: ['1.17'],
    urls: ['https://docs.aws.amazon.com/awssupport/latest/user/accessing-support.html'],
  },
  findingType: 'Policy:IAMUser/SupportRoleMissing',
  run: (snapshot) =>
    perAccount(snapshot, (account) => {
      const id = account.accountId;
      const model = iamModel(account);
      if (!model) return unknown(supportRole.id, snapshot, account, AUTH_DETAILS.what, AUTH_DETAILS.ops);
      const roles = model.roles.filter((r) =>
        r.policies.some((p) => p.policyArn && SUPPORT_POLICY.test(p.policyArn)),
      );
      return roles.length
        ? result(
            supportRole.id,
            id,
            'PASS',
            accountResource(id),
            `Account ${id} has a support role with AWSSupportAccess: ${listSome(roles.map((r) => r.name))}.`,
          )
        : result(
            supportRole.id,
            id,
            'FAIL',
            accountResource(id),
            `No role in account ${id} has the AWSSupportAccess policy, so there is no dedicated role for AWS Support cases.`,
          );
    }),
};

const accessAnalyzer: Check = {
  id: 'iam-access-analyzer',
  title: 'IAM Access Analyzer is enabled in every collected region',
  severity: 'LOW',
  service: 'iam',
  rationale:
    'IAM Access Analyzer finds resources shared outside the account or organization (buckets, keys, roles, queues…) from their resource policies. An analyzer works per region.',
  remediation: {
    text: 'Create an account (or organization) analyzer in every region you use.',
    console: 'IAM → Access analyzer → Create analyzer (repeat in each region).',
    cli: 'for r in $(aws ec2 describe-regions --query "Regions[].RegionName" --output text); do aws accessanalyzer create-analyzer --analyzer-name account-analyzer --type ACCOUNT --region "$r"; done',
    cloudformation:
      'Resources:\n  Analyzer:\n    Type: AWS::AccessAnalyzer::Analyzer\n    Properties:\n      AnalyzerName: account-analyzer\n      Type: ACCOUNT',
  },
  references: { cis: ['1.20'], urls: [`${IAM_URL}what-is-access-analyzer.html`] },
  findingType: 'Policy:IAMUser/AccessAnalyzerDisabled',
  run: (snapshot) =>
    perAccount(snapshot, (account) => {
      const id = account.accountId;
      const analyzers = account.iam?.accessAnalyzers;
      if (!analyzers)
        return unknown(accessAnalyzer.id, snapshot, account, 'the list of IAM Access Analyzer analyzers', [
          'ListAnalyzers',
        ]);
      const regions = account.regions.map((r) => r.region);
      if (regions.length === 0)
        return result(
          accessAnalyzer.id,
          id,
          'UNKNOWN',
          accountResource(id),
          `No region of account ${id} was collected, so IAM Access Analyzer cannot be checked.`,
        );
      return regions.map((region) => {
        const here = analyzers.filter((a) => a.region === region);
        const active = here.find((a) => String(a.status).toUpperCase() === 'ACTIVE');
        if (active)
          return result(
            accessAnalyzer.id,
            id,
            'PASS',
            accountResource(id),
            `IAM Access Analyzer ${active.name} (${active.type}) is active in ${region} of account ${id}.`,
            region,
          );
        const other = here.length ? ` (${here.map((a) => `${a.name} is ${a.status}`).join(', ')})` : '';
        return result(
          accessAnalyzer.id,
          id,
          'FAIL',
          accountResource(id),
          `No active IAM Access Analyzer in ${region} of account ${id}${other}.`,
          region,
        );
      });
    }),
};

export const iamAccountChecks: Check[] = [
  rootAccessKeys,
  rootMfaCheck,
  rootHardwareMfa,
  rootRecentUse,
  passwordLength,
  passwordReuse,
  supportRole,
  accessAnalyzer,
];
