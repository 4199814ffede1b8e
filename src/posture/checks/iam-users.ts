import { activeCredentials, isRootRow, isTrue, staleKeys, unusedCredentials } from '../iam-credentials.js';
import type { AccountSnapshot, Check, CheckResult, CredentialReportRow, PostureSnapshot } from '../types.js';
import {
  AUTH_DETAILS,
  CREDENTIAL_REPORT,
  collectedAt,
  iamModel,
  listSome,
  principalResource,
  result,
  unknown,
} from './iam-support.js';

/** Checks of IAM users' credentials (credential report) and of how users get their permissions. */

const IAM_URL = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/';

function userResource(row: CredentialReportRow): CheckResult['resource'] {
  return { type: 'AwsIamUser', id: row.arn || `user/${row.user}` };
}

/** One result per IAM user of the credential report (the root row excluded); UNKNOWN when it is missing. */
function perReportUser(
  snapshot: PostureSnapshot,
  checkId: string,
  fn: (
    row: CredentialReportRow,
    account: AccountSnapshot,
    now: Date,
  ) => { status: 'PASS' | 'FAIL'; message: string },
): CheckResult[] {
  const now = collectedAt(snapshot);
  return snapshot.accounts.flatMap((account) => {
    const report = account.iam?.credentialReport;
    if (!report) return [unknown(checkId, snapshot, account, CREDENTIAL_REPORT.what, CREDENTIAL_REPORT.ops)];
    return report
      .filter((row) => !isRootRow(row))
      .map((row) => {
        const { status, message } = fn(row, account, now);
        return result(checkId, account.accountId, status, userResource(row), message);
      });
  });
}

const consoleMfa: Check = {
  id: 'iam-user-console-mfa',
  title: 'Every IAM user with a console password has MFA',
  severity: 'HIGH',
  service: 'iam',
  rationale:
    'A console password alone can be phished, guessed or reused from another breach. MFA makes the password insufficient on its own.',
  remediation: {
    text: 'Assign an MFA device to every user with a console password (or remove the password), and deny actions without MFA through a policy until one is set up. Prefer IAM Identity Center for people.',
    console:
      'IAM → Users → user → Security credentials → Multi-factor authentication (MFA) → Assign MFA device.',
    cli: 'aws iam create-virtual-mfa-device --virtual-mfa-device-name USER --outfile qr.png --bootstrap-method QRCodePNG\naws iam enable-mfa-device --user-name USER --serial-number arn:aws:iam::ACCOUNT:mfa/USER --authentication-code1 CODE1 --authentication-code2 CODE2',
    cdk: "// MFA devices are enrolled by the user; enforce them with a policy on the users' group:\ngroup.addToPolicy(new iam.PolicyStatement({\n  effect: iam.Effect.DENY,\n  notActions: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice', 'sts:GetSessionToken', 'iam:GetUser', 'iam:ChangePassword'],\n  resources: ['*'],\n  conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },\n}));",
  },
  references: { cis: ['1.10'], fsbp: ['IAM.5'], urls: [`${IAM_URL}id_credentials_mfa_enable_virtual.html`] },
  findingType: 'Policy:IAMUser/ConsoleUserWithoutMFA',
  run: (snapshot) =>
    perReportUser(snapshot, consoleMfa.id, (row) => {
      if (!isTrue(row.password_enabled))
        return { status: 'PASS', message: `IAM user ${row.user} has no console password.` };
      return isTrue(row.mfa_active)
        ? { status: 'PASS', message: `IAM user ${row.user} has a console password and MFA.` }
        : { status: 'FAIL', message: `IAM user ${row.user} has a console password but no MFA device.` };
    }),
};

function unusedCheck(id: string, days: number, references: Check['references']): Check {
  const check: Check = {
    id,
    title: `Credentials unused for ${days} days or more are disabled`,
    severity: 'MEDIUM',
    service: 'iam',
    rationale: `A password or access key nobody has used for ${days} days is not needed, yet still works if it leaks. Disabling it removes an attack path at no cost.`,
    remediation: {
      text: `Deactivate access keys and remove console passwords that were not used for ${days} days (or never used since they were created that long ago).`,
      console:
        'IAM → Users → user → Security credentials → Console sign-in: Disable; Access keys: Actions → Deactivate.',
      cli: 'aws iam update-access-key --user-name USER --access-key-id AKIA... --status Inactive\naws iam delete-login-profile --user-name USER',
      cdk: "// Credentials are not CDK resources; remove unused keys (iam.AccessKey) from the app, or deactivate them:\nnew iam.AccessKey(this, 'Key', { user, status: iam.AccessKeyStatus.INACTIVE });",
    },
    references,
    findingType: 'Policy:IAMUser/UnusedCredentials',
    run: (snapshot) =>
      perReportUser(snapshot, id, (row, _account, now) => {
        if (activeCredentials(row).length === 0)
          return {
            status: 'PASS',
            message: `IAM user ${row.user} has no enabled password or active access key.`,
          };
        const unused = unusedCredentials(row, now, days);
        return unused.length
          ? {
              status: 'FAIL',
              message: `IAM user ${row.user} has credentials unused for ${days} days or more: ${unused.join('; ')}.`,
            }
          : {
              status: 'PASS',
              message: `IAM user ${row.user} used each of its active credentials within the last ${days} days.`,
            };
      }),
  };
  return check;
}

const unused45 = unusedCheck('iam-unused-credentials-45', 45, {
  cis: ['1.12'],
  fsbp: ['IAM.22'],
  urls: [`${IAM_URL}id_credentials_finding-unused.html`],
});
const unused90 = unusedCheck('iam-unused-credentials-90', 90, {
  fsbp: ['IAM.8'],
  urls: [`${IAM_URL}id_credentials_finding-unused.html`],
});

