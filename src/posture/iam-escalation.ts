import {
  SENSITIVE_ACTIONS,
  adminEquivalence,
  allowsSomewhere,
  describeSource,
  evaluate,
} from './iam-analysis.js';
import type { IamModel, Principal, PrincipalKind, StatementRef } from './iam-analysis.js';
import { trustsService } from './iam-trust.js';

/**
 * Known privilege-escalation paths: combinations of IAM permissions that let a principal obtain permissions
 * it was not given. Each path is written from what the actions do (IAM and service API documentation):
 *
 * - Passing a role to a service that runs code the caller controls (a Lambda function, an EC2 instance, a
 *   CloudFormation stack, a Glue development endpoint, a CodeBuild project, a SageMaker notebook) gives the
 *   caller the role's permissions.
 * - Writing policies (attach, put inline, new default version) onto itself, its group or a role it can
 *   assume gives it any permission.
 * - Rewriting a role's trust policy, creating access keys or console passwords for another user, or joining
 *   a group gives it that role's, user's or group's permissions.
 * - Replacing the code of an existing Lambda function runs the caller's code with the function's role.
 *
 * Targets. A grant on Resource "*" counts as it is: it covers roles, users and groups that exist now and
 * those created later. A grant restricted to specific ARNs counts only when one of the matching roles,
 * users or groups in the snapshot is more privileged than the principal (administrator-equivalent, or
 * allowed a sensitive action the principal is not) and, for iam:PassRole, trusts the service in question.
 * So "iam:PassRole on a logging role that can only write logs" is not an escalation; "iam:PassRole on an
 * administrator role that Lambda may assume" is. ARNs matching nothing in the snapshot (another account,
 * a role not yet created) are not counted.
 */

/** What an action in a step must be allowed on. */
type Target =
  | { kind: 'any' }
  | { kind: 'passable-role'; service: string }
  | { kind: 'self' }
  | { kind: 'own-group' }
  | { kind: 'own-policy' }
  | { kind: 'other-user' }
  | { kind: 'other-group' };

interface Step {
  /** Any one of these actions satisfies the step. */
  anyOf: string[];
  target: Target;
}

export interface EscalationPath {
  /** Short name, e.g. `PassRole+Lambda`. */
  id: string;
  /** How it escalates, one sentence. */
  how: string;
  appliesTo: PrincipalKind[];
  steps: Step[];
  /**
   * Steps that must all be allowed on one and the same role (other than the principal itself): attach a
   * policy to it and assume it. `morePrivileged`: the role must already be more privileged.
   */
  sameRole?: { anyOf: string[][]; morePrivileged: boolean };
}

const ANY: Target = { kind: 'any' };
const passRole = (service: string): Step => ({
  anyOf: ['iam:PassRole'],
  target: { kind: 'passable-role', service },
});

