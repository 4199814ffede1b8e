import {
  adminEquivalence,
  conditionNote,
  describePrincipal,
  fullAdminStatements,
  isServiceLinkedRole,
  missingDocuments,
  sensitiveWildcardResourceStatements,
  serviceWildcardStatements,
  statementLabel,
} from '../iam-analysis.js';
import type { IamModel, Principal, StatementFinding } from '../iam-analysis.js';
import { describePath, escalationPaths } from '../iam-escalation.js';
import { openTrustStatements } from '../iam-trust.js';
import type { AccountSnapshot, Check, CheckResult, PostureSnapshot } from '../types.js';
import {
  AUTH_DETAILS,
  accountResource,
  iamModel,
  listSome,
  ownedPolicies,
  principalResource,
  result,
  unknown,
} from './iam-support.js';
import type { OwnedPolicy } from './iam-support.js';

/**
 * Least-privilege checks over IAM policies: statement patterns in the policies the account wrote, and the
 * effective permissions of each principal (administrator equivalence, privilege escalation, role trust).
 * See iam-analysis.ts for how policies are evaluated and what is out of scope.
 */

const IAM_URL = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/';

/** Tag that marks a user or role as an intended administrator: iam-admin-equivalent then passes it. */
export const APPROVED_ADMIN_TAG = 'vigil:approved-admin';

function withModel(
  snapshot: PostureSnapshot,
  checkId: string,
  fn: (model: IamModel, account: AccountSnapshot) => CheckResult[],
): CheckResult[] {
  return snapshot.accounts.flatMap((account) => {
    const model = iamModel(account);
    return model
      ? fn(model, account)
      : [unknown(checkId, snapshot, account, AUTH_DETAILS.what, AUTH_DETAILS.ops)];
  });
}

/** One result per policy the account wrote; an account with none gets one PASS. */
function perOwnedPolicy(
  snapshot: PostureSnapshot,
  checkId: string,
  inspect: (policy: OwnedPolicy) => { status: 'PASS' | 'FAIL' | 'UNKNOWN'; message: string },
): CheckResult[] {
  return withModel(snapshot, checkId, (model, account) => {
    const policies = ownedPolicies(model);
    if (policies.length === 0)
      return [
        result(
          checkId,
          account.accountId,
          'PASS',
          accountResource(account.accountId),
          `Account ${account.accountId} has no customer managed or inline policies.`,
        ),
      ];
    return policies.map((policy) => {
      if (!policy.document)
        return result(
          checkId,
          account.accountId,
          'UNKNOWN',
          policy.resource,
          `${policy.label}: its document was not collected.`,
        );
      const { status, message } = inspect(policy);
      return result(checkId, account.accountId, status, policy.resource, message);
    });
  });
}

function describeStatements(findings: StatementFinding[]): string {
  return findings
    .map((f) => `${statementLabel(f)} (${listSome(f.actions, 5)})${conditionNote(f.conditionKeys)}`)
    .join('; ');
}

const fullAdminPolicy: Check = {
  id: 'iam-full-admin-policy',
  title: 'No customer managed or inline policy allows "*" on "*"',
  severity: 'HIGH',
  service: 'iam',
  rationale:
    'A statement allowing every action on every resource makes whoever holds the policy a full administrator. Grant administrator access deliberately through the AWS managed AdministratorAccess policy on a few roles, and scope every other policy to what is needed.',
  remediation: {
    text: 'Replace the "Action": "*", "Resource": "*" statement with the actions and resources the holders need (IAM Access Analyzer can generate a policy from CloudTrail activity).',
    console:
      'IAM → Policies → policy → Edit → replace the statement; or IAM → Access analyzer → Generate policy from the role or user activity.',
    cli: 'aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default',
    cdk: "new iam.ManagedPolicy(this, 'Deploy', {\n  statements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('releases/*')] })],\n});",
  },
  references: {
    cis: ['1.16'],
    fsbp: ['IAM.1'],
    urls: [`${IAM_URL}best-practices.html#grant-least-privilege`],
  },
  findingType: 'Policy:IAMPolicy/FullAdministratorAccess',
  run: (snapshot) =>
    perOwnedPolicy(snapshot, fullAdminPolicy.id, (policy) => {
      const found = fullAdminStatements(policy.document);
      return found.length
        ? {
            status: 'FAIL',
            message: `${policy.label} allows every action on every resource in ${describeStatements(found)}.`,
          }
        : { status: 'PASS', message: `${policy.label} does not allow "*" on "*".` };
    }),
};

