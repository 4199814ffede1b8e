import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  DeleteLoginProfileCommand,
  DeleteRolePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetLoginProfileCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
  type GetLoginProfileCommandOutput,
  type GetRolePolicyCommandOutput,
  type ListAccessKeysCommandOutput,
  type ListAttachedUserPoliciesCommandOutput,
  type ListUserTagsCommandOutput,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, ActionOutcome, AnyAction } from '../types.js';
import { accessKeyId, iamGroupName, iamName, iamRoleName, policyArn } from '../params.js';

/** IAM is global: its API lives in us-east-1 (aws partition). */
const iam = (ctx: ActionContext) => ctx.clients.get(IAMClient, { ...ctx.target, region: 'us-east-1' });

const userArn = (accountId: string, user: string) => `arn:aws:iam::${accountId}:user/${user}`;

type PrincipalType = 'user' | 'role' | 'group';

/** Tags of a user or role, every page (IAM groups cannot be tagged: they have none). */
async function principalTags(
  type: PrincipalType,
  name: string,
  ctx: ActionContext,
): Promise<Record<string, string>> {
  if (type === 'group') return {};
  const client = await iam(ctx);
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const page = marker ? { Marker: marker } : {};
    const out = await ctx.call<ListUserTagsCommandOutput>(
      client,
      type === 'user'
        ? new ListUserTagsCommand({ UserName: name, ...page })
        : new ListRoleTagsCommand({ RoleName: name, ...page }),
      type === 'user' ? 'iam:ListUserTags' : 'iam:ListRoleTags',
    );
    for (const t of out.Tags ?? []) tags[t.Key ?? ''] = t.Value ?? '';
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return tags;
}

const userTags = (user: string, ctx: ActionContext) => principalTags('user', user, ctx);