export const ESCALATION_PATHS: EscalationPath[] = [
  {
    id: 'PassRole+Lambda',
    how: 'creates a Lambda function with a more privileged role and runs it',
    appliesTo: ['user', 'role'],
    steps: [
      passRole('lambda.amazonaws.com'),
      { anyOf: ['lambda:CreateFunction'], target: ANY },
      { anyOf: ['lambda:InvokeFunction', 'lambda:CreateEventSourceMapping'], target: ANY },
    ],
  },
  {
    id: 'PassRole+EC2',
    how: 'launches an EC2 instance with a more privileged instance role and reads its credentials',
    appliesTo: ['user', 'role'],
    steps: [passRole('ec2.amazonaws.com'), { anyOf: ['ec2:RunInstances'], target: ANY }],
  },
  {
    id: 'PassRole+CloudFormation',
    how: 'creates a CloudFormation stack that acts with a more privileged role',
    appliesTo: ['user', 'role'],
    steps: [passRole('cloudformation.amazonaws.com'), { anyOf: ['cloudformation:CreateStack'], target: ANY }],
  },
  {
    id: 'PassRole+Glue',
    how: 'creates a Glue development endpoint with a more privileged role and logs in to it',
    appliesTo: ['user', 'role'],
    steps: [passRole('glue.amazonaws.com'), { anyOf: ['glue:CreateDevEndpoint'], target: ANY }],
  },
  {
    id: 'PassRole+CodeBuild',
    how: 'creates and starts a CodeBuild project whose build runs with a more privileged role',
    appliesTo: ['user', 'role'],
    steps: [
      passRole('codebuild.amazonaws.com'),
      { anyOf: ['codebuild:CreateProject'], target: ANY },
      { anyOf: ['codebuild:StartBuild'], target: ANY },
    ],
  },
  {
    id: 'PassRole+SageMaker',
    how: 'creates a SageMaker notebook with a more privileged role and opens it',
    appliesTo: ['user', 'role'],
    steps: [
      passRole('sagemaker.amazonaws.com'),
      { anyOf: ['sagemaker:CreateNotebookInstance'], target: ANY },
      { anyOf: ['sagemaker:CreatePresignedNotebookInstanceUrl'], target: ANY },
    ],
  },
  {
    id: 'CreatePolicyVersion',
    how: 'writes a new default version of a customer managed policy it holds',
    appliesTo: ['user', 'role'],
    steps: [{ anyOf: ['iam:CreatePolicyVersion'], target: { kind: 'own-policy' } }],
  },
  {
    id: 'SetDefaultPolicyVersion',
    how: 'makes an older, possibly broader, version of a policy it holds the default',
    appliesTo: ['user', 'role'],
    steps: [{ anyOf: ['iam:SetDefaultPolicyVersion'], target: { kind: 'own-policy' } }],
  },
  {
    id: 'AttachUserPolicy',
    how: 'attaches any managed policy (AdministratorAccess) to itself',
    appliesTo: ['user'],
    steps: [{ anyOf: ['iam:AttachUserPolicy'], target: { kind: 'self' } }],
  },
  {
    id: 'PutUserPolicy',
    how: 'writes an inline policy granting anything onto itself',
    appliesTo: ['user'],
    steps: [{ anyOf: ['iam:PutUserPolicy'], target: { kind: 'self' } }],
  },
  {
    id: 'AttachGroupPolicy',
    how: 'attaches any managed policy to a group it belongs to',
    appliesTo: ['user'],
    steps: [{ anyOf: ['iam:AttachGroupPolicy'], target: { kind: 'own-group' } }],
  },
  {
    id: 'PutGroupPolicy',
    how: 'writes an inline policy granting anything onto a group it belongs to',
    appliesTo: ['user'],
    steps: [{ anyOf: ['iam:PutGroupPolicy'], target: { kind: 'own-group' } }],
  },
  {
    id: 'AttachRolePolicy',
    how: 'attaches any managed policy to itself',
    appliesTo: ['role'],
    steps: [{ anyOf: ['iam:AttachRolePolicy'], target: { kind: 'self' } }],
  },
  {
    id: 'PutRolePolicy',
    how: 'writes an inline policy granting anything onto itself',
    appliesTo: ['role'],
    steps: [{ anyOf: ['iam:PutRolePolicy'], target: { kind: 'self' } }],
  },
  {
    id: 'AttachRolePolicy+AssumeRole',
    how: 'grants another role any permission and assumes it',
    appliesTo: ['user', 'role'],
    steps: [],
    sameRole: {
      anyOf: [['iam:AttachRolePolicy', 'iam:PutRolePolicy'], ['sts:AssumeRole']],
      morePrivileged: false,
    },
  },
  {
    id: 'UpdateAssumeRolePolicy+AssumeRole',
    how: 'rewrites the trust policy of a more privileged role to admit itself and assumes it',
    appliesTo: ['user', 'role'],
    steps: [],
    sameRole: { anyOf: [['iam:UpdateAssumeRolePolicy'], ['sts:AssumeRole']], morePrivileged: true },
  },
  {
    id: 'CreateAccessKey',
    how: 'creates an access key for a more privileged user',
    appliesTo: ['user', 'role'],
    steps: [{ anyOf: ['iam:CreateAccessKey'], target: { kind: 'other-user' } }],
  },
  {
    id: 'CreateLoginProfile',
    how: 'sets a console password for a more privileged user that has none',
    appliesTo: ['user', 'role'],
    steps: [{ anyOf: ['iam:CreateLoginProfile'], target: { kind: 'other-user' } }],
  },
  {
    id: 'UpdateLoginProfile',
    how: "changes a more privileged user's console password",
    appliesTo: ['user', 'role'],
    steps: [{ anyOf: ['iam:UpdateLoginProfile'], target: { kind: 'other-user' } }],
  },
  {
    id: 'AddUserToGroup',
    how: 'adds itself to a more privileged group',
    appliesTo: ['user'],
    steps: [{ anyOf: ['iam:AddUserToGroup'], target: { kind: 'other-group' } }],
  },
  {
    id: 'UpdateFunctionCode',
    how: "replaces the code of an existing Lambda function, which then runs with the function's role",
    appliesTo: ['user', 'role'],
    steps: [{ anyOf: ['lambda:UpdateFunctionCode'], target: ANY }],
  },
];

