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
  type GetBucketEncryptionCommandOutput,
  type GetBucketPolicyCommandOutput,
  type GetBucketTaggingCommandOutput,
  type GetPublicAccessBlockCommandOutput,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand as DeleteAccountPublicAccessBlockCommand,
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
  type GetPublicAccessBlockCommandOutput as GetAccountPublicAccessBlockCommandOutput,
} from '@aws-sdk/client-s3-control';
import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, ActionOutcome, ActionTarget, AnyAction } from '../types.js';
import { accountId, bucketName, kmsKeyId } from '../params.js';
import { analyzeBucketPolicy, parsePolicy } from './resource-policy.js';

/**
 * S3 response actions: Block Public Access (bucket and account), public or cross-account bucket-policy
 * statements, default encryption. Every bucket call carries `ExpectedBucketOwner`: bucket names are
 * global, and a name taken from a finding must not lead the response role to change a bucket of another
 * account that happens to grant it access.
 */

const s3 = (ctx: ActionContext) => ctx.clients.get(S3Client, ctx.target);
const s3control = (ctx: ActionContext) => ctx.clients.get(S3ControlClient, ctx.target);
const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const bucketResource = (p: { bucket: string }) => ({ type: 'AwsS3Bucket', id: bucketArn(p.bucket) });
const owner = (ctx: ActionContext) => ({ ExpectedBucketOwner: ctx.target.accountId });

async function bucketTags(p: { bucket: string }, ctx: ActionContext): Promise<Record<string, string>> {
  const out = await ctx.call<GetBucketTaggingCommandOutput>(
    await s3(ctx),
    new GetBucketTaggingCommand({ Bucket: p.bucket, ...owner(ctx) }),
    's3:GetBucketTagging',
    ['NoSuchTagSet'],
  );
  const tags: Record<string, string> = {};
  for (const t of out.TagSet ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  return tags;
}

// ---------------------------------------------------------------------------------------------------
// Block Public Access

const FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
const blockConfig = z
  .object({
    BlockPublicAcls: z.boolean(),
    IgnorePublicAcls: z.boolean(),
    BlockPublicPolicy: z.boolean(),
    RestrictPublicBuckets: z.boolean(),
  })
  .strict();
type BlockConfig = z.infer<typeof blockConfig>;
const ALL_BLOCKED: BlockConfig = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const toConfig = (c: PublicAccessBlockConfiguration): BlockConfig =>
  Object.fromEntries(FLAGS.map((f) => [f, c[f] === true])) as BlockConfig;
const sameConfig = (a: BlockConfig | undefined, b: BlockConfig | undefined) =>
  a === undefined || b === undefined ? a === b : FLAGS.every((f) => a[f] === b[f]);

/** Reads, writes and deletes one Block Public Access configuration: a bucket's or the account's. */
interface BlockScope {
  label: string;
  read(ctx: ActionContext): Promise<BlockConfig | undefined>;
  put(config: BlockConfig, ctx: ActionContext): Promise<void>;
  remove(ctx: ActionContext): Promise<void>;
  /** Parameters of the undo action naming this scope. */
  params: Record<string, unknown>;
  restoreAction: string;
}

function bucketScope(bucket: string): BlockScope {
  return {
    label: `S3 bucket ${bucket}`,
    params: { bucket },
    restoreAction: 's3.restore-public-access-block',
    async read(ctx) {
      const out = await ctx.call<GetPublicAccessBlockCommandOutput>(
        await s3(ctx),
        new GetPublicAccessBlockCommand({ Bucket: bucket, ...owner(ctx) }),
        's3:GetBucketPublicAccessBlock',
        ['NoSuchPublicAccessBlockConfiguration'],
      );
      return out.PublicAccessBlockConfiguration ? toConfig(out.PublicAccessBlockConfiguration) : undefined;
    },
    async put(config, ctx) {
      await ctx.call(
        await s3(ctx),
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          ...owner(ctx),
          PublicAccessBlockConfiguration: config,
        }),
        's3:PutBucketPublicAccessBlock',
      );
    },
    async remove(ctx) {
      await ctx.call(
        await s3(ctx),
        new DeletePublicAccessBlockCommand({ Bucket: bucket, ...owner(ctx) }),
        's3:PutBucketPublicAccessBlock',
        ['NoSuchPublicAccessBlockConfiguration'],
      );
    },
  };
}