async function keyStatus(user: string, key: string, ctx: ActionContext): Promise<string> {
  const client = await iam(ctx);
  let marker: string | undefined;
  do {
    const out = await ctx.call<ListAccessKeysCommandOutput>(
      client,
      new ListAccessKeysCommand({ UserName: user, ...(marker ? { Marker: marker } : {}) }),
      'iam:ListAccessKeys',
    );
    const found = out.AccessKeyMetadata?.find((k) => k.AccessKeyId === key);
    if (found) return found.Status ?? 'Unknown';
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  throw new ActionError(
    'not-found',
    `access key ${key} does not belong to IAM user ${user} in account ${ctx.target.accountId}`,
  );
}

const keyParams = z.object({ userName: iamName, accessKeyId }).strict();
type KeyParams = z.infer<typeof keyParams>;

function setKeyStatus(
  status: 'Active' | 'Inactive',
  p: KeyParams,
  ctx: ActionContext,
  done: string,
): Promise<{ changed: boolean; summary: string }> {
  return (async () => {
    if ((await keyStatus(p.userName, p.accessKeyId, ctx)) === status)
      return {
        changed: false,
        summary: `Access key ${p.accessKeyId} of IAM user ${p.userName} was already ${status.toLowerCase()}.`,
      };
    await ctx.call(
      await iam(ctx),
      new UpdateAccessKeyCommand({ UserName: p.userName, AccessKeyId: p.accessKeyId, Status: status }),
      'iam:UpdateAccessKey',
    );
    return { changed: true, summary: `${done} access key ${p.accessKeyId} of IAM user ${p.userName}.` };
  })();
}

export const deactivateAccessKey: ActionDefinition<KeyParams> = {
  name: 'iam.deactivate-access-key',
  title: 'Deactivate an access key',
  description:
    'Sets an IAM user access key to Inactive (UpdateAccessKey). Requests signed with it fail at once; reactivating it undoes this.',
  destructive: false,
  reversible: true,
  permissions: ['iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:ListUserTags'],
  params: keyParams,
  resource: (p, t) => ({
    type: 'AwsIamAccessKey',
    id: `${userArn(t.accountId, p.userName)}/${p.accessKeyId}`,
  }),
  tags: (p, ctx) => userTags(p.userName, ctx),
  describe: (p, t) =>
    `Deactivate access key ${p.accessKeyId} of IAM user ${p.userName} in account ${t.accountId}.`,
  async run(p, ctx) {
    const r = await setKeyStatus('Inactive', p, ctx, 'Deactivated');
    return r.changed
      ? {
          status: 'changed',
          summary: r.summary,
          undo: { action: 'iam.activate-access-key', params: { ...p } },
        }
      : { status: 'unchanged', summary: r.summary };
  },
};

/** The undo of `iam.deactivate-access-key`. */
export const activateAccessKey: ActionDefinition<KeyParams> = {
  name: 'iam.activate-access-key',
  title: 'Reactivate an access key',
  description:
    'Sets an IAM user access key back to Active (UpdateAccessKey): the undo of deactivate-access-key.',
  destructive: false,
  reversible: true,
  permissions: ['iam:ListAccessKeys', 'iam:UpdateAccessKey'],
  params: keyParams,
  resource: (p, t) => ({
    type: 'AwsIamAccessKey',
    id: `${userArn(t.accountId, p.userName)}/${p.accessKeyId}`,
  }),
  describe: (p, t) =>
    `Reactivate access key ${p.accessKeyId} of IAM user ${p.userName} in account ${t.accountId}.`,
  async run(p, ctx) {
    const r = await setKeyStatus('Active', p, ctx, 'Reactivated');
    return r.changed
      ? {
          status: 'changed',
          summary: r.summary,
          undo: { action: 'iam.deactivate-access-key', params: { ...p } },
        }
      : { status: 'unchanged', summary: r.summary };
  },
};

/** The AWS managed policy that denies every action: attached to quarantine a user or role. */
export const DENY_ALL_POLICY_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';

const PRINCIPALS = {
  user: { label: 'IAM user', resourceType: 'AwsIamUser', api: 'User' },
  role: { label: 'IAM role', resourceType: 'AwsIamRole', api: 'Role' },
  group: { label: 'IAM group', resourceType: 'AwsIamGroup', api: 'Group' },
} as const;

const principalArn = (accountId: string, type: PrincipalType, name: string) =>
  `arn:aws:iam::${accountId}:${type}/${name}`;
const principalResource = (type: PrincipalType, name: string, accountId: string) => ({
  type: PRINCIPALS[type].resourceType,
  id: principalArn(accountId, type, name),
});

function listAttachedCommand(type: PrincipalType, name: string, marker: string | undefined) {
  const page = marker ? { Marker: marker } : {};
  if (type === 'user') return new ListAttachedUserPoliciesCommand({ UserName: name, ...page });
  if (type === 'role') return new ListAttachedRolePoliciesCommand({ RoleName: name, ...page });
  return new ListAttachedGroupPoliciesCommand({ GroupName: name, ...page });
}

function attachmentCommand(attach: boolean, type: PrincipalType, name: string, arn: string) {
  if (type === 'user')
    return attach
      ? new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn })
      : new DetachUserPolicyCommand({ UserName: name, PolicyArn: arn });
  if (type === 'role')
    return attach
      ? new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn })
      : new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn });
  return attach
    ? new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })
    : new DetachGroupPolicyCommand({ GroupName: name, PolicyArn: arn });
}

