import {
  asArray,
  assessBucketPublicAccess,
  globMatch,
  policyStatements,
  statementLabel,
} from '../s3-public.js';
import type {
  AccountSnapshot,
  BucketSnapshot,
  Check,
  CheckResult,
  PostureSnapshot,
  PublicAccessBlock,
} from '../types.js';
import { accountName, accountResource, listing, notCollected, result } from './resource-support.js';

/**
 * S3 checks: Block Public Access (account and bucket), public and cross-account buckets, TLS-only policies,
 * ACLs disabled, versioning, MFA delete, access logging and KMS default encryption.
 */

const BPA_FLAGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

function offFlags(config: PublicAccessBlock | null | undefined): string[] {
  return BPA_FLAGS.filter((f) => config?.[f] !== true);
}

function bucketResource(bucket: BucketSnapshot): CheckResult['resource'] {
  return { type: 'AwsS3Bucket', id: bucket.Name };
}

/**
 * Runs `perBucket` over every bucket of every account; an account whose S3 data was not collected yields one
 * UNKNOWN result.
 */
function eachBucket(
  checkId: string,
  snapshot: PostureSnapshot,
  perBucket: (bucket: BucketSnapshot, account: AccountSnapshot) => CheckResult,
): CheckResult[] {
  return snapshot.accounts.flatMap((account) => {
    if (!account.s3)
      return [
        notCollected(
          checkId,
          snapshot,
          account,
          accountResource(account),
          `the S3 bucket list of ${accountName(account)}`,
          {
            service: 's3',
            api: 's3:ListAllMyBuckets',
          },
        ),
      ];
    return account.s3.buckets.map((bucket) => perBucket(bucket, account));
  });
}

function missingField(
  checkId: string,
  snapshot: PostureSnapshot,
  account: AccountSnapshot,
  bucket: BucketSnapshot,
  what: string,
  api: string,
) {
  return notCollected(
    checkId,
    snapshot,
    account,
    bucketResource(bucket),
    `the ${what} of bucket ${bucket.Name}`,
    {
      service: 's3',
      resource: bucket.Name,
      api,
    },
  );
}

const BPA_CDK = `new s3.Bucket(this, 'Bucket', {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
});`;

export const s3AccountPublicAccessBlock: Check = {
  id: 's3-account-public-access-block',
  title: 'S3 Block Public Access is on at account level',
  severity: 'HIGH',
  service: 's3',
  rationale:
    'Account-level Block Public Access covers every current and future bucket, and a bucket policy cannot switch it off. It is the single setting that keeps a mistaken policy or ACL from exposing data.',
  remediation: {
    text: 'Turn on all four account-level Block Public Access settings, after checking that no bucket must stay public (static websites belong behind CloudFront with origin access control).',
    cli: 'aws s3control put-public-access-block --account-id ACCOUNT_ID --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    console:
      'S3 console → Block Public Access settings for this account → Edit → tick "Block all public access" → Save.',
    cloudformation:
      'Account-level Block Public Access has no CloudFormation resource; set it with the CLI above or an AWS Organizations S3 policy (public_access_block_configuration "all").',
  },
  references: { fsbp: ['S3.1'] },
  findingType: 'Policy:S3/AccountBlockPublicAccessDisabled',
  run(snapshot) {
    return snapshot.accounts.map((account) => {
      const id = 's3-account-public-access-block';
      const name = accountName(account);
      if (!account.s3 || account.s3.accountPublicAccessBlock === undefined)
        return notCollected(
          id,
          snapshot,
          account,
          accountResource(account),
          `account-level Block Public Access of ${name}`,
          {
            service: 's3',
            api: 's3:GetAccountPublicAccessBlock',
          },
        );
      const off = offFlags(account.s3.accountPublicAccessBlock);
      if (account.s3.accountPublicAccessBlock === null)
        return result(
          id,
          'FAIL',
          account,
          accountResource(account),
          `S3 Block Public Access is not configured at account level for ${name}.`,
        );
      return off.length === 0
        ? result(
            id,
            'PASS',
            account,
            accountResource(account),
            `S3 Block Public Access has all four settings on at account level for ${name}.`,
          )
        : result(
            id,
            'FAIL',
            account,
            accountResource(account),
            `S3 Block Public Access at account level for ${name} has ${listing(off)} off.`,
          );
    });
  },
};

