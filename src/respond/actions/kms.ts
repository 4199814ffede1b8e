import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  ListResourceTagsCommand,
  type DescribeKeyCommandOutput,
  type ListResourceTagsCommandOutput,
} from '@aws-sdk/client-kms';
import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, ActionTarget, AnyAction } from '../types.js';
import { kmsKeyId } from '../params.js';

/**
 * KMS response actions: stop a scheduled key deletion (an attacker destroying the key that encrypts the
 * data, ransom-style) and re-enable a disabled key. Both read the key state first (DescribeKey).
 */

const keyParams = z.object({ keyId: kmsKeyId }).strict();
type KeyParams = z.infer<typeof keyParams>;

/**
 * The key's ARN and the region to call. A key ARN of another account or region is refused rather than
 * followed: the credentials and client are the target's, and the allow/deny lists judged that target.
 */
function keyArn(keyId: string, t: ActionTarget): string {
  return keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${t.region}:${t.accountId}:key/${keyId}`;
}

function checkKey(keyId: string, t: ActionTarget): void {
  const m = /^arn:aws[\w-]*:kms:([a-z0-9-]+):(\d{12}):key\//.exec(keyId);
  if (m && (m[1] !== t.region || m[2] !== t.accountId))
    throw new ActionError(
      'invalid',
      `KMS key ${keyId} is not in account ${t.accountId} in ${t.region}, where the action runs`,
    );
}

const kms = (ctx: ActionContext) => ctx.clients.get(KMSClient, ctx.target);
const keyResource = (p: KeyParams, t: ActionTarget) => ({ type: 'AwsKmsKey', id: keyArn(p.keyId, t) });

async function keyTags(p: KeyParams, ctx: ActionContext): Promise<Record<string, string>> {
  checkKey(p.keyId, ctx.target);
  const client = await kms(ctx);
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const out = await ctx.call<ListResourceTagsCommandOutput>(
      client,
      new ListResourceTagsCommand({
        KeyId: keyArn(p.keyId, ctx.target),
        ...(marker ? { Marker: marker } : {}),
      }),
      'kms:ListResourceTags',
    );
    for (const t of out.Tags ?? []) if (t.TagKey !== undefined) tags[t.TagKey] = t.TagValue ?? '';
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  return tags;
}

async function keyState(p: KeyParams, ctx: ActionContext): Promise<string> {
  checkKey(p.keyId, ctx.target);
  const out = await ctx.call<DescribeKeyCommandOutput>(
    await kms(ctx),
    new DescribeKeyCommand({ KeyId: p.keyId }),
    'kms:DescribeKey',
  );
  return out.KeyMetadata?.KeyState ?? 'Unknown';
}

async function setEnabled(enable: boolean, keyId: string, ctx: ActionContext): Promise<void> {
  await ctx.call(
    await kms(ctx),
    enable ? new EnableKeyCommand({ KeyId: keyId }) : new DisableKeyCommand({ KeyId: keyId }),
    enable ? 'kms:EnableKey' : 'kms:DisableKey',
  );
}

const cancelParams = z.object({ keyId: kmsKeyId, reenable: z.boolean().default(true) }).strict();
type CancelParams = z.infer<typeof cancelParams>;

export const cancelKeyDeletion: ActionDefinition<CancelParams> = {
  name: 'kms.cancel-key-deletion',
  title: 'Cancel a scheduled KMS key deletion',
  description:
    'Cancels the scheduled deletion of a KMS key in state PendingDeletion (CancelKeyDeletion). AWS leaves a cancelled key Disabled, so with reenable (the default) it is enabled again (EnableKey). ' +
    'Not reversible by design: scheduling the deletion again is what an attacker does; use kms.disable-key to take the key out of use.',
  destructive: false,
  reversible: false,
  permissions: ['kms:DescribeKey', 'kms:CancelKeyDeletion', 'kms:EnableKey', 'kms:ListResourceTags'],
  params: cancelParams,
  resource: keyResource,
  tags: keyTags,
  describe: (p, t) =>
    `Cancel the scheduled deletion of KMS key ${p.keyId} in account ${t.accountId} in ${t.region}${p.reenable ? ' and enable it again' : ''}.`,
  async run(p, ctx) {
    const state = await keyState(p, ctx);
    if (state !== 'PendingDeletion')
      return {
        status: 'unchanged',
        summary: `KMS key ${p.keyId} was not pending deletion (its state is ${state}).`,
        data: { keyState: state },
      };
    await ctx.call(await kms(ctx), new CancelKeyDeletionCommand({ KeyId: p.keyId }), 'kms:CancelKeyDeletion');
    if (p.reenable) await setEnabled(true, p.keyId, ctx);
    return {
      status: 'changed',
      summary: p.reenable
        ? `Cancelled the deletion of KMS key ${p.keyId} and enabled it again.`
        : `Cancelled the deletion of KMS key ${p.keyId}; it stays disabled.`,
      data: { keyState: p.reenable ? 'Enabled' : 'Disabled' },
    };
  },
};

/** Enable or disable: the same read-then-change, each the other's undo. */
function toggleKey(enable: boolean, p: KeyParams, ctx: ActionContext) {
  return (async () => {
    const wanted = enable ? 'Enabled' : 'Disabled';
    const state = await keyState(p, ctx);
    if (state === wanted)
      return {
        status: 'unchanged' as const,
        summary: `KMS key ${p.keyId} was already ${wanted.toLowerCase()}.`,
      };
    if (state !== (enable ? 'Disabled' : 'Enabled'))
      throw new ActionError(
        'invalid',
        `KMS key ${p.keyId} is ${state}, which cannot be ${enable ? 'enabled' : 'disabled'}${state === 'PendingDeletion' ? ' (cancel its deletion first: kms.cancel-key-deletion)' : ''}`,
      );
    await setEnabled(enable, p.keyId, ctx);
    return {
      status: 'changed' as const,
      summary: `${enable ? 'Enabled' : 'Disabled'} KMS key ${p.keyId}.`,
      undo: { action: enable ? 'kms.disable-key' : 'kms.enable-key', params: { keyId: p.keyId } },
    };
  })();
}

export const enableKey: ActionDefinition<KeyParams> = {
  name: 'kms.enable-key',
  title: 'Re-enable a KMS key',
  description:
    'Enables a disabled KMS key (EnableKey) so the data it protects can be decrypted again. Disabling it again (kms.disable-key) undoes this.',
  destructive: false,
  reversible: true,
  permissions: ['kms:DescribeKey', 'kms:EnableKey', 'kms:ListResourceTags'],
  params: keyParams,
  resource: keyResource,
  tags: keyTags,
  describe: (p, t) => `Enable KMS key ${p.keyId} in account ${t.accountId} in ${t.region}.`,
  run: (p, ctx) => toggleKey(true, p, ctx),
};

/** The undo of `kms.enable-key`. Destructive: whatever the key encrypts can no longer be decrypted. */
export const disableKey: ActionDefinition<KeyParams> = {
  name: 'kms.disable-key',
  title: 'Disable a KMS key',
  description:
    'Disables a KMS key (DisableKey): the undo of enable-key. Destructive because nothing encrypted under the key can be decrypted while it is disabled.',
  destructive: true,
  reversible: true,
  permissions: ['kms:DescribeKey', 'kms:DisableKey', 'kms:ListResourceTags'],
  params: keyParams,
  resource: keyResource,
  tags: keyTags,
  describe: (p, t) => `Disable KMS key ${p.keyId} in account ${t.accountId} in ${t.region}.`,
  run: (p, ctx) => toggleKey(false, p, ctx),
};

export const kmsActions: AnyAction[] = [cancelKeyDeletion, enableKey, disableKey];