/** Whether a managed policy is attached to the principal, reading every page of its attachments. */
async function isAttached(type: PrincipalType, name: string, arn: string, ctx: ActionContext) {
  const client = await iam(ctx);
  let marker: string | undefined;
  do {
    // The three ListAttached*Policies outputs have the same shape.
    const out = await ctx.call<ListAttachedUserPoliciesCommandOutput>(
      client,
      listAttachedCommand(type, name, marker),
      `iam:ListAttached${PRINCIPALS[type].api}Policies`,
    );
    if (out.AttachedPolicies?.some((a) => a.PolicyArn === arn)) return true;
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return false;
}

/**
 * Attaches or detaches a managed policy unless it already is (or is not) attached. Returns whether it
 * changed anything, so a run repeated after a crash makes no second call.
 */
async function setAttachment(
  attach: boolean,
  type: PrincipalType,
  name: string,
  arn: string,
  ctx: ActionContext,
): Promise<boolean> {
  if ((await isAttached(type, name, arn, ctx)) === attach) return false;
  const verb = attach ? 'Attach' : 'Detach';
  await ctx.call(
    await iam(ctx),
    attachmentCommand(attach, type, name, arn),
    `iam:${verb}${PRINCIPALS[type].api}Policy`,
  );
  return true;
}

function outcome(
  changed: boolean,
  summary: { changed: string; unchanged: string },
  undo: ActionOutcome['undo'],
): ActionOutcome {
  return changed
    ? { status: 'changed', summary: summary.changed, ...(undo ? { undo } : {}) }
    : { status: 'unchanged', summary: summary.unchanged };
}

const userParams = z.object({ userName: iamName }).strict();
type UserParams = z.infer<typeof userParams>;
const roleParams = z.object({ roleName: iamRoleName }).strict();
type RoleParams = z.infer<typeof roleParams>;

/** The four quarantine actions differ only in principal type and direction. */
function quarantineRun(attach: boolean, type: 'user' | 'role', name: string, ctx: ActionContext) {
  return (async () => {
    const changed = await setAttachment(attach, type, name, DENY_ALL_POLICY_ARN, ctx);
    const who = `${PRINCIPALS[type].label} ${name}`;
    const params = type === 'user' ? { userName: name } : { roleName: name };
    return outcome(
      changed,
      attach
        ? {
            changed: `Quarantined ${who}: attached AWSDenyAll.`,
            unchanged: `${who} was already quarantined.`,
          }
        : {
            changed: `Released ${who} from quarantine: detached AWSDenyAll.`,
            unchanged: `${who} was not quarantined.`,
          },
      { action: `iam.${attach ? 'unquarantine' : 'quarantine'}-${type}`, params },
    );
  })();
}

export const quarantineUser: ActionDefinition<UserParams> = {
  name: 'iam.quarantine-user',
  title: 'Quarantine an IAM user',
  description:
    'Attaches the AWS managed policy AWSDenyAll to an IAM user (AttachUserPolicy): an explicit deny of every action, whatever its other policies allow, for its access keys and console sign-in alike. Detaching it undoes this.',
  destructive: true,
  reversible: true,
  permissions: ['iam:ListAttachedUserPolicies', 'iam:AttachUserPolicy', 'iam:ListUserTags'],
  params: userParams,
  resource: (p, t) => principalResource('user', p.userName, t.accountId),
  tags: (p, ctx) => principalTags('user', p.userName, ctx),
  describe: (p, t) =>
    `Quarantine IAM user ${p.userName} in account ${t.accountId} by attaching the deny-all policy AWSDenyAll.`,
  run: (p, ctx) => quarantineRun(true, 'user', p.userName, ctx),
};

/** The undo of `iam.quarantine-user`. */
export const unquarantineUser: ActionDefinition<UserParams> = {
  name: 'iam.unquarantine-user',
  title: 'Release an IAM user from quarantine',
  description:
    'Detaches the AWS managed policy AWSDenyAll from an IAM user (DetachUserPolicy): the undo of quarantine-user.',
  destructive: false,
  reversible: true,
  permissions: ['iam:ListAttachedUserPolicies', 'iam:DetachUserPolicy', 'iam:ListUserTags'],
  params: userParams,
  resource: (p, t) => principalResource('user', p.userName, t.accountId),
  tags: (p, ctx) => principalTags('user', p.userName, ctx),
  describe: (p, t) =>
    `Release IAM user ${p.userName} in account ${t.accountId} from quarantine by detaching AWSDenyAll.`,
  run: (p, ctx) => quarantineRun(false, 'user', p.userName, ctx),
};

export const quarantineRole: ActionDefinition<RoleParams> = {
  name: 'iam.quarantine-role',
  title: 'Quarantine an IAM role',
  description:
    'Attaches the AWS managed policy AWSDenyAll to an IAM role (AttachRolePolicy): every session of the role, current and future, is denied every action. Detaching it undoes this.',
  destructive: true,
  reversible: true,
  permissions: ['iam:ListAttachedRolePolicies', 'iam:AttachRolePolicy', 'iam:ListRoleTags'],
  params: roleParams,
  resource: (p, t) => principalResource('role', p.roleName, t.accountId),
  tags: (p, ctx) => principalTags('role', p.roleName, ctx),
  describe: (p, t) =>
    `Quarantine IAM role ${p.roleName} in account ${t.accountId} by attaching the deny-all policy AWSDenyAll.`,
  run: (p, ctx) => quarantineRun(true, 'role', p.roleName, ctx),
};

/** The undo of `iam.quarantine-role`. */
export const unquarantineRole: ActionDefinition<RoleParams> = {
  name: 'iam.unquarantine-role',
  title: 'Release an IAM role from quarantine',
  description:
    'Detaches the AWS managed policy AWSDenyAll from an IAM role (DetachRolePolicy): the undo of quarantine-role.',
  destructive: false,
  reversible: true,
  permissions: ['iam:ListAttachedRolePolicies', 'iam:DetachRolePolicy', 'iam:ListRoleTags'],
  params: roleParams,
  resource: (p, t) => principalResource('role', p.roleName, t.accountId),
  tags: (p, ctx) => principalTags('role', p.roleName, ctx),
  describe: (p, t) =>
    `Release IAM role ${p.roleName} in account ${t.accountId} from quarantine by detaching AWSDenyAll.`,
  run: (p, ctx) => quarantineRun(false, 'role', p.roleName, ctx),
};

/** The inline policy the IAM console's "Revoke active sessions" puts on a role; the same name is used here. */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

/**
 * The console's revoke-sessions policy: deny everything to sessions whose token was issued before
 * `issuedBefore`. Sessions assumed later are unaffected, so legitimate users just assume the role again.
 */
export function revokeSessionsPolicy(issuedBefore: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore.toISOString() } },
      },
    ],
  });
}

