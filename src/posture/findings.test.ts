import { describe, expect, it } from 'vitest';
import { postureChanges, postureFindingId } from './findings.js';
import type { Check, CheckResult, PostureSnapshot } from './types.js';

const snapshot = (accounts: string[], at = '2026-11-25T12:00:00Z'): PostureSnapshot => ({
  format: 'vigil-posture-snapshot',
  version: 1,
  collectedAt: at,
  collector: 'test',
  accounts: accounts.map((accountId) => ({ accountId, regions: [] })),
  errors: [],
});
const check: Check = {
  id: 's3-bucket-versioning',
  title: 'S3 buckets have versioning enabled',
  severity: 'MEDIUM',
  service: 's3',
  rationale: 'r',
  remediation: { text: 'Enable versioning.', cli: 'aws s3api put-bucket-versioning …' },
  references: { fsbp: ['S3.14'] },
  findingType: 'Policy:S3/BucketVersioningDisabled',
  run: () => [],
};
const checks = new Map([[check.id, check]]);
const result = (bucket: string, status: CheckResult['status'], accountId = '111122223333'): CheckResult => ({
  checkId: check.id,
  status,
  accountId,
  region: 'eu-west-1',
  resource: { type: 'AwsS3Bucket', id: `arn:aws:s3:::${bucket}` },
  message: `Bucket ${bucket} …`,
});
const open = (bucket: string, accountId = '111122223333') => ({
  id: postureFindingId(result(bucket, 'FAIL', accountId)),
  detector: `posture:${check.id}`,
  accountId,
});

describe('posture findings', () => {
  it('a FAIL becomes a Policy finding with a stable id, the check’s remediation and references', () => {
    const { failing } = postureChanges(
      snapshot(['111122223333']),
      [result('logs', 'FAIL'), result('web', 'PASS')],
      checks,
      [],
    );
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({
      id: postureFindingId(result('logs', 'FAIL')),
      type: 'Policy:S3/BucketVersioningDisabled',
      detector: 'posture:s3-bucket-versioning',
      severityLabel: 'MEDIUM',
      region: 'eu-west-1',
      description: 'Bucket logs …',
      resources: [{ type: 'AwsS3Bucket', id: 'arn:aws:s3:::logs' }],
      references: ['AWS Foundational Security Best Practices S3.14'],
    });
    expect(failing[0]!.remediation).toMatch(/Enable versioning\.\nCLI: aws s3api/);
  });

  it('resolves when the resource passes or is gone, not when it could not be checked or its account was not collected', () => {
    const stored = [
      open('fixed'),
      open('deleted'),
      open('unknown'),
      open('other-account', '999999999999'),
      open('still'),
    ];
    const { resolved, failing } = postureChanges(
      snapshot(['111122223333']),
      [result('fixed', 'PASS'), result('still', 'FAIL')],
      checks,
      stored,
    );
    expect(resolved.sort()).toEqual([open('deleted').id, open('fixed').id, open('unknown').id].sort());
    expect(failing.map((f) => f.id)).toEqual([open('still').id]);
    const blind = postureChanges(
      snapshot(['111122223333']),
      [{ ...result('x', 'UNKNOWN'), resource: { type: 'AwsAccount', id: '111122223333' } }],
      checks,
      stored,
    );
    expect(blind.resolved).toEqual([]);
  });
});