function accountScope(account: string): BlockScope {
  return {
    label: `account ${account}`,
    params: {},
    restoreAction: 's3.restore-account-public-access-block',
    async read(ctx) {
      const out = await ctx.call<GetAccountPublicAccessBlockCommandOutput>(
        await s3control(ctx),
        new GetAccountPublicAccessBlockCommand({ AccountId: account }),
        's3:GetAccountPublicAccessBlock',
        ['NoSuchPublicAccessBlockConfiguration'],
      );
      return out.PublicAccessBlockConfiguration ? toConfig(out.PublicAccessBlockConfiguration) : undefined;
    },
    async put(config, ctx) {
      await ctx.call(
        await s3control(ctx),
        new PutAccountPublicAccessBlockCommand({
          AccountId: account,
          PublicAccessBlockConfiguration: config,
        }),
        's3:PutAccountPublicAccessBlock',
      );
    },
    async remove(ctx) {
      await ctx.call(
        await s3control(ctx),
        new DeleteAccountPublicAccessBlockCommand({ AccountId: account }),
        's3:PutAccountPublicAccessBlock',
        ['NoSuchPublicAccessBlockConfiguration'],
      );
    },
  };
}

/**
 * Sets a scope's configuration to `wanted` (absent = no configuration) unless it already is, recording the
 * configuration it replaced as the undo.
 */
async function setBlock(
  scope: BlockScope,
  wanted: BlockConfig | undefined,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const current = await scope.read(ctx);
  const text = (c: BlockConfig | undefined) =>
    c === undefined ? 'no Block Public Access configuration' : FLAGS.map((f) => `${f}=${c[f]}`).join(', ');
  if (sameConfig(current, wanted))
    return { status: 'unchanged', summary: `${scope.label} already had ${text(wanted)}.` };
  if (wanted) await scope.put(wanted, ctx);
  else await scope.remove(ctx);
  return {
    status: 'changed',
    summary: wanted
      ? `Set Block Public Access of ${scope.label} to ${text(wanted)}.`
      : `Deleted the Block Public Access configuration of ${scope.label}.`,
    undo: {
      action: scope.restoreAction,
      params: { ...scope.params, ...(current ? { config: current } : {}) },
    },
    data: { previous: current ?? null },
  };
}

const bucketParams = z.object({ bucket: bucketName }).strict();
type BucketParams = z.infer<typeof bucketParams>;

export const blockPublicAccessBucket: ActionDefinition<BucketParams> = {
  name: 's3.block-public-access-bucket',
  title: 'Block public access to an S3 bucket',
  description:
    'Turns on all four Block Public Access settings of a bucket (PutPublicAccessBlock): public ACLs and public bucket policies stop granting access at once. ' +
    'Destructive because a bucket meant to be public (a website) stops serving; the undo restores the previous settings, or deletes the configuration if there was none.',
  destructive: true,
  reversible: true,
  permissions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 's3:GetBucketTagging'],
  params: bucketParams,
  resource: bucketResource,
  tags: bucketTags,
  describe: (p, t) => `Block all public access to S3 bucket ${p.bucket} of account ${t.accountId}.`,
  run: (p, ctx) => setBlock(bucketScope(p.bucket), ALL_BLOCKED, ctx),
};

const restoreBucketBlockParams = z.object({ bucket: bucketName, config: blockConfig.optional() }).strict();
type RestoreBucketBlockParams = z.infer<typeof restoreBucketBlockParams>;

/** The undo of `s3.block-public-access-bucket`. */
export const restorePublicAccessBlock: ActionDefinition<RestoreBucketBlockParams> = {
  name: 's3.restore-public-access-block',
  title: "Restore an S3 bucket's Block Public Access settings",
  description:
    'Puts back the Block Public Access settings a bucket had (PutPublicAccessBlock), or deletes its configuration if it had none (DeletePublicAccessBlock): the undo of block-public-access-bucket.',
  destructive: false,
  reversible: true,
  permissions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 's3:GetBucketTagging'],
  params: restoreBucketBlockParams,
  resource: bucketResource,
  tags: bucketTags,
  describe: (p, t) =>
    `Restore the earlier Block Public Access settings of S3 bucket ${p.bucket} of account ${t.accountId}.`,
  run: (p, ctx) => setBlock(bucketScope(p.bucket), p.config, ctx),
};

