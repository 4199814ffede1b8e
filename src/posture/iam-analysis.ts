import type { IamAuthorizationDetails, InlinePolicy, PolicyDocument, PolicyStatement } from './types.js';

/**
 * A small evaluator of IAM identity-based policies over a snapshot's `GetAccountAuthorizationDetails`: the
 * effective permissions of each user (own inline and attached policies plus those of its groups), role and
 * group, following AWS's documented policy semantics:
 *
 * - `Action` / `NotAction` with `*` and `?` wildcards; service prefixes and action names are case-insensitive.
 *   `NotAction` on an Allow grants every action not listed (within the statement's resources).
 * - `Resource` / `NotResource`: ARN patterns with wildcards, case-sensitive, with the policy variables
 *   `${aws:username}` and `${aws:userid}` replaced by the principal's values (unknown variables match nothing).
 * - An explicit Deny overrides any Allow; with neither, access is implicitly denied.
 * - Conditions are not evaluated offline (they depend on the request). A conditioned Allow makes the answer
 *   `conditional`: reported, never counted as a grant. A conditioned Deny may or may not apply, so it never
 *   cancels a grant (the analysis errs on the side of reporting access).
 *
 * Out of scope, because the snapshot does not hold them: permissions boundaries, service control policies,
 * session policies and resource-based policies (KMS key policies, bucket policies). Role chaining
 * (sts:AssumeRole into a more privileged role) is reported as an escalation path, not followed further.
 */

export type PrincipalKind = 'user' | 'role' | 'group';

/** Where a principal gets a policy from. */
export interface PolicySource {
  policyName: string;
  kind: 'inline' | 'managed';
  /** Managed policies only. */
  policyArn?: string;
  /** An AWS managed policy (`arn:aws:iam::aws:policy/...`). */
  awsManaged: boolean;
  /** The group a user holds the policy through. */
  viaGroup?: string;
  /** Undefined when the managed policy's document was not collected: its permissions are then not counted. */
  document?: PolicyDocument;
}

export interface Principal {
  kind: PrincipalKind;
  name: string;
  arn: string;
  id?: string;
  path?: string;
  /** Groups of a user (names). */
  groups: string[];
  policies: PolicySource[];
  tags: Record<string, string>;
  /** Roles only. */
  trustPolicy?: PolicyDocument;
}

export interface IamModel {
  accountId: string;
  users: Principal[];
  roles: Principal[];
  groups: Principal[];
  /** Managed policies by ARN, as collected. */
  policies: IamAuthorizationDetails['Policies'];
}

/** A statement reduced to lists, remembered with the policy it came from. */
export interface StatementRef {
  source: PolicySource;
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  /** Condition keys (`aws:MultiFactorAuthPresent`); empty when unconditioned. */
  conditionKeys: string[];
}

export interface Evaluation {
  /**
   * allowed: an unconditioned Allow applies and no unconditioned Deny. conditional: only conditioned Allows
   * apply. denied: an unconditioned Deny applies. none: nothing allows it (implicit deny).
   */
  decision: 'allowed' | 'conditional' | 'denied' | 'none';
  allows: StatementRef[];
  conditionalAllows: StatementRef[];
  denies: StatementRef[];
}

const ADMINISTRATOR_ACCESS = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;

/** AdministratorAccess allows every action on every resource (AWS's published document): used when it was not collected. */
const ADMIN_DOCUMENT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

export function isAwsManagedArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn);
}

/** A policy element that may be one string or an array, as an array of strings. */
export function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** A document's statements (Statement may be one object or an array); malformed entries are skipped. */
export function statementsOf(doc: PolicyDocument | undefined): PolicyStatement[] {
  if (!doc || typeof doc !== 'object') return [];
  const raw = (doc as { Statement?: unknown }).Statement;
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return all.filter((s): s is PolicyStatement => typeof s === 'object' && s !== null && !Array.isArray(s));
}

