import { describe, expect, it } from 'vitest';
import {
  adminEquivalence,
  allows,
  allowsSomewhere,
  buildIamModel,
  evaluate,
  fullAdminStatements,
  sensitiveWildcardResourceStatements,
  serviceWildcardStatements,
} from './iam-analysis.js';
import type { IamModel } from './iam-analysis.js';
import { openTrustStatements } from './iam-trust.js';
import { ACCOUNT, allow, arn, attached, deny, details, doc, inline } from './iam-testing.js';
import type { IamAuthorizationDetails, PolicyStatement } from './types.js';

function model(d: IamAuthorizationDetails): IamModel {
  return buildIamModel(d, ACCOUNT);
}

function userWith(...statements: Parameters<typeof doc>) {
  const m = model(details({ users: [{ UserName: 'u', UserPolicyList: [inline('p', doc(...statements))] }] }));
  return { m, u: m.users[0]! };
}

describe('evaluate: actions', () => {
  it('matches wildcards and ignores case in service prefixes and action names', () => {
    const { u } = userWith(allow(['IAM:Put*', 's3:Get?bject']));
    expect(allows(u, 'iam:PutUserPolicy')).toBe(true);
    expect(allows(u, 'iam:putrolepolicy')).toBe(true);
    expect(allows(u, 's3:GetObject')).toBe(true);
    expect(allows(u, 's3:GetObjectAcl')).toBe(false);
    expect(allows(u, 'iam:AttachUserPolicy')).toBe(false);
  });

  it('reads NotAction on an Allow as everything except the listed actions', () => {
    const { u } = userWith({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' });
    expect(allows(u, 'ec2:RunInstances')).toBe(true);
    expect(allows(u, 'iam:PassRole')).toBe(false);
    expect(allows(u, 'organizations:LeaveOrganization')).toBe(false);
  });

  it('lets an explicit Deny override any Allow, including a Deny with NotAction', () => {
    const { u } = userWith(allow('*'), deny('iam:*'), {
      Effect: 'Deny',
      NotAction: ['s3:*', 'iam:*'],
      Resource: '*',
    });
    const e = evaluate(u, 'iam:CreateUser');
    expect(e.decision).toBe('denied');
    expect(e.allows).toHaveLength(1);
    expect(allows(u, 'ec2:RunInstances')).toBe(false); // denied by the NotAction deny
    expect(allows(u, 's3:GetObject')).toBe(true);
  });

  it('reports a conditioned Allow as conditional, not as a grant, and ignores a conditioned Deny', () => {
    const { u } = userWith(
      allow('ec2:*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
      allow('s3:*'),
      deny('s3:DeleteBucket', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
    );
    const e = evaluate(u, 'ec2:RunInstances');
    expect(e.decision).toBe('conditional');
    expect(e.conditionalAllows[0]?.conditionKeys).toEqual(['aws:MultiFactorAuthPresent']);
    expect(allows(u, 'ec2:RunInstances')).toBe(false);
    expect(allows(u, 's3:DeleteBucket')).toBe(true);
  });

  it('treats a statement without Action or NotAction as matching nothing', () => {
    const { u } = userWith({ Effect: 'Allow', Resource: '*' });
    expect(evaluate(u, 's3:GetObject').decision).toBe('none');
  });
});

describe('evaluate: resources', () => {
  it('separates broad grants ("*"), specific ARNs and "some resource"', () => {
    const { u } = userWith(allow('iam:PassRole', arn.role('app-*')));
    expect(allows(u, 'iam:PassRole')).toBe(false);
    expect(allows(u, 'iam:PassRole', arn.role('app-worker'))).toBe(true);
    expect(allows(u, 'iam:PassRole', arn.role('Admin'))).toBe(false);
    expect(allowsSomewhere(u, 'iam:PassRole')).toBe(true);
  });

  it('matches ARNs case-sensitively', () => {
    const { u } = userWith(allow('iam:PassRole', arn.role('App')));
    expect(allows(u, 'iam:PassRole', arn.role('app'))).toBe(false);
  });

  it('reads NotResource on an Allow as a broad grant and on a Deny as everything but the list', () => {
    const { u } = userWith(
      { Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' },
      { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::public/*'] },
    );
    expect(evaluate(u, 's3:GetObject', '*').allows).toHaveLength(1);
    expect(allows(u, 's3:GetObject', 'arn:aws:s3:::public/a')).toBe(true);
    expect(allows(u, 's3:GetObject', 'arn:aws:s3:::other/a')).toBe(false);
    expect(allows(u, 's3:GetObject', 'arn:aws:s3:::secret/a')).toBe(false);
  });

  it('a Deny on specific resources leaves a broad grant in place; a Deny on "*" removes it', () => {
    const { u } = userWith(
      allow('s3:*'),
      deny('s3:*', 'arn:aws:s3:::audit/*'),
      deny('kms:*'),
      allow('kms:Decrypt'),
    );
    expect(allows(u, 's3:GetObject')).toBe(true);
    expect(allows(u, 's3:GetObject', 'arn:aws:s3:::audit/x')).toBe(false);
    expect(allowsSomewhere(u, 'kms:Decrypt')).toBe(false);
  });

  it('substitutes ${aws:username} with the user name and matches unknown variables to nothing', () => {
    const { u } = userWith(
      allow('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`),
      allow('iam:UpdateLoginProfile', `arn:aws:iam::${ACCOUNT}:user/\${aws:PrincipalTag/team}`),
    );
    expect(allows(u, 'iam:CreateAccessKey', arn.user('u'))).toBe(true);
    expect(allows(u, 'iam:CreateAccessKey', arn.user('admin'))).toBe(false);
    expect(allows(u, 'iam:UpdateLoginProfile', arn.user('u'))).toBe(false);
  });
});

describe('principals', () => {
  it("gives users their own inline and attached policies plus their groups' inline and attached ones", () => {
    const m = model(
      details({
        users: [
          {
            UserName: 'alice',
            GroupList: ['devs'],
            UserPolicyList: [inline('own', doc(allow('s3:GetObject')))],
            AttachedManagedPolicies: [attached('Attached')],
          },
        ],
        groups: [
          {
            GroupName: 'devs',
            GroupPolicyList: [inline('group-inline', doc(allow('ec2:Describe*')))],
            AttachedManagedPolicies: [attached('GroupManaged')],
          },
        ],
        managed: {
          Attached: doc(allow('sqs:SendMessage')),
          GroupManaged: doc(allow('lambda:InvokeFunction'), deny('s3:*')),
        },
      }),
    );
    const alice = m.users[0]!;
    expect(allows(alice, 'sqs:SendMessage')).toBe(true);
    expect(allows(alice, 'ec2:DescribeInstances')).toBe(true);
    expect(allows(alice, 'lambda:InvokeFunction')).toBe(true);
    expect(evaluate(alice, 's3:GetObject').decision).toBe('denied'); // the group's Deny reaches the user
    expect(alice.policies.find((p) => p.policyName === 'GroupManaged')?.viaGroup).toBe('devs');
    expect(allows(m.groups[0]!, 'sqs:SendMessage')).toBe(false);
  });

  it('counts nothing for a managed policy whose document is missing, except AdministratorAccess', () => {
    const m = model(
      details({
        users: [
          {
            UserName: 'a',
            AttachedManagedPolicies: [attached('Unknown'), attached('AdministratorAccess', true)],
          },
        ],
        awsManaged: { AdministratorAccess: undefined },
      }),
    );
    expect(allows(m.users[0]!, 'iam:CreateUser')).toBe(true);
    expect(m.users[0]!.policies.find((p) => p.policyName === 'Unknown')?.document).toBeUndefined();
  });
});

describe('adminEquivalence', () => {
  it('recognises AdministratorAccess, "*" on "*", and NotAction with a tiny exclusion list', () => {
    const m = model(
      details({
        users: [
          { UserName: 'aa', AttachedManagedPolicies: [attached('AdministratorAccess', true)] },
          { UserName: 'star', UserPolicyList: [inline('all', doc(allow('*:*')))] },
          {
            UserName: 'notaction',
            UserPolicyList: [
              inline('na', doc({ Effect: 'Allow', NotAction: 's3:DeleteBucket', Resource: '*' })),
            ],
          },
          {
            UserName: 'power',
            UserPolicyList: [
              inline(
                'pu',
                doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }),
              ),
            ],
          },
        ],
        awsManaged: { AdministratorAccess: doc(allow('*')) },
      }),
    );
    const [aa, star, notaction, power] = m.users;
    expect(adminEquivalence(m, aa!).reason).toContain('AdministratorAccess');
    expect(adminEquivalence(m, star!).reason).toBe(
      'allows every action on every resource (inline policy all)',
    );
    expect(adminEquivalence(m, notaction!)).toMatchObject({
      admin: true,
      reason: expect.stringContaining('except s3:DeleteBucket'),
    });
    expect(adminEquivalence(m, power!).admin).toBe(false);
  });

  it('counts iam:* plus the ability to attach policies to itself, and not "*" with an IAM deny', () => {
    const m = model(
      details({
        roles: [
          { RoleName: 'iam-admin', RolePolicyList: [inline('iam', doc(allow('iam:*')))] },
          { RoleName: 'denied', RolePolicyList: [inline('x', doc(allow('*'), deny('iam:*')))] },
          {
            RoleName: 'other-roles',
            RolePolicyList: [inline('y', doc(allow('iam:AttachRolePolicy', arn.role('other'))))],
          },
        ],
      }),
    );
    const [iamAdmin, denied, other] = m.roles;
    expect(adminEquivalence(m, iamAdmin!)).toMatchObject({
      admin: true,
      reason: expect.stringContaining('iam:AttachRolePolicy on itself'),
    });
    expect(adminEquivalence(m, denied!).admin).toBe(false);
    expect(adminEquivalence(m, other!).admin).toBe(false);
  });

  it('reports "*" on "*" under an MFA condition as conditional, not as administrator', () => {
    const { m, u } = userWith(
      allow('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    );
    const v = adminEquivalence(m, u);
    expect(v.admin).toBe(false);
    expect(v.conditional?.conditionKeys).toEqual(['aws:MultiFactorAuthPresent']);
  });
});

describe('statement finders', () => {
  const d = doc(
    allow(['ec2:*', 'ec2:Describe*', 's3:GetObject']),
    allow('*', '*', { Sid: 'Everything' }),
    allow('iam:PassRole', arn.role('app')),
    allow(['iam:Pass*', 'cloudtrail:StopLogging'], '*', { Sid: 'Broad' }),
    { Effect: 'Deny', Action: 'ec2:*', Resource: '*' },
  );

  it('finds whole-service wildcards (not prefixed ones), full admin statements and sensitive actions on "*"', () => {
    expect(serviceWildcardStatements(d)).toEqual([{ index: 0, actions: ['ec2:*'], conditionKeys: [] }]);
    expect(fullAdminStatements(d)).toEqual([
      { index: 1, sid: 'Everything', actions: ['*'], conditionKeys: [] },
    ]);
    const sensitive = sensitiveWildcardResourceStatements(d);
    expect(sensitive.map((s) => s.sid ?? s.index)).toEqual([0, 'Everything', 'Broad']);
    expect(sensitive[2]?.actions).toEqual(['iam:PassRole', 'cloudtrail:StopLogging']);
    expect(sensitive[0]?.actions).toEqual([
      's3:GetObject',
      'ec2:RunInstances',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:ModifySnapshotAttribute',
      'ec2:DeleteFlowLogs',
    ]);
  });
});

describe('openTrustStatements', () => {
  const trust = (statement: Partial<PolicyStatement>) =>
    doc({ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement });

  it('flags Principal "*" and AWS "*" without a restricting condition', () => {
    expect(openTrustStatements(trust({ Principal: '*' }))).toHaveLength(1);
    expect(openTrustStatements(trust({ Principal: { AWS: ['*'] } }))).toHaveLength(1);
    expect(openTrustStatements(trust({ NotPrincipal: { AWS: arn.user('x') } }))).toHaveLength(1);
  });

  it('accepts organization, external id, source and fixed principal ARN conditions', () => {
    for (const Condition of <NonNullable<PolicyStatement['Condition']>[]>[
      { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      { StringEquals: { 'sts:ExternalId': 'x-1' } },
      { StringEquals: { 'aws:SourceAccount': '444455556666' } },
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/ci-*' } },
    ])
      expect(openTrustStatements(trust({ Principal: { AWS: '*' }, Condition }))).toEqual([]);
  });

  it('does not accept negated, IfExists, wildcard-only or wildcard-account conditions', () => {
    for (const Condition of <NonNullable<PolicyStatement['Condition']>[]>[
      { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } },
      { StringLike: { 'aws:PrincipalOrgID': '*' } },
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci' } },
      { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    ])
      expect(openTrustStatements(trust({ Principal: { AWS: '*' }, Condition }))).toHaveLength(1);
  });

  it('passes named accounts and services; flags a GitHub OIDC trust without a subject condition', () => {
    expect(openTrustStatements(trust({ Principal: { AWS: 'arn:aws:iam::444455556666:root' } }))).toEqual([]);
    expect(openTrustStatements(trust({ Principal: { Service: 'lambda.amazonaws.com' } }))).toEqual([]);
    const github = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const oidc = (Condition?: PolicyStatement['Condition']) =>
      doc({
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: github },
        ...(Condition ? { Condition } : {}),
      });
    expect(
      openTrustStatements(
        oidc({ StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }),
      )[0]?.why,
    ).toContain(':sub');
    expect(
      openTrustStatements(
        oidc({ StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:*' } }),
      ),
    ).toEqual([]);
    expect(
      openTrustStatements(oidc({ StringLike: { 'token.actions.githubusercontent.com:sub': '*' } })),
    ).toHaveLength(1);
  });
});
