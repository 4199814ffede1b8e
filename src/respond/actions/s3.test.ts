import {
  DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type PublicAccessBlockConfiguration,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand as DeleteAccountBlockCommand,
  GetPublicAccessBlockCommand as GetAccountBlockCommand,
  PutPublicAccessBlockCommand as PutAccountBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../types.js';
import type { ActionContext, AnyAction } from '../types.js';
import { awsError, testContext } from '../testing.js';
import {
  blockPublicAccessAccount,
  blockPublicAccessBucket,
  enableDefaultEncryption,
  removePublicPolicyStatements,
  restoreAccountPublicAccessBlock,
  restoreBucketPolicy,
  restoreDefaultEncryption,
  restorePublicAccessBlock,
  s3Actions,
} from './s3.js';

const s3 = mockClient(S3Client);
const control = mockClient(S3ControlClient);
afterEach(() => {
  s3.reset();
  control.reset();
});

const ACCOUNT = '111122223333';
const BUCKET = 'acme-customer-data';
const owned = { Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT };

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

/** Runs an action's recorded undo through its own parameter validation. */
async function runUndo(
  undo: { action: string; params: Record<string, unknown> } | undefined,
  ctx = testContext(),
) {
  const action = s3Actions.find((a: AnyAction) => a.name === undo?.action);
  expect(action).toBeDefined();
  return action!.run(action!.params.parse(undo!.params), ctx);
}

const ALL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** A fake Block Public Access configuration that Put and Delete change (bucket or account API). */
function fakeBlock(
  mock: typeof s3 | typeof control,
  commands: { get: unknown; put: unknown; del: unknown },
  initial?: PublicAccessBlockConfiguration,
) {
  const state = { config: initial };
  const m = mock as typeof s3;
  m.on(commands.get as typeof GetPublicAccessBlockCommand).callsFake(() => {
    if (!state.config)
      throw awsError(
        'NoSuchPublicAccessBlockConfiguration',
        'The public access block configuration was not found',
        404,
      );
    return { PublicAccessBlockConfiguration: { ...state.config } };
  });
  m.on(commands.put as typeof PutPublicAccessBlockCommand).callsFake(
    (input: { PublicAccessBlockConfiguration: PublicAccessBlockConfiguration }) => {
      state.config = { ...input.PublicAccessBlockConfiguration };
      return {};
    },
  );
  m.on(commands.del as typeof DeletePublicAccessBlockCommand).callsFake(() => {
    state.config = undefined;
    return {};
  });
  return state;
}
const bucketBlock = (initial?: PublicAccessBlockConfiguration) =>
  fakeBlock(
    s3,
    {
      get: GetPublicAccessBlockCommand,
      put: PutPublicAccessBlockCommand,
      del: DeletePublicAccessBlockCommand,
    },
    initial,
  );
const accountBlock = (initial?: PublicAccessBlockConfiguration) =>
  fakeBlock(
    control,
    { get: GetAccountBlockCommand, put: PutAccountBlockCommand, del: DeleteAccountBlockCommand },
    initial,
  );

describe('s3.block-public-access-bucket', () => {
  it('puts all four settings once, and the undo deletes the configuration it did not have', async () => {
    const state = bucketBlock();
    const ctx = testContext();
    const out = await blockPublicAccessBucket.run(
      blockPublicAccessBucket.params.parse({ bucket: BUCKET }),
      ctx,
    );
    expect(out).toMatchObject({
      status: 'changed',
      undo: { action: 's3.restore-public-access-block', params: { bucket: BUCKET } },
      data: { previous: null },
    });
    expect(s3.commandCalls(GetPublicAccessBlockCommand)[0]!.args[0].input).toEqual(owned);
    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([
      { ...owned, PublicAccessBlockConfiguration: ALL },
    ]);
    expect(ctx.calls.map((c) => [c.api, c.errorCode])).toEqual([
      ['s3:GetBucketPublicAccessBlock', 'NoSuchPublicAccessBlockConfiguration'],
      ['s3:PutBucketPublicAccessBlock', undefined],
    ]);
    expectDeclared(blockPublicAccessBucket, ctx);

    // Repeated after a crash: already blocked, no second Put.
    expect((await blockPublicAccessBucket.run({ bucket: BUCKET }, testContext())).status).toBe('unchanged');
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);

    const undo = await runUndo(out.undo);
    expect(undo).toMatchObject({
      status: 'changed',
      undo: { action: 's3.restore-public-access-block', params: { bucket: BUCKET, config: ALL } },
    });
    expect(s3.commandCalls(DeletePublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([owned]);
    expect(state.config).toBeUndefined();
  });

  it('records a partial configuration and the undo puts exactly it back', async () => {
    const partial = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    };
    const state = bucketBlock(partial);
    const out = await blockPublicAccessBucket.run({ bucket: BUCKET }, testContext());
    expect(out.undo).toEqual({
      action: 's3.restore-public-access-block',
      params: { bucket: BUCKET, config: partial },
    });
    await runUndo(out.undo);
    expect(s3.commandCalls(PutPublicAccessBlockCommand).at(-1)!.args[0].input).toEqual({
      ...owned,
      PublicAccessBlockConfiguration: partial,
    });
    expect(state.config).toEqual(partial);
    expect(
      (await restorePublicAccessBlock.run({ bucket: BUCKET, config: partial }, testContext())).status,
    ).toBe('unchanged');
  });

  it('retries throttling and reports AccessDenied', async () => {
    bucketBlock();
    s3.on(PutPublicAccessBlockCommand)
      .rejectsOnce(awsError('SlowDown', 'Please reduce your request rate.', 503))
      .resolves({});
    const ctx = testContext();
    expect((await blockPublicAccessBucket.run({ bucket: BUCKET }, ctx)).status).toBe('changed');
    expect(ctx.calls.at(-1)).toMatchObject({ api: 's3:PutBucketPublicAccessBlock', attempts: 2 });

    s3.on(PutPublicAccessBlockCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
    const err = await failure(blockPublicAccessBucket.run({ bucket: BUCKET }, testContext()));
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/s3:PutBucketPublicAccessBlock was denied in account 111122223333/);
  });

  it('reads bucket tags (none is empty) and validates names', async () => {
    s3.on(GetBucketTaggingCommand)
      .resolvesOnce({ TagSet: [{ Key: 'vigil:protected', Value: 'yes' }] })
      .rejects(awsError('NoSuchTagSet', 'The TagSet does not exist', 404));
    expect(await blockPublicAccessBucket.tags!({ bucket: BUCKET }, testContext())).toEqual({
      'vigil:protected': 'yes',
    });
    expect(await blockPublicAccessBucket.tags!({ bucket: BUCKET }, testContext())).toEqual({});
    expect(s3.commandCalls(GetBucketTaggingCommand)[0]!.args[0].input).toEqual(owned);
    expect(blockPublicAccessBucket.resource!({ bucket: BUCKET }, testContext().target)).toEqual({
      type: 'AwsS3Bucket',
      id: `arn:aws:s3:::${BUCKET}`,
    });
    for (const bad of ['Bucket', 'a', 'b/../c', 'x'.repeat(64)])
      expect(blockPublicAccessBucket.params.safeParse({ bucket: bad }).success).toBe(false);
    expect(blockPublicAccessBucket.destructive).toBe(true);
  });
});

describe('s3.block-public-access-account', () => {
  it('puts the account configuration with the target account id, once; undo restores it', async () => {
    const before = {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    };
    const state = accountBlock(before);
    const ctx = testContext();
    const out = await blockPublicAccessAccount.run(blockPublicAccessAccount.params.parse({}), ctx);
    expect(out.undo).toEqual({
      action: 's3.restore-account-public-access-block',
      params: { config: before },
    });
    expect(control.commandCalls(GetAccountBlockCommand)[0]!.args[0].input).toEqual({ AccountId: ACCOUNT });
    expect(control.commandCalls(PutAccountBlockCommand).map((c) => c.args[0].input)).toEqual([
      { AccountId: ACCOUNT, PublicAccessBlockConfiguration: ALL },
    ]);
    expectDeclared(blockPublicAccessAccount, ctx);
    expect((await blockPublicAccessAccount.run({}, testContext())).status).toBe('unchanged');
    expect(control.commandCalls(PutAccountBlockCommand)).toHaveLength(1);

    await runUndo(out.undo);
    expect(state.config).toEqual(before);
    expect(blockPublicAccessAccount.resource!({}, ctx.target)).toEqual({
      type: 'AwsAccount',
      id: `AWS::::Account:${ACCOUNT}`,
    });
    expect(blockPublicAccessAccount.params.safeParse({ accountId: '999988887777' }).success).toBe(false);
  });

  it('undo of a first configuration deletes it', async () => {
    const state = accountBlock();
    const out = await blockPublicAccessAccount.run({}, testContext());
    expect(out.undo).toEqual({ action: 's3.restore-account-public-access-block', params: {} });
    const ctx = testContext();
    await restoreAccountPublicAccessBlock.run(
      restoreAccountPublicAccessBlock.params.parse(out.undo!.params),
      ctx,
    );
    expect(control.commandCalls(DeleteAccountBlockCommand).map((c) => c.args[0].input)).toEqual([
      { AccountId: ACCOUNT },
    ]);
    expect(state.config).toBeUndefined();
    expectDeclared(restoreAccountPublicAccessBlock, ctx);
  });

  it('retries throttling and reports AccessDenied', async () => {
    accountBlock();
    control
      .on(PutAccountBlockCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejects(awsError('AccessDenied', 'Access Denied', 403));
    const err = await failure(blockPublicAccessAccount.run({}, testContext()));
    expect(control.commandCalls(PutAccountBlockCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/s3:PutAccountPublicAccessBlock was denied/);
  });
});

const read = { Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };
const policyOf = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A fake bucket policy that Put and Delete change. */
function fakePolicy(initial?: string) {
  const state = { policy: initial };
  s3.on(GetBucketPolicyCommand).callsFake(() => {
    if (state.policy === undefined)
      throw awsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
    return { Policy: state.policy };
  });
  s3.on(PutBucketPolicyCommand).callsFake((input: { Policy: string }) => {
    state.policy = input.Policy;
    return {};
  });
  s3.on(DeleteBucketPolicyCommand).callsFake(() => {
    state.policy = undefined;
    return {};
  });
  return state;
}

describe('s3.remove-public-policy-statements', () => {
  const publicRead = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', ...read };
  const viaVpce = {
    Sid: 'ViaEndpoint',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    ...read,
    Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d' } },
  };
  const partner = {
    Sid: 'Partner',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::444455556666:root' },
    ...read,
  };
  const own = {
    Sid: 'Own',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` },
    ...read,
  };

  it('removes the unconditioned public statement once and keeps the conditioned ones; undo puts the original back', async () => {
    const original = policyOf(publicRead, viaVpce, partner);
    const state = fakePolicy(original);
    const ctx = testContext();
    const out = await removePublicPolicyStatements.run(
      removePublicPolicyStatements.params.parse({ bucket: BUCKET }),
      ctx,
    );
    expect(out).toEqual({
      status: 'changed',
      summary: `Removed 1 statement(s) from the policy of S3 bucket ${BUCKET}.`,
      undo: { action: 's3.restore-bucket-policy', params: { bucket: BUCKET, policy: original } },
      data: { removed: [{ index: 0, sid: 'PublicRead', reason: 'public', whole: true }] },
    });
    expect(s3.commandCalls(GetBucketPolicyCommand)[0]!.args[0].input).toEqual(owned);
    expect(s3.commandCalls(PutBucketPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { ...owned, Policy: policyOf(viaVpce, partner) },
    ]);
    expectDeclared(removePublicPolicyStatements, ctx);

    expect((await removePublicPolicyStatements.run({ bucket: BUCKET }, testContext())).status).toBe(
      'unchanged',
    );
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);

    const undo = await runUndo(out.undo);
    expect(undo.status).toBe('changed');
    expect(s3.commandCalls(PutBucketPolicyCommand).at(-1)!.args[0].input).toEqual({
      ...owned,
      Policy: original,
    });
    expect(state.policy).toBe(original);
  });

  it('with allowed accounts, also takes out other accounts; the own account always stays', async () => {
    const state = fakePolicy(policyOf(partner, own, viaVpce));
    const out = await removePublicPolicyStatements.run(
      removePublicPolicyStatements.params.parse({ bucket: BUCKET, allowedAccounts: [] }),
      testContext(),
    );
    expect(out.data).toEqual({
      removed: [
        {
          index: 0,
          sid: 'Partner',
          reason: 'cross-account',
          principals: ['arn:aws:iam::444455556666:root'],
          whole: true,
        },
      ],
    });
    expect(JSON.parse(state.policy!).Statement).toEqual([own, viaVpce]);

    fakePolicy(policyOf(partner, own));
    const allowed = await removePublicPolicyStatements.run(
      { bucket: BUCKET, allowedAccounts: ['444455556666'] },
      testContext(),
    );
    expect(allowed.status).toBe('unchanged');
  });

  it('deletes the policy when nothing remains, and the undo puts it back', async () => {
    const original = policyOf(publicRead);
    const state = fakePolicy(original);
    const out = await removePublicPolicyStatements.run({ bucket: BUCKET }, testContext());
    expect(out.summary).toMatch(/Deleted the policy/);
    expect(s3.commandCalls(DeleteBucketPolicyCommand).map((c) => c.args[0].input)).toEqual([owned]);
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
    expect(state.policy).toBeUndefined();
    const undo = await runUndo(out.undo);
    expect(state.policy).toBe(original);
    // The undo's own undo deletes the policy again.
    expect(undo.undo).toEqual({ action: 's3.restore-bucket-policy', params: { bucket: BUCKET } });
  });

  it('is unchanged without a policy or public statements', async () => {
    fakePolicy();
    expect(await removePublicPolicyStatements.run({ bucket: BUCKET }, testContext())).toEqual({
      status: 'unchanged',
      summary: `S3 bucket ${BUCKET} has no bucket policy.`,
    });
    fakePolicy(policyOf(viaVpce));
    expect((await removePublicPolicyStatements.run({ bucket: BUCKET }, testContext())).status).toBe(
      'unchanged',
    );
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(0);
  });

  it('retries throttling and reports AccessDenied on PutBucketPolicy', async () => {
    fakePolicy(policyOf(publicRead, own));
    s3.on(PutBucketPolicyCommand)
      .rejectsOnce(awsError('SlowDown', 'Please reduce your request rate.', 503))
      .rejects(awsError('AccessDenied', 'Access Denied', 403));
    const err = await failure(removePublicPolicyStatements.run({ bucket: BUCKET }, testContext()));
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/s3:PutBucketPolicy was denied/);
  });

  it('is destructive and validates its parameters; restore accepts only a policy document', () => {
    expect(removePublicPolicyStatements.destructive).toBe(true);
    expect(restoreBucketPolicy.destructive).toBe(true);
    const ok = (a: AnyAction, p: object) => a.params.safeParse(p).success;
    expect(ok(removePublicPolicyStatements, { bucket: BUCKET, allowedAccounts: ['12345'] })).toBe(false);
    expect(ok(removePublicPolicyStatements, { bucket: BUCKET, allowedAccounts: '444455556666' })).toBe(false);
    expect(ok(restoreBucketPolicy, { bucket: BUCKET, policy: policyOf(own) })).toBe(true);
    expect(ok(restoreBucketPolicy, { bucket: BUCKET })).toBe(true);
    for (const bad of ['not json', '[]', '{"Version":"2012-10-17"}', '{"Statement":[]}', '{"Statement":"x"}'])
      expect(ok(restoreBucketPolicy, { bucket: BUCKET, policy: bad })).toBe(false);
    expect(
      ok(restoreBucketPolicy, { bucket: BUCKET, policy: policyOf({ ...own, pad: 'x'.repeat(21_000) }) }),
    ).toBe(false);
  });

  it('fails clearly on a policy it cannot read', async () => {
    fakePolicy('{"Statement": 1}');
    const err = await failure(removePublicPolicyStatements.run({ bucket: BUCKET }, testContext()));
    expect(err.kind).toBe('invalid');
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
  });
});

/** A fake default-encryption configuration that Put and Delete change. */
function fakeEncryption(initial?: ServerSideEncryptionRule[]) {
  const state = { rules: initial };
  s3.on(GetBucketEncryptionCommand).callsFake(() => {
    if (!state.rules)
      throw awsError(
        'ServerSideEncryptionConfigurationNotFoundError',
        'The server side encryption configuration was not found',
        404,
      );
    return { ServerSideEncryptionConfiguration: { Rules: state.rules } };
  });
  s3.on(PutBucketEncryptionCommand).callsFake(
    (input: { ServerSideEncryptionConfiguration: { Rules: ServerSideEncryptionRule[] } }) => {
      state.rules = input.ServerSideEncryptionConfiguration.Rules;
      return {};
    },
  );
  s3.on(DeleteBucketEncryptionCommand).callsFake(() => {
    state.rules = undefined;
    return {};
  });
  return state;
}

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('s3.enable-default-encryption', () => {
  it('puts SSE-S3 once when there is none; undo deletes the configuration', async () => {
    const state = fakeEncryption();
    const ctx = testContext();
    const out = await enableDefaultEncryption.run(
      enableDefaultEncryption.params.parse({ bucket: BUCKET }),
      ctx,
    );
    expect(out).toMatchObject({
      status: 'changed',
      undo: { action: 's3.restore-default-encryption', params: { bucket: BUCKET } },
    });
    expect(s3.commandCalls(GetBucketEncryptionCommand)[0]!.args[0].input).toEqual(owned);
    expect(s3.commandCalls(PutBucketEncryptionCommand).map((c) => c.args[0].input)).toEqual([
      {
        ...owned,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      },
    ]);
    expectDeclared(enableDefaultEncryption, ctx);
    expect((await enableDefaultEncryption.run({ bucket: BUCKET }, testContext())).status).toBe('unchanged');
    expect(s3.commandCalls(PutBucketEncryptionCommand)).toHaveLength(1);

    await runUndo(out.undo);
    expect(s3.commandCalls(DeleteBucketEncryptionCommand).map((c) => c.args[0].input)).toEqual([owned]);
    expect(state.rules).toBeUndefined();
  });

  it('switches a bucket encrypted under another key to the given KMS key; undo restores the old rule', async () => {
    const attacker = 'arn:aws:kms:us-east-1:999988887777:key/0000abcd-12ab-34cd-56ef-1234567890ab';
    const before = [
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: attacker } },
    ];
    const state = fakeEncryption(before);
    // Without a key, any default encryption counts as done.
    expect((await enableDefaultEncryption.run({ bucket: BUCKET }, testContext())).status).toBe('unchanged');
    const out = await enableDefaultEncryption.run({ bucket: BUCKET, kmsKeyId: KEY }, testContext());
    expect(s3.commandCalls(PutBucketEncryptionCommand)[0]!.args[0].input).toEqual({
      ...owned,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    expect(out.undo).toEqual({
      action: 's3.restore-default-encryption',
      params: { bucket: BUCKET, rule: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: attacker } },
    });
    expect((await enableDefaultEncryption.run({ bucket: BUCKET, kmsKeyId: KEY }, testContext())).status).toBe(
      'unchanged',
    );
    const undo = await runUndo(out.undo);
    expect(undo.status).toBe('changed');
    expect(state.rules).toEqual(before);
    expect(
      await restoreDefaultEncryption.run(
        restoreDefaultEncryption.params.parse(out.undo!.params),
        testContext(),
      ),
    ).toMatchObject({
      status: 'unchanged',
    });
  });

  it('records no undo for a configuration it cannot express', async () => {
    fakeEncryption([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'not a key"' } },
    ]);
    const out = await enableDefaultEncryption.run({ bucket: BUCKET, kmsKeyId: KEY }, testContext());
    expect(out.status).toBe('changed');
    expect(out.undo).toBeUndefined();
    expect(out.data).toEqual({
      previous: [
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'not a key"' } },
      ],
    });
  });

  it('retries throttling, reports AccessDenied, validates the key', async () => {
    fakeEncryption();
    s3.on(PutBucketEncryptionCommand)
      .rejectsOnce(awsError('InternalError', 'We encountered an internal error.', 500))
      .rejects(awsError('AccessDenied', 'Access Denied', 403));
    const err = await failure(enableDefaultEncryption.run({ bucket: BUCKET }, testContext()));
    expect(s3.commandCalls(PutBucketEncryptionCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/s3:PutEncryptionConfiguration was denied/);
    expect(enableDefaultEncryption.params.safeParse({ bucket: BUCKET, kmsKeyId: 'alias/x"' }).success).toBe(
      false,
    );
    expect(
      restoreDefaultEncryption.params.safeParse({
        bucket: BUCKET,
        rule: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/aws/s3' },
      }).success,
    ).toBe(true);
    expect(
      restoreDefaultEncryption.params.safeParse({ bucket: BUCKET, rule: { sseAlgorithm: 'none' } }).success,
    ).toBe(false);
  });
});

describe('s3Actions', () => {
  it('exports every S3 action once, and every recorded undo exists', () => {
    const names = s3Actions.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      's3.block-public-access-bucket',
      's3.restore-public-access-block',
      's3.block-public-access-account',
      's3.restore-account-public-access-block',
      's3.remove-public-policy-statements',
      's3.restore-bucket-policy',
      's3.enable-default-encryption',
      's3.restore-default-encryption',
    ]);
  });
});