function conditionKeys(statement: PolicyStatement): string[] {
  const condition = statement.Condition;
  if (!condition || typeof condition !== 'object') return [];
  const keys: string[] = [];
  for (const block of Object.values(condition)) {
    if (block && typeof block === 'object') for (const key of Object.keys(block)) keys.push(key);
  }
  return keys;
}

/** The statements of one policy source, reduced. */
export function statementRefs(source: PolicySource): StatementRef[] {
  return statementsOf(source.document).flatMap((s, index) => {
    const effect = typeof s.Effect === 'string' ? s.Effect.toLowerCase() : '';
    if (effect !== 'allow' && effect !== 'deny') return [];
    const ref: StatementRef = {
      source,
      index,
      effect: effect === 'allow' ? 'Allow' : 'Deny',
      conditionKeys: conditionKeys(s),
    };
    if (typeof s.Sid === 'string' && s.Sid) ref.sid = s.Sid;
    if (s.Action !== undefined) ref.actions = list(s.Action);
    if (s.NotAction !== undefined) ref.notActions = list(s.NotAction);
    if (s.Resource !== undefined) ref.resources = list(s.Resource);
    if (s.NotResource !== undefined) ref.notResources = list(s.NotResource);
    return [ref];
  });
}

const globCache = new Map<string, RegExp>();

/** IAM wildcard matching: `*` any run of characters, `?` one character. */
function glob(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern
      .replace(/\*+/g, '*')
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(key, re);
  }
  return re;
}

/** Whether an Action pattern (`iam:Put*`, `*`) covers an action; case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return glob(pattern, true).test(action);
}

/** A pattern made only of `*`: every resource. */
function isAllResources(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}

function substituteVariables(pattern: string, principal: Principal): string {
  return pattern.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const key = name.toLowerCase();
    if (key === 'aws:username' && principal.kind === 'user') return principal.name;
    if (key === 'aws:userid' && principal.id) return principal.id;
    // Unknown or request-dependent variables: match nothing rather than guess.
    return '\u0000';
  });
}

function resourceMatches(pattern: string, resource: string, principal: Principal): boolean {
  return glob(substituteVariables(pattern, principal), false).test(resource);
}

function statementCoversAction(s: StatementRef, action: string): boolean {
  if (s.actions) return s.actions.some((p) => actionMatches(p, action));
  if (s.notActions) return !s.notActions.some((p) => actionMatches(p, action));
  return false;
}

/**
 * Whether a statement applies to the resource asked about: a specific ARN; `*`, meaning "granted broadly"
 * (Resource `*`, or an Allow with NotResource, which grants everything outside a list); or undefined,
 * meaning "on some resource". A Deny cancels a broad or some-resource grant only when it covers every resource.
 */
function statementCoversResource(
  s: StatementRef,
  resource: string | undefined,
  principal: Principal,
): boolean {
  if (resource === undefined || resource === '*') {
    if (s.resources?.some(isAllResources)) return true;
    if (s.effect === 'Deny') return false;
    if (resource === undefined) return (s.resources?.length ?? 0) > 0 || s.notResources !== undefined;
    return s.notResources !== undefined;
  }
  if (s.resources) return s.resources.some((p) => resourceMatches(p, resource, principal));
  if (s.notResources) return !s.notResources.some((p) => resourceMatches(p, resource, principal));
  return false;
}

const refCache = new WeakMap<Principal, StatementRef[]>();

/** Every statement that applies to the principal, from all its policies. */
export function principalStatements(principal: Principal): StatementRef[] {
  let refs = refCache.get(principal);
  if (!refs) {
    refs = principal.policies.flatMap(statementRefs);
    refCache.set(principal, refs);
  }
  return refs;
}

/**
 * Evaluates one action for a principal. `resource`: an ARN, `*` (granted broadly: the default) or null
 * (granted on at least some resource).
 */
