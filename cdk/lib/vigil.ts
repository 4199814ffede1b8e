import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { SeverityLabel } from '../../src/core/severity.js';
import type { PlaybookConfig } from '../../src/respond/config.js';
import { repoRoot } from './bundle.js';
import { VigilDashboard } from './dashboard.js';
import { AwsDetectors } from './detectors.js';
import { builtinEventSources } from './event-sources.js';
import { VigilFunction } from './functions.js';
import { createVigilKey } from './key.js';
import { applyNagSuppressions } from './nag.js';
import { parsePlaybooks, respondActions, respondStatements } from './respond-permissions.js';
import { VigilTrail } from './trail.js';

export interface VigilPlaybooksProps {
  /** Deploy the respond function and subscribe it to alerts (default false). */
  enabled: boolean;
  /** Plan only, change nothing (default true): the function then gets no response permissions at all. */
  dryRun?: boolean;
  /** Playbooks in vigil.yaml's `respond.playbooks` form; live ones decide the function's permissions. */
  definitions?: readonly unknown[];
  /** Roles in other accounts the respond function may assume (`respond.accounts` of vigil.yaml). */
  assumeRoleArns?: readonly string[];
}

export interface VigilMonitoringProps {
  /** Folder with the bundled handlers, `<name>/index.mjs` (bundleHandlers). */
  handlersDir: string;
  /** Addresses subscribed to the alert topic (each confirms by e-mail). */
  alertEmails?: readonly string[];
  /** Findings below this severity are stored but not alerted (default MEDIUM). */
  minSeverity?: SeverityLabel;
  playbooks?: VigilPlaybooksProps;
  /**
   * Regions the deployment covers. The trail is multi-region whatever this says; GuardDuty, Security Hub
   * and EventBridge are regional, so the stack is deployed once per listed region (the first is home).
   */
  regions?: readonly string[];
  /**
   * Create the multi-region trail (default true). Stacks in the other `regions` say false: one trail
   * records every region, and a second would bill management events twice.
   */
  trail?: boolean;
  /** An organization trail (deploy in the management account) instead of this account's only. */
  organizationTrail?: boolean;
  /** The organization id (`o-…`) an organization trail writes under. */
  organizationId?: string;
  /** Buckets whose object-level events (GetObject, PutObject, DeleteObject…) the trail records. */
  s3DataEventBuckets?: readonly string[];
  /** Secrets Manager secret holding a Slack incoming-webhook URL: adds a Slack channel. */
  slackWebhookSecretName?: string;
  /** A signed webhook channel: its URL and the secret (Secrets Manager) it signs with. */
  webhook?: { url: string; signingSecretName: string };
  retention?: {
    /** CloudWatch Logs retention of the trail and the functions (default one year). */
    logs?: logs.RetentionDays;
    /** Days log files stay in S3 (default 365; at least 91, past the Glacier transition). */
    trailDays?: number;
  };
  /** Create the GuardDuty detector / enable Security Hub (default true; false if already on). */
  guardDuty?: boolean;
  securityHub?: boolean;
  /** Security Hub standards (default both: `Fsbp`, `Cis`); fewer cost less (docs/cost.md). */
  securityHubStandards?: readonly ('Fsbp' | 'Cis')[];
  /** GuardDuty S3 protection (default on). */
  s3Protection?: boolean;
  /** Send every CloudTrail API call to detection, not only those of sources detections read. */
  forwardAllApiCalls?: boolean;
  /** Override the event sources derived from the detection catalogue. */
  cloudTrailEventSources?: readonly string[];
  /** Reserved concurrency per function (default 2; the respond function 1). */
  reservedConcurrency?: number;
  /**
   * vigil.yaml's `detections.baselines` for detect (default on, 7 learning days, 50 events); their
   * DynamoDB reads and writes per event are in docs/cost.md.
   */
  baselines?: { enabled?: boolean; learningDays?: number; minEvents?: number; sensitivity?: number };
}

