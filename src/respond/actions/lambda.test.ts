import {
  AddPermissionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  GetPolicyCommand,
  LambdaClient,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../types.js';
import type { ActionContext } from '../types.js';
import { awsError, testContext } from '../testing.js';
import {
  freezeFunction,
  isPublicLambdaStatement,
  lambdaActions,
  permissionOf,
  removePublicPermission,
  restoreConcurrency,
  restorePermission,
} from './lambda.js';

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

const FN = 'payments-webhook';
const FN_ARN = `arn:aws:lambda:us-east-1:111122223333:function:${FN}`;

async function failure(p: Promise<unknown>): Promise<ActionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

function expectDeclared(action: { permissions: readonly string[] }, ctx: ActionContext) {
  for (const c of ctx.calls) expect(action.permissions).toContain(c.api);
}

/** A fake reserved concurrency that Put and Delete change. */
function fakeConcurrency(initial?: number) {
  const state = { reserved: initial };
  lambda
    .on(GetFunctionConcurrencyCommand)
    .callsFake(() => (state.reserved === undefined ? {} : { ReservedConcurrentExecutions: state.reserved }));
  lambda.on(PutFunctionConcurrencyCommand).callsFake((input: { ReservedConcurrentExecutions: number }) => {
    state.reserved = input.ReservedConcurrentExecutions;
    return { ReservedConcurrentExecutions: state.reserved };
  });
  lambda.on(DeleteFunctionConcurrencyCommand).callsFake(() => {
    state.reserved = undefined;
    return {};
  });
  return state;
}

describe('lambda.freeze-function', () => {
  it('sets reserved concurrency 0 once; undo removes the limit it did not have', async () => {
    const state = fakeConcurrency();
    const ctx = testContext();
    const out = await freezeFunction.run(freezeFunction.params.parse({ functionName: FN }), ctx);
    expect(out).toEqual({
      status: 'changed',
      summary: `Froze Lambda function ${FN}: reserved concurrency 0 (was unreserved).`,
      undo: { action: 'lambda.restore-concurrency', params: { functionName: FN } },
    });
    expect(lambda.commandCalls(GetFunctionConcurrencyCommand)[0]!.args[0].input).toEqual({
      FunctionName: FN,
    });
    expect(lambda.commandCalls(PutFunctionConcurrencyCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: FN, ReservedConcurrentExecutions: 0 },
    ]);
    expectDeclared(freezeFunction, ctx);
    expect((await freezeFunction.run({ functionName: FN }, testContext())).status).toBe('unchanged');
    expect(lambda.commandCalls(PutFunctionConcurrencyCommand)).toHaveLength(1);

    const undoCtx = testContext();
    const undo = await restoreConcurrency.run(restoreConcurrency.params.parse(out.undo!.params), undoCtx);
    expect(undo.undo).toEqual({ action: 'lambda.freeze-function', params: { functionName: FN } });
    expect(lambda.commandCalls(DeleteFunctionConcurrencyCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: FN },
    ]);
    expect(state.reserved).toBeUndefined();
    expectDeclared(restoreConcurrency, undoCtx);
    expect(freezeFunction.destructive).toBe(true);
  });

  it('undo puts a previous reserved value back', async () => {
    const state = fakeConcurrency(25);
    const out = await freezeFunction.run({ functionName: FN_ARN }, testContext());
    expect(out.undo).toEqual({
      action: 'lambda.restore-concurrency',
      params: { functionName: FN_ARN, reservedConcurrentExecutions: 25 },
    });
    await restoreConcurrency.run(restoreConcurrency.params.parse(out.undo!.params), testContext());
    expect(lambda.commandCalls(PutFunctionConcurrencyCommand).at(-1)!.args[0].input).toEqual({
      FunctionName: FN_ARN,
      ReservedConcurrentExecutions: 25,
    });
    expect(state.reserved).toBe(25);
    expect(
      (
        await restoreConcurrency.run(
          { functionName: FN_ARN, reservedConcurrentExecutions: 25 },
          testContext(),
        )
      ).status,
    ).toBe('unchanged');
    expect(
      restoreConcurrency.params.safeParse({ functionName: FN, reservedConcurrentExecutions: 0 }).success,
    ).toBe(false);
  });

  it('retries throttling and reports AccessDenied', async () => {
    fakeConcurrency();
    lambda
      .on(PutFunctionConcurrencyCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 'Rate exceeded', 429))
      .rejects(awsError('AccessDeniedException', 'not authorized'));
    const err = await failure(freezeFunction.run({ functionName: FN }, testContext()));
    expect(lambda.commandCalls(PutFunctionConcurrencyCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/lambda:PutFunctionConcurrency was denied in account 111122223333/);
  });

  it('refuses a function ARN elsewhere and reads tags by ARN', async () => {
    const foreign = 'arn:aws:lambda:us-east-1:999988887777:function:x';
    expect((await failure(freezeFunction.run({ functionName: foreign }, testContext()))).kind).toBe(
      'invalid',
    );
    expect(lambda.calls()).toHaveLength(0);
    lambda.on(ListTagsCommand).resolves({ Tags: { owner: 'payments' } });
    expect(await freezeFunction.tags!({ functionName: FN }, testContext())).toEqual({ owner: 'payments' });
    expect(lambda.commandCalls(ListTagsCommand)[0]!.args[0].input).toEqual({ Resource: FN_ARN });
    expect(freezeFunction.params.safeParse({ functionName: `${FN}:prod` }).success).toBe(false);
  });
});

