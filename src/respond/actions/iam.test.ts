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
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../core/finding.js';
import { ActionError } from '../types.js';
import type { ActionContext } from '../types.js';
import { awsError, testContext } from '../testing.js';
import {
  activateAccessKey,
  attachPolicy,
  deactivateAccessKey,
  deleteLoginProfile,
  deleteRoleInlinePolicy,
  detachPolicy,
  iamActions,
  quarantineRole,
  quarantineUser,
  restoreRevokeSessionsPolicy,
  revokeRoleSessions,
  unquarantineRole,
  unquarantineUser,
} from './iam.js';

const iam = mockClient(IAMClient);
afterEach(() => iam.reset());

const params = { userName: 'alice', accessKeyId: 'AKIAABCDEFGHIJKLMNOP' };
const keys = (status: 'Active' | 'Inactive') => ({
  AccessKeyMetadata: [{ AccessKeyId: params.accessKeyId, Status: status, UserName: 'alice' }],
  $metadata: { requestId: 'req-list' },
});

describe('iam.deactivate-access-key', () => {
  it('calls UpdateAccessKey with Status Inactive once and records how to undo it', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys('Active'));
    iam.on(UpdateAccessKeyCommand).resolves({ $metadata: { requestId: 'req-update' } });
    const ctx = testContext();
    const out = await deactivateAccessKey.run(deactivateAccessKey.params.parse(params), ctx);
    expect(out.status).toBe('changed');
    expect(out.undo).toEqual({ action: 'iam.activate-access-key', params });
    const updates = iam.commandCalls(UpdateAccessKeyCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toEqual({
      UserName: 'alice',
      AccessKeyId: params.accessKeyId,
      Status: 'Inactive',
    });
    expect(ctx.calls.map((c) => [c.api, c.requestId])).toEqual([
      ['iam:ListAccessKeys', 'req-list'],
      ['iam:UpdateAccessKey', 'req-update'],
    ]);
  });

  it('is an idempotent success without UpdateAccessKey when the key is already inactive', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys('Inactive'));
    const out = await deactivateAccessKey.run(params, testContext());
    expect(out.status).toBe('unchanged');
    expect(out.undo).toBeUndefined();
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });

  it('retries throttling and then succeeds', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys('Active'));
    iam
      .on(UpdateAccessKeyCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .resolves({ $metadata: { requestId: 'req-ok' } });
    const ctx = testContext();
    const out = await deactivateAccessKey.run(params, ctx);
    expect(out.status).toBe('changed');
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(3);
    expect(ctx.calls.at(-1)).toMatchObject({ api: 'iam:UpdateAccessKey', attempts: 3, requestId: 'req-ok' });
  });

  it('fails with a clear message naming the permission on AccessDenied', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys('Active'));
    iam
      .on(UpdateAccessKeyCommand)
      .rejects(awsError('AccessDenied', 'User: arn:aws:iam::111122223333:role/vigil is not authorized'));
    const err = await deactivateAccessKey.run(params, testContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).message).toMatch(/iam:UpdateAccessKey was denied in account 111122223333/);
  });

  it('refuses temporary keys and anything that is not an access key id', () => {
    expect(
      deactivateAccessKey.params.safeParse({ ...params, accessKeyId: 'ASIAABCDEFGHIJKLMNOP' }).success,
    ).toBe(false);
    expect(deactivateAccessKey.params.safeParse({ ...params, userName: 'alice/../bob' }).success).toBe(false);
    expect(deactivateAccessKey.params.safeParse({ ...params, extra: 1 }).success).toBe(false);
  });

  it('undo reactivates the key', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys('Inactive'));
    iam.on(UpdateAccessKeyCommand).resolves({});
    const out = await activateAccessKey.run(params, testContext());
    expect(out.status).toBe('changed');
    expect(iam.commandCalls(UpdateAccessKeyCommand)[0]!.args[0].input.Status).toBe('Active');
  });
});

const DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** testContext's clock. */
const NOW = '2026-11-25T12:00:00.000Z';

async function failure(p: Promise<unknown>): Promise<ActionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

/** Every API an action called is among the permissions it declares (the README's table). */
function expectDeclared(action: { permissions: readonly string[] }, ctx: ActionContext) {
  for (const c of ctx.calls) expect(action.permissions).toContain(c.api);
}

describe('iam.quarantine-user', () => {
  it('attaches AWSDenyAll once with the exact input and records the undo', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN }] });
    iam.on(AttachUserPolicyCommand).resolves({ $metadata: { requestId: 'req-attach' } });
    const ctx = testContext();
    const out = await quarantineUser.run(quarantineUser.params.parse({ userName: 'alice' }), ctx);
    expect(out).toMatchObject({
      status: 'changed',
      undo: { action: 'iam.unquarantine-user', params: { userName: 'alice' } },
    });
    expect(iam.commandCalls(ListAttachedUserPoliciesCommand)[0]!.args[0].input).toEqual({
      UserName: 'alice',
    });
    const attaches = iam.commandCalls(AttachUserPolicyCommand);
    expect(attaches).toHaveLength(1);
    expect(attaches[0]!.args[0].input).toEqual({ UserName: 'alice', PolicyArn: DENY_ALL });
    expect(ctx.calls.map((c) => c.api)).toEqual(['iam:ListAttachedUserPolicies', 'iam:AttachUserPolicy']);
    expectDeclared(quarantineUser, ctx);
    expect(quarantineUser.destructive).toBe(true);
  });

  it('finds the policy on a later page and then makes no change', async () => {
    iam
      .on(ListAttachedUserPoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: ADMIN }], IsTruncated: true, Marker: 'page-2' })
      .resolves({ AttachedPolicies: [{ PolicyArn: DENY_ALL }], IsTruncated: false });
    const out = await quarantineUser.run({ userName: 'alice' }, testContext());
    expect(out).toEqual({ status: 'unchanged', summary: 'IAM user alice was already quarantined.' });
    const lists = iam.commandCalls(ListAttachedUserPoliciesCommand);
    expect(lists.map((c) => c.args[0].input)).toEqual([
      { UserName: 'alice' },
      { UserName: 'alice', Marker: 'page-2' },
    ]);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
  });

  it('attaches exactly once across a run repeated after a crash', async () => {
    const attached = new Set<string>();
    iam
      .on(ListAttachedUserPoliciesCommand)
      .callsFake(() => ({ AttachedPolicies: [...attached].map((PolicyArn) => ({ PolicyArn })) }));
    iam.on(AttachUserPolicyCommand).callsFake((input: { PolicyArn: string }) => {
      attached.add(input.PolicyArn);
      return {};
    });
    expect((await quarantineUser.run({ userName: 'alice' }, testContext())).status).toBe('changed');
    expect((await quarantineUser.run({ userName: 'alice' }, testContext())).status).toBe('unchanged');
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(1);
  });

  it('retries throttling of AttachUserPolicy', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iam
      .on(AttachUserPolicyCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .resolves({ $metadata: { requestId: 'req-ok' } });
    const ctx = testContext();
    expect((await quarantineUser.run({ userName: 'alice' }, ctx)).status).toBe('changed');
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(2);
    expect(ctx.calls.at(-1)).toMatchObject({ api: 'iam:AttachUserPolicy', attempts: 2, requestId: 'req-ok' });
  });

  it('fails with access-denied naming the API', async () => {
    iam.on(ListAttachedUserPoliciesCommand).rejects(awsError('AccessDenied', 'not authorized'));
    const err = await failure(quarantineUser.run({ userName: 'alice' }, testContext()));
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/iam:ListAttachedUserPolicies was denied in account 111122223333/);
    expect(iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
  });

  it('undo detaches AWSDenyAll, and does nothing when it is not attached', async () => {
    iam
      .on(ListAttachedUserPoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: DENY_ALL }] })
      .resolves({ AttachedPolicies: [] });
    iam.on(DetachUserPolicyCommand).resolves({});
    const ctx = testContext();
    const out = await unquarantineUser.run({ userName: 'alice' }, ctx);
    expect(out.undo).toEqual({ action: 'iam.quarantine-user', params: { userName: 'alice' } });
    expect(iam.commandCalls(DetachUserPolicyCommand)[0]!.args[0].input).toEqual({
      UserName: 'alice',
      PolicyArn: DENY_ALL,
    });
    expectDeclared(unquarantineUser, ctx);
    expect((await unquarantineUser.run({ userName: 'alice' }, testContext())).status).toBe('unchanged');
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(1);
  });

  it('reads the user tags across pages', async () => {
    iam
      .on(ListUserTagsCommand)
      .resolvesOnce({ Tags: [{ Key: 'team', Value: 'sec' }], IsTruncated: true, Marker: 'm2' })
      .resolves({ Tags: [{ Key: 'vigil:protected', Value: 'true' }] });
    const tags = await quarantineUser.tags!({ userName: 'alice' }, testContext());
    expect(tags).toEqual({ team: 'sec', 'vigil:protected': 'true' });
    expect(iam.commandCalls(ListUserTagsCommand)[1]!.args[0].input).toEqual({
      UserName: 'alice',
      Marker: 'm2',
    });
  });

  it('names the user and refuses names that are not IAM names', () => {
    expect(
      quarantineUser.resource!({ userName: 'alice' }, { accountId: '111122223333', region: 'eu-west-1' }),
    ).toEqual({ type: 'AwsIamUser', id: 'arn:aws:iam::111122223333:user/alice' });
    expect(quarantineUser.params.safeParse({ userName: 'alice/bob' }).success).toBe(false);
    expect(quarantineUser.params.safeParse({ userName: '*' }).success).toBe(false);
  });
});