const isStar = (v: unknown) => v === '*' || (Array.isArray(v) && v.length === 1 && v[0] === '*');

/**
 * The cut-off time of a revoke-sessions policy document, or undefined when the document is not one (an
 * edited policy under the same name is then replaced, its text kept in the audit record).
 */
function revokeCutoff(document: string): Date | undefined {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(document) as { Statement?: unknown };
  } catch {
    return undefined;
  }
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : [doc?.Statement];
  let latest: number | undefined;
  for (const s of statements as {
    Effect?: unknown;
    Action?: unknown;
    Resource?: unknown;
    Condition?: unknown;
  }[]) {
    if (!s || s.Effect !== 'Deny' || !isStar(s.Action) || !isStar(s.Resource)) continue;
    const condition = s.Condition as { DateLessThan?: Record<string, unknown> } | undefined;
    if (!condition || Object.keys(condition).length !== 1 || !condition.DateLessThan) continue;
    const cut = condition.DateLessThan['aws:TokenIssueTime'];
    const ms = typeof cut === 'string' ? Date.parse(cut) : NaN;
    if (Number.isFinite(ms) && (latest === undefined || ms > latest)) latest = ms;
  }
  return latest === undefined ? undefined : new Date(latest);
}

interface RevokeState {
  /** The policy's document as AWS returned it, URL-decoded; absent when the role has no such policy. */
  document?: string;
  issuedBefore?: Date;
}

async function readRevokePolicy(role: string, ctx: ActionContext): Promise<RevokeState> {
  const out = await ctx.call<GetRolePolicyCommandOutput>(
    await iam(ctx),
    new GetRolePolicyCommand({ RoleName: role, PolicyName: REVOKE_POLICY_NAME }),
    'iam:GetRolePolicy',
    ['NoSuchEntity'],
  );
  if (out.errorCode || out.PolicyDocument === undefined) return {};
  // IAM returns policy documents URL-encoded (RFC 3986).
  let document: string;
  try {
    document = decodeURIComponent(out.PolicyDocument);
  } catch {
    document = out.PolicyDocument;
  }
  const issuedBefore = revokeCutoff(document);
  return { document, ...(issuedBefore ? { issuedBefore } : {}) };
}

async function putRevokePolicy(role: string, issuedBefore: Date, ctx: ActionContext): Promise<void> {
  await ctx.call(
    await iam(ctx),
    new PutRolePolicyCommand({
      RoleName: role,
      PolicyName: REVOKE_POLICY_NAME,
      PolicyDocument: revokeSessionsPolicy(issuedBefore),
    }),
    'iam:PutRolePolicy',
  );
}

/** How to return to `previous`: restore its cut-off, or delete the policy it did not have. */
function revokeUndo(role: string, previous: RevokeState): ActionOutcome['undo'] {
  if (previous.issuedBefore)
    return {
      action: 'iam.restore-revoke-sessions-policy',
      params: { roleName: role, issuedBefore: previous.issuedBefore.toISOString() },
    };
  if (previous.document === undefined)
    return {
      action: 'iam.delete-role-inline-policy',
      params: { roleName: role, policyName: REVOKE_POLICY_NAME },
    };
  // An edited document cannot be put back by an action (that would let a parameter write any policy);
  // it is kept in `data.previousDocument` for a person to restore.
  return undefined;
}