const stmt = (sid: string, extra: object) => ({
  Sid: sid,
  Effect: 'Allow',
  Action: 'lambda:InvokeFunction',
  Resource: FN_ARN,
  ...extra,
});
const anyone = stmt('anyone', { Principal: '*' });
const url = stmt('url', {
  Action: 'lambda:InvokeFunctionUrl',
  Principal: '*',
  Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
});
const bareS3 = stmt('s3-any', { Principal: { Service: 's3.amazonaws.com' } });
const confinedS3 = stmt('s3-mine', {
  Principal: { Service: 's3.amazonaws.com' },
  Condition: {
    StringEquals: { 'AWS:SourceAccount': '111122223333' },
    ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::acme-uploads' },
  },
});
const org = stmt('org', {
  Principal: '*',
  Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
});
const account = stmt('partner', { Principal: { AWS: 'arn:aws:iam::444455556666:root' } });
const odd = stmt('odd', {
  Principal: { AWS: '*' },
  Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
});

describe('isPublicLambdaStatement', () => {
  it('flags "*" and bare service principals, not confined or account ones', () => {
    expect([anyone, url, bareS3, odd].map(isPublicLambdaStatement)).toEqual([true, true, true, true]);
    expect([confinedS3, org, account].map(isPublicLambdaStatement)).toEqual([false, false, false]);
    expect(isPublicLambdaStatement({ ...anyone, Effect: 'Deny' })).toBe(false);
  });

  it('turns what AddPermission can express back into its parameters', () => {
    expect(permissionOf(url)).toEqual({
      permission: {
        statementId: 'url',
        action: 'lambda:InvokeFunctionUrl',
        principal: '*',
        functionUrlAuthType: 'NONE',
      },
    });
    expect(permissionOf(confinedS3)).toEqual({
      permission: {
        statementId: 's3-mine',
        action: 'lambda:InvokeFunction',
        principal: 's3.amazonaws.com',
        sourceAccount: '111122223333',
        sourceArn: 'arn:aws:s3:::acme-uploads',
      },
    });
    expect(permissionOf(odd)).toEqual({
      reason: 'AddPermission cannot express its condition IpAddress aws:SourceIp',
    });
    expect(
      permissionOf({ ...anyone, Action: ['lambda:InvokeFunction', 'lambda:GetFunction'] }),
    ).toHaveProperty('reason');
  });
});

/** A fake resource policy that AddPermission and RemovePermission change. */
function fakePolicy(initial: object[]) {
  const state = { statements: initial.map((s) => ({ ...s })) as Record<string, unknown>[] };
  lambda.on(GetPolicyCommand).callsFake(() => {
    if (!state.statements.length)
      throw awsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
    return {
      Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: state.statements }),
      RevisionId: 'r1',
    };
  });
  lambda.on(RemovePermissionCommand).callsFake((input: { StatementId: string }) => {
    const before = state.statements.length;
    state.statements = state.statements.filter((s) => s.Sid !== input.StatementId);
    if (state.statements.length === before)
      throw awsError('ResourceNotFoundException', 'No policy is found', 404);
    return {};
  });
  lambda.on(AddPermissionCommand).callsFake((input: { StatementId: string }) => {
    state.statements.push({ Sid: input.StatementId, Effect: 'Allow', Principal: '*' });
    return { Statement: '{}' };
  });
  return state;
}