describe('iam.quarantine-role', () => {
  it('attaches AWSDenyAll to the role once; undo detaches it', async () => {
    iam
      .on(ListAttachedRolePoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [] })
      .resolves({ AttachedPolicies: [{ PolicyArn: DENY_ALL }] });
    iam.on(AttachRolePolicyCommand).resolves({});
    iam.on(DetachRolePolicyCommand).resolves({});
    const ctx = testContext();
    const out = await quarantineRole.run({ roleName: 'web-app' }, ctx);
    expect(out.undo).toEqual({ action: 'iam.unquarantine-role', params: { roleName: 'web-app' } });
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)[0]!.args[0].input).toEqual({
      RoleName: 'web-app',
    });
    expect(iam.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'web-app', PolicyArn: DENY_ALL },
    ]);
    expectDeclared(quarantineRole, ctx);
    expect((await quarantineRole.run({ roleName: 'web-app' }, testContext())).status).toBe('unchanged');
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(1);

    await unquarantineRole.run(out.undo!.params as { roleName: string }, testContext());
    expect(iam.commandCalls(DetachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'web-app', PolicyArn: DENY_ALL },
    ]);
  });

  it('reads the role tags with ListRoleTags', async () => {
    iam.on(ListRoleTagsCommand).resolves({ Tags: [{ Key: 'break-glass', Value: 'yes' }] });
    expect(await quarantineRole.tags!({ roleName: 'web-app' }, testContext())).toEqual({
      'break-glass': 'yes',
    });
    expect(iam.commandCalls(ListRoleTagsCommand)[0]!.args[0].input).toEqual({ RoleName: 'web-app' });
  });
});