/** A re-run this soon after a revocation (without a finding to go by) leaves it as it is. */
const RECENT_REVOCATION_MS = 15 * 60_000;

/**
 * The cut-off an existing revocation must reach to count as done. With a finding, its last sighting:
 * every session that produced it was issued before then, so a policy at or after it revokes them all
 * (and a run resumed after a restart, or repeated for the same finding, changes nothing). Without one,
 * a revocation from the last few minutes.
 */
function wantedCutoff(ctx: ActionContext): number {
  const now = ctx.now().getTime();
  const seen = ctx.finding ? Date.parse(ctx.finding.lastSeen) : NaN;
  return Number.isFinite(seen) && seen <= now ? seen : now - RECENT_REVOCATION_MS;
}

export const revokeRoleSessions: ActionDefinition<RoleParams> = {
  name: 'iam.revoke-role-sessions',
  title: "Revoke an IAM role's active sessions",
  description:
    `Puts the inline policy ${REVOKE_POLICY_NAME} on an IAM role (PutRolePolicy), as the IAM console's "Revoke active sessions" does: ` +
    'every action is denied to sessions issued before now (aws:TokenIssueTime), so stolen temporary credentials stop working while new sessions work. ' +
    'Undo deletes the policy, or puts back the earlier cut-off it replaced. Service-linked roles cannot be revoked.',
  destructive: true,
  reversible: true,
  permissions: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:ListRoleTags'],
  params: roleParams,
  resource: (p, t) => principalResource('role', p.roleName, t.accountId),
  tags: (p, ctx) => principalTags('role', p.roleName, ctx),
  describe: (p, t) =>
    `Revoke the active sessions of IAM role ${p.roleName} in account ${t.accountId} (deny every session issued before now).`,
  async run(p, ctx) {
    const previous = await readRevokePolicy(p.roleName, ctx);
    if (previous.issuedBefore && previous.issuedBefore.getTime() >= wantedCutoff(ctx))
      return {
        status: 'unchanged',
        summary: `Sessions of IAM role ${p.roleName} issued before ${previous.issuedBefore.toISOString()} were already revoked.`,
      };
    const issuedBefore = ctx.now();
    await putRevokePolicy(p.roleName, issuedBefore, ctx);
    const undo = revokeUndo(p.roleName, previous);
    return {
      status: 'changed',
      summary: `Revoked the sessions of IAM role ${p.roleName} issued before ${issuedBefore.toISOString()}.`,
      ...(undo ? { undo } : {}),
      data: {
        issuedBefore: issuedBefore.toISOString(),
        ...(previous.document !== undefined ? { previousDocument: previous.document } : {}),
      },
    };
  },
};

const restoreRevokeParams = z.object({ roleName: iamRoleName, issuedBefore: z.string().datetime() }).strict();
type RestoreRevokeParams = z.infer<typeof restoreRevokeParams>;

/**
 * The undo of `iam.revoke-role-sessions` when it replaced an earlier revocation: puts that earlier cut-off
 * back. Destructive, because a cut-off is a revocation: in the future it would deny the role outright.
 */
export const restoreRevokeSessionsPolicy: ActionDefinition<RestoreRevokeParams> = {
  name: 'iam.restore-revoke-sessions-policy',
  title: "Restore an IAM role's earlier session revocation",
  description: `Puts the inline policy ${REVOKE_POLICY_NAME} back on an IAM role with an earlier cut-off time (PutRolePolicy): the undo of revoke-role-sessions when it replaced an earlier revocation.`,
  destructive: true,
  reversible: true,
  permissions: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:ListRoleTags'],
  params: restoreRevokeParams,
  resource: (p, t) => principalResource('role', p.roleName, t.accountId),
  tags: (p, ctx) => principalTags('role', p.roleName, ctx),
  describe: (p, t) =>
    `Set the session revocation of IAM role ${p.roleName} in account ${t.accountId} back to sessions issued before ${p.issuedBefore}.`,
  async run(p, ctx) {
    const wanted = new Date(p.issuedBefore);
    const previous = await readRevokePolicy(p.roleName, ctx);
    if (previous.issuedBefore?.getTime() === wanted.getTime())
      return {
        status: 'unchanged',
        summary: `Sessions of IAM role ${p.roleName} issued before ${p.issuedBefore} were already the ones revoked.`,
      };
    await putRevokePolicy(p.roleName, wanted, ctx);
    const undo = revokeUndo(p.roleName, previous);
    return {
      status: 'changed',
      summary: `Set the session revocation of IAM role ${p.roleName} back to sessions issued before ${wanted.toISOString()}.`,
      ...(undo ? { undo } : {}),
      ...(previous.document !== undefined ? { data: { previousDocument: previous.document } } : {}),
    };
  },
};