export const s3BucketPublicAccessBlock: Check = {
  id: 's3-bucket-public-access-block',
  title: 'S3 buckets block public access (bucket or account level)',
  severity: 'MEDIUM',
  service: 's3',
  rationale:
    'Block Public Access on the bucket keeps it private even if someone later writes a public policy or ACL. When the account-level settings are all on they already cover the bucket.',
  remediation: {
    text: 'Turn on all four Block Public Access settings for the bucket (or for the whole account).',
    cli: 'aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    console:
      'S3 console → the bucket → Permissions → Block public access (bucket settings) → Edit → "Block all public access" → Save.',
    cdk: BPA_CDK,
  },
  references: { cis: ['2.1.4'], fsbp: ['S3.8'] },
  findingType: 'Policy:S3/BucketBlockPublicAccessDisabled',
  run(snapshot) {
    return eachBucket('s3-bucket-public-access-block', snapshot, (bucket, account) => {
      const accountOff = offFlags(account.s3?.accountPublicAccessBlock);
      if (account.s3?.accountPublicAccessBlock && accountOff.length === 0)
        return result(
          's3-bucket-public-access-block',
          'PASS',
          account,
          bucketResource(bucket),
          `Bucket ${bucket.Name} is covered by account-level Block Public Access, which has all four settings on.`,
          bucket.Region,
        );
      if (bucket.PublicAccessBlock === undefined)
        return missingField(
          's3-bucket-public-access-block',
          snapshot,
          account,
          bucket,
          'Block Public Access configuration',
          's3:GetBucketPublicAccessBlock',
        );
      // The effective setting is the most restrictive combination of bucket and account.
      const off = BPA_FLAGS.filter(
        (f) => bucket.PublicAccessBlock?.[f] !== true && account.s3?.accountPublicAccessBlock?.[f] !== true,
      );
      if (off.length === 0)
        return result(
          's3-bucket-public-access-block',
          'PASS',
          account,
          bucketResource(bucket),
          `Bucket ${bucket.Name} has all four Block Public Access settings on (bucket and account settings combined).`,
          bucket.Region,
        );
      return result(
        's3-bucket-public-access-block',
        'FAIL',
        account,
        bucketResource(bucket),
        `Bucket ${bucket.Name} has ${listing(off)} off at both bucket and account level.`,
        bucket.Region,
      );
    });
  },
};

export const s3BucketPublic: Check = {
  id: 's3-bucket-public',
  title: 'S3 buckets are not publicly readable or writable',
  severity: 'CRITICAL',
  service: 's3',
  rationale:
    'A bucket that anyone can read leaks its data; one that anyone can write can be filled, overwritten or used to serve malware. Vigil decides this as S3 does, from the bucket policy, the ACL and Block Public Access together, honouring conditions that pin access to a VPC endpoint, network, organization or account.',
  remediation: {
    text: 'Remove the public statement or grant, or limit it with a fixed aws:SourceVpce, aws:SourceVpc, aws:SourceIp (specific ranges), aws:PrincipalOrgID or aws:SourceAccount condition; then turn on Block Public Access. Serve public content through CloudFront with origin access control instead.',
    cli: 'aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    console:
      'S3 console → the bucket → Permissions → edit the bucket policy and ACL, then Block public access → "Block all public access".',
    cdk: BPA_CDK,
  },
  references: {
    fsbp: ['S3.2', 'S3.3'],
    urls: ['https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html'],
  },
  findingType: 'Policy:S3/BucketPublicAccessGranted',
  run(snapshot) {
    return eachBucket('s3-bucket-public', snapshot, (bucket, account) =>
      publicBucketResult('s3-bucket-public', snapshot, account, bucket),
    );
  },
};