const accountParams = z.object({}).strict();
type AccountParams = z.infer<typeof accountParams>;
const accountResource = (_p: unknown, t: ActionTarget) => ({
  type: 'AwsAccount',
  id: `AWS::::Account:${t.accountId}`,
});

export const blockPublicAccessAccount: ActionDefinition<AccountParams> = {
  name: 's3.block-public-access-account',
  title: 'Block public access to S3 for a whole account',
  description:
    "Turns on all four account-level Block Public Access settings (S3 Control PutPublicAccessBlock), which override every bucket's own. " +
    'Destructive because every public bucket of the account stops serving; the undo restores the previous settings, or deletes the configuration if there was none.',
  destructive: true,
  reversible: true,
  permissions: ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
  params: accountParams,
  resource: accountResource,
  describe: (_p, t) => `Block all public access to S3 in account ${t.accountId}.`,
  run: (_p, ctx) => setBlock(accountScope(ctx.target.accountId), ALL_BLOCKED, ctx),
};

const restoreAccountBlockParams = z.object({ config: blockConfig.optional() }).strict();
type RestoreAccountBlockParams = z.infer<typeof restoreAccountBlockParams>;

/** The undo of `s3.block-public-access-account`. */
export const restoreAccountPublicAccessBlock: ActionDefinition<RestoreAccountBlockParams> = {
  name: 's3.restore-account-public-access-block',
  title: "Restore an account's S3 Block Public Access settings",
  description:
    'Puts back the account-level Block Public Access settings (S3 Control PutPublicAccessBlock), or deletes the configuration if there was none: the undo of block-public-access-account.',
  destructive: false,
  reversible: true,
  permissions: ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
  params: restoreAccountBlockParams,
  resource: accountResource,
  describe: (_p, t) => `Restore the earlier S3 Block Public Access settings of account ${t.accountId}.`,
  run: (p, ctx) => setBlock(accountScope(ctx.target.accountId), p.config, ctx),
};

// ---------------------------------------------------------------------------------------------------
// Bucket policy

/** S3 accepts bucket policies up to 20 KB. */
const MAX_POLICY = 20_480;

async function readPolicy(bucket: string, ctx: ActionContext): Promise<string | undefined> {
  const out = await ctx.call<GetBucketPolicyCommandOutput>(
    await s3(ctx),
    new GetBucketPolicyCommand({ Bucket: bucket, ...owner(ctx) }),
    's3:GetBucketPolicy',
    ['NoSuchBucketPolicy'],
  );
  return out.errorCode ? undefined : out.Policy;
}

async function writePolicy(bucket: string, policy: string | undefined, ctx: ActionContext): Promise<void> {
  const client = await s3(ctx);
  if (policy === undefined)
    await ctx.call(
      client,
      new DeleteBucketPolicyCommand({ Bucket: bucket, ...owner(ctx) }),
      's3:DeleteBucketPolicy',
      ['NoSuchBucketPolicy'],
    );
  else
    await ctx.call(
      client,
      new PutBucketPolicyCommand({ Bucket: bucket, ...owner(ctx), Policy: policy }),
      's3:PutBucketPolicy',
    );
}

const removeParams = z
  .object({ bucket: bucketName, allowedAccounts: z.array(accountId).max(100).optional() })
  .strict();
type RemoveParams = z.infer<typeof removeParams>;