describe('lambda.remove-public-permission', () => {
  it('removes each public statement by Sid once; undo adds back what AddPermission can express', async () => {
    const state = fakePolicy([anyone, confinedS3, url, account, odd, bareS3]);
    const ctx = testContext();
    const out = await removePublicPermission.run(
      removePublicPermission.params.parse({ functionName: FN }),
      ctx,
    );
    expect(lambda.commandCalls(GetPolicyCommand)[0]!.args[0].input).toEqual({ FunctionName: FN });
    expect(lambda.commandCalls(RemovePermissionCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: FN, StatementId: 'anyone' },
      { FunctionName: FN, StatementId: 'url' },
      { FunctionName: FN, StatementId: 'odd' },
      { FunctionName: FN, StatementId: 's3-any' },
    ]);
    expect(state.statements.map((s) => s.Sid)).toEqual(['s3-mine', 'partner']);
    expect(out.status).toBe('changed');
    expect(out.summary).toMatch(
      /Removed 4 public permission\(s\).*1 cannot be restored by undo: AddPermission cannot express/,
    );
    expect(out.undo).toEqual({
      action: 'lambda.restore-permission',
      params: {
        functionName: FN,
        permissions: [
          { statementId: 'anyone', action: 'lambda:InvokeFunction', principal: '*' },
          {
            statementId: 'url',
            action: 'lambda:InvokeFunctionUrl',
            principal: '*',
            functionUrlAuthType: 'NONE',
          },
          { statementId: 's3-any', action: 'lambda:InvokeFunction', principal: 's3.amazonaws.com' },
        ],
      },
    });
    expect(out.data).toMatchObject({
      removed: ['anyone', 'url', 'odd', 's3-any'],
      notRestorable: [{ statement: odd }],
    });
    expectDeclared(removePublicPermission, ctx);

    // Repeated after a crash: nothing public left, nothing removed.
    expect((await removePublicPermission.run({ functionName: FN }, testContext())).status).toBe('unchanged');
    expect(lambda.commandCalls(RemovePermissionCommand)).toHaveLength(4);

    const undoCtx = testContext();
    const undo = await restorePermission.run(restorePermission.params.parse(out.undo!.params), undoCtx);
    expect(undo.status).toBe('changed');
    expect(lambda.commandCalls(AddPermissionCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: FN, StatementId: 'anyone', Action: 'lambda:InvokeFunction', Principal: '*' },
      {
        FunctionName: FN,
        StatementId: 'url',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      },
      {
        FunctionName: FN,
        StatementId: 's3-any',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
      },
    ]);
    expectDeclared(restorePermission, undoCtx);
    // Restoring again finds every statement id present.
    expect(
      (await restorePermission.run(restorePermission.params.parse(out.undo!.params), testContext())).status,
    ).toBe('unchanged');
    expect(lambda.commandCalls(AddPermissionCommand)).toHaveLength(3);
  });

  it('records no undo when no removed statement can be expressed, and says why', async () => {
    fakePolicy([odd]);
    const out = await removePublicPermission.run({ functionName: FN }, testContext());
    expect(out.status).toBe('changed');
    expect(out.undo).toBeUndefined();
    expect(out.summary).toMatch(/cannot be restored by undo/);
  });

  it('is unchanged without a policy or without public statements', async () => {
    fakePolicy([]);
    const ctx = testContext();
    expect(await removePublicPermission.run({ functionName: FN }, ctx)).toEqual({
      status: 'unchanged',
      summary: `Lambda function ${FN} had no public permission.`,
    });
    expect(ctx.calls).toEqual([
      {
        api: 'lambda:GetPolicy',
        attempts: 1,
        errorCode: 'ResourceNotFoundException',
        requestId: 'req-ResourceNotFoundException',
      },
    ]);
    fakePolicy([confinedS3, org, account]);
    expect((await removePublicPermission.run({ functionName: FN }, testContext())).status).toBe('unchanged');
    expect(lambda.commandCalls(RemovePermissionCommand)).toHaveLength(0);
  });

  it('retries throttling and reports AccessDenied on RemovePermission', async () => {
    fakePolicy([anyone]);
    lambda
      .on(RemovePermissionCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 'Rate exceeded', 429))
      .rejects(awsError('AccessDeniedException', 'not authorized to perform lambda:RemovePermission'));
    const err = await failure(removePublicPermission.run({ functionName: FN }, testContext()));
    expect(lambda.commandCalls(RemovePermissionCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/lambda:RemovePermission was denied in account 111122223333/);
  });

  it('validates restored permissions strictly', () => {
    const ok = (permission: object) =>
      restorePermission.params.safeParse({ functionName: FN, permissions: [permission] }).success;
    const base = { statementId: 'anyone', action: 'lambda:InvokeFunction', principal: '*' };
    expect(ok(base)).toBe(true);
    expect(ok({ ...base, principal: 'arn:aws:iam::999988887777:root' })).toBe(false);
    expect(ok({ ...base, principal: 'evil.example.com' })).toBe(false);
    expect(ok({ ...base, action: 'lambda:*' })).toBe(false);
    expect(ok({ ...base, statementId: 'a b' })).toBe(false);
    expect(ok({ ...base, sourceArn: 'arn:aws:s3:::bucket" , "x' })).toBe(false);
    expect(ok({ ...base, extra: true })).toBe(false);
    expect(restorePermission.destructive).toBe(true);
  });
});

describe('lambdaActions', () => {
  it('exports the Lambda actions', () => {
    expect(lambdaActions.map((a) => a.name)).toEqual([
      'lambda.freeze-function',
      'lambda.restore-concurrency',
      'lambda.remove-public-permission',
      'lambda.restore-permission',
    ]);
  });
});