/** One satisfied step: the action, what it is allowed on (when restricted) and the statements granting it. */
export interface PathPart {
  action: string;
  /** "role AdminRole" when the grant is restricted to specific resources; absent for broad grants. */
  on?: string;
  refs: StatementRef[];
  conditional: boolean;
}

export interface FoundPath {
  path: EscalationPath;
  /** True when some part is granted only under conditions. */
  conditional: boolean;
  parts: PathPart[];
}

/**
 * Whether `target` holds more than `principal`: administrator-equivalent when the principal is not, or
 * allowed (anywhere) a sensitive action the principal is not allowed.
 */
export function morePrivileged(model: IamModel, target: Principal, principal: Principal): boolean {
  if (adminEquivalence(model, principal).admin) return false;
  if (adminEquivalence(model, target).admin) return true;
  return SENSITIVE_ACTIONS.some((a) => allowsSomewhere(target, a) && !allowsSomewhere(principal, a));
}

function grantOn(
  principal: Principal,
  action: string,
  resource: string | null,
  on?: string,
): PathPart | undefined {
  const e = evaluate(principal, action, resource);
  const part = (refs: StatementRef[], conditional: boolean): PathPart => ({
    action,
    refs,
    conditional,
    ...(on ? { on } : {}),
  });
  if (e.decision === 'allowed') return part(e.allows, false);
  if (e.decision === 'conditional') return part(e.conditionalAllows, true);
  return undefined;
}

/** The best grant among candidates: unconditional first. */
function best(parts: (PathPart | undefined)[]): PathPart | undefined {
  const found = parts.filter((p): p is PathPart => p !== undefined);
  return found.find((p) => !p.conditional) ?? found[0];
}

/** Resolves a step against specific candidates, after a broad grant ("*") was not found. */
function onCandidates(
  principal: Principal,
  action: string,
  candidates: { arn: string; on: string }[],
): PathPart | undefined {
  const broad = grantOn(principal, action, '*');
  if (broad && !broad.conditional) return broad;
  return best([broad, ...candidates.map((c) => grantOn(principal, action, c.arn, c.on))]);
}