const inlinePolicyParams = z
  .object({ roleName: iamRoleName, policyName: z.literal(REVOKE_POLICY_NAME) })
  .strict();
type InlinePolicyParams = z.infer<typeof inlinePolicyParams>;

/**
 * The undo of `iam.revoke-role-sessions`: deletes the revoke-sessions policy. Limited to that one policy
 * name so that no playbook can use it to strip a role's other inline policies.
 */
export const deleteRoleInlinePolicy: ActionDefinition<InlinePolicyParams> = {
  name: 'iam.delete-role-inline-policy',
  title: "Delete an IAM role's session revocation",
  description: `Deletes the inline policy ${REVOKE_POLICY_NAME} from an IAM role (DeleteRolePolicy): the undo of revoke-role-sessions. Only that policy name is accepted.`,
  destructive: false,
  reversible: true,
  permissions: ['iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:ListRoleTags'],
  params: inlinePolicyParams,
  resource: (p, t) => principalResource('role', p.roleName, t.accountId),
  tags: (p, ctx) => principalTags('role', p.roleName, ctx),
  describe: (p, t) =>
    `Delete the inline policy ${p.policyName} of IAM role ${p.roleName} in account ${t.accountId}.`,
  async run(p, ctx) {
    const previous = await readRevokePolicy(p.roleName, ctx);
    if (previous.document === undefined)
      return { status: 'unchanged', summary: `IAM role ${p.roleName} had no inline policy ${p.policyName}.` };
    const out = await ctx.call<object>(
      await iam(ctx),
      new DeleteRolePolicyCommand({ RoleName: p.roleName, PolicyName: p.policyName }),
      'iam:DeleteRolePolicy',
      ['NoSuchEntity'],
    );
    if (out.errorCode)
      return { status: 'unchanged', summary: `IAM role ${p.roleName} had no inline policy ${p.policyName}.` };
    const undo = revokeUndo(p.roleName, previous);
    return {
      status: 'changed',
      summary: `Deleted the inline policy ${p.policyName} of IAM role ${p.roleName}.`,
      ...(undo ? { undo } : {}),
      data: { previousDocument: previous.document },
    };
  },
};

export const deleteLoginProfile: ActionDefinition<UserParams> = {
  name: 'iam.delete-login-profile',
  title: "Delete an IAM user's console password",
  description:
    "Deletes an IAM user's login profile (DeleteLoginProfile): the user can no longer sign in to the console; access keys are unaffected. " +
    'Not reversible: AWS cannot return the password, so an administrator must set a new one (CreateLoginProfile).',
  destructive: true,
  reversible: false,
  permissions: ['iam:GetLoginProfile', 'iam:DeleteLoginProfile', 'iam:ListUserTags'],
  params: userParams,
  resource: (p, t) => principalResource('user', p.userName, t.accountId),
  tags: (p, ctx) => principalTags('user', p.userName, ctx),
  describe: (p, t) =>
    `Delete the console password (login profile) of IAM user ${p.userName} in account ${t.accountId}; it cannot be restored.`,
  async run(p, ctx) {
    const client = await iam(ctx);
    const none = { status: 'unchanged', summary: `IAM user ${p.userName} had no console password.` } as const;
    const current = await ctx.call<GetLoginProfileCommandOutput>(
      client,
      new GetLoginProfileCommand({ UserName: p.userName }),
      'iam:GetLoginProfile',
      ['NoSuchEntity'],
    );
    if (current.errorCode) return none;
    const out = await ctx.call<object>(
      client,
      new DeleteLoginProfileCommand({ UserName: p.userName }),
      'iam:DeleteLoginProfile',
      ['NoSuchEntity'],
    );
    if (out.errorCode) return none;
    const created = current.LoginProfile?.CreateDate;
    return {
      status: 'changed',
      summary: `Deleted the console password of IAM user ${p.userName}.`,
      ...(created ? { data: { passwordCreated: created.toISOString() } } : {}),
    };
  },
};

