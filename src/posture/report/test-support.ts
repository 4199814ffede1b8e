import type { Check, CheckResult, PostureSnapshot } from '../types.js';

/** Fixture snapshots and checks for the framework, report and CLI tests (the real checks live elsewhere). */

export const ACCOUNT = '111122223333';

export function fixtureSnapshot(
  buckets: { name: string; public?: boolean; tags?: Record<string, string> }[],
): PostureSnapshot {
  return {
    format: 'vigil-posture-snapshot',
    version: 1,
    collectedAt: '2025-05-01T10:00:00.000Z',
    collector: 'vigil 0.1.0',
    accounts: [
      {
        accountId: ACCOUNT,
        alias: 'acme-prod',
        s3: {
          accountPublicAccessBlock: null,
          buckets: buckets.map((b) => ({
            Name: b.name,
            Region: 'eu-west-1',
            Policy: b.public
              ? {
                  Statement: [
                    {
                      Effect: 'Allow',
                      Principal: '*',
                      Action: 's3:GetObject',
                      Resource: `arn:aws:s3:::${b.name}/*`,
                    },
                  ],
                }
              : null,
            ...(b.tags ? { Tags: b.tags } : {}),
          })),
        },
        regions: [{ region: 'eu-west-1' }],
      },
    ],
    errors: [],
  };
}

function check(
  id: string,
  run: (s: PostureSnapshot) => CheckResult[],
  severity: Check['severity'] = 'HIGH',
): Check {
  return {
    id,
    title: `Fixture ${id}`,
    severity,
    service: 's3',
    rationale: `Why ${id} matters.`,
    remediation: { text: `Fix ${id}.`, cli: `aws s3api fix --id ${id}` },
    references: { fsbp: ['S3.2'] },
    findingType: `Policy:Fixture/${id}`,
    run,
  };
}

/** `s3-bucket-public`: FAIL for buckets with a public policy; the message carries the bucket's name and tags. */
export const publicCheck = check('s3-bucket-public', (s) =>
  s.accounts.flatMap((a) =>
    (a.s3?.buckets ?? []).map((b) => ({
      checkId: 's3-bucket-public',
      status: b.Policy ? ('FAIL' as const) : ('PASS' as const),
      accountId: a.accountId,
      region: b.Region,
      resource: { type: 'AwsS3Bucket', id: b.Name },
      message: b.Policy
        ? `Bucket ${b.Name} (owner ${b.Tags?.owner ?? 'unknown'}) allows anyone to read objects.`
        : `Bucket ${b.Name} is not public.`,
    })),
  ),
);

/** `s3-bucket-versioning`: always PASS per bucket (LOW). */
export const versioningCheck = check(
  's3-bucket-versioning',
  (s) =>
    s.accounts.flatMap((a) =>
      (a.s3?.buckets ?? []).map((b) => ({
        checkId: 's3-bucket-versioning',
        status: 'PASS' as const,
        accountId: a.accountId,
        resource: { type: 'AwsS3Bucket', id: b.Name },
        message: `Bucket ${b.Name} has versioning enabled.`,
      })),
    ),
  'LOW',
);

/** `s3-bucket-mfa-delete`: throws. */
export const throwingCheck = check('s3-bucket-mfa-delete', () => {
  throw new Error('boom');
});
