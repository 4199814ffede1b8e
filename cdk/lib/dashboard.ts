import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { VigilFunction } from './functions.js';

/**
 * The custom metrics the handlers emit with CloudWatch Embedded Metric Format (namespace `Vigil`):
 * `Findings` by `Severity`, `Alerts`, and `ResponseActions` by `Outcome`.
 */
export const METRIC_NAMESPACE = 'Vigil';
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;

/** API calls that change who can reach S3 data: counted from the trail's log group. */
export const S3_SECURITY_EVENT_NAMES = [
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketAcl',
  'PutObjectAcl',
  'PutBucketPublicAccessBlock',
  'DeleteBucketPublicAccessBlock',
  'PutAccountPublicAccessBlock',
  'DeleteAccountPublicAccessBlock',
  'PutBucketEncryption',
  'DeleteBucketEncryption',
  'PutBucketLogging',
  'PutBucketReplication',
] as const;

export interface VigilDashboardProps {
  functions: readonly VigilFunction[];
  topic: sns.ITopic;
  /** The trail's log group (home region only): API activity and S3 security events come from it. */
  trailLogGroup?: logs.ILogGroup;
  cloudTrailRule: events.IRule;
}

/**
 * The CloudWatch dashboard (threat monitoring, Lambda performance, API activity, S3 security events,
 * automated response) and the alarms, each notifying the alert topic: any function error, any message in
 * a dead-letter queue, any HIGH or CRITICAL finding.
 */
export class VigilDashboard extends Construct {
  readonly dashboard: cw.Dashboard;
  readonly alarms: cw.Alarm[] = [];

  constructor(scope: Construct, id: string, props: VigilDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const findings = (severity: string) =>
      new cw.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: 'Findings',
        dimensionsMap: { Severity: severity },
        statistic: 'Sum',
        period,
        label: severity,
      });
    const alerts = new cw.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: 'Alerts',
      statistic: 'Sum',
      period,
      label: 'Alerts sent',
    });
    const trailLogGroup = props.trailLogGroup;
    const s3Filter =
      trailLogGroup &&
      new logs.MetricFilter(this, 'S3SecurityEvents', {
        logGroup: trailLogGroup,
        metricNamespace: METRIC_NAMESPACE,
        metricName: 'S3SecurityEvents',
        metricValue: '1',
        defaultValue: 0,
        filterPattern: logs.FilterPattern.any(
          ...S3_SECURITY_EVENT_NAMES.map((name) => logs.FilterPattern.stringValue('$.eventName', '=', name)),
        ),
      });
    const apiCalls = trailLogGroup
      ? [
          new cw.Metric({
            namespace: 'AWS/Logs',
            metricName: 'IncomingLogEvents',
            dimensionsMap: { LogGroupName: trailLogGroup.logGroupName },
            statistic: 'Sum',
            period,
            label: 'CloudTrail events recorded',
          }),
        ]
      : [];
    const forwarded = new cw.Metric({
      namespace: 'AWS/Events',
      metricName: 'MatchedEvents',
      dimensionsMap: { RuleName: props.cloudTrailRule.ruleName },
      statistic: 'Sum',
      period,
      label: 'API calls sent to detection',
    });
    const fnMetric = (f: VigilFunction, metric: 'Invocations' | 'Errors' | 'Throttles' | 'Duration') =>
      f.fn.metric(metric, {
        period,
        statistic: metric === 'Duration' ? 'p90' : 'Sum',
        label: `${f.node.id} ${metric === 'Duration' ? 'p90' : ''}`.trim(),
      });

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [new cw.TextWidget({ markdown: '## Threat monitoring', width: 24, height: 1 })],
        [
          new cw.GraphWidget({
            title: 'Findings by severity',
            left: SEVERITIES.map(findings),
            stacked: true,
            width: 16,
          }),
          new cw.GraphWidget({ title: 'Alerts sent', left: [alerts], width: 8 }),
        ],
        [new cw.TextWidget({ markdown: '## Lambda performance', width: 24, height: 1 })],
        [
          new cw.GraphWidget({
            title: 'Invocations',
            left: props.functions.map((f) => fnMetric(f, 'Invocations')),
            width: 6,
          }),
          new cw.GraphWidget({
            title: 'Errors',
            left: props.functions.map((f) => fnMetric(f, 'Errors')),
            width: 6,
          }),
          new cw.GraphWidget({
            title: 'Duration (p90)',
            left: props.functions.map((f) => fnMetric(f, 'Duration')),
            width: 6,
          }),
          new cw.GraphWidget({
            title: 'Throttles',
            left: props.functions.map((f) => fnMetric(f, 'Throttles')),
            width: 6,
          }),
        ],
        [new cw.TextWidget({ markdown: '## API activity and S3 security events', width: 24, height: 1 })],
        [
          new cw.GraphWidget({
            title: 'CloudTrail API activity',
            left: apiCalls,
            right: [forwarded],
            width: 12,
          }),
          new cw.GraphWidget({
            title: 'S3 security events (policy, ACL, public access, encryption, logging, replication)',
            left: s3Filter ? [s3Filter.metric({ statistic: 'Sum', period })] : [],
            width: 12,
          }),
        ],
        [new cw.TextWidget({ markdown: '## Automated response', width: 24, height: 1 })],
        [
          new cw.GraphWidget({
            title: 'Response actions by outcome',
            left: [
              new cw.MathExpression({
                expression: `SEARCH('{${METRIC_NAMESPACE},Outcome} MetricName="ResponseActions"', 'Sum', 300)`,
                label: '',
                period,
              }),
            ],
            stacked: true,
            width: 12,
          }),
          new cw.SingleValueWidget({
            title: 'Dead letters (messages waiting)',
            metrics: props.functions.map((f) =>
              f.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, label: f.node.id }),
            ),
            width: 12,
          }),
        ],
      ],
    });

    const notify = new actions.SnsAction(props.topic);
    const alarm = (alarmId: string, a: cw.AlarmProps) => {
      const created = new cw.Alarm(this, alarmId, a);
      created.addAlarmAction(notify);
      this.alarms.push(created);
    };
    for (const f of props.functions) {
      alarm(`${f.node.id}Errors`, {
        alarmDescription: `Vigil ${f.node.id} function failed (see its log group)`,
        metric: fnMetric(f, 'Errors'),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
      alarm(`${f.node.id}DeadLetters`, {
        alarmDescription: `Messages for Vigil ${f.node.id} failed 3 times and wait in its dead-letter queue`,
        metric: f.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('HighSeverityFindings', {
      alarmDescription: 'Vigil recorded a HIGH or CRITICAL finding',
      metric: new cw.MathExpression({
        expression: 'FILL(high, 0) + FILL(critical, 0)',
        usingMetrics: { high: findings('HIGH'), critical: findings('CRITICAL') },
        period,
        label: 'HIGH + CRITICAL findings',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
  }
}