const serviceWildcards: Check = {
  id: 'iam-wildcard-service-actions',
  title: 'Customer managed and inline policies do not allow "service:*" actions',
  severity: 'LOW',
  service: 'iam',
  rationale:
    'Allowing every action of a service ("ec2:*") includes its permission-changing and destructive actions, and any action the service adds later. Prefixed wildcards such as "ec2:Describe*" are fine.',
  remediation: {
    text: 'List the actions the holders need, or use prefixed wildcards (ec2:Describe*) instead of the whole service.',
    console:
      'IAM → Policies → policy → Edit → Visual editor: pick the needed actions instead of "All actions".',
    cli: 'aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default',
    cdk: "new iam.PolicyStatement({ actions: ['ec2:Describe*', 'ec2:StartInstances'], resources: ['*'] })",
  },
  references: {
    fsbp: ['IAM.21'],
    urls: [
      'https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-full-access.html',
    ],
  },
  findingType: 'Policy:IAMPolicy/ServiceWildcardAction',
  run: (snapshot) =>
    perOwnedPolicy(snapshot, serviceWildcards.id, (policy) => {
      const found = serviceWildcardStatements(policy.document);
      return found.length
        ? {
            status: 'FAIL',
            message: `${policy.label} allows whole services in ${describeStatements(found)}.`,
          }
        : { status: 'PASS', message: `${policy.label} allows no "service:*" action.` };
    }),
};

const wildcardResources: Check = {
  id: 'iam-wildcard-resources',
  title: 'Sensitive actions are not allowed on every resource',
  severity: 'MEDIUM',
  service: 'iam',
  rationale:
    'Actions that change permissions, disable security logging, run code with a role or read secrets should name the resources they apply to. On Resource "*" they reach every current and future resource of the account.',
  remediation: {
    text: "Scope the statement's Resource to the ARNs needed (roles that may be passed, buckets, keys, secrets), or add conditions (iam:PassedToService, aws:ResourceTag).",
    console:
      'IAM → Policies → policy → Edit → for each sensitive action, set specific resources instead of "All resources".',
    cli: 'aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default',
    cdk: "new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [appRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } })",
  },
  references: { urls: [`${IAM_URL}best-practices.html#grant-least-privilege`] },
  findingType: 'Policy:IAMPolicy/SensitiveActionOnAllResources',
  run: (snapshot) =>
    perOwnedPolicy(snapshot, wildcardResources.id, (policy) => {
      const found = sensitiveWildcardResourceStatements(policy.document);
      const firm = found.filter((f) => f.conditionKeys.length === 0);
      const conditional = found.filter((f) => f.conditionKeys.length > 0);
      if (firm.length)
        return {
          status: 'FAIL',
          message: `${policy.label} allows sensitive actions on every resource in ${describeStatements(firm)}.`,
        };
      return {
        status: 'PASS',
        message: conditional.length
          ? `${policy.label} allows sensitive actions on every resource only under conditions, in ${describeStatements(conditional)}; review them.`
          : `${policy.label} allows no sensitive action on every resource.`,
      };
    }),
};

const CLOUDSHELL_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AWSCloudShellFullAccess$/;

const cloudShellFullAccess: Check = {
  id: 'iam-cloudshell-full-access',
  title: 'AWSCloudShellFullAccess is not attached to any principal',
  severity: 'MEDIUM',
  service: 'iam',
  rationale:
    'AWSCloudShellFullAccess lets a principal upload and download files to and from a CloudShell environment with internet access, an easy path for data to leave the account.',
  remediation: {
    text: 'Detach AWSCloudShellFullAccess; grant only the CloudShell actions needed (for example without cloudshell:GetFileUploadUrls / GetFileDownloadUrls).',
    console: 'IAM → Policies → AWSCloudShellFullAccess → Entities attached → Detach.',
    cli: 'aws iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess\naws iam detach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess',
    cdk: "// Do not add iam.ManagedPolicy.fromAwsManagedPolicyName('AWSCloudShellFullAccess'); grant specific actions:\nnew iam.PolicyStatement({ actions: ['cloudshell:CreateEnvironment', 'cloudshell:CreateSession', 'cloudshell:StartEnvironment'], resources: ['*'] })",
  },
  references: {
    cis: ['1.22'],
    urls: ['https://docs.aws.amazon.com/cloudshell/latest/userguide/sec-auth-with-identities.html'],
  },
  findingType: 'Policy:IAMUser/CloudShellFullAccess',
  run: (snapshot) =>
    withModel(snapshot, cloudShellFullAccess.id, (model, account) => {
      const holders = [...model.users, ...model.groups, ...model.roles].filter((p) =>
        p.policies.some((s) => !s.viaGroup && s.policyArn && CLOUDSHELL_POLICY.test(s.policyArn)),
      );
      if (holders.length === 0)
        return [
          result(
            cloudShellFullAccess.id,
            account.accountId,
            'PASS',
            accountResource(account.accountId),
            `AWSCloudShellFullAccess is not attached to any user, group or role of account ${account.accountId}.`,
          ),
        ];
      return holders.map((p) =>
        result(
          cloudShellFullAccess.id,
          account.accountId,
          'FAIL',
          principalResource(p),
          `${describePrincipal(p)} has AWSCloudShellFullAccess attached.`,
        ),
      );
    }),
};