/** PASS/FAIL/UNKNOWN for "is this bucket public", shared with the CloudTrail bucket check. */
export function publicBucketResult(
  checkId: string,
  snapshot: PostureSnapshot,
  account: AccountSnapshot,
  bucket: BucketSnapshot,
): CheckResult {
  const verdict = assessBucketPublicAccess(bucket, account.s3?.accountPublicAccessBlock);
  const why = verdict.reasons.join(' ');
  const res = bucketResource(bucket);
  if (verdict.missing.length > 0) {
    const errors = verdict.missing.map((m) => m.replace(/^.*\((.*)\)$/, '$1'));
    const failed = snapshot.errors.filter(
      (e) =>
        e.accountId === account.accountId &&
        errors.includes(e.api) &&
        (!e.resource || e.resource === bucket.Name),
    );
    const detail =
      failed.length > 0 ? ` (${failed.map((e) => `${e.api} failed: ${e.code}`).join('; ')})` : '';
    return result(
      checkId,
      'UNKNOWN',
      account,
      res,
      `Whether bucket ${bucket.Name} is public cannot be decided: the ${listing(verdict.missing)} ${verdict.missing.length > 1 ? 'were' : 'was'} not collected${detail}. ${why}`,
      bucket.Region,
    );
  }
  if (verdict.public) {
    const what =
      [verdict.read && 'readable', verdict.write && 'writable'].filter(Boolean).join(' and ') || 'accessible';
    return result(
      checkId,
      'FAIL',
      account,
      res,
      `Bucket ${bucket.Name} is publicly ${what}. ${why}`,
      bucket.Region,
    );
  }
  const mitigated = verdict.mitigatedBy
    ? ` Public grants exist but ${verdict.mitigatedBy} neutralises them.`
    : '';
  return result(
    checkId,
    'PASS',
    account,
    res,
    `Bucket ${bucket.Name} is not public.${mitigated} ${why}`,
    bucket.Region,
  );
}

/** Actions FSBP S3.6 does not want other accounts to hold on a bucket. */
const CROSS_ACCOUNT_DENYLIST = [
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketPolicy',
  's3:PutEncryptionConfiguration',
  's3:PutObjectAcl',
];

function principalAccounts(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!principal || typeof principal !== 'object') return [];
  const aws = asArray((principal as Record<string, string | string[]>).AWS);
  return aws.map((p) =>
    p === '*' ? '*' : (/^(\d{12})$/.exec(p)?.[1] ?? /^arn:[^:]+:(?:iam|sts)::(\d{12}|\*):/.exec(p)?.[1] ?? p),
  );
}

export const s3BucketCrossAccount: Check = {
  id: 's3-bucket-cross-account',
  title: 'S3 bucket policies do not give other accounts control of the bucket',
  severity: 'HIGH',
  service: 's3',
  rationale:
    'Another account that may change the bucket policy, ACLs or encryption settings can open the bucket to anyone or lock its owner out; least privilege keeps such actions inside the owner account.',
  remediation: {
    text: `Remove ${listing(CROSS_ACCOUNT_DENYLIST)} (and wildcards covering them) from statements that grant access to other accounts.`,
    cli: 'aws s3api get-bucket-policy --bucket BUCKET --query Policy --output text > policy.json  # edit, then: aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json',
    console: 'S3 console → the bucket → Permissions → Bucket policy → Edit.',
    cdk: `bucket.addToResourcePolicy(new iam.PolicyStatement({
  principals: [new iam.AccountPrincipal('444455556666')],
  actions: ['s3:GetObject'], // never s3:PutBucketPolicy, s3:PutBucketAcl, s3:PutObjectAcl…
  resources: [bucket.arnForObjects('*')],
}));`,
  },
  references: { fsbp: ['S3.6'] },
  findingType: 'Policy:S3/BucketCrossAccountAccessGranted',
  run(snapshot) {
    return eachBucket('s3-bucket-cross-account', snapshot, (bucket, account) => {
      if (bucket.Policy === undefined)
        return missingField(
          's3-bucket-cross-account',
          snapshot,
          account,
          bucket,
          'bucket policy',
          's3:GetBucketPolicy',
        );
      const problems: string[] = [];
      policyStatements(bucket.Policy).forEach((statement, index) => {
        if (statement.Effect !== 'Allow') return;
        const others =
          statement.NotPrincipal !== undefined
            ? ['everyone not named']
            : principalAccounts(statement.Principal).filter((a) => a !== account.accountId);
        if (others.length === 0) return;
        const actions = CROSS_ACCOUNT_DENYLIST.filter((a) =>
          statement.NotAction !== undefined
            ? !asArray(statement.NotAction).some((p) => globMatch(p, a))
            : asArray(statement.Action).some((p) => globMatch(p, a)),
        );
        if (actions.length > 0)
          problems.push(
            `${statementLabel(statement, index)} lets ${listing(others.map((o) => (o === '*' ? 'any account' : o)))} use ${listing(actions)}`,
          );
      });
      return problems.length === 0
        ? result(
            's3-bucket-cross-account',
            'PASS',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name}'s policy gives no other account control of its policy, ACLs or encryption.`,
            bucket.Region,
          )
        : result(
            's3-bucket-cross-account',
            'FAIL',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name}'s policy: ${problems.join('; ')}.`,
            bucket.Region,
          );
    });
  },
};