export const removePublicPolicyStatements: ActionDefinition<RemoveParams> = {
  name: 's3.remove-public-policy-statements',
  title: 'Remove public and cross-account bucket-policy statements',
  description:
    'Removes from a bucket policy the Allow statements open to everyone ("*") that no condition on aws:SourceVpce, aws:SourceVpc, aws:SourceIp, aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount or aws:SourceArn restricts, ' +
    "and, given allowedAccounts, the principals of any other account (the bucket's own is always allowed); PutBucketPolicy with the rest, or DeleteBucketPolicy when nothing remains. " +
    'Destructive because a legitimately public bucket (a website) stops serving; the undo puts the original policy back.',
  destructive: true,
  reversible: true,
  permissions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketTagging'],
  params: removeParams,
  resource: bucketResource,
  tags: bucketTags,
  describe: (p, t) =>
    `Remove the public${p.allowedAccounts ? ' and cross-account' : ''} statements from the policy of S3 bucket ${p.bucket} of account ${t.accountId}.`,
  async run(p, ctx) {
    const original = await readPolicy(p.bucket, ctx);
    if (original === undefined)
      return { status: 'unchanged', summary: `S3 bucket ${p.bucket} has no bucket policy.` };
    const parsed = parsePolicy(original);
    if ('error' in parsed)
      throw new ActionError(
        'invalid',
        `the policy of S3 bucket ${p.bucket} could not be read: ${parsed.error}`,
      );
    const allowed = new Set([ctx.target.accountId, ...(p.allowedAccounts ?? [])]);
    const result = analyzeBucketPolicy(parsed.policy, p.allowedAccounts ? allowed : undefined);
    if (result.removed.length === 0)
      return {
        status: 'unchanged',
        summary: `The policy of S3 bucket ${p.bucket} had no public${p.allowedAccounts ? ' or cross-account' : ''} statements.`,
      };
    await writePolicy(p.bucket, result.policy ? JSON.stringify(result.policy) : undefined, ctx);
    return {
      status: 'changed',
      summary: result.policy
        ? `Removed ${result.removed.length} statement(s) from the policy of S3 bucket ${p.bucket}.`
        : `Deleted the policy of S3 bucket ${p.bucket}: every statement was public or cross-account.`,
      undo: { action: 's3.restore-bucket-policy', params: { bucket: p.bucket, policy: original } },
      data: { removed: result.removed },
    };
  },
};

const restorePolicyParams = z
  .object({
    bucket: bucketName,
    /** The policy text to put back; absent = the bucket had none. */
    policy: z
      .string()
      .max(MAX_POLICY)
      .superRefine((text, issue) => {
        const r = parsePolicy(text);
        if ('error' in r) issue.addIssue({ code: 'custom', message: r.error });
      })
      .optional(),
  })
  .strict();
type RestorePolicyParams = z.infer<typeof restorePolicyParams>;

const samePolicy = (a: string | undefined, b: string | undefined) => {
  if (a === undefined || b === undefined) return a === b;
  const pa = parsePolicy(a);
  const pb = parsePolicy(b);
  return 'policy' in pa && 'policy' in pb && JSON.stringify(pa.policy) === JSON.stringify(pb.policy);
};

/**
 * The undo of `s3.remove-public-policy-statements`. It writes whatever policy its parameters hold, so it
 * needs an approval like a destructive action: a playbook must not be able to grant access on its own.
 */
