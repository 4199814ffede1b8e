import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  allow,
  arn,
  attached,
  daysAgo,
  details,
  doc,
  inline,
  reportRow,
  serviceTrust,
  snapshot,
} from '../iam-testing.js';
import type { AccountSnapshot, CheckResult, PostureSnapshot } from '../types.js';
import { CHECK_IDS } from '../check-ids.js';
import { iamChecks } from './iam.js';

function run(id: string, snap: PostureSnapshot): CheckResult[] {
  const check = iamChecks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check.run(snap);
}

/** status per resource id (or the single status when there is one result). */
function statuses(id: string, snap: PostureSnapshot): Record<string, string> {
  return Object.fromEntries(run(id, snap).map((r) => [r.resource.id, r.status]));
}

function only(id: string, snap: PostureSnapshot): CheckResult {
  const results = run(id, snap);
  expect(results).toHaveLength(1);
  return results[0]!;
}

const iam = (parts: NonNullable<AccountSnapshot['iam']>) => snapshot(parts);
const root = (fields: Parameters<typeof reportRow>[1] = {}) => reportRow('<root_account>', fields);

describe('catalogue', () => {
  it('exports every IAM check of the catalogue with its fixed id and complete metadata', () => {
    expect(iamChecks.map((c) => c.id)).toEqual(CHECK_IDS.filter((id) => id.startsWith('iam-')));
    expect(iamChecks).toHaveLength(21);
    for (const c of iamChecks) {
      expect(c.service).toBe('iam');
      expect(c.findingType).toMatch(/^Policy:IAM(User|Role|Policy)\/[A-Za-z]+$/);
      expect(c.remediation.text && c.remediation.cli && c.remediation.console).toBeTruthy();
      expect(c.rationale.length).toBeGreaterThan(40);
    }
    expect(iamChecks.find((c) => c.id === 'iam-root-recent-use')?.findingType).toBe(
      'Policy:IAMUser/RootCredentialUsage',
    );
    expect(iamChecks.find((c) => c.id === 'iam-key-rotation')?.references).toMatchObject({
      cis: ['1.14'],
      fsbp: ['IAM.3'],
    });
  });

  it('returns UNKNOWN naming the failed call when IAM data is absent', () => {
    const snap = snapshot(undefined, {}, [
      {
        accountId: ACCOUNT,
        service: 'iam',
        api: 'iam:GetCredentialReport',
        code: 'AccessDenied',
        message: 'not authorized',
      },
    ]);
    for (const c of iamChecks) {
      const results = c.run(snap);
      expect(results.length, c.id).toBeGreaterThan(0);
      expect(
        results.every((r) => r.status === 'UNKNOWN'),
        c.id,
      ).toBe(true);
    }
    expect(only('iam-key-rotation', snap).message).toContain(
      'iam:GetCredentialReport failed: AccessDenied (not authorized)',
    );
    expect(only('iam-full-admin-policy', snap).message).toContain('no collection error was recorded');
  });
});