export const s3SecureTransport: Check = {
  id: 's3-secure-transport',
  title: 'S3 bucket policies refuse requests without TLS',
  severity: 'MEDIUM',
  service: 's3',
  rationale:
    'Without a Deny on aws:SecureTransport false, clients may read and write objects over plain HTTP, exposing data and credentials-derived signatures in transit.',
  remediation: {
    text: 'Add a Deny statement for Principal "*", Action "s3:*", the bucket and its objects, with Condition Bool aws:SecureTransport "false".',
    cli: 'aws s3api put-bucket-policy --bucket BUCKET --policy \'{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}\'  # merge with the existing policy',
    console: 'S3 console → the bucket → Permissions → Bucket policy → Edit → add the Deny statement.',
    cdk: "new s3.Bucket(this, 'Bucket', { enforceSSL: true });",
  },
  references: { cis: ['2.1.1'], fsbp: ['S3.5'] },
  findingType: 'Policy:S3/BucketSecureTransportNotRequired',
  run(snapshot) {
    return eachBucket('s3-secure-transport', snapshot, (bucket, account) => {
      if (bucket.Policy === undefined)
        return missingField(
          's3-secure-transport',
          snapshot,
          account,
          bucket,
          'bucket policy',
          's3:GetBucketPolicy',
        );
      const denies = policyStatements(bucket.Policy).filter((s) => {
        if (s.Effect !== 'Deny') return false;
        const everyone = s.Principal === '*' || principalAccounts(s.Principal).includes('*');
        const allActions = asArray(s.Action).some((a) => a === '*' || a.toLowerCase() === 's3:*');
        const tls = Object.entries(s.Condition ?? {}).some(
          ([op, block]) =>
            /^bool(ifexists)?$/i.test(op) &&
            Object.entries(block).some(
              ([k, v]) =>
                k.toLowerCase() === 'aws:securetransport' &&
                asArray(v as string)
                  .map(String)
                  .includes('false'),
            ),
        );
        return everyone && allActions && tls;
      });
      return denies.length > 0
        ? result(
            's3-secure-transport',
            'PASS',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name}'s policy denies requests made without TLS (aws:SecureTransport false).`,
            bucket.Region,
          )
        : result(
            's3-secure-transport',
            'FAIL',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} ${bucket.Policy === null ? 'has no bucket policy, so nothing' : 'has no policy statement that'} denies requests made without TLS.`,
            bucket.Region,
          );
    });
  },
};

export const s3BucketAclsDisabled: Check = {
  id: 's3-bucket-acls-disabled',
  title: 'S3 buckets have ACLs disabled (Object Ownership: bucket owner enforced)',
  severity: 'MEDIUM',
  service: 's3',
  rationale:
    'With ACLs disabled, only policies decide access and the bucket owner owns every object; ACLs are a second, easily forgotten way to grant public or cross-account access.',
  remediation: {
    text: 'Set Object Ownership to "Bucket owner enforced" after moving any access that ACLs grant into the bucket policy.',
    cli: 'aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls Rules=[{ObjectOwnership=BucketOwnerEnforced}]',
    console:
      'S3 console → the bucket → Permissions → Object Ownership → Edit → "ACLs disabled (recommended)".',
    cdk: "new s3.Bucket(this, 'Bucket', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED });",
  },
  references: { fsbp: ['S3.12'] },
  findingType: 'Policy:S3/BucketAclsEnabled',
  run(snapshot) {
    return eachBucket('s3-bucket-acls-disabled', snapshot, (bucket, account) => {
      if (bucket.OwnershipControls === undefined)
        return missingField(
          's3-bucket-acls-disabled',
          snapshot,
          account,
          bucket,
          'Object Ownership setting',
          's3:GetBucketOwnershipControls',
        );
      const setting = bucket.OwnershipControls?.ObjectOwnership;
      return setting === 'BucketOwnerEnforced'
        ? result(
            's3-bucket-acls-disabled',
            'PASS',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} has ACLs disabled (Object Ownership: BucketOwnerEnforced).`,
            bucket.Region,
          )
        : result(
            's3-bucket-acls-disabled',
            'FAIL',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} still honours ACLs (Object Ownership: ${setting ?? 'not set, so ObjectWriter'}).`,
            bucket.Region,
          );
    });
  },
};

export const s3BucketVersioning: Check = {
  id: 's3-bucket-versioning',
  title: 'S3 buckets have versioning enabled',
  severity: 'LOW',
  service: 's3',
  rationale:
    'Versioning keeps earlier versions of overwritten and deleted objects, so mistakes and ransomware-style overwrites can be undone.',
  remediation: {
    text: 'Enable versioning (and a lifecycle rule to expire old versions).',
    cli: 'aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled',
    console: 'S3 console → the bucket → Properties → Bucket Versioning → Edit → Enable.',
    cdk: "new s3.Bucket(this, 'Bucket', { versioned: true });",
  },
  references: { fsbp: ['S3.14'] },
  findingType: 'Policy:S3/BucketVersioningDisabled',
  run(snapshot) {
    return eachBucket('s3-bucket-versioning', snapshot, (bucket, account) => {
      if (bucket.Versioning === undefined)
        return missingField(
          's3-bucket-versioning',
          snapshot,
          account,
          bucket,
          'versioning status',
          's3:GetBucketVersioning',
        );
      return bucket.Versioning.Status === 'Enabled'
        ? result(
            's3-bucket-versioning',
            'PASS',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} has versioning enabled.`,
            bucket.Region,
          )
        : result(
            's3-bucket-versioning',
            'FAIL',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} has versioning ${bucket.Versioning.Status === 'Suspended' ? 'suspended' : 'never enabled'}.`,
            bucket.Region,
          );
    });
  },
};

export const s3BucketMfaDelete: Check = {
  id: 's3-bucket-mfa-delete',
  title: 'S3 buckets require MFA to delete versions',
  severity: 'LOW',
  service: 's3',
  rationale:
    "MFA delete makes permanently deleting an object version, or suspending versioning, require the root user's MFA code — a stolen access key alone cannot destroy history.",
  remediation: {
    text: 'As the root user with an MFA device, enable MFA delete (only the CLI or API can, not the console).',
    cli: 'aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "arn:aws:iam::ACCOUNT_ID:mfa/root-account-mfa-device 123456"',
    console: "Not available in the console: use the root user's credentials with the CLI.",
    cloudformation: 'Not settable with CloudFormation or CDK; use the CLI as the root user.',
  },
  references: { cis: ['2.1.2'] },
  findingType: 'Policy:S3/BucketMfaDeleteDisabled',
  run(snapshot) {
    return eachBucket('s3-bucket-mfa-delete', snapshot, (bucket, account) => {
      if (bucket.Versioning === undefined)
        return missingField(
          's3-bucket-mfa-delete',
          snapshot,
          account,
          bucket,
          'versioning status',
          's3:GetBucketVersioning',
        );
      return bucket.Versioning.MFADelete === 'Enabled'
        ? result(
            's3-bucket-mfa-delete',
            'PASS',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} requires MFA to delete object versions.`,
            bucket.Region,
          )
        : result(
            's3-bucket-mfa-delete',
            'FAIL',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} does not require MFA to delete object versions.`,
            bucket.Region,
          );
    });
  },
};

export const s3BucketAccessLogging: Check = {
  id: 's3-bucket-access-logging',
  title: 'S3 buckets have server access logging',
  severity: 'LOW',
  service: 's3',
  rationale:
    'Server access logs record every request to the bucket, including anonymous ones that CloudTrail data events may not cover — needed to investigate a leak.',
  remediation: {
    text: 'Enable server access logging to a separate log bucket in the same region.',
    cli: 'aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status \'{"LoggingEnabled":{"TargetBucket":"LOG_BUCKET","TargetPrefix":"BUCKET/"}}\'',
    console:
      'S3 console → the bucket → Properties → Server access logging → Edit → Enable, choose the target bucket.',
    cdk: "new s3.Bucket(this, 'Bucket', { serverAccessLogsBucket: logBucket, serverAccessLogsPrefix: 'bucket/' });",
  },
  references: { fsbp: ['S3.9'] },
  findingType: 'Policy:S3/ServerAccessLoggingDisabled',
  run(snapshot) {
    return eachBucket('s3-bucket-access-logging', snapshot, (bucket, account) => {
      if (bucket.Logging === undefined)
        return missingField(
          's3-bucket-access-logging',
          snapshot,
          account,
          bucket,
          'logging configuration',
          's3:GetBucketLogging',
        );
      return bucket.Logging
        ? result(
            's3-bucket-access-logging',
            'PASS',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} logs access to bucket ${bucket.Logging.TargetBucket}.`,
            bucket.Region,
          )
        : result(
            's3-bucket-access-logging',
            'FAIL',
            account,
            bucketResource(bucket),
            `Bucket ${bucket.Name} has server access logging off.`,
            bucket.Region,
          );
    });
  },
};