export function evaluate(principal: Principal, action: string, resource: string | null = '*'): Evaluation {
  const result: Evaluation = { decision: 'none', allows: [], conditionalAllows: [], denies: [] };
  for (const s of principalStatements(principal)) {
    if (!statementCoversAction(s, action) || !statementCoversResource(s, resource ?? undefined, principal))
      continue;
    if (s.effect === 'Deny') {
      if (s.conditionKeys.length === 0) result.denies.push(s);
    } else if (s.conditionKeys.length === 0) result.allows.push(s);
    else result.conditionalAllows.push(s);
  }
  if (result.denies.length) result.decision = 'denied';
  else if (result.allows.length) result.decision = 'allowed';
  else if (result.conditionalAllows.length) result.decision = 'conditional';
  return result;
}

/** True when the principal is allowed the action, without conditions, on `resource` (default: broadly, Resource "*"). */
export function allows(principal: Principal, action: string, resource = '*'): boolean {
  return evaluate(principal, action, resource).decision === 'allowed';
}

/** True when the principal is allowed the action, without conditions, on at least some resource. */
export function allowsSomewhere(principal: Principal, action: string): boolean {
  return evaluate(principal, action, null).decision === 'allowed';
}

/** "policy DeployPolicy", "inline policy ci of user x", "policy Admins via group admins". */
export function describeSource(source: PolicySource): string {
  const name =
    source.kind === 'inline' ? `inline policy ${source.policyName}` : `policy ${source.policyName}`;
  return source.viaGroup ? `${name} via group ${source.viaGroup}` : name;
}

/** The distinct policies behind a set of statements, described. */
export function describeSources(refs: StatementRef[]): string {
  return [...new Set(refs.map((r) => describeSource(r.source)))].join(', ');
}