export const restoreBucketPolicy: ActionDefinition<RestorePolicyParams> = {
  name: 's3.restore-bucket-policy',
  title: 'Restore a bucket policy',
  description:
    'Puts a recorded bucket policy back (PutBucketPolicy), or deletes the policy when the bucket had none (DeleteBucketPolicy): the undo of remove-public-policy-statements. ' +
    'It can grant access, so it needs an approval like a destructive action.',
  destructive: true,
  reversible: true,
  permissions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketTagging'],
  params: restorePolicyParams,
  resource: bucketResource,
  tags: bucketTags,
  describe: (p, t) =>
    p.policy === undefined
      ? `Delete the policy of S3 bucket ${p.bucket} of account ${t.accountId}.`
      : `Put the recorded policy back on S3 bucket ${p.bucket} of account ${t.accountId}.`,
  async run(p, ctx) {
    const current = await readPolicy(p.bucket, ctx);
    if (samePolicy(current, p.policy))
      return { status: 'unchanged', summary: `S3 bucket ${p.bucket} already had the policy to restore.` };
    await writePolicy(p.bucket, p.policy, ctx);
    return {
      status: 'changed',
      summary:
        p.policy === undefined
          ? `Deleted the policy of S3 bucket ${p.bucket}.`
          : `Restored the earlier policy of S3 bucket ${p.bucket}.`,
      undo: {
        action: 's3.restore-bucket-policy',
        params: { bucket: p.bucket, ...(current !== undefined ? { policy: current } : {}) },
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Default encryption

const kmsKeyRef = z
  .string()
  .regex(
    /^(alias\/[\w/-]{1,250}|arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:alias\/[\w/-]{1,250})$/,
    'not a KMS key id, key ARN or alias',
  )
  .or(kmsKeyId);
const encryptionRule = z
  .object({
    sseAlgorithm: z.enum(['AES256', 'aws:kms', 'aws:kms:dsse']),
    kmsMasterKeyId: kmsKeyRef.optional(),
    bucketKeyEnabled: z.boolean().optional(),
  })
  .strict();
type EncryptionRule = z.infer<typeof encryptionRule>;

/**
 * The bucket's default encryption as one rule, `undefined` when it has none, or `null` when it has one
 * this action cannot express (then no undo is recorded; its raw form is kept in the audit data).
 */
async function readEncryption(
  bucket: string,
  ctx: ActionContext,
): Promise<{ rule: EncryptionRule | undefined | null; raw?: unknown }> {
  const out = await ctx.call<GetBucketEncryptionCommandOutput>(
    await s3(ctx),
    new GetBucketEncryptionCommand({ Bucket: bucket, ...owner(ctx) }),
    's3:GetEncryptionConfiguration',
    ['ServerSideEncryptionConfigurationNotFoundError'],
  );
  const rules = out.ServerSideEncryptionConfiguration?.Rules ?? [];
  const def = rules[0]?.ApplyServerSideEncryptionByDefault;
  if (!def?.SSEAlgorithm) return { rule: undefined };
  const parsed = encryptionRule.safeParse({
    sseAlgorithm: def.SSEAlgorithm,
    ...(def.KMSMasterKeyID ? { kmsMasterKeyId: def.KMSMasterKeyID } : {}),
    ...(rules[0]?.BucketKeyEnabled !== undefined ? { bucketKeyEnabled: rules[0].BucketKeyEnabled } : {}),
  });
  return { rule: parsed.success && rules.length === 1 ? parsed.data : null, raw: rules };
}

async function putEncryption(bucket: string, rule: EncryptionRule | undefined, ctx: ActionContext) {
  const client = await s3(ctx);
  if (!rule) {
    await ctx.call(
      client,
      new DeleteBucketEncryptionCommand({ Bucket: bucket, ...owner(ctx) }),
      's3:PutEncryptionConfiguration',
    );
    return;
  }
  await ctx.call(
    client,
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ...owner(ctx),
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: rule.sseAlgorithm,
              ...(rule.kmsMasterKeyId ? { KMSMasterKeyID: rule.kmsMasterKeyId } : {}),
            },
            ...(rule.bucketKeyEnabled !== undefined ? { BucketKeyEnabled: rule.bucketKeyEnabled } : {}),
          },
        ],
      },
    }),
    's3:PutEncryptionConfiguration',
  );
}

const sameRule = (a: EncryptionRule | undefined, b: EncryptionRule | undefined) =>
  a === undefined || b === undefined
    ? a === b
    : a.sseAlgorithm === b.sseAlgorithm &&
      a.kmsMasterKeyId === b.kmsMasterKeyId &&
      (a.bucketKeyEnabled ?? false) === (b.bucketKeyEnabled ?? false);

const ruleText = (r: EncryptionRule | undefined | null) =>
  r === undefined
    ? 'no default encryption'
    : r === null
      ? 'an unusual default encryption'
      : r.kmsMasterKeyId
        ? `${r.sseAlgorithm} with key ${r.kmsMasterKeyId}`
        : r.sseAlgorithm;

function encryptionUndo(bucket: string, previous: EncryptionRule | undefined | null): ActionOutcome['undo'] {
  if (previous === null) return undefined;
  return {
    action: 's3.restore-default-encryption',
    params: { bucket, ...(previous ? { rule: previous } : {}) },
  };
}