export const s3BucketKmsEncryption: Check = {
  id: 's3-bucket-kms-encryption',
  title: 'S3 buckets encrypt by default with SSE-KMS',
  severity: 'LOW',
  service: 's3',
  rationale:
    'Since January 2023 S3 encrypts every new object with SSE-S3, so data is encrypted at rest either way; SSE-KMS adds a key policy as a second permission to read the data and logs every use of the key in CloudTrail.',
  remediation: {
    text: 'Set default encryption to SSE-KMS with a customer managed key, with S3 Bucket Keys to limit KMS costs.',
    cli: 'aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}\'',
    console:
      'S3 console → the bucket → Properties → Default encryption → Edit → SSE-KMS, choose the key, enable Bucket Key.',
    cdk: "new s3.Bucket(this, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true });",
  },
  references: { fsbp: ['S3.17'] },
  findingType: 'Policy:S3/BucketKmsEncryptionDisabled',
  run(snapshot) {
    return eachBucket('s3-bucket-kms-encryption', snapshot, (bucket, account) => {
      if (bucket.Encryption === undefined)
        return missingField(
          's3-bucket-kms-encryption',
          snapshot,
          account,
          bucket,
          'default encryption configuration',
          's3:GetEncryptionConfiguration',
        );
      const algorithms = (bucket.Encryption?.Rules ?? [])
        .map((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm)
        .filter(Boolean);
      if (algorithms.some((a) => a === 'aws:kms' || a === 'aws:kms:dsse'))
        return result(
          's3-bucket-kms-encryption',
          'PASS',
          account,
          bucketResource(bucket),
          `Bucket ${bucket.Name} encrypts new objects with SSE-KMS by default.`,
          bucket.Region,
        );
      return result(
        's3-bucket-kms-encryption',
        'FAIL',
        account,
        bucketResource(bucket),
        `Bucket ${bucket.Name} encrypts new objects with SSE-S3 (AES256) only: data is encrypted at rest, but no KMS key policy guards it.`,
        bucket.Region,
      );
    });
  },
};

export const s3Checks: Check[] = [
  s3AccountPublicAccessBlock,
  s3BucketPublicAccessBlock,
  s3BucketPublic,
  s3BucketCrossAccount,
  s3SecureTransport,
  s3BucketAclsDisabled,
  s3BucketVersioning,
  s3BucketMfaDelete,
  s3BucketAccessLogging,
  s3BucketKmsEncryption,
];