describe('root user checks', () => {
  it('iam-root-access-keys: from the account summary, or the credential report', () => {
    expect(
      only('iam-root-access-keys', iam({ accountSummary: { AccountAccessKeysPresent: 1 } })).status,
    ).toBe('FAIL');
    expect(
      only('iam-root-access-keys', iam({ accountSummary: { AccountAccessKeysPresent: 0 } })).status,
    ).toBe('PASS');
    const r = only(
      'iam-root-access-keys',
      iam({ credentialReport: [root({ access_key_2_active: 'true' })] }),
    );
    expect(r).toMatchObject({ status: 'FAIL', resource: { type: 'AwsAccount', id: ACCOUNT } });
    expect(r.message).toBe(
      `The root user of account ${ACCOUNT} has active access key 2 (credential report).`,
    );
    expect(only('iam-root-access-keys', iam({ credentialReport: [root()] })).status).toBe('PASS');
  });

  it('iam-root-mfa', () => {
    expect(only('iam-root-mfa', iam({ accountSummary: { AccountMFAEnabled: 0 } })).status).toBe('FAIL');
    expect(only('iam-root-mfa', iam({ credentialReport: [root({ mfa_active: 'true' })] })).status).toBe(
      'PASS',
    );
  });

  it('iam-root-hardware-mfa: a virtual device assigned to root fails, none passes, no MFA fails', () => {
    const virtual = [
      {
        SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`,
        User: { Arn: `arn:aws:iam::${ACCOUNT}:root` },
      },
    ];
    const userDevice = [{ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/bob`, User: { Arn: arn.user('bob') } }];
    const mfaOn = { accountSummary: { AccountMFAEnabled: 1 } };
    expect(only('iam-root-hardware-mfa', iam({ ...mfaOn, virtualMfaDevices: virtual })).message).toContain(
      'virtual MFA device',
    );
    expect(only('iam-root-hardware-mfa', iam({ ...mfaOn, virtualMfaDevices: virtual })).status).toBe('FAIL');
    expect(only('iam-root-hardware-mfa', iam({ ...mfaOn, virtualMfaDevices: userDevice })).status).toBe(
      'PASS',
    );
    expect(
      only('iam-root-hardware-mfa', iam({ accountSummary: { AccountMFAEnabled: 0 }, virtualMfaDevices: [] }))
        .status,
    ).toBe('FAIL');
    expect(only('iam-root-hardware-mfa', iam(mfaOn)).status).toBe('UNKNOWN');
  });

  it('iam-root-recent-use: measured from collectedAt', () => {
    const recent = only(
      'iam-root-recent-use',
      iam({ credentialReport: [root({ password_last_used: daysAgo(2) })] }),
    );
    expect(recent.status).toBe('FAIL');
    expect(recent.message).toContain(`password on ${daysAgo(2).slice(0, 10)}`);
    const old = only(
      'iam-root-recent-use',
      iam({
        credentialReport: [
          root({ password_last_used: daysAgo(200), access_key_1_last_used_date: daysAgo(40) }),
        ],
      }),
    );
    expect(old).toMatchObject({
      status: 'PASS',
      message: expect.stringContaining('last used 40 days ago (access key 1'),
    });
    expect(
      only('iam-root-recent-use', iam({ credentialReport: [root({ password_last_used: 'no_information' })] }))
        .message,
    ).toContain('no recorded use');
  });
});

describe('password policy', () => {
  it('iam-password-length and iam-password-reuse', () => {
    const strong = iam({ passwordPolicy: { MinimumPasswordLength: 14, PasswordReusePrevention: 24 } });
    const weak = iam({ passwordPolicy: { MinimumPasswordLength: 8, PasswordReusePrevention: 5 } });
    const none = iam({ passwordPolicy: null });
    expect(only('iam-password-length', strong).status).toBe('PASS');
    expect(only('iam-password-length', weak).message).toContain(
      'minimum password length of 8; at least 14 is required',
    );
    expect(only('iam-password-length', none)).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining('no password policy'),
    });
    expect(only('iam-password-reuse', strong).status).toBe('PASS');
    expect(only('iam-password-reuse', weak).status).toBe('FAIL');
    expect(
      only('iam-password-reuse', iam({ passwordPolicy: { MinimumPasswordLength: 20 } })).message,
    ).toContain('does not prevent password reuse');
  });
});

