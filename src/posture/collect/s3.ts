import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
  type Bucket,
  type GetBucketAclOutput,
  type GetBucketEncryptionOutput,
  type GetBucketLoggingOutput,
  type GetBucketOwnershipControlsOutput,
  type GetBucketPolicyOutput,
  type GetBucketTaggingOutput,
  type GetBucketVersioningOutput,
  type GetPublicAccessBlockOutput,
  type ListBucketsOutput,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { AccountSnapshot, BucketSnapshot } from '../types.js';
import type { AccountContext } from './context.js';
import { parsePolicy, PolicyParseError, plain, tagMap } from './plain.js';

type S3Snapshot = NonNullable<AccountSnapshot['s3']>;

/** The region of a bucket from GetBucketLocation's LocationConstraint (empty: us-east-1; `EU`: the old name of eu-west-1). */
export function bucketRegion(constraint: string | null | undefined): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/**
 * S3 for one account: account-level Block Public Access (S3 Control), then every bucket with what decides
 * whether it is public (policy, ACL, ownership controls, bucket Block Public Access) and its encryption,
 * versioning, logging and tags. Each bucket is read through a client of its own region (S3 answers
 * another region's client with a redirect). A bucket whose region cannot be learned is listed with region
 * `unknown` and nothing else: its checks answer UNKNOWN and the error says why.
 */
export async function collectS3(ctx: AccountContext): Promise<S3Snapshot | undefined> {
  const target = { accountId: ctx.accountId, region: ctx.globalRegion };
  const [s3, control] = await Promise.all([
    ctx.clients.get(S3Client, target),
    ctx.clients.get(S3ControlClient, target),
  ]);
  const scope = { accountId: ctx.accountId, service: 's3' };
  const [accountBlock, listing] = await Promise.all([
    ctx.caller.call<{ PublicAccessBlockConfiguration?: object }>(
      control,
      new GetAccountPublicAccessBlockCommand({ AccountId: ctx.accountId }),
      's3:GetAccountPublicAccessBlock',
      scope,
      ['NoSuchPublicAccessBlockConfiguration'],
    ),
    ctx.caller.pages<ListBucketsOutput>(
      s3,
      (ContinuationToken) => new ListBucketsCommand({ MaxBuckets: 1000, ContinuationToken }),
      (p) => p.ContinuationToken,
      's3:ListAllMyBuckets',
      scope,
    ),
  ]);
  const out: Partial<S3Snapshot> = {};
  if (accountBlock !== undefined)
    out.accountPublicAccessBlock =
      accountBlock === null ? null : plain(accountBlock.PublicAccessBlockConfiguration ?? {});
  // Without the bucket list there is no honest `buckets` (an empty one would read as "no buckets"), so
  // S3 is left out altogether and its errors say why.
  if (!listing) return undefined;
  const buckets = listing.flatMap((p) => p.Buckets ?? []).filter((b) => b.Name);
  out.buckets = await Promise.all(buckets.map((b) => collectBucket(ctx, s3, b)));
  out.buckets.sort((a, b) => a.Name.localeCompare(b.Name));
  return out as S3Snapshot;
}

async function collectBucket(ctx: AccountContext, s3: S3Client, bucket: Bucket): Promise<BucketSnapshot> {
  const Bucket = bucket.Name!;
  const scope = { accountId: ctx.accountId, service: 's3', resource: Bucket };
  let region = bucket.BucketRegion;
  if (!region) {
    const loc = await ctx.caller.call<{ LocationConstraint?: string }>(
      s3,
      new GetBucketLocationCommand({ Bucket }),
      's3:GetBucketLocation',
      scope,
    );
    region = loc ? bucketRegion(loc.LocationConstraint) : undefined;
  }
  const snap: BucketSnapshot = {
    Name: Bucket,
    Region: region ?? 'unknown',
    ...(bucket.CreationDate ? { CreationDate: plain<string>(bucket.CreationDate) } : {}),
  };
  if (!region) return snap;
  const client = await ctx.clients.get(S3Client, { accountId: ctx.accountId, region });
  const at = { ...scope, region };
  const c = ctx.caller;
  const [policy, acl, ownership, block, encryption, versioning, logging, tagging] = await Promise.all([
    c.call<GetBucketPolicyOutput>(client, new GetBucketPolicyCommand({ Bucket }), 's3:GetBucketPolicy', at, [
      'NoSuchBucketPolicy',
    ]),
    c.call<GetBucketAclOutput>(client, new GetBucketAclCommand({ Bucket }), 's3:GetBucketAcl', at),
    c.call<GetBucketOwnershipControlsOutput>(
      client,
      new GetBucketOwnershipControlsCommand({ Bucket }),
      's3:GetBucketOwnershipControls',
      at,
      ['OwnershipControlsNotFoundError'],
    ),
    c.call<GetPublicAccessBlockOutput>(
      client,
      new GetPublicAccessBlockCommand({ Bucket }),
      's3:GetBucketPublicAccessBlock',
      at,
      ['NoSuchPublicAccessBlockConfiguration'],
    ),
    c.call<GetBucketEncryptionOutput>(
      client,
      new GetBucketEncryptionCommand({ Bucket }),
      's3:GetEncryptionConfiguration',
      at,
      ['ServerSideEncryptionConfigurationNotFoundError'],
    ),
    c.call<GetBucketVersioningOutput>(
      client,
      new GetBucketVersioningCommand({ Bucket }),
      's3:GetBucketVersioning',
      at,
    ),
    c.call<GetBucketLoggingOutput>(
      client,
      new GetBucketLoggingCommand({ Bucket }),
      's3:GetBucketLogging',
      at,
    ),
    c.call<GetBucketTaggingOutput>(
      client,
      new GetBucketTaggingCommand({ Bucket }),
      's3:GetBucketTagging',
      at,
      ['NoSuchTagSet'],
    ),
  ]);

  if (policy === null) snap.Policy = null;
  else if (policy?.Policy !== undefined) {
    try {
      snap.Policy = parsePolicy(policy.Policy);
    } catch (err) {
      if (!(err instanceof PolicyParseError)) throw err;
      c.record({ ...at, api: 's3:GetBucketPolicy', code: 'MalformedPolicyDocument', message: err.message });
    }
  }
  if (acl) snap.Acl = plain({ Owner: acl.Owner, Grants: acl.Grants ?? [] });
  if (ownership !== undefined) {
    const rule = ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
    snap.OwnershipControls = rule ? { ObjectOwnership: rule } : null;
  }
  if (block !== undefined)
    snap.PublicAccessBlock = block === null ? null : plain(block.PublicAccessBlockConfiguration ?? {});
  if (encryption !== undefined)
    snap.Encryption =
      encryption === null
        ? null
        : plain({ Rules: encryption.ServerSideEncryptionConfiguration?.Rules ?? [] });
  if (versioning) snap.Versioning = plain({ Status: versioning.Status, MFADelete: versioning.MFADelete });
  if (logging)
    snap.Logging = logging.LoggingEnabled?.TargetBucket
      ? plain({
          TargetBucket: logging.LoggingEnabled.TargetBucket,
          TargetPrefix: logging.LoggingEnabled.TargetPrefix,
        })
      : null;
  if (tagging !== undefined) snap.Tags = tagMap(tagging?.TagSet);
  return snap;
}
