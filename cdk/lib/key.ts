import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * Vigil's one customer-managed key: CloudTrail logs, CloudWatch log groups, the queues, the topic, the
 * state table and the functions' environment. Rotated yearly. Besides the account's own IAM delegation
 * (CDK's default statement: IAM policies decide who in the account may use it), four AWS services may use
 * it, each for only what it does, each only on behalf of this account:
 * - CloudTrail encrypts log files of trails in this account (encryption context names the trail);
 * - CloudWatch Logs encrypts log groups of this account (encryption context names the log group);
 * - EventBridge sends events into the encrypted queues (rules of this account only);
 * - CloudWatch sends alarm notifications to the encrypted topic (alarms of this account only).
 */
export function createVigilKey(scope: Construct, trailArn: string): kms.Key {
  const stack = Stack.of(scope);
  const { account, region, partition } = stack;
  const key = new kms.Key(scope, 'Key', {
    description: 'Vigil: CloudTrail logs, log groups, queues, topic and state',
    enableKeyRotation: true,
    alias: `alias/vigil-${stack.stackName}`,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudTrailEncryptsThisTrail',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${partition}:cloudtrail:*:${account}:trail/*`,
        },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudTrailDescribesKey',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
        },
      },
    }),
  );
  for (const [sid, service] of [
    ['EventBridgeSendsToEncryptedQueues', 'events.amazonaws.com'],
    ['CloudWatchAlarmsPublishToEncryptedTopic', 'cloudwatch.amazonaws.com'],
  ] as const) {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
  }
  return key;
}