function missingNote(principal: Principal): string {
  const missing = missingDocuments(principal);
  return missing.length
    ? ` The documents of ${listSome(missing)} were not collected and are not counted.`
    : '';
}

function principalsOf(model: IamModel, kinds: Principal['kind'][]): Principal[] {
  return [
    ...(kinds.includes('user') ? model.users : []),
    ...(kinds.includes('group') ? model.groups : []),
    ...(kinds.includes('role') ? model.roles : []),
  ];
}

const adminEquivalent: Check = {
  id: 'iam-admin-equivalent',
  title: 'Principals with administrator-equivalent permissions are few and intended',
  severity: 'HIGH',
  service: 'iam',
  rationale:
    'A principal that can do everything — AdministratorAccess, "*" on "*", everything but a few actions, or the ability to attach any policy to itself — turns any leak of its credentials into a full account compromise. Each one should be a deliberate choice.',
  remediation: {
    text: `Scope the permissions down; keep administrator access on a few roles assumed through IAM Identity Center with MFA. Mark intended administrators with the tag ${APPROVED_ADMIN_TAG}=true so this check passes them (the message still says why they are administrators).`,
    console:
      'IAM → Users/Roles → principal → Permissions → remove AdministratorAccess or the broad policy; Tags → add vigil:approved-admin = true for intended administrators.',
    cli: `aws iam detach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AdministratorAccess\naws iam tag-role --role-name ROLE --tags Key=${APPROVED_ADMIN_TAG},Value=true`,
    cdk: `cdk.Tags.of(adminRole).add('${APPROVED_ADMIN_TAG}', 'true'); // intended administrator\n// other roles: grant specific actions instead of AdministratorAccess`,
  },
  references: { urls: [`${IAM_URL}best-practices.html#grant-least-privilege`] },
  findingType: 'Policy:IAMUser/AdministratorEquivalent',
  run: (snapshot) =>
    withModel(snapshot, adminEquivalent.id, (model, account) =>
      principalsOf(model, ['user', 'group', 'role']).map((p) => {
        const say = (status: 'PASS' | 'FAIL', message: string) =>
          result(adminEquivalent.id, account.accountId, status, principalResource(p), message);
        const who = describePrincipal(p);
        if (isServiceLinkedRole(p))
          return say(
            'PASS',
            `${who} is a service-linked role: AWS manages its permissions and only its service can use it.`,
          );
        const verdict = adminEquivalence(model, p);
        if (verdict.admin) {
          if (p.tags[APPROVED_ADMIN_TAG]?.toLowerCase() === 'true')
            return say(
              'PASS',
              `${who} is administrator-equivalent (${verdict.reason}) and is tagged ${APPROVED_ADMIN_TAG}=true as an intended administrator.`,
            );
          return say('FAIL', `${who} is administrator-equivalent: it ${verdict.reason}.`);
        }
        if (verdict.conditional)
          return say(
            'PASS',
            `${who} is not administrator-equivalent without conditions, but would be when its conditions hold: it ${verdict.conditional.reason}${conditionNote(verdict.conditional.conditionKeys)}.${missingNote(p)}`,
          );
        return say('PASS', `${who} is not administrator-equivalent.${missingNote(p)}`);
      }),
    ),
};

const MAX_PATHS = 4;

