import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface VigilTrailProps {
  key: kms.IKey;
  /** The trail's name; its ARN is known before deployment so the key and bucket policies can name it. */
  trailName: string;
  /** One trail for every account of the AWS Organization (deploy in the management account). */
  organizationTrail: boolean;
  /** The organization's id (`o-…`), needed for an organization trail's bucket policy. */
  organizationId?: string;
  /** Buckets whose object-level (data) events the trail records. */
  s3DataEventBuckets: readonly string[];
  /** Days the log files stay in S3 (moved to cheaper storage classes on the way). */
  logRetentionDays: number;
  /** Days the CloudWatch Logs copy is kept. */
  cloudWatchRetention: logs.RetentionDays;
}

/**
 * The multi-region trail and where it writes. The log bucket refuses plain HTTP and any write that is not
 * this trail's (a `Deny` on `s3:PutObject` unless `aws:SourceArn` is the trail), keeps versions, moves logs
 * to Infrequent Access after 30 days and Glacier Instant Retrieval after 90, and records its own access
 * in a second bucket (SSE-S3: the only encryption S3 server access logging can write to).
 * The L1 `CfnTrail` is used because the L2 `Trail` adds bucket statements without `aws:SourceArn`.
 */
export class VigilTrail extends Construct {
  readonly trail: cloudtrail.CfnTrail;
  readonly trailArn: string;
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: VigilTrailProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    this.trailArn = `arn:${partition}:cloudtrail:${region}:${account}:trail/${props.trailName}`;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.logRetentionDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'trail-bucket/',
      lifecycleRules: [
        {
          id: 'cheaper-storage-then-expire',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
          ],
          expiration: Duration.days(Math.max(props.logRetentionDays, 91)),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const fromThisTrail = { StringEquals: { 'aws:SourceArn': this.trailArn } };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TrailReadsAcl',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: fromThisTrail,
      }),
    );
    const prefixes = [`AWSLogs/${account}/*`];
    if (props.organizationTrail && props.organizationId) prefixes.push(`AWSLogs/${props.organizationId}/*`);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TrailWritesLogs',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: prefixes.map((p) => this.bucket.arnForObjects(p)),
        conditions: {
          StringEquals: { 'aws:SourceArn': this.trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThisTrailWrites',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { 'aws:SourceArn': this.trailArn } },
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/vigil/cloudtrail/${props.trailName}`,
      encryptionKey: props.key,
      retention: props.cloudWatchRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deliveryRole = new iam.Role(this, 'LogsRole', {
      assumedBy: cloudTrail,
      description: 'CloudTrail delivers the Vigil trail to its CloudWatch log group',
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'LogsPolicy', {
      description: 'CloudTrail writes the Vigil trail to its log group',
      roles: [deliveryRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [
            `arn:${partition}:logs:${region}:${account}:log-group:${this.logGroup.logGroupName}:log-stream:*`,
          ],
        }),
      ],
    });

    const eventSelectors: cloudtrail.CfnTrail.EventSelectorProperty[] = [
      { includeManagementEvents: true, readWriteType: 'All' },
    ];
    if (props.s3DataEventBuckets.length) {
      eventSelectors.push({
        includeManagementEvents: false,
        readWriteType: 'All',
        dataResources: [
          {
            type: 'AWS::S3::Object',
            values: props.s3DataEventBuckets.map((b) => `arn:${partition}:s3:::${b}/`),
          },
        ],
      });
    }
    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName: props.trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      isOrganizationTrail: props.organizationTrail,
      enableLogFileValidation: true,
      kmsKeyId: props.key.keyArn,
      s3BucketName: this.bucket.bucketName,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: deliveryRole.roleArn,
      eventSelectors,
    });
    this.trail.node.addDependency(this.bucket.policy!, deliveryRole, deliveryPolicy);
  }
}
