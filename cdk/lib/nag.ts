import { NagSuppressions, type NagPackSuppression } from 'cdk-nag';
import type { Construct } from 'constructs';

/**
 * Every cdk-nag finding (AwsSolutions, NIST 800-53 rev. 5) Vigil accepts, each with why. Rules that hold
 * by design for a whole kind of resource are suppressed on the construct; wildcard findings (IAM5) only
 * for the exact resource patterns listed, so a new wildcard anywhere else still fails the check.
 */
export const NAG_SUPPRESSIONS: readonly NagPackSuppression[] = [
  {
    id: 'AwsSolutions-L1',
    reason:
      'The functions run on Node.js 20, the runtime Vigil is built and tested for (package.json engines, CI); moving to a newer runtime is a tested release, not a deploy-time default.',
  },
  {
    id: 'NIST.800.53.R5-LambdaInsideVPC',
    reason:
      'The functions reach only AWS APIs (DynamoDB, EventBridge, SNS, SSM, SQS) and chat webhooks over TLS and hold no network-reachable endpoint; a VPC would need NAT gateways or eight interface endpoints (over $30 a month), outside the cost target.',
  },
  {
    id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    reason:
      'The state table holds rebuildable detection windows, finding aggregates and audit copies (the audit also goes to CloudWatch Logs); point-in-time recovery (35 days) covers restores without an AWS Backup plan.',
  },
  {
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason:
      'Log buckets are versioned and written only by CloudTrail or S3 logging; cross-region replication doubles storage cost, and organizations that need it replicate from their log archive account.',
  },
  {
    id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
    reason:
      'Applies to the server access log bucket only: S3 server access logging can deliver only to buckets encrypted with SSE-S3, not SSE-KMS.',
  },
  {
    id: 'AwsSolutions-IAM5',
    reason:
      'CreateLogStream/PutLogEvents on the streams of one named log group: stream names are chosen by Lambda and CloudTrail at run time.',
    appliesTo: [
      { regex: '/^Resource::arn:<AWS::Partition>:logs:.*:log-group:<[A-Za-z0-9]+>:log-stream:\\*$/g' },
    ],
  },
  {
    id: 'AwsSolutions-IAM5',
    reason:
      'The notify function reads channel secrets stored as SSM SecureString parameters under /vigil/, whose names the user chooses in the config after deployment; no other parameter path is readable.',
    appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:ssm:.*:parameter/vigil/\\*$/g' }],
  },
  {
    id: 'AwsSolutions-IAM5',
    reason:
      'Response actions act on resources named by findings at run time (instances, buckets, keys, functions in this account); only the actions of live playbooks are granted, IAM ones on this account only, and safety rails (deny lists, protected tag) apply.',
    appliesTo: [
      'Resource::*',
      { regex: '/^Resource::arn:<AWS::Partition>:iam::(\\d{12}|<AWS::AccountId>):(\\*|role/\\*)$/g' },
    ],
  },
];

export function applyNagSuppressions(scope: Construct): void {
  NagSuppressions.addResourceSuppressions(scope, [...NAG_SUPPRESSIONS], true);
}