const privilegeEscalation: Check = {
  id: 'iam-privilege-escalation',
  title: 'No principal holds a known privilege-escalation combination',
  severity: 'HIGH',
  service: 'iam',
  rationale:
    'Some permission combinations let a principal obtain more permissions than it was given: passing a more privileged role to a service that runs its code, writing policies onto itself, rewriting a role trust, or creating credentials for another user. A principal holding one is effectively as privileged as what it can reach.',
  remediation: {
    text: 'Remove one part of each combination, or restrict it: iam:PassRole to specific, less privileged roles with an iam:PassedToService condition; IAM write actions to the resources that need them (never the principal itself); sts:AssumeRole to specific roles. Permissions boundaries stop a principal from granting beyond its boundary.',
    console: 'IAM → Users/Roles → principal → Permissions → edit the policies named in the finding.',
    cli: 'aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default',
    cdk: "new iam.PolicyStatement({\n  actions: ['iam:PassRole'],\n  resources: [functionRole.roleArn],\n  conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },\n})",
  },
  references: { urls: [`${IAM_URL}id_roles_use_passrole.html`, `${IAM_URL}access_policies_boundaries.html`] },
  findingType: 'Policy:IAMUser/PrivilegeEscalationPath',
  run: (snapshot) =>
    withModel(snapshot, privilegeEscalation.id, (model, account) =>
      principalsOf(model, ['user', 'role']).map((p) => {
        const say = (status: 'PASS' | 'FAIL', message: string) =>
          result(privilegeEscalation.id, account.accountId, status, principalResource(p), message);
        const who = describePrincipal(p);
        if (isServiceLinkedRole(p))
          return say(
            'PASS',
            `${who} is a service-linked role managed by AWS; escalation paths are not assessed.`,
          );
        if (adminEquivalence(model, p).admin)
          return say(
            'PASS',
            `${who} is already administrator-equivalent (see iam-admin-equivalent), so it has nothing to escalate to.`,
          );
        const paths = escalationPaths(model, p);
        const firm = paths.filter((f) => !f.conditional);
        const conditional = paths.filter((f) => f.conditional);
        const describe = (list: typeof paths) =>
          listSome(
            list.map((f) => `${f.path.id}: ${describePath(f)} — ${f.path.how}`),
            MAX_PATHS,
          );
        if (firm.length) return say('FAIL', `${who} can escalate privileges: ${describe(firm)}.`);
        if (conditional.length)
          return say(
            'PASS',
            `${who} holds no unconditional privilege-escalation combination; under conditions it holds ${describe(conditional)}. Review those conditions.${missingNote(p)}`,
          );
        return say('PASS', `${who} holds no known privilege-escalation combination.${missingNote(p)}`);
      }),
    ),
};

const roleTrustWildcard: Check = {
  id: 'iam-role-trust-wildcard',
  title: 'Role trust policies do not let anyone assume the role',
  severity: 'CRITICAL',
  service: 'iam',
  rationale:
    'A trust policy with Principal "*" and no condition on the organization, account, source or an external id lets any AWS account assume the role. A web-identity trust without a condition on the token subject lets any identity of that provider (any GitHub repository, for GitHub Actions) assume it.',
  remediation: {
    text: 'Name the trusted accounts, roles or services in Principal, or add a condition: aws:PrincipalOrgID for your organization, sts:ExternalId for a third party, aws:SourceAccount/aws:SourceArn for a service; for OIDC, a condition on the token subject (token.actions.githubusercontent.com:sub = repo:ORG/REPO:ref:refs/heads/main).',
    console: 'IAM → Roles → role → Trust relationships → Edit trust policy.',
    cli: 'aws iam update-assume-role-policy --role-name ROLE --policy-document file://trust.json',
    cdk: "new iam.Role(this, 'Partner', {\n  assumedBy: new iam.AccountPrincipal('111122223333').withConditions({ StringEquals: { 'sts:ExternalId': 'partner-secret-id' } }),\n});",
  },
  references: {
    urls: [`${IAM_URL}id_roles_create_for-user_externalid.html`, `${IAM_URL}confused-deputy.html`],
  },
  findingType: 'Policy:IAMRole/TrustPolicyOpenToAnyone',
  run: (snapshot) =>
    withModel(snapshot, roleTrustWildcard.id, (model, account) =>
      model.roles.map((role) => {
        const res = principalResource(role);
        if (!role.trustPolicy)
          return result(
            roleTrustWildcard.id,
            account.accountId,
            'UNKNOWN',
            res,
            `IAM role ${role.name}: its trust policy was not collected.`,
          );
        const issues = openTrustStatements(role.trustPolicy);
        return issues.length
          ? result(
              roleTrustWildcard.id,
              account.accountId,
              'FAIL',
              res,
              `IAM role ${role.name} can be assumed by anyone: ${issues.map((i) => `${statementLabel(i)} ${i.why}`).join('; ')}.`,
            )
          : result(
              roleTrustWildcard.id,
              account.accountId,
              'PASS',
              res,
              `IAM role ${role.name} trusts only named principals or restricts its trust with conditions.`,
            );
      }),
    ),
};

export const iamPolicyChecks: Check[] = [
  fullAdminPolicy,
  cloudShellFullAccess,
  serviceWildcards,
  wildcardResources,
  adminEquivalent,
  privilegeEscalation,
  roleTrustWildcard,
];
