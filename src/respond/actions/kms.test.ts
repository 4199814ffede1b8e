import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  ListResourceTagsCommand,
  type KeyState,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../types.js';
import type { ActionContext } from '../types.js';
import { awsError, testContext } from '../testing.js';
import { cancelKeyDeletion, disableKey, enableKey, kmsActions } from './kms.js';

const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;

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

/** A fake key whose state the KMS calls change as AWS does (a cancelled deletion leaves it Disabled). */
function fakeKey(initial: KeyState) {
  const key = { state: initial };
  kms
    .on(DescribeKeyCommand)
    .callsFake(() => ({ KeyMetadata: { KeyId: KEY, Arn: ARN, KeyState: key.state } }));
  kms.on(CancelKeyDeletionCommand).callsFake(() => {
    key.state = 'Disabled';
    return { KeyId: ARN };
  });
  kms.on(EnableKeyCommand).callsFake(() => {
    key.state = 'Enabled';
    return {};
  });
  kms.on(DisableKeyCommand).callsFake(() => {
    key.state = 'Disabled';
    return {};
  });
  return key;
}

describe('kms.cancel-key-deletion', () => {
  it('cancels the deletion and enables the key, once across a repeated run', async () => {
    const key = fakeKey('PendingDeletion');
    const ctx = testContext();
    const out = await cancelKeyDeletion.run(cancelKeyDeletion.params.parse({ keyId: KEY }), ctx);
    expect(out).toEqual({
      status: 'changed',
      summary: `Cancelled the deletion of KMS key ${KEY} and enabled it again.`,
      data: { keyState: 'Enabled' },
    });
    expect(kms.commandCalls(DescribeKeyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY });
    expect(kms.commandCalls(CancelKeyDeletionCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY }]);
    expect(kms.commandCalls(EnableKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY }]);
    expect(ctx.calls.map((c) => c.api)).toEqual([
      'kms:DescribeKey',
      'kms:CancelKeyDeletion',
      'kms:EnableKey',
    ]);
    expectDeclared(cancelKeyDeletion, ctx);
    expect(key.state).toBe('Enabled');

    const again = await cancelKeyDeletion.run(cancelKeyDeletion.params.parse({ keyId: KEY }), testContext());
    expect(again.status).toBe('unchanged');
    expect(kms.commandCalls(CancelKeyDeletionCommand)).toHaveLength(1);
    expect(cancelKeyDeletion.reversible).toBe(false);
  });

  it('leaves the key disabled with reenable false', async () => {
    const key = fakeKey('PendingDeletion');
    const out = await cancelKeyDeletion.run({ keyId: ARN, reenable: false }, testContext());
    expect(out.summary).toMatch(/stays disabled/);
    expect(kms.commandCalls(EnableKeyCommand)).toHaveLength(0);
    expect(key.state).toBe('Disabled');
  });

  it('changes nothing for a key not pending deletion', async () => {
    fakeKey('Disabled');
    expect(await cancelKeyDeletion.run({ keyId: KEY, reenable: true }, testContext())).toEqual({
      status: 'unchanged',
      summary: `KMS key ${KEY} was not pending deletion (its state is Disabled).`,
      data: { keyState: 'Disabled' },
    });
    expect(kms.commandCalls(CancelKeyDeletionCommand)).toHaveLength(0);
    expect(kms.commandCalls(EnableKeyCommand)).toHaveLength(0);
  });

  it('retries throttling and reports AccessDenied', async () => {
    fakeKey('PendingDeletion');
    kms
      .on(CancelKeyDeletionCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejects(awsError('AccessDeniedException', 'not authorized to perform kms:CancelKeyDeletion'));
    const err = await failure(cancelKeyDeletion.run({ keyId: KEY, reenable: true }, testContext()));
    expect(kms.commandCalls(CancelKeyDeletionCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/kms:CancelKeyDeletion was denied in account 111122223333/);
  });

  it('refuses a key ARN of another account or region', async () => {
    fakeKey('PendingDeletion');
    for (const arn of [
      `arn:aws:kms:us-east-1:999988887777:key/${KEY}`,
      `arn:aws:kms:eu-west-1:111122223333:key/${KEY}`,
    ])
      expect((await failure(cancelKeyDeletion.run({ keyId: arn, reenable: true }, testContext()))).kind).toBe(
        'invalid',
      );
    expect(kms.calls()).toHaveLength(0);
    expect(cancelKeyDeletion.params.safeParse({ keyId: 'alias/prod' }).success).toBe(false);
  });
});

describe('kms.enable-key', () => {
  it('enables a disabled key once; undo disables it', async () => {
    const key = fakeKey('Disabled');
    const ctx = testContext();
    const out = await enableKey.run(enableKey.params.parse({ keyId: KEY }), ctx);
    expect(out).toEqual({
      status: 'changed',
      summary: `Enabled KMS key ${KEY}.`,
      undo: { action: 'kms.disable-key', params: { keyId: KEY } },
    });
    expect(kms.commandCalls(EnableKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY }]);
    expectDeclared(enableKey, ctx);
    expect((await enableKey.run({ keyId: KEY }, testContext())).status).toBe('unchanged');
    expect(kms.commandCalls(EnableKeyCommand)).toHaveLength(1);

    const undo = await disableKey.run(disableKey.params.parse(out.undo!.params), testContext());
    expect(undo.undo).toEqual({ action: 'kms.enable-key', params: { keyId: KEY } });
    expect(kms.commandCalls(DisableKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY }]);
    expect(key.state).toBe('Disabled');
    expect(disableKey.destructive).toBe(true);
  });

  it('refuses a key pending deletion, pointing to cancel-key-deletion', async () => {
    fakeKey('PendingDeletion');
    const err = await failure(enableKey.run({ keyId: KEY }, testContext()));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/kms.cancel-key-deletion/);
    expect(kms.commandCalls(EnableKeyCommand)).toHaveLength(0);
  });

  it('retries throttling and reports AccessDenied', async () => {
    fakeKey('Disabled');
    kms
      .on(EnableKeyCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolvesOnce({})
      .rejects(awsError('AccessDeniedException', 'no'));
    const ctx = testContext();
    expect((await enableKey.run({ keyId: KEY }, ctx)).status).toBe('changed');
    expect(ctx.calls.at(-1)).toMatchObject({ api: 'kms:EnableKey', attempts: 2 });
    const err = await failure(enableKey.run({ keyId: KEY }, testContext()));
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/kms:EnableKey was denied/);
  });

  it('reads key tags over every page', async () => {
    kms
      .on(ListResourceTagsCommand)
      .resolvesOnce({ Tags: [{ TagKey: 'a', TagValue: '1' }], Truncated: true, NextMarker: 'm2' })
      .resolves({ Tags: [{ TagKey: 'vigil:protected', TagValue: 'true' }], Truncated: false });
    expect(await enableKey.tags!({ keyId: KEY }, testContext())).toEqual({
      a: '1',
      'vigil:protected': 'true',
    });
    expect(kms.commandCalls(ListResourceTagsCommand).map((c) => c.args[0].input)).toEqual([
      { KeyId: ARN },
      { KeyId: ARN, Marker: 'm2' },
    ]);
    expect(enableKey.resource!({ keyId: KEY }, testContext().target)).toEqual({ type: 'AwsKmsKey', id: ARN });
  });
});

describe('kmsActions', () => {
  it('exports the KMS actions', () => {
    expect(kmsActions.map((a) => a.name)).toEqual([
      'kms.cancel-key-deletion',
      'kms.enable-key',
      'kms.disable-key',
    ]);
  });
});
