import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { HandlerName } from './bundle.js';

export interface VigilFunctionProps {
  name: HandlerName;
  description: string;
  /** Folder holding `<name>/index.mjs` (bundleHandlers). */
  handlersDir: string;
  key: kms.IKey;
  memorySize: number;
  timeout: Duration;
  /** Concurrent executions reserved (and capped); undefined leaves the function on the shared pool. */
  reservedConcurrency?: number;
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  /** Everything the function does in AWS besides reading its queue and writing its logs. */
  statements: iam.PolicyStatement[];
}

/** Key actions to read the queue (Decrypt) and send to the encrypted dead-letter queue (GenerateDataKey). */
const QUEUE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * One Vigil stage in Lambda: its queue (SSE-KMS, TLS only, 3 receives then the dead-letter queue), the
 * function (Node.js 20, arm64, the esbuild bundle, reserved concurrency, the DLQ for asynchronous
 * invocations too), a KMS-encrypted log group with retention, and a role of its own holding exactly
 * `statements` plus reading this queue and writing this log group — no managed policies.
 */
export class VigilFunction extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: VigilFunctionProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const functionName = `${Stack.of(this).stackName}-${props.name}`.slice(0, 64);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // AWS's advice for SQS-triggered functions: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(props.timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Vigil ${props.name}: only what this stage does`,
    });
    const logGroupArn = `arn:${partition}:logs:${region}:${account}:log-group:${this.logGroup.logGroupName}`;
    const own = [
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroupArn}:log-stream:*`],
      }),
      new iam.PolicyStatement({
        sid: 'ReadOwnQueue',
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ChangeMessageVisibility',
        ],
        resources: [this.queue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'DeadLetterAsyncInvocations',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptQueueAndEnvironment',
        actions: QUEUE_KEY_ACTIONS,
        resources: [props.key.keyArn],
      }),
    ];
    // A customer-managed policy rather than an inline one (NIST 800-53 IAMNoInlinePolicy), used by this role only.
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Vigil ${props.name}: its queue, its logs and what the stage calls`,
      statements: [...own, ...props.statements],
      roles: [this.role],
    });

    this.fn = new lambda.Function(this, 'Function', {
      functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(join(props.handlersDir, props.name)),
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      environmentEncryption: props.key,
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
    });
    // Set on the L1 resource: the L2 `deadLetterQueue` and `SqsEventSource` would add their own broader
    // grants (kms:Encrypt, kms:ReEncrypt*, sqs:GetQueueUrl) to a second policy; `own` already holds these.
    (this.fn.node.defaultChild as lambda.CfnFunction).deadLetterConfig = {
      targetArn: this.deadLetterQueue.queueArn,
    };
    this.fn.node.addDependency(policy);
    new lambda.EventSourceMapping(this, 'FromQueue', {
      target: this.fn,
      eventSourceArn: this.queue.queueArn,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(5),
      reportBatchItemFailures: true,
    }).node.addDependency(policy);
  }
}