describe('credential report checks', () => {
  const report = (...rows: ReturnType<typeof reportRow>[]) =>
    iam({ credentialReport: [root({ password_last_used: daysAgo(1) }), ...rows] });

  it('iam-user-console-mfa: per user, the root row excluded', () => {
    const snap = report(
      reportRow('alice', { password_enabled: 'true', mfa_active: 'true' }),
      reportRow('bob', { password_enabled: 'true', mfa_active: 'false' }),
      reportRow('ci', { password_enabled: 'false' }),
    );
    expect(statuses('iam-user-console-mfa', snap)).toEqual({
      [arn.user('alice')]: 'PASS',
      [arn.user('bob')]: 'FAIL',
      [arn.user('ci')]: 'PASS',
    });
    expect(run('iam-user-console-mfa', snap)[1]?.message).toBe(
      'IAM user bob has a console password but no MFA device.',
    );
  });

  it('iam-unused-credentials-45 and -90', () => {
    const snap = report(
      reportRow('active', { password_enabled: 'true', password_last_used: daysAgo(3) }),
      reportRow('stale60', {
        access_key_1_active: 'true',
        access_key_1_last_rotated: daysAgo(300),
        access_key_1_last_used_date: daysAgo(60),
      }),
      reportRow('never', {
        access_key_1_active: 'true',
        access_key_1_last_rotated: daysAgo(120),
        access_key_1_last_used_date: 'N/A',
      }),
      reportRow('nothing'),
    );
    expect(statuses('iam-unused-credentials-45', snap)).toEqual({
      [arn.user('active')]: 'PASS',
      [arn.user('stale60')]: 'FAIL',
      [arn.user('never')]: 'FAIL',
      [arn.user('nothing')]: 'PASS',
    });
    expect(statuses('iam-unused-credentials-90', snap)).toMatchObject({
      [arn.user('stale60')]: 'PASS',
      [arn.user('never')]: 'FAIL',
    });
    expect(run('iam-unused-credentials-90', snap)[2]?.message).toContain(
      'access key 1 never used since it was set 120 days ago',
    );
  });

  it('iam-one-active-key and iam-key-rotation', () => {
    const snap = report(
      reportRow('two', {
        access_key_1_active: 'true',
        access_key_1_last_rotated: daysAgo(10),
        access_key_2_active: 'true',
        access_key_2_last_rotated: daysAgo(200),
      }),
      reportRow('one', {
        access_key_1_active: 'true',
        access_key_1_last_rotated: daysAgo(30),
        access_key_2_active: 'false',
        access_key_2_last_rotated: daysAgo(500),
      }),
    );
    expect(statuses('iam-one-active-key', snap)).toEqual({
      [arn.user('two')]: 'FAIL',
      [arn.user('one')]: 'PASS',
    });
    expect(statuses('iam-key-rotation', snap)).toEqual({
      [arn.user('two')]: 'FAIL',
      [arn.user('one')]: 'PASS',
    });
    expect(run('iam-key-rotation', snap)[0]?.message).toContain('access key 2 was last rotated 200 days ago');
  });
});