function tagsOf(tags: { Key: string; Value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (typeof t?.Key === 'string') out[t.Key] = String(t.Value ?? '');
  return out;
}

/** Builds the principals of an account, resolving managed policies to their documents and users' groups. */
export function buildIamModel(details: IamAuthorizationDetails, accountId: string): IamModel {
  const policies = details.Policies ?? [];
  const byArn = new Map(policies.map((p) => [p.Arn, p]));
  const managed = (attached: { PolicyName: string; PolicyArn: string }[] | undefined, viaGroup?: string) =>
    (attached ?? []).map((a): PolicySource => {
      const source: PolicySource = {
        policyName: a.PolicyName,
        kind: 'managed',
        policyArn: a.PolicyArn,
        awsManaged: isAwsManagedArn(a.PolicyArn),
      };
      const document =
        byArn.get(a.PolicyArn)?.Document ??
        (ADMINISTRATOR_ACCESS.test(a.PolicyArn) ? ADMIN_DOCUMENT : undefined);
      if (document) source.document = document;
      if (viaGroup) source.viaGroup = viaGroup;
      return source;
    });
  const inline = (policiesIn: InlinePolicy[] | undefined, viaGroup?: string) =>
    (policiesIn ?? []).map((p): PolicySource => {
      const source: PolicySource = {
        policyName: p.PolicyName,
        kind: 'inline',
        awsManaged: false,
        document: p.PolicyDocument,
      };
      if (viaGroup) source.viaGroup = viaGroup;
      return source;
    });

  const groups = (details.GroupDetailList ?? []).map((g): Principal => ({
    kind: 'group',
    name: g.GroupName,
    arn: g.Arn,
    ...(g.GroupId ? { id: g.GroupId } : {}),
    groups: [],
    policies: [...inline(g.GroupPolicyList), ...managed(g.AttachedManagedPolicies)],
    tags: {},
  }));
  const groupDetails = new Map((details.GroupDetailList ?? []).map((g) => [g.GroupName, g]));
  const users = (details.UserDetailList ?? []).map((u): Principal => {
    const memberOf = u.GroupList ?? [];
    const fromGroups = memberOf.flatMap((name) => {
      const g = groupDetails.get(name);
      return g ? [...inline(g.GroupPolicyList, name), ...managed(g.AttachedManagedPolicies, name)] : [];
    });
    return {
      kind: 'user',
      name: u.UserName,
      arn: u.Arn,
      ...(u.UserId ? { id: u.UserId } : {}),
      ...(u.Path ? { path: u.Path } : {}),
      groups: memberOf,
      policies: [...inline(u.UserPolicyList), ...managed(u.AttachedManagedPolicies), ...fromGroups],
      tags: tagsOf(u.Tags),
    };
  });
  const roles = (details.RoleDetailList ?? []).map((r): Principal => ({
    kind: 'role',
    name: r.RoleName,
    arn: r.Arn,
    ...(r.RoleId ? { id: r.RoleId } : {}),
    ...(r.Path ? { path: r.Path } : {}),
    groups: [],
    policies: [...inline(r.RolePolicyList), ...managed(r.AttachedManagedPolicies)],
    tags: tagsOf(r.Tags),
    ...(r.AssumeRolePolicyDocument ? { trustPolicy: r.AssumeRolePolicyDocument } : {}),
  }));
  return { accountId, users, roles, groups, policies };
}

/** Service-linked roles are created and managed by AWS services; nobody can change their policies. */
export function isServiceLinkedRole(principal: Principal): boolean {
  return principal.kind === 'role' && (principal.path ?? '').startsWith('/aws-service-role/');
}

/** "IAM user ci-deploy", "IAM role AppRole", "IAM group admins". */
export function describePrincipal(principal: Principal): string {
  return `IAM ${principal.kind} ${principal.name}`;
}

/** Managed policies whose documents were not collected: the analysis cannot count their permissions. */
export function missingDocuments(principal: Principal): string[] {
  return principal.policies.filter((p) => !p.document).map((p) => p.policyName);
}

// ---------------------------------------------------------------------------------------------------------
// Administrator equivalence

/**
 * Representative actions an administrator holds across services, IAM and STS first. A principal allowed all
 * of them on every resource is treated as administrator-equivalent: `*` on `*`, an Allow with a NotAction
 * that leaves them all in (a "tiny exclusion list"), or service wildcards for every one of these services.
 * PowerUserAccess (NotAction iam:*, organizations:*, account:*) is not: it cannot manage IAM.
 */
export const ADMIN_PROBES = [
  'iam:CreateUser',
  'iam:AttachRolePolicy',
  'iam:PutUserPolicy',
  'iam:PassRole',
  'sts:AssumeRole',
  'organizations:LeaveOrganization',
  'ec2:RunInstances',
  's3:PutBucketPolicy',
  's3:GetObject',
  'kms:Decrypt',
  'lambda:CreateFunction',
  'cloudtrail:StopLogging',
  'secretsmanager:GetSecretValue',
  'rds:DeleteDBInstance',
] as const;

export interface AdminVerdict {
  admin: boolean;
  /** Why, as a clause: "allows every action on every resource (policy X)". */
  reason?: string;
  /** When the principal would be administrator-equivalent if the conditions of some statements hold. */
  conditional?: { reason: string; conditionKeys: string[] };
}

/** Ways a principal can grant itself any permission: attach or write a policy on itself, or rewrite one it holds. */
export function selfGrants(
  model: IamModel,
  principal: Principal,
): { action: string; on: string; refs: StatementRef[]; conditional: boolean }[] {
  const targets: { actions: string[]; arn: string; on: string }[] = [];
  if (principal.kind === 'user')
    targets.push({
      actions: ['iam:AttachUserPolicy', 'iam:PutUserPolicy'],
      arn: principal.arn,
      on: 'itself',
    });
  if (principal.kind === 'role')
    targets.push({
      actions: ['iam:AttachRolePolicy', 'iam:PutRolePolicy'],
      arn: principal.arn,
      on: 'itself',
    });
  if (principal.kind === 'group')
    targets.push({
      actions: ['iam:AttachGroupPolicy', 'iam:PutGroupPolicy'],
      arn: principal.arn,
      on: 'itself',
    });
  for (const name of principal.groups) {
    const group = model.groups.find((g) => g.name === name);
    if (group)
      targets.push({
        actions: ['iam:AttachGroupPolicy', 'iam:PutGroupPolicy'],
        arn: group.arn,
        on: `its group ${name}`,
      });
  }
  for (const source of principal.policies) {
    if (source.kind === 'managed' && source.policyArn && !source.awsManaged)
      targets.push({
        actions: ['iam:CreatePolicyVersion'],
        arn: source.policyArn,
        on: `its own policy ${source.policyName}`,
      });
  }
  const out: { action: string; on: string; refs: StatementRef[]; conditional: boolean }[] = [];
  for (const t of targets) {
    for (const action of t.actions) {
      const e = evaluate(principal, action, t.arn);
      if (e.decision === 'allowed') out.push({ action, on: t.on, refs: e.allows, conditional: false });
      else if (e.decision === 'conditional')
        out.push({ action, on: t.on, refs: e.conditionalAllows, conditional: true });
    }
  }
  return out;
}

function broadReason(evaluations: Evaluation[], pick: (e: Evaluation) => StatementRef[]): string {
  const refs = evaluations.flatMap(pick);
  const everything = refs.find((r) => r.actions?.some((a) => /^\*+(:\*+)?$/.test(a)));
  if (everything) return `allows every action on every resource (${describeSource(everything.source)})`;
  const notAction = refs.find((r) => r.notActions);
  if (notAction)
    return `allows every action except ${notAction.notActions?.join(', ') || 'none'} on every resource (${describeSource(notAction.source)})`;
  return `allows every service's actions on every resource through service wildcards (${describeSources(refs)})`;
}

const adminCache = new WeakMap<Principal, AdminVerdict>();

/**
 * Whether a principal is administrator-equivalent: AdministratorAccess attached, every probe action allowed
 * on every resource, or the ability to grant itself any permission (attach/put a policy on itself or its
 * group, or write a new version of a customer managed policy it holds).
 */
export function adminEquivalence(model: IamModel, principal: Principal): AdminVerdict {
  const cached = adminCache.get(principal);
  if (cached) return cached;
  const evaluations = ADMIN_PROBES.map((a) => evaluate(principal, a, '*'));
  let verdict: AdminVerdict = { admin: false };
  const adminPolicy = principal.policies.find((p) => p.policyArn && ADMINISTRATOR_ACCESS.test(p.policyArn));
  if (evaluations.every((e) => e.decision === 'allowed')) {
    verdict = {
      admin: true,
      reason: adminPolicy
        ? `has AdministratorAccess (${describeSource(adminPolicy)})`
        : broadReason(evaluations, (e) => e.allows),
    };
  } else {
    const grants = selfGrants(model, principal);
    const firm = grants.find((g) => !g.conditional);
    if (firm) {
      verdict = {
        admin: true,
        reason: `can grant itself any permission: ${firm.action} on ${firm.on} (${describeSources(firm.refs)})`,
      };
    } else if (evaluations.every((e) => e.decision === 'allowed' || e.decision === 'conditional')) {
      const refs = evaluations.flatMap((e) => e.conditionalAllows);
      verdict = {
        admin: false,
        conditional: {
          reason: broadReason(evaluations, (e) => [...e.allows, ...e.conditionalAllows]),
          conditionKeys: [...new Set(refs.flatMap((r) => r.conditionKeys))],
        },
      };
    } else if (grants[0]) {
      verdict = {
        admin: false,
        conditional: {
          reason: `can grant itself any permission: ${grants[0].action} on ${grants[0].on} (${describeSources(grants[0].refs)})`,
          conditionKeys: [...new Set(grants[0].refs.flatMap((r) => r.conditionKeys))],
        },
      };
    }
  }
  adminCache.set(principal, verdict);
  return verdict;
}

// ---------------------------------------------------------------------------------------------------------
// Least privilege: sensitive actions and wildcards

/**
 * Actions that change permissions, disable security controls, run code with a role, or read secrets and
 * data. Granting them on Resource "*" is where least privilege matters most.
 */
export const SENSITIVE_ACTIONS = [
  'iam:CreateUser',
  'iam:CreateRole',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:PutRolePolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:PassRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:AddUserToGroup',
  'iam:DeleteUserPermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'sts:AssumeRole',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutObjectAcl',
  's3:PutBucketPublicAccessBlock',
  's3:PutAccountPublicAccessBlock',
  's3:DeleteBucket',
  's3:GetObject',
  'kms:Decrypt',
  'kms:CreateGrant',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ssm:SendCommand',
  'ssm:StartSession',
  'ec2:RunInstances',
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:ModifySnapshotAttribute',
  'ec2:DeleteFlowLogs',
  'lambda:CreateFunction',
  'lambda:UpdateFunctionCode',
  'lambda:AddPermission',
  'cloudformation:CreateStack',
  'glue:CreateDevEndpoint',
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'cloudtrail:PutEventSelectors',
  'guardduty:DeleteDetector',
  'config:StopConfigurationRecorder',
  'logs:DeleteLogGroup',
  'organizations:LeaveOrganization',
] as const;

export interface StatementFinding {
  index: number;
  sid?: string;
  /** The offending actions (wildcards as written, or sensitive actions covered). */
  actions: string[];
  conditionKeys: string[];
}

/** "statement AllowDeploy", or "statement #2" when it has no Sid. */
export function statementLabel(f: { index: number; sid?: string }): string {
  return f.sid ? `statement ${f.sid}` : `statement #${f.index + 1}`;
}

/** Allow statements that grant a whole service (`ec2:*`): FSBP IAM.21. `*` alone is IAM.1's business. */
export function serviceWildcardStatements(doc: PolicyDocument | undefined): StatementFinding[] {
  const source: PolicySource = {
    policyName: '',
    kind: 'inline',
    awsManaged: false,
    ...(doc ? { document: doc } : {}),
  };
  return statementRefs(source).flatMap((s) => {
    const actions = (s.actions ?? []).filter((a) => /^[a-z0-9-]+:\*+$/i.test(a));
    if (s.effect !== 'Allow' || actions.length === 0) return [];
    return [{ index: s.index, ...(s.sid ? { sid: s.sid } : {}), actions, conditionKeys: s.conditionKeys }];
  });
}

/** Allow statements granting every action (`*`) on every resource (`*`): FSBP IAM.1 / CIS 1.16. */
export function fullAdminStatements(doc: PolicyDocument | undefined): StatementFinding[] {
  const source: PolicySource = {
    policyName: '',
    kind: 'inline',
    awsManaged: false,
    ...(doc ? { document: doc } : {}),
  };
  return statementRefs(source).flatMap((s) => {
    const all = (s.actions ?? []).filter((a) => /^\*+(:\*+)?$/.test(a));
    if (s.effect !== 'Allow' || all.length === 0 || !s.resources?.some(isAllResources)) return [];
    return [
      { index: s.index, ...(s.sid ? { sid: s.sid } : {}), actions: all, conditionKeys: s.conditionKeys },
    ];
  });
}

/** Allow statements granting sensitive actions on every resource (Resource "*" or NotResource). */
export function sensitiveWildcardResourceStatements(doc: PolicyDocument | undefined): StatementFinding[] {
  const source: PolicySource = {
    policyName: '',
    kind: 'inline',
    awsManaged: false,
    ...(doc ? { document: doc } : {}),
  };
  return statementRefs(source).flatMap((s) => {
    if (s.effect !== 'Allow') return [];
    if (!s.resources?.some(isAllResources) && s.notResources === undefined) return [];
    const actions = SENSITIVE_ACTIONS.filter((a) => statementCoversAction(s, a));
    if (actions.length === 0) return [];
    return [{ index: s.index, ...(s.sid ? { sid: s.sid } : {}), actions, conditionKeys: s.conditionKeys }];
  });
}

/** " (conditions on aws:SourceIp not evaluated)" for messages about conditioned statements. */
export function conditionNote(keys: string[]): string {
  return keys.length ? ` (conditions on ${[...new Set(keys)].join(', ')} not evaluated)` : '';
}