function satisfyStep(model: IamModel, principal: Principal, step: Step): PathPart | undefined {
  const found = step.anyOf.map((action) => {
    const t = step.target;
    switch (t.kind) {
      case 'any':
        return grantOn(principal, action, null);
      case 'self':
        return grantOn(principal, action, principal.arn, 'itself');
      case 'own-group':
        return best(
          principal.groups.map((name) => {
            const group = model.groups.find((g) => g.name === name);
            return group ? grantOn(principal, action, group.arn, `its group ${name}`) : undefined;
          }),
        );
      case 'own-policy':
        return onCandidates(
          principal,
          action,
          principal.policies
            .filter((p) => p.kind === 'managed' && p.policyArn && !p.awsManaged)
            .map((p) => ({ arn: p.policyArn as string, on: `its policy ${p.policyName}` })),
        );
      case 'passable-role':
        return onCandidates(
          principal,
          action,
          model.roles
            .filter(
              (r) => r !== principal && trustsService(r, t.service) && morePrivileged(model, r, principal),
            )
            .map((r) => ({ arn: r.arn, on: `role ${r.name}` })),
        );
      case 'other-user':
        return onCandidates(
          principal,
          action,
          model.users
            .filter((u) => u.arn !== principal.arn && morePrivileged(model, u, principal))
            .map((u) => ({ arn: u.arn, on: `user ${u.name}` })),
        );
      case 'other-group':
        return onCandidates(
          principal,
          action,
          model.groups
            .filter((g) => !principal.groups.includes(g.name) && morePrivileged(model, g, principal))
            .map((g) => ({ arn: g.arn, on: `group ${g.name}` })),
        );
    }
    return undefined;
  });
  return best(found);
}

function satisfySameRole(
  model: IamModel,
  principal: Principal,
  rule: NonNullable<EscalationPath['sameRole']>,
): PathPart[] | undefined {
  let fallback: PathPart[] | undefined;
  for (const role of model.roles) {
    if (role.arn === principal.arn) continue;
    if (rule.morePrivileged && !morePrivileged(model, role, principal)) continue;
    const parts = rule.anyOf.map((actions) =>
      best(actions.map((a) => grantOn(principal, a, role.arn, `role ${role.name}`))),
    );
    if (parts.some((p) => !p)) continue;
    const complete = parts as PathPart[];
    if (complete.every((p) => !p.conditional)) return complete;
    fallback ??= complete;
  }
  return fallback;
}

/**
 * The escalation paths a user or role holds. Paths whose parts are all granted unconditionally come first
 * (`conditional: false`); paths needing a conditioned statement are reported with `conditional: true`.
 */
export function escalationPaths(model: IamModel, principal: Principal): FoundPath[] {
  const found: FoundPath[] = [];
  for (const path of ESCALATION_PATHS) {
    if (!path.appliesTo.includes(principal.kind)) continue;
    const parts: PathPart[] = [];
    let complete = true;
    for (const step of path.steps) {
      const part = satisfyStep(model, principal, step);
      if (!part) {
        complete = false;
        break;
      }
      parts.push(part);
    }
    if (complete && path.sameRole) {
      const same = satisfySameRole(model, principal, path.sameRole);
      if (same) parts.push(...same);
      else complete = false;
    }
    if (complete) found.push({ path, parts, conditional: parts.some((p) => p.conditional) });
  }
  return found.sort((a, b) => Number(a.conditional) - Number(b.conditional));
}

/**
 * "iam:PassRole (policy DeployPolicy) + lambda:CreateFunction + lambda:InvokeFunction (policy LambdaAdmin)":
 * consecutive parts granted by the same policies share one parenthesis.
 */
export function describePath(found: FoundPath): string {
  const sourcesOf = (p: PathPart) => [...new Set(p.refs.map((r) => describeSource(r.source)))].join(', ');
  const pieces: string[] = [];
  found.parts.forEach((part, i) => {
    const next = found.parts[i + 1];
    const text = part.on ? `${part.action} on ${part.on}` : part.action;
    const cond = part.conditional ? ', conditional' : '';
    const sources = sourcesOf(part);
    const merge = next && sourcesOf(next) === sources && next.conditional === part.conditional;
    pieces.push(merge ? text : `${text} (${sources}${cond})`);
  });
  return pieces.join(' + ');
}