describe('authorization-details checks', () => {
  const auth = (d: Parameters<typeof details>[0], extra: Partial<NonNullable<AccountSnapshot['iam']>> = {}) =>
    iam({ authorizationDetails: details(d), ...extra });

  it('iam-user-direct-policies', () => {
    const snap = auth({
      users: [
        {
          UserName: 'direct',
          AttachedManagedPolicies: [attached('ReadOnlyAccess', true)],
          UserPolicyList: [inline('x', doc(allow('s3:GetObject')))],
        },
        { UserName: 'grouped', GroupList: ['devs'] },
      ],
      groups: [{ GroupName: 'devs', AttachedManagedPolicies: [attached('ReadOnlyAccess', true)] }],
    });
    expect(statuses('iam-user-direct-policies', snap)).toEqual({
      [arn.user('direct')]: 'FAIL',
      [arn.user('grouped')]: 'PASS',
    });
    expect(run('iam-user-direct-policies', snap)[0]?.message).toBe(
      'IAM user direct has policies of its own instead of through a group: inline policy x, managed policy ReadOnlyAccess.',
    );
  });

  it('iam-full-admin-policy: customer managed and inline policies; AWS managed ones are not judged', () => {
    const snap = auth({
      users: [{ UserName: 'u', UserPolicyList: [inline('god', doc(allow('*', '*', { Sid: 'All' })))] }],
      managed: { Scoped: doc(allow('s3:GetObject', 'arn:aws:s3:::b/*')), Star: doc(allow('*:*')) },
      awsManaged: { AdministratorAccess: doc(allow('*')) },
    });
    expect(statuses('iam-full-admin-policy', snap)).toEqual({
      [arn.policy('Scoped')]: 'PASS',
      [arn.policy('Star')]: 'FAIL',
      [`${arn.user('u')}/inline-policy/god`]: 'FAIL',
    });
    expect(run('iam-full-admin-policy', snap)[2]?.message).toBe(
      'Inline policy god of IAM user u allows every action on every resource in statement All (*).',
    );
    expect(run('iam-full-admin-policy', snap)[1]?.message).toBe(
      'Customer managed policy Star (attached to 1 principal) allows every action on every resource in statement #1 (*:*).',
    );
    expect(only('iam-full-admin-policy', auth({})).status).toBe('PASS');
  });

  it('iam-support-role', () => {
    expect(
      only(
        'iam-support-role',
        auth({
          roles: [{ RoleName: 'support', AttachedManagedPolicies: [attached('AWSSupportAccess', true)] }],
        }),
      ).status,
    ).toBe('PASS');
    expect(
      only(
        'iam-support-role',
        auth({ users: [{ UserName: 'u', AttachedManagedPolicies: [attached('AWSSupportAccess', true)] }] }),
      ).status,
    ).toBe('FAIL');
  });

  it('iam-access-analyzer: per collected region', () => {
    const snap = snapshot(
      {
        accessAnalyzers: [
          { region: 'eu-west-1', name: 'acct', status: 'ACTIVE', type: 'ACCOUNT' },
          { region: 'us-east-1', name: 'old', status: 'DISABLED', type: 'ACCOUNT' },
        ],
      },
      { regions: [{ region: 'eu-west-1' }, { region: 'us-east-1' }, { region: 'ap-south-1' }] },
    );
    expect(run('iam-access-analyzer', snap).map((r) => [r.region, r.status])).toEqual([
      ['eu-west-1', 'PASS'],
      ['us-east-1', 'FAIL'],
      ['ap-south-1', 'FAIL'],
    ]);
    expect(run('iam-access-analyzer', snap)[1]?.message).toContain('old is DISABLED');
  });

  it('iam-cloudshell-full-access', () => {
    expect(
      only(
        'iam-cloudshell-full-access',
        auth({
          roles: [{ RoleName: 'ops', AttachedManagedPolicies: [attached('AWSCloudShellFullAccess', true)] }],
        }),
      ),
    ).toMatchObject({
      status: 'FAIL',
      message: 'IAM role ops has AWSCloudShellFullAccess attached.',
    });
    expect(only('iam-cloudshell-full-access', auth({ roles: [{ RoleName: 'ops' }] })).status).toBe('PASS');
  });

  it('iam-wildcard-service-actions', () => {
    const snap = auth({
      managed: { Ec2All: doc(allow(['ec2:*', 's3:Get*'])), Prefixed: doc(allow('ec2:Describe*')) },
    });
    expect(statuses('iam-wildcard-service-actions', snap)).toEqual({
      [arn.policy('Ec2All')]: 'FAIL',
      [arn.policy('Prefixed')]: 'PASS',
    });
    expect(run('iam-wildcard-service-actions', snap)[0]?.message).toContain(
      'allows whole services in statement #1 (ec2:*)',
    );
  });

  it('iam-wildcard-resources: unconditioned sensitive grants on "*" fail; conditioned ones are reported, not failed', () => {
    const snap = auth({
      managed: {
        Broad: doc(allow(['iam:PassRole', 'logs:PutLogEvents'])),
        Scoped: doc(allow('iam:PassRole', arn.role('app'))),
        Conditioned: doc(
          allow('iam:PassRole', '*', {
            Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
          }),
        ),
      },
    });
    expect(statuses('iam-wildcard-resources', snap)).toEqual({
      [arn.policy('Broad')]: 'FAIL',
      [arn.policy('Scoped')]: 'PASS',
      [arn.policy('Conditioned')]: 'PASS',
    });
    expect(run('iam-wildcard-resources', snap)[2]?.message).toContain('only under conditions');
  });

  it('iam-admin-equivalent: per principal, with approved administrators and service-linked roles passed', () => {
    const snap = auth({
      users: [
        { UserName: 'admin', GroupList: ['admins'] },
        { UserName: 'dev', UserPolicyList: [inline('dev', doc(allow('s3:GetObject')))] },
      ],
      groups: [{ GroupName: 'admins', AttachedManagedPolicies: [attached('AdministratorAccess', true)] }],
      roles: [
        {
          RoleName: 'Breakglass',
          AttachedManagedPolicies: [attached('AdministratorAccess', true)],
          Tags: [{ Key: 'vigil:approved-admin', Value: 'true' }],
        },
        {
          RoleName: 'AWSServiceRoleForSupport',
          Path: '/aws-service-role/support.amazonaws.com/',
          AttachedManagedPolicies: [attached('AdministratorAccess', true)],
        },
        { RoleName: 'SelfGranting', RolePolicyList: [inline('iam', doc(allow('iam:*')))] },
      ],
      awsManaged: { AdministratorAccess: doc(allow('*')) },
    });
    expect(statuses('iam-admin-equivalent', snap)).toEqual({
      [arn.user('admin')]: 'FAIL',
      [arn.user('dev')]: 'PASS',
      [arn.group('admins')]: 'FAIL',
      [arn.role('Breakglass')]: 'PASS',
      [arn.role('AWSServiceRoleForSupport')]: 'PASS',
      [arn.role('SelfGranting')]: 'FAIL',
    });
    const messages = run('iam-admin-equivalent', snap).map((r) => r.message);
    expect(messages[0]).toBe(
      'IAM user admin is administrator-equivalent: it has AdministratorAccess (policy AdministratorAccess via group admins).',
    );
    expect(messages[5]).toContain(
      'can grant itself any permission: iam:AttachRolePolicy on itself (inline policy iam)',
    );
  });

  it('iam-privilege-escalation: names the combination and the policies; admins and near misses pass', () => {
    const snap = auth({
      users: [
        {
          UserName: 'ci-deploy',
          AttachedManagedPolicies: [attached('DeployPolicy'), attached('LambdaAdmin')],
        },
        { UserName: 'passer', AttachedManagedPolicies: [attached('DeployPolicy')] },
        { UserName: 'admin', AttachedManagedPolicies: [attached('AdministratorAccess', true)] },
      ],
      roles: [{ RoleName: 'fn', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com') }],
      managed: {
        DeployPolicy: doc(allow('iam:PassRole')),
        LambdaAdmin: doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])),
      },
      awsManaged: { AdministratorAccess: doc(allow('*')) },
    });
    const results = run('iam-privilege-escalation', snap);
    expect(results.map((r) => r.status)).toEqual(['FAIL', 'PASS', 'PASS', 'PASS']);
    expect(results[0]?.message).toBe(
      'IAM user ci-deploy can escalate privileges: PassRole+Lambda: iam:PassRole (policy DeployPolicy) + lambda:CreateFunction + lambda:InvokeFunction (policy LambdaAdmin) — creates a Lambda function with a more privileged role and runs it.',
    );
    expect(results[1]?.message).toBe('IAM user passer holds no known privilege-escalation combination.');
    expect(results[2]?.message).toContain('already administrator-equivalent');
  });

  it('iam-role-trust-wildcard', () => {
    const snap = auth({
      roles: [
        {
          RoleName: 'open',
          AssumeRolePolicyDocument: doc({
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'sts:AssumeRole',
          }),
        },
        {
          RoleName: 'org',
          AssumeRolePolicyDocument: doc({
            Effect: 'Allow',
            Principal: '*',
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1234567890' } },
          }),
        },
        { RoleName: 'lambda', AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com') },
        { RoleName: 'uncollected' },
      ],
    });
    expect(statuses('iam-role-trust-wildcard', snap)).toEqual({
      [arn.role('open')]: 'FAIL',
      [arn.role('org')]: 'PASS',
      [arn.role('lambda')]: 'PASS',
      [arn.role('uncollected')]: 'UNKNOWN',
    });
    expect(run('iam-role-trust-wildcard', snap)[0]?.message).toMatch(
      /^IAM role open can be assumed by anyone: statement #1 allows Principal "\*"/,
    );
  });
});