/** A role whose AWSRevokeOlderSessions policy lives in `state`, as IAM would keep it (URL-encoded). */
function revokeState(initial?: string) {
  const state = { document: initial };
  iam.on(GetRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => {
    if (state.document === undefined)
      throw awsError('NoSuchEntity', `The role policy with name ${input.PolicyName} cannot be found.`, 404);
    return {
      RoleName: input.RoleName,
      PolicyName: input.PolicyName,
      PolicyDocument: encodeURIComponent(state.document),
    };
  });
  iam.on(PutRolePolicyCommand).callsFake((input: { PolicyDocument: string }) => {
    state.document = input.PolicyDocument;
    return { $metadata: { requestId: 'req-put' } };
  });
  iam.on(DeleteRolePolicyCommand).callsFake(() => {
    state.document = undefined;
    return {};
  });
  return state;
}

const revokeDocument = (time: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Action: ['*'],
      Resource: ['*'],
      Condition: { DateLessThan: { 'aws:TokenIssueTime': time } },
    },
  ],
});

const withFinding = (lastSeen: string) => testContext({ finding: { lastSeen } as Finding });

describe('iam.revoke-role-sessions', () => {
  it('puts the console revoke-sessions policy with the current time, once', async () => {
    revokeState();
    const ctx = testContext();
    const out = await revokeRoleSessions.run(revokeRoleSessions.params.parse({ roleName: 'web-app' }), ctx);
    expect(out).toMatchObject({
      status: 'changed',
      undo: {
        action: 'iam.delete-role-inline-policy',
        params: { roleName: 'web-app', policyName: 'AWSRevokeOlderSessions' },
      },
      data: { issuedBefore: NOW },
    });
    expect(iam.commandCalls(GetRolePolicyCommand)[0]!.args[0].input).toEqual({
      RoleName: 'web-app',
      PolicyName: 'AWSRevokeOlderSessions',
    });
    const puts = iam.commandCalls(PutRolePolicyCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input).toEqual({
      RoleName: 'web-app',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],' +
        '"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-25T12:00:00.000Z"}}}]}',
    });
    expect(ctx.calls.map((c) => [c.api, c.errorCode])).toEqual([
      ['iam:GetRolePolicy', 'NoSuchEntity'],
      ['iam:PutRolePolicy', undefined],
    ]);
    expectDeclared(revokeRoleSessions, ctx);
    expect(revokeRoleSessions.destructive).toBe(true);
  });

  it('puts the policy exactly once across a run repeated after a crash', async () => {
    revokeState();
    expect((await revokeRoleSessions.run({ roleName: 'web-app' }, testContext())).status).toBe('changed');
    const again = await revokeRoleSessions.run({ roleName: 'web-app' }, testContext());
    expect(again).toEqual({
      status: 'unchanged',
      summary: `Sessions of IAM role web-app issued before ${NOW} were already revoked.`,
    });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });

  it('keeps a revocation made after the finding was last seen (the console form, unpadded)', async () => {
    revokeState(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-25T09:30:00Z' } },
        },
      }),
    );
    const out = await revokeRoleSessions.run({ roleName: 'web-app' }, withFinding('2026-11-25T09:00:00Z'));
    expect(out.status).toBe('unchanged');
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('moves an older cut-off forward and records the earlier one for undo', async () => {
    const state = revokeState(JSON.stringify(revokeDocument('2026-11-25T08:00:00.000Z')));
    const out = await revokeRoleSessions.run({ roleName: 'web-app' }, withFinding('2026-11-25T09:00:00Z'));
    expect(out.status).toBe('changed');
    expect(out.undo).toEqual({
      action: 'iam.restore-revoke-sessions-policy',
      params: { roleName: 'web-app', issuedBefore: '2026-11-25T08:00:00.000Z' },
    });
    expect(JSON.parse(state.document!)).toEqual(revokeDocument(NOW));

    // The undo puts the earlier cut-off back, exactly.
    const undo = await restoreRevokeSessionsPolicy.run(
      restoreRevokeSessionsPolicy.params.parse(out.undo!.params),
      testContext(),
    );
    expect(undo.status).toBe('changed');
    expect(iam.commandCalls(PutRolePolicyCommand).at(-1)!.args[0].input).toEqual({
      RoleName: 'web-app',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: JSON.stringify(revokeDocument('2026-11-25T08:00:00.000Z')),
    });
    expect(undo.undo).toEqual({
      action: 'iam.restore-revoke-sessions-policy',
      params: { roleName: 'web-app', issuedBefore: NOW },
    });
    expect((await restoreRevokeSessionsPolicy.run(out.undo!.params as never, testContext())).status).toBe(
      'unchanged',
    );
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(2);
  });

  it('without a finding, renews a revocation older than a few minutes', async () => {
    revokeState(JSON.stringify(revokeDocument('2026-11-25T11:30:00.000Z')));
    expect((await revokeRoleSessions.run({ roleName: 'web-app' }, testContext())).status).toBe('changed');
    revokeState(JSON.stringify(revokeDocument('2026-11-25T11:55:00.000Z')));
    expect((await revokeRoleSessions.run({ roleName: 'web-app' }, testContext())).status).toBe('unchanged');
  });

  it('replaces an edited policy of that name, keeping its text but no undo that could write it', async () => {
    const edited = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    revokeState(edited);
    const out = await revokeRoleSessions.run({ roleName: 'web-app' }, testContext());
    expect(out.status).toBe('changed');
    expect(out.undo).toBeUndefined();
    expect(out.data).toEqual({ issuedBefore: NOW, previousDocument: edited });
  });

  it('retries throttling and reports AccessDenied on PutRolePolicy', async () => {
    revokeState();
    iam
      .on(PutRolePolicyCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(awsError('ServiceUnavailable', 'try again', 503))
      .resolves({});
    const ctx = testContext();
    expect((await revokeRoleSessions.run({ roleName: 'web-app' }, ctx)).status).toBe('changed');
    expect(ctx.calls.at(-1)).toMatchObject({ api: 'iam:PutRolePolicy', attempts: 3 });

    iam.reset();
    revokeState();
    iam
      .on(PutRolePolicyCommand)
      .rejects(awsError('AccessDenied', 'not authorized to perform iam:PutRolePolicy'));
    const err = await failure(revokeRoleSessions.run({ roleName: 'web-app' }, testContext()));
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/iam:PutRolePolicy was denied in account 111122223333/);
  });

  it('undo deletes the policy, only that policy, once', async () => {
    const state = revokeState(JSON.stringify(revokeDocument(NOW)));
    const params = deleteRoleInlinePolicy.params.parse({
      roleName: 'web-app',
      policyName: 'AWSRevokeOlderSessions',
    });
    const ctx = testContext();
    const out = await deleteRoleInlinePolicy.run(params, ctx);
    expect(out.status).toBe('changed');
    expect(state.document).toBeUndefined();
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: 'web-app', PolicyName: 'AWSRevokeOlderSessions' },
    ]);
    expect(out.undo).toEqual({
      action: 'iam.restore-revoke-sessions-policy',
      params: { roleName: 'web-app', issuedBefore: NOW },
    });
    expectDeclared(deleteRoleInlinePolicy, ctx);
    expect((await deleteRoleInlinePolicy.run(params, testContext())).status).toBe('unchanged');
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(1);
    expect(
      deleteRoleInlinePolicy.params.safeParse({ roleName: 'web-app', policyName: 'AppAccess' }).success,
    ).toBe(false);
  });

  it('accepts only a time stamp as the restored cut-off', () => {
    const bad = { roleName: 'web-app', issuedBefore: '2026-11-25"}],"Effect":"Allow' };
    expect(restoreRevokeSessionsPolicy.params.safeParse(bad).success).toBe(false);
    expect(revokeRoleSessions.params.safeParse({ roleName: 'web-app', issuedBefore: NOW }).success).toBe(
      false,
    );
  });
});