const encryptionParams = z.object({ bucket: bucketName, kmsKeyId: kmsKeyId.optional() }).strict();
type EncryptionParams = z.infer<typeof encryptionParams>;

export const enableDefaultEncryption: ActionDefinition<EncryptionParams> = {
  name: 's3.enable-default-encryption',
  title: 'Re-enable default encryption of an S3 bucket',
  description:
    'Sets default encryption on a bucket (PutBucketEncryption): SSE-S3 (AES256), or SSE-KMS with the given kmsKeyId and an S3 Bucket Key. ' +
    "Without kmsKeyId any existing default encryption is left alone; with it, a bucket encrypted under another key (an attacker's) is switched to the given one. The undo restores the previous configuration.",
  destructive: false,
  reversible: true,
  permissions: ['s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration', 's3:GetBucketTagging'],
  params: encryptionParams,
  resource: bucketResource,
  tags: bucketTags,
  describe: (p, t) =>
    `Enable default encryption (${p.kmsKeyId ? `SSE-KMS with key ${p.kmsKeyId}` : 'SSE-S3'}) on S3 bucket ${p.bucket} of account ${t.accountId}.`,
  async run(p, ctx) {
    const { rule: current, raw } = await readEncryption(p.bucket, ctx);
    const wanted: EncryptionRule = p.kmsKeyId
      ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: p.kmsKeyId, bucketKeyEnabled: true }
      : { sseAlgorithm: 'AES256' };
    const done = p.kmsKeyId
      ? current?.sseAlgorithm.startsWith('aws:kms') && current.kmsMasterKeyId === p.kmsKeyId
      : current !== undefined;
    if (done)
      return { status: 'unchanged', summary: `S3 bucket ${p.bucket} already had ${ruleText(current)}.` };
    await putEncryption(p.bucket, wanted, ctx);
    const undo = encryptionUndo(p.bucket, current);
    return {
      status: 'changed',
      summary: `Set default encryption of S3 bucket ${p.bucket} to ${ruleText(wanted)} (was ${ruleText(current)}).`,
      ...(undo ? { undo } : {}),
      ...(current === null ? { data: { previous: raw } } : {}),
    };
  },
};

const restoreEncryptionParams = z.object({ bucket: bucketName, rule: encryptionRule.optional() }).strict();
type RestoreEncryptionParams = z.infer<typeof restoreEncryptionParams>;

/** The undo of `s3.enable-default-encryption`. */
export const restoreDefaultEncryption: ActionDefinition<RestoreEncryptionParams> = {
  name: 's3.restore-default-encryption',
  title: "Restore an S3 bucket's default encryption",
  description:
    'Puts back the default encryption a bucket had (PutBucketEncryption), or deletes the configuration if it had none (DeleteBucketEncryption; S3 then applies SSE-S3): the undo of enable-default-encryption.',
  destructive: false,
  reversible: true,
  permissions: ['s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration', 's3:GetBucketTagging'],
  params: restoreEncryptionParams,
  resource: bucketResource,
  tags: bucketTags,
  describe: (p, t) =>
    `Restore default encryption (${ruleText(p.rule)}) of S3 bucket ${p.bucket} of account ${t.accountId}.`,
  async run(p, ctx) {
    const { rule: current, raw } = await readEncryption(p.bucket, ctx);
    if (current !== null && sameRule(current, p.rule))
      return { status: 'unchanged', summary: `S3 bucket ${p.bucket} already had ${ruleText(p.rule)}.` };
    await putEncryption(p.bucket, p.rule, ctx);
    const undo = encryptionUndo(p.bucket, current);
    return {
      status: 'changed',
      summary: `Restored ${ruleText(p.rule)} as the default encryption of S3 bucket ${p.bucket}.`,
      ...(undo ? { undo } : {}),
      ...(current === null ? { data: { previous: raw } } : {}),
    };
  },
};

export const s3Actions: AnyAction[] = [
  blockPublicAccessBucket,
  restorePublicAccessBlock,
  blockPublicAccessAccount,
  restoreAccountPublicAccessBlock,
  removePublicPolicyStatements,
  restoreBucketPolicy,
  enableDefaultEncryption,
  restoreDefaultEncryption,
];