/**
 * An EventBridge target that sends to a stage's queue, retrying for 24 hours and then dead-lettering to
 * the stage's DLQ. Written out because `targets.SqsQueue` grants EventBridge `kms:Encrypt`/`ReEncrypt*` on
 * the key and drops the `aws:SourceArn` condition for encrypted queues: here both queues admit
 * `sqs:SendMessage` from this rule only, and the key admits EventBridge for this account only (key.ts).
 */
class QueueTarget implements events.IRuleTarget {
  constructor(private readonly stage: VigilFunction) {}

  bind(rule: events.IRule): events.RuleTargetConfig {
    for (const queue of [this.stage.queue, this.stage.deadLetterQueue]) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `From${rule.node.id}`,
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
        }),
      );
    }
    return {
      arn: this.stage.queue.queueArn,
      deadLetterConfig: { arn: this.stage.deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 24 * 3600 },
    };
  }
}

/** The SSM parameter the functions read their configuration from (env CONFIG_PARAMETER). */
export const CONFIG_PARAMETER_NAME = '/vigil/config';
export const CLOUDTRAIL_DETAIL_TYPES = ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'];

/**
 * Vigil on AWS: CloudTrail into a hardened bucket and CloudWatch Logs, GuardDuty and Security Hub, and
 * Vigil's own stages as four Lambda functions fed by EventBridge through SQS:
 *
 *   CloudTrail API calls ─▶ detect ─▶ "Vigil Finding" ─┐
 *   GuardDuty / Security Hub findings ─────────────────┴▶ triage ─▶ "Vigil Alert" ─▶ notify, respond
 *
 * One KMS key encrypts everything; every function has a role of its own with only what it calls.
 */
export class VigilMonitoring extends Construct {
  readonly key;
  readonly trail?: VigilTrail;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly config: ssm.StringParameter;
  readonly functions: Record<'detect' | 'triage' | 'notify', VigilFunction> & { respond?: VigilFunction };
  readonly rules: Record<'cloudTrail' | 'guardDuty' | 'securityHub' | 'finding' | 'alert', events.Rule>;
  readonly dashboard: VigilDashboard;
  readonly detectors: AwsDetectors;
  readonly playbooks: PlaybookConfig[];