describe('iam.delete-login-profile', () => {
  it('deletes the console password once, with no undo', async () => {
    iam
      .on(GetLoginProfileCommand)
      .resolvesOnce({ LoginProfile: { UserName: 'alice', CreateDate: new Date('2025-01-02T03:04:05Z') } })
      .rejects(awsError('NoSuchEntity', 'Login Profile for User alice cannot be found.', 404));
    iam.on(DeleteLoginProfileCommand).resolves({ $metadata: { requestId: 'req-del' } });
    const ctx = testContext();
    const out = await deleteLoginProfile.run(deleteLoginProfile.params.parse({ userName: 'alice' }), ctx);
    expect(out).toEqual({
      status: 'changed',
      summary: 'Deleted the console password of IAM user alice.',
      data: { passwordCreated: '2025-01-02T03:04:05.000Z' },
    });
    expect(iam.commandCalls(GetLoginProfileCommand)[0]!.args[0].input).toEqual({ UserName: 'alice' });
    expect(iam.commandCalls(DeleteLoginProfileCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'alice' },
    ]);
    expectDeclared(deleteLoginProfile, ctx);
    expect(deleteLoginProfile.reversible).toBe(false);
    expect(deleteLoginProfile.description).toMatch(/Not reversible/);

    // A run repeated after the deletion finds no profile and deletes nothing.
    expect((await deleteLoginProfile.run({ userName: 'alice' }, testContext())).status).toBe('unchanged');
    expect(iam.commandCalls(DeleteLoginProfileCommand)).toHaveLength(1);
  });

  it('treats a profile gone between read and delete as unchanged', async () => {
    iam.on(GetLoginProfileCommand).resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam.on(DeleteLoginProfileCommand).rejects(awsError('NoSuchEntity', 'gone', 404));
    expect((await deleteLoginProfile.run({ userName: 'alice' }, testContext())).status).toBe('unchanged');
  });

  it('retries throttling and reports AccessDenied', async () => {
    iam.on(GetLoginProfileCommand).resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam
      .on(DeleteLoginProfileCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejects(awsError('AccessDenied', 'not authorized'));
    const err = await failure(deleteLoginProfile.run({ userName: 'alice' }, testContext()));
    expect(iam.commandCalls(DeleteLoginProfileCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/iam:DeleteLoginProfile was denied/);
  });
});

describe('iam.detach-policy', () => {
  it('detaches a policy from a group after paging its attachments; undo attaches it back', async () => {
    const params = { principalType: 'group', name: 'Developers', policyArn: ADMIN } as const;
    iam
      .on(ListAttachedGroupPoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: DENY_ALL }], IsTruncated: true, Marker: 'next' })
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: ADMIN }] })
      .resolves({ AttachedPolicies: [] });
    iam.on(DetachGroupPolicyCommand).resolves({});
    iam.on(AttachGroupPolicyCommand).resolves({});
    const ctx = testContext();
    const out = await detachPolicy.run(detachPolicy.params.parse(params), ctx);
    expect(out).toMatchObject({ status: 'changed', undo: { action: 'iam.attach-policy', params } });
    expect(iam.commandCalls(ListAttachedGroupPoliciesCommand).map((c) => c.args[0].input)).toEqual([
      { GroupName: 'Developers' },
      { GroupName: 'Developers', Marker: 'next' },
    ]);
    expect(iam.commandCalls(DetachGroupPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { GroupName: 'Developers', PolicyArn: ADMIN },
    ]);
    expectDeclared(detachPolicy, ctx);
    expect(detachPolicy.resource!(params, ctx.target)).toEqual({
      type: 'AwsIamGroup',
      id: 'arn:aws:iam::111122223333:group/Developers',
    });
    // Groups cannot be tagged: no call, no tags.
    expect(await detachPolicy.tags!(params, testContext())).toEqual({});

    const undo = await attachPolicy.run(attachPolicy.params.parse(out.undo!.params), testContext());
    expect(undo).toMatchObject({ status: 'changed', undo: { action: 'iam.detach-policy', params } });
    expect(iam.commandCalls(AttachGroupPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { GroupName: 'Developers', PolicyArn: ADMIN },
    ]);
    expect(attachPolicy.destructive).toBe(true);
  });

  it('detaches from a user and a role with their own APIs, and only when attached', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN }] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    iam.on(DetachUserPolicyCommand).resolves({});
    await detachPolicy.run({ principalType: 'user', name: 'mallory', policyArn: ADMIN }, testContext());
    expect(iam.commandCalls(DetachUserPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: 'mallory', PolicyArn: ADMIN },
    ]);
    const out = await detachPolicy.run(
      { principalType: 'role', name: 'web-app', policyArn: ADMIN },
      testContext(),
    );
    expect(out).toEqual({
      status: 'unchanged',
      summary: `${ADMIN} was not attached to IAM role web-app.`,
    });
    expect(iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(0);
  });

  it('detaches exactly once across a run repeated after a crash, retrying throttling', async () => {
    const attached = new Set([ADMIN]);
    iam
      .on(ListAttachedRolePoliciesCommand)
      .callsFake(() => ({ AttachedPolicies: [...attached].map((PolicyArn) => ({ PolicyArn })) }));
    iam
      .on(DetachRolePolicyCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .callsFake((input: { PolicyArn: string }) => {
        attached.delete(input.PolicyArn);
        return {};
      });
    const params = { principalType: 'role', name: 'web-app', policyArn: ADMIN } as const;
    expect((await detachPolicy.run(params, testContext())).status).toBe('changed');
    expect((await detachPolicy.run(params, testContext())).status).toBe('unchanged');
    expect(iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(2); // one throttled, one done
  });

  it('reports AccessDenied naming the API', async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN }] });
    iam.on(DetachUserPolicyCommand).rejects(awsError('AccessDenied', 'explicit deny in an SCP'));
    const err = await failure(
      detachPolicy.run({ principalType: 'user', name: 'mallory', policyArn: ADMIN }, testContext()),
    );
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/iam:DetachUserPolicy was denied in account 111122223333.*explicit deny/);
  });

  it('validates the name for its principal type and the policy ARN', () => {
    const long = 'g'.repeat(100);
    const ok = (p: object) => detachPolicy.params.safeParse(p).success;
    expect(ok({ principalType: 'group', name: long, policyArn: ADMIN })).toBe(true);
    expect(ok({ principalType: 'user', name: long, policyArn: ADMIN })).toBe(false);
    expect(ok({ principalType: 'user', name: 'a b', policyArn: ADMIN })).toBe(false);
    expect(ok({ principalType: 'account', name: 'x', policyArn: ADMIN })).toBe(false);
    expect(
      ok({ principalType: 'user', name: 'x', policyArn: `${ADMIN} arn:aws:iam::aws:policy/Other` }),
    ).toBe(false);
    expect(ok({ principalType: 'user', name: 'x', policyArn: '*' })).toBe(false);
  });
});

describe('iamActions', () => {
  it('exports every IAM action once, each named and described', () => {
    const names = iamActions.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      'iam.deactivate-access-key',
      'iam.activate-access-key',
      'iam.quarantine-user',
      'iam.unquarantine-user',
      'iam.quarantine-role',
      'iam.unquarantine-role',
      'iam.revoke-role-sessions',
      'iam.restore-revoke-sessions-policy',
      'iam.delete-role-inline-policy',
      'iam.delete-login-profile',
      'iam.detach-policy',
      'iam.attach-policy',
    ]);
    for (const a of iamActions) {
      expect(a.permissions.length).toBeGreaterThan(0);
      expect(a.describe).toBeTypeOf('function');
    }
  });

  it('records only undo actions that exist', async () => {
    const names = new Set(iamActions.map((a) => a.name));
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    iam.on(AttachUserPolicyCommand).resolves({});
    revokeState();
    const outs = [
      await quarantineUser.run({ userName: 'a' }, testContext()),
      await revokeRoleSessions.run({ roleName: 'r' }, testContext()),
    ];
    for (const o of outs) expect(names.has(o.undo!.action)).toBe(true);
  });
});
