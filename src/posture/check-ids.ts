/**
 * Every check id of the posture catalogue. The ids are fixed before the checks are written, so the
 * framework mapping files (frameworks/*.yaml) can name them and be validated now: a mapping that names an
 * id missing here is a typo, and loading the file fails. Every shipped check's id must be in this list
 * (the test of ALL_CHECKS should assert it).
 */
export const CHECK_IDS = [
  // IAM
  'iam-root-access-keys',
  'iam-root-mfa',
  'iam-root-hardware-mfa',
  'iam-root-recent-use',
  'iam-password-length',
  'iam-password-reuse',
  'iam-user-console-mfa',
  'iam-unused-credentials-45',
  'iam-unused-credentials-90',
  'iam-one-active-key',
  'iam-key-rotation',
  'iam-user-direct-policies',
  'iam-full-admin-policy',
  'iam-support-role',
  'iam-access-analyzer',
  'iam-cloudshell-full-access',
  'iam-wildcard-service-actions',
  'iam-wildcard-resources',
  'iam-admin-equivalent',
  'iam-privilege-escalation',
  'iam-role-trust-wildcard',
  // S3
  's3-account-public-access-block',
  's3-bucket-public-access-block',
  's3-bucket-public',
  's3-bucket-cross-account',
  's3-secure-transport',
  's3-bucket-acls-disabled',
  's3-bucket-versioning',
  's3-bucket-mfa-delete',
  's3-bucket-access-logging',
  's3-bucket-kms-encryption',
  // CloudTrail
  'cloudtrail-multi-region',
  'cloudtrail-log-validation',
  'cloudtrail-bucket-logging',
  'cloudtrail-kms',
  'cloudtrail-cloudwatch',
  'cloudtrail-bucket-not-public',
  'cloudtrail-s3-data-events-write',
  'cloudtrail-s3-data-events-read',
  // Config, KMS, VPC, detection services
  'config-enabled',
  'kms-rotation',
  'kms-pending-deletion',
  'vpc-flow-logs',
  'guardduty-enabled',
  'guardduty-s3-protection',
  'securityhub-enabled',
  // EC2
  'ec2-ebs-default-encryption',
  'ec2-imdsv2',
  'ec2-public-ip',
  'ec2-public-snapshots',
  'ec2-nacl-admin-ports',
  'ec2-sg-admin-ports-ipv4',
  'ec2-sg-admin-ports-ipv6',
  'ec2-default-sg-closed',
  'ec2-sg-high-risk-ports',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

const KNOWN: ReadonlySet<string> = new Set(CHECK_IDS);

export function isCheckId(id: string): id is CheckId {
  return KNOWN.has(id);
}