const policyParams = z
  .object({
    principalType: z.enum(['user', 'role', 'group']),
    name: z.string(),
    policyArn,
  })
  .strict()
  .superRefine((p, ctx) => {
    const shape =
      p.principalType === 'group' ? iamGroupName : p.principalType === 'role' ? iamRoleName : iamName;
    const r = shape.safeParse(p.name);
    if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ['name'] });
  });
type PolicyParams = z.infer<typeof policyParams>;

function policyAttachmentRun(attach: boolean, p: PolicyParams, ctx: ActionContext) {
  return (async () => {
    const changed = await setAttachment(attach, p.principalType, p.name, p.policyArn, ctx);
    const who = `${PRINCIPALS[p.principalType].label} ${p.name}`;
    return outcome(
      changed,
      attach
        ? {
            changed: `Attached ${p.policyArn} to ${who}.`,
            unchanged: `${p.policyArn} was already attached to ${who}.`,
          }
        : {
            changed: `Detached ${p.policyArn} from ${who}.`,
            unchanged: `${p.policyArn} was not attached to ${who}.`,
          },
      { action: attach ? 'iam.detach-policy' : 'iam.attach-policy', params: { ...p } },
    );
  })();
}

const attachmentPermissions = (verb: 'Attach' | 'Detach') => [
  'iam:ListAttachedUserPolicies',
  'iam:ListAttachedRolePolicies',
  'iam:ListAttachedGroupPolicies',
  `iam:${verb}UserPolicy`,
  `iam:${verb}RolePolicy`,
  `iam:${verb}GroupPolicy`,
  'iam:ListUserTags',
  'iam:ListRoleTags',
];

export const detachPolicy: ActionDefinition<PolicyParams> = {
  name: 'iam.detach-policy',
  title: 'Detach a managed policy',
  description:
    'Detaches a managed policy (typically an AdministratorAccess an attacker just attached) from an IAM user, role or group (DetachUserPolicy, DetachRolePolicy, DetachGroupPolicy). Attaching it again undoes this.',
  destructive: false,
  reversible: true,
  permissions: attachmentPermissions('Detach'),
  params: policyParams,
  resource: (p, t) => principalResource(p.principalType, p.name, t.accountId),
  tags: (p, ctx) => principalTags(p.principalType, p.name, ctx),
  describe: (p, t) =>
    `Detach ${p.policyArn} from ${PRINCIPALS[p.principalType].label} ${p.name} in account ${t.accountId}.`,
  run: (p, ctx) => policyAttachmentRun(false, p, ctx),
};

/**
 * The undo of `iam.detach-policy`. Destructive in the sense that it needs an approval: it grants
 * permissions, and a playbook step taking the policy from a finding must not hand out AdministratorAccess
 * on its own.
 */
export const attachPolicy: ActionDefinition<PolicyParams> = {
  name: 'iam.attach-policy',
  title: 'Attach a managed policy',
  description:
    'Attaches a managed policy to an IAM user, role or group (AttachUserPolicy, AttachRolePolicy, AttachGroupPolicy): the undo of detach-policy. It grants permissions, so it needs an approval like a destructive action.',
  destructive: true,
  reversible: true,
  permissions: attachmentPermissions('Attach'),
  params: policyParams,
  resource: (p, t) => principalResource(p.principalType, p.name, t.accountId),
  tags: (p, ctx) => principalTags(p.principalType, p.name, ctx),
  describe: (p, t) =>
    `Attach ${p.policyArn} to ${PRINCIPALS[p.principalType].label} ${p.name} in account ${t.accountId}.`,
  run: (p, ctx) => policyAttachmentRun(true, p, ctx),
};

export const iamActions: AnyAction[] = [
  deactivateAccessKey,
  activateAccessKey,
  quarantineUser,
  unquarantineUser,
  quarantineRole,
  unquarantineRole,
  revokeRoleSessions,
  restoreRevokeSessionsPolicy,
  deleteRoleInlinePolicy,
  deleteLoginProfile,
  detachPolicy,
  attachPolicy,
];
