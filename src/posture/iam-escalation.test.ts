import { describe, expect, it } from 'vitest';
import { buildIamModel } from './iam-analysis.js';
import type { IamModel } from './iam-analysis.js';
import { ESCALATION_PATHS, describePath, escalationPaths } from './iam-escalation.js';
import { ACCOUNT, allow, arn, attached, details, doc, inline, serviceTrust } from './iam-testing.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/**
 * An account with an administrator role trusted by every service used below, a weak logging role trusted
 * by Lambda, an administrator user and group, and a subject user `dev` (in group `devs`) holding `grants`.
 */
function account(
  grants: PolicyStatement[],
  subject: 'user' | 'role' = 'user',
  managed: Record<string, PolicyDocument> = {},
): IamModel {
  const services = ['lambda', 'ec2', 'cloudformation', 'glue', 'codebuild', 'sagemaker'].map(
    (s) => `${s}.amazonaws.com`,
  );
  const adminTrust = doc({ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' });
  const subjectPolicy = [inline('DevPolicy', doc(...grants))];
  return buildIamModel(
    details({
      users: [
        { UserName: 'root-like', AttachedManagedPolicies: [attached('AdministratorAccess', true)] },
        ...(subject === 'user'
          ? [
              {
                UserName: 'dev',
                GroupList: ['devs'],
                UserPolicyList: subjectPolicy,
                AttachedManagedPolicies: Object.keys(managed).map((n) => attached(n)),
              },
            ]
          : []),
      ],
      groups: [
        { GroupName: 'devs' },
        { GroupName: 'admins', AttachedManagedPolicies: [attached('AdministratorAccess', true)] },
      ],
      roles: [
        {
          RoleName: 'AdminRole',
          AssumeRolePolicyDocument: adminTrust,
          AttachedManagedPolicies: [attached('AdministratorAccess', true)],
        },
        {
          RoleName: 'LogsRole',
          AssumeRolePolicyDocument: serviceTrust('lambda.amazonaws.com'),
          RolePolicyList: [inline('logs', doc(allow(['logs:CreateLogStream', 'logs:PutLogEvents'])))],
        },
        ...(subject === 'role'
          ? [
              {
                RoleName: 'DevRole',
                AssumeRolePolicyDocument: serviceTrust('ec2.amazonaws.com'),
                RolePolicyList: subjectPolicy,
                AttachedManagedPolicies: Object.keys(managed).map((n) => attached(n)),
              },
            ]
          : []),
      ],
      managed,
      awsManaged: { AdministratorAccess: doc(allow('*')) },
    }),
    ACCOUNT,
  );
}

function pathsOf(m: IamModel, kind: 'user' | 'role' = 'user') {
  const principal =
    kind === 'user' ? m.users.find((u) => u.name === 'dev')! : m.roles.find((r) => r.name === 'DevRole')!;
  return escalationPaths(m, principal);
}

function ids(m: IamModel, kind: 'user' | 'role' = 'user', conditional = false): string[] {
  return pathsOf(m, kind)
    .filter((f) => f.conditional === conditional)
    .map((f) => f.path.id);
}

const userCases: [string, PolicyStatement[]][] = [
  ['PassRole+Lambda', [allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'])]],
  ['PassRole+EC2', [allow(['iam:PassRole', 'ec2:RunInstances'])]],
  ['PassRole+CloudFormation', [allow(['iam:PassRole', 'cloudformation:CreateStack'])]],
  ['PassRole+Glue', [allow(['iam:PassRole', 'glue:CreateDevEndpoint'])]],
  ['PassRole+CodeBuild', [allow(['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'])]],
  [
    'PassRole+SageMaker',
    [
      allow([
        'iam:PassRole',
        'sagemaker:CreateNotebookInstance',
        'sagemaker:CreatePresignedNotebookInstanceUrl',
      ]),
    ],
  ],
  ['AttachUserPolicy', [allow('iam:AttachUserPolicy', arn.user('dev'))]],
  ['PutUserPolicy', [allow('iam:PutUserPolicy', arn.user('dev'))]],
  ['AttachGroupPolicy', [allow('iam:AttachGroupPolicy', arn.group('devs'))]],
  ['PutGroupPolicy', [allow('iam:PutGroupPolicy', arn.group('devs'))]],
  ['AttachRolePolicy+AssumeRole', [allow(['iam:AttachRolePolicy', 'sts:AssumeRole'], arn.role('LogsRole'))]],
  [
    'UpdateAssumeRolePolicy+AssumeRole',
    [allow(['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'], arn.role('AdminRole'))],
  ],
  ['CreateAccessKey', [allow('iam:CreateAccessKey', arn.user('root-like'))]],
  ['CreateLoginProfile', [allow('iam:CreateLoginProfile')]],
  ['UpdateLoginProfile', [allow('iam:UpdateLoginProfile', arn.user('*'))]],
  ['AddUserToGroup', [allow('iam:AddUserToGroup', arn.group('admins'))]],
  [
    'UpdateFunctionCode',
    [allow('lambda:UpdateFunctionCode', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:*`)],
  ],
];

describe('escalationPaths', () => {
  it.each(userCases)('detects %s for a user', (id, grants) => {
    expect(ids(account(grants))).toEqual([id]);
  });

  it('covers every path of the catalogue in these tests', () => {
    const tested = new Set([
      ...userCases.map(([id]) => id),
      'CreatePolicyVersion',
      'SetDefaultPolicyVersion',
      'AttachRolePolicy',
      'PutRolePolicy',
    ]);
    expect(ESCALATION_PATHS.map((p) => p.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  it('detects CreatePolicyVersion and SetDefaultPolicyVersion on a policy the principal holds', () => {
    const managed = { DevManaged: doc(allow('s3:GetObject')) };
    expect(
      ids(account([allow('iam:CreatePolicyVersion', arn.policy('DevManaged'))], 'user', managed)),
    ).toEqual(['CreatePolicyVersion']);
    expect(
      ids(account([allow('iam:SetDefaultPolicyVersion', arn.policy('DevManaged'))], 'user', managed)),
    ).toEqual(['SetDefaultPolicyVersion']);
    // On a policy it does not hold: nothing.
    expect(
      ids(account([allow('iam:CreatePolicyVersion', arn.policy('SomeoneElses'))], 'user', managed)),
    ).toEqual([]);
  });

  it('detects AttachRolePolicy and PutRolePolicy on the role itself', () => {
    expect(ids(account([allow('iam:AttachRolePolicy', arn.role('DevRole'))], 'role'), 'role')).toEqual([
      'AttachRolePolicy',
    ]);
    expect(ids(account([allow('iam:PutRolePolicy', arn.role('DevRole'))], 'role'), 'role')).toEqual([
      'PutRolePolicy',
    ]);
  });

  it('does not flag near misses', () => {
    expect(ids(account([allow('iam:PassRole')]))).toEqual([]);
    expect(ids(account([allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])]))).toEqual([]);
    expect(ids(account([allow(['iam:PassRole', 'lambda:CreateFunction'])]))).toEqual([]);
    expect(ids(account([allow('iam:AttachUserPolicy', arn.user('someone-else'))]))).toEqual([]);
    expect(ids(account([allow('iam:AddUserToGroup', arn.group('devs'))]))).toEqual([]); // already a member
    expect(
      ids(account([allow(['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'], arn.role('LogsRole'))])),
    ).toEqual([]);
    expect(
      ids(
        account([
          allow('iam:UpdateAssumeRolePolicy', arn.role('AdminRole')),
          allow('sts:AssumeRole', arn.role('LogsRole')),
        ]),
      ),
    ).toEqual([]);
  });

  it('counts iam:PassRole restricted to a role only when that role is more privileged and trusts the service', () => {
    const rest = allow(['lambda:CreateFunction', 'lambda:InvokeFunction', 'ec2:RunInstances']);
    // A logging role that can only write logs: passing it gains nothing.
    expect(ids(account([allow('iam:PassRole', arn.role('LogsRole')), rest]))).toEqual([]);
    // The administrator role, which Lambda and EC2 may assume: both paths.
    expect(ids(account([allow('iam:PassRole', arn.role('AdminRole')), rest]))).toEqual([
      'PassRole+Lambda',
      'PassRole+EC2',
    ]);
    // A role outside the snapshot (another account): not counted.
    expect(ids(account([allow('iam:PassRole', 'arn:aws:iam::999999999999:role/X'), rest]))).toEqual([]);
  });

  it('reports paths needing a conditioned statement as conditional', () => {
    const m = account([
      allow('iam:PassRole', '*', {
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }),
      allow(['lambda:CreateFunction', 'lambda:InvokeFunction']),
    ]);
    expect(ids(m)).toEqual([]);
    expect(ids(m, 'user', true)).toEqual(['PassRole+Lambda']);
  });

  it('names each part with the policy granting it', () => {
    const m = buildIamModel(
      details({
        users: [
          {
            UserName: 'ci-deploy',
            AttachedManagedPolicies: [attached('DeployPolicy'), attached('LambdaAdmin')],
          },
        ],
        managed: {
          DeployPolicy: doc(allow('iam:PassRole')),
          LambdaAdmin: doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])),
        },
      }),
      ACCOUNT,
    );
    const [found] = escalationPaths(m, m.users[0]!);
    expect(describePath(found!)).toBe(
      'iam:PassRole (policy DeployPolicy) + lambda:CreateFunction + lambda:InvokeFunction (policy LambdaAdmin)',
    );
  });
});