const oneActiveKey: Check = {
  id: 'iam-one-active-key',
  title: 'Each IAM user has at most one active access key',
  severity: 'LOW',
  service: 'iam',
  rationale:
    'Two active keys are meant only for the short overlap of a rotation. A second long-lived key doubles what can leak and often means an old key was never retired.',
  remediation: {
    text: 'Find which key is still in use (access_key_N_last_used_date), move every client to it, then deactivate and delete the other.',
    console: 'IAM → Users → user → Security credentials → Access keys → Actions → Deactivate, then Delete.',
    cli: 'aws iam list-access-keys --user-name USER\naws iam update-access-key --user-name USER --access-key-id AKIA... --status Inactive\naws iam delete-access-key --user-name USER --access-key-id AKIA...',
    cdk: '// Keep a single iam.AccessKey per user in the app; remove the extra construct.',
  },
  references: { cis: ['1.13'], urls: [`${IAM_URL}id_credentials_access-keys.html`] },
  findingType: 'Policy:IAMUser/MultipleActiveAccessKeys',
  run: (snapshot) =>
    perReportUser(snapshot, oneActiveKey.id, (row) =>
      isTrue(row.access_key_1_active) && isTrue(row.access_key_2_active)
        ? { status: 'FAIL', message: `IAM user ${row.user} has two active access keys.` }
        : { status: 'PASS', message: `IAM user ${row.user} has at most one active access key.` },
    ),
};

const ROTATION_DAYS = 90;

const keyRotation: Check = {
  id: 'iam-key-rotation',
  title: `Active access keys are rotated within ${ROTATION_DAYS} days`,
  severity: 'MEDIUM',
  service: 'iam',
  rationale:
    'A long-lived key has had more time to be copied into scripts, laptops and logs. Rotating keys limits how long a leaked key stays useful.',
  remediation: {
    text: 'Create a second key, move clients to it, deactivate and delete the old one. Better: replace long-lived keys with roles (IAM Roles Anywhere, OIDC federation, instance roles).',
    console:
      'IAM → Users → user → Security credentials → Create access key; then deactivate and delete the old key.',
    cli: 'aws iam create-access-key --user-name USER\naws iam update-access-key --user-name USER --access-key-id OLD --status Inactive\naws iam delete-access-key --user-name USER --access-key-id OLD',
    cdk: "// Rotate by replacing the construct: bump the serial to create a new key.\nnew iam.AccessKey(this, 'Key', { user, serial: 2 });",
  },
  references: {
    cis: ['1.14'],
    fsbp: ['IAM.3'],
    urls: [`${IAM_URL}id_credentials_access-keys.html#rotating_access_keys_console`],
  },
  findingType: 'Policy:IAMUser/AccessKeyNotRotated',
  run: (snapshot) =>
    perReportUser(snapshot, keyRotation.id, (row, _account, now) => {
      const keys = activeCredentials(row).filter((c) => c.name !== 'password');
      if (keys.length === 0)
        return { status: 'PASS', message: `IAM user ${row.user} has no active access keys.` };
      const stale = staleKeys(row, now, ROTATION_DAYS);
      return stale.length
        ? {
            status: 'FAIL',
            message: `IAM user ${row.user} has an access key older than ${ROTATION_DAYS} days: ${stale.join('; ')}.`,
          }
        : {
            status: 'PASS',
            message: `IAM user ${row.user} rotated its active access keys within ${ROTATION_DAYS} days.`,
          };
    }),
};

const directPolicies: Check = {
  id: 'iam-user-direct-policies',
  title: 'IAM users receive permissions only through groups',
  severity: 'LOW',
  service: 'iam',
  rationale:
    'Permissions attached to individual users are hard to review and tend to accumulate. Granting them through groups (or roles) keeps access consistent and auditable.',
  remediation: {
    text: "Move the user's attached and inline policies to a group that matches the job, add the user to it, then detach and delete the user's own policies.",
    console:
      'IAM → Users → user → Permissions → remove each directly attached or inline policy after adding the user to a group that grants it.',
    cli: 'aws iam add-user-to-group --user-name USER --group-name GROUP\naws iam detach-user-policy --user-name USER --policy-arn ARN\naws iam delete-user-policy --user-name USER --policy-name NAME',
    cdk: "const group = new iam.Group(this, 'Deployers', { managedPolicies: [policy] });\ngroup.addUser(user); // instead of user.addManagedPolicy(policy)",
  },
  references: { cis: ['1.15'], fsbp: ['IAM.2'], urls: [`${IAM_URL}id_groups.html`] },
  findingType: 'Policy:IAMUser/DirectPolicyAttachment',
  run: (snapshot) =>
    snapshot.accounts.flatMap((account) => {
      const model = iamModel(account);
      if (!model) return [unknown(directPolicies.id, snapshot, account, AUTH_DETAILS.what, AUTH_DETAILS.ops)];
      return model.users.map((user) => {
        const own = user.policies.filter((p) => !p.viaGroup);
        const names = own.map((p) =>
          p.kind === 'inline' ? `inline policy ${p.policyName}` : `managed policy ${p.policyName}`,
        );
        return own.length
          ? result(
              directPolicies.id,
              account.accountId,
              'FAIL',
              principalResource(user),
              `IAM user ${user.name} has policies of its own instead of through a group: ${listSome(names)}.`,
            )
          : result(
              directPolicies.id,
              account.accountId,
              'PASS',
              principalResource(user),
              `IAM user ${user.name} has no policies of its own${user.groups.length ? `; it gets permissions through ${listSome(user.groups)}` : ''}.`,
            );
      });
    }),
};

export const iamUserChecks: Check[] = [
  consoleMfa,
  unused45,
  unused90,
  oneActiveKey,
  keyRotation,
  directPolicies,
];