  constructor(scope: Construct, id: string, props: VigilMonitoringProps) {
    super(scope, id);
    // S3 server access logs delivered under a bucket policy (logging.s3.amazonaws.com with aws:SourceArn)
    // rather than the legacy LogDelivery ACL; context set here so the construct needs no cdk.json flag.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const stack = Stack.of(this);
    const { account, region, partition } = stack;
    const logRetention = props.retention?.logs ?? logs.RetentionDays.ONE_YEAR;
    const trailName = `${stack.stackName}-trail`;
    const trailArn = `arn:${partition}:cloudtrail:${region}:${account}:trail/${trailName}`;
    const minSeverity = props.minSeverity ?? 'MEDIUM';
    const respondProps = props.playbooks ?? { enabled: false };
    const dryRun = respondProps.dryRun ?? true;
    this.playbooks = parsePlaybooks(respondProps.definitions ?? []);

    this.key = createVigilKey(this, trailArn);
    if (props.trail ?? true)
      this.trail = new VigilTrail(this, 'CloudTrail', {
        key: this.key,
        trailName,
        organizationTrail: props.organizationTrail ?? false,
        ...(props.organizationId ? { organizationId: props.organizationId } : {}),
        s3DataEventBuckets: props.s3DataEventBuckets ?? [],
        logRetentionDays: props.retention?.trailDays ?? 365,
        cloudWatchRetention: logRetention,
      });
    this.detectors = new AwsDetectors(this, 'Detectors', {
      guardDuty: props.guardDuty ?? true,
      securityHub: props.securityHub ?? true,
      ...(props.securityHubStandards ? { securityHubStandards: props.securityHubStandards } : {}),
      ...(props.s3Protection !== undefined ? { s3Protection: props.s3Protection } : {}),
    });

    this.table = new dynamodb.Table(this, 'State', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'ttl',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.topic = new sns.Topic(this, 'Alerts', {
      displayName: 'Vigil alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.alertEmails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const secretArn = (name: string) =>
      `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-??????`;
    const channels: Record<string, unknown>[] = [{ id: 'sns', kind: 'sns', topicArn: this.topic.topicArn }];
    const secretNames: string[] = [];
    if (props.slackWebhookSecretName) {
      channels.push({
        id: 'slack',
        kind: 'slack',
        webhookUrl: { secretsManager: props.slackWebhookSecretName },
      });
      secretNames.push(props.slackWebhookSecretName);
    }
    if (props.webhook) {
      channels.push({
        id: 'webhook',
        kind: 'webhook',
        url: props.webhook.url,
        secret: { secretsManager: props.webhook.signingSecretName },
      });
      secretNames.push(props.webhook.signingSecretName);
    }
    const configDocument = {
      minSeverity,
      channels,
      routes: [{ name: 'all-alerts', pattern: { source: ['vigil'] }, targets: channels.map((c) => c.id) }],
      ...(props.baselines ? { detections: { baselines: props.baselines } } : {}),
      // The deployment's dry-run wins over a playbook's own `dryRun: false` (src/aws/config.ts schema).
      respond: {
        enabled: respondProps.enabled,
        playbooks: this.playbooks.map((p) => ({ ...p, dryRun: dryRun || p.dryRun })),
      },
    };
    const configText = stack.toJsonString(configDocument);
    this.config = new ssm.StringParameter(this, 'Config', {
      parameterName: CONFIG_PARAMETER_NAME,
      description: 'Vigil: routes, channels (secrets by name), playbooks and minimum severity',
      stringValue: configText,
      // Standard parameters hold 4 KB; a long list of playbooks needs the advanced tier.
      tier:
        JSON.stringify(configDocument).length > 3_500
          ? ssm.ParameterTier.ADVANCED
          : ssm.ParameterTier.STANDARD,
    });

    const defaultBus = `arn:${partition}:events:${region}:${account}:event-bus/default`;
    const readConfig = new iam.PolicyStatement({
      sid: 'ReadConfig',
      actions: ['ssm:GetParameter'],
      resources: [this.config.parameterArn],
    });
    const useTable = new iam.PolicyStatement({
      sid: 'UseStateTable',
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        // TransactWriteItems is authorised per item as Put/Update/Delete/ConditionCheck.
        'dynamodb:ConditionCheckItem',
      ],
      resources: [this.table.tableArn],
    });
    const tableKey = new iam.PolicyStatement({
      sid: 'EncryptStateThroughDynamoDB',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
    });
    const putEvents = new iam.PolicyStatement({
      sid: 'PutVigilEvents',
      actions: ['events:PutEvents'],
      resources: [defaultBus],
    });
    const publishAlerts = new iam.PolicyStatement({
      sid: 'PublishAlerts',
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
    });
    const environment = {
      STATE_TABLE: this.table.tableName,
      CONFIG_PARAMETER: CONFIG_PARAMETER_NAME,
      EVENT_BUS_NAME: 'default',
      MIN_SEVERITY: minSeverity,
      // The bundle keeps detections/ and data/ beside index.mjs (cdk/lib/bundle.ts, src/core/paths.ts).
      VIGIL_HOME: '/var/task',
    };
    const concurrency = props.reservedConcurrency ?? 2;
    const common = { handlersDir: props.handlersDir, key: this.key, environment, logRetention };

    const detect = new VigilFunction(this, 'Detect', {
      ...common,
      name: 'detect',
      description: 'Vigil detections on CloudTrail API calls; findings to EventBridge',
      memorySize: 1024,
      timeout: Duration.seconds(60),
      reservedConcurrency: concurrency,
      statements: [readConfig, useTable, tableKey, putEvents],
    });
    const triage = new VigilFunction(this, 'Triage', {
      ...common,
      name: 'triage',
      description: 'Vigil triage: normalize, enrich, classify and aggregate findings; alerts to EventBridge',
      memorySize: 512,
      timeout: Duration.seconds(60),
      reservedConcurrency: concurrency,
      statements: [readConfig, useTable, tableKey, putEvents],
    });
    const notifyStatements = [
      new iam.PolicyStatement({
        sid: 'ReadVigilParameters',
        actions: ['ssm:GetParameter'],
        resources: [`arn:${partition}:ssm:${region}:${account}:parameter/vigil/*`],
      }),
      publishAlerts,
    ];
    if (secretNames.length) {
      notifyStatements.push(
        new iam.PolicyStatement({
          sid: 'ReadChannelSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretNames.map(secretArn),
        }),
      );
    }
    const notify = new VigilFunction(this, 'Notify', {
      ...common,
      name: 'notify',
      description: 'Vigil notification: routes alerts to the SNS topic, Slack or webhook channels',
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrency: concurrency,
      statements: notifyStatements,
    });
    this.functions = { detect, triage, notify };

    if (respondProps.enabled) {
      const statements = [readConfig, useTable, tableKey, publishAlerts];
      statements.push(...respondStatements(respondActions(this.playbooks, dryRun), partition, account));
      if (respondProps.assumeRoleArns?.length) {
        statements.push(
          new iam.PolicyStatement({
            sid: 'ActInOtherAccounts',
            actions: ['sts:AssumeRole'],
            resources: [...respondProps.assumeRoleArns],
          }),
        );
      }
      this.functions.respond = new VigilFunction(this, 'Respond', {
        ...common,
        environment: { ...environment, DRY_RUN: String(dryRun) },
        name: 'respond',
        description: 'Vigil response playbooks (dry-run unless configured live); audit in DynamoDB and logs',
        memorySize: 512,
        timeout: Duration.seconds(120),
        reservedConcurrency: 1,
        statements,
      });
      // Vigil's own roles are never a playbook's target: quarantining them would stop Vigil itself
      // (src/respond/safety.ts ownRoles; the respond function reads them from VIGIL_OWN_ROLES).
      const own = [detect, triage, notify, this.functions.respond].map((f) => f.role.roleArn);
      this.functions.respond.fn.addEnvironment('VIGIL_OWN_ROLES', Fn.join(',', own));
    }

    const sources = props.cloudTrailEventSources ?? builtinEventSources(repoRoot()).sources;
    const toQueue = (f: VigilFunction) => new QueueTarget(f);
    const rule = (
      ruleId: string,
      description: string,
      eventPattern: events.EventPattern,
      to: VigilFunction[],
    ) => new events.Rule(this, ruleId, { description, eventPattern, targets: to.map(toQueue) });
    this.rules = {
      cloudTrail: rule(
        'CloudTrailRule',
        'API calls of the services Vigil detections read, to detect',
        {
          source: events.Match.prefix('aws.'),
          detailType: CLOUDTRAIL_DETAIL_TYPES,
          ...(props.forwardAllApiCalls ? {} : { detail: { eventSource: [...sources] } }),
        },
        [detect],
      ),
      guardDuty: rule(
        'GuardDutyRule',
        'GuardDuty findings, to triage',
        { source: ['aws.guardduty'], detailType: ['GuardDuty Finding'] },
        [triage],
      ),
      securityHub: rule(
        'SecurityHubRule',
        'Security Hub findings of other products than GuardDuty (its findings come directly), to triage',
        {
          source: ['aws.securityhub'],
          detailType: ['Security Hub Findings - Imported'],
          detail: {
            findings: {
              ProductFields: { 'aws/securityhub/ProductName': events.Match.anythingBut('GuardDuty') },
            },
          },
        },
        [triage],
      ),
      finding: rule(
        'VigilFindingRule',
        "Vigil's own findings (detect), to triage",
        { source: ['vigil'], detailType: ['Vigil Finding'] },
        [triage],
      ),
      alert: rule(
        'VigilAlertRule',
        'Alerts decided by triage, to notify and respond',
        { source: ['vigil'], detailType: ['Vigil Alert'] },
        [notify, ...(this.functions.respond ? [this.functions.respond] : [])],
      ),
    };

    this.dashboard = new VigilDashboard(this, 'Monitoring', {
      functions: Object.values(this.functions).filter((f): f is VigilFunction => f !== undefined),
      topic: this.topic,
      ...(this.trail ? { trailLogGroup: this.trail.logGroup } : {}),
      cloudTrailRule: this.rules.cloudTrail,
    });
    applyNagSuppressions(this);
  }
}
