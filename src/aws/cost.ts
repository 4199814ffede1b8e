/**
 * The monthly cost of Vigil's AWS deployment (cdk/: CloudTrail → EventBridge → SQS → Lambda, DynamoDB
 * state, SNS, CloudWatch, GuardDuty, Security Hub) for a stated workload, itemised per service with its
 * unit price, so `vigil deploy --estimate` and docs/cost.md show where every dollar goes and how the bill
 * grows with events and accounts.
 *
 * Prices are us-east-1 list prices, on-demand, without the free tier (shown separately: it ends or is
 * shared with everything else in the account). Each price names the page it comes from and the day it was
 * checked (PRICES_CHECKED). What the model cannot know — how many of your events Vigil's rule keeps, how
 * many resources Security Hub checks — is an assumption in ASSUMPTIONS, each with the reason for its value;
 * measure yours (Cost Explorer by usage type, GuardDuty and Security Hub usage pages) and pass them in.
 */

/** The day the unit prices below were checked against the pages they cite. */
export const PRICES_CHECKED = '2026-11-25';

/**
 * us-east-1 unit prices in USD. Sources (page name, checked on PRICES_CHECKED):
 * - "AWS CloudTrail Pricing" (aws.amazon.com/cloudtrail/pricing): first copy of management events free;
 *   additional copies $2.00 per 100,000; data events $0.10 per 100,000. CloudTrail Lake is not used.
 * - "Amazon S3 Pricing" (aws.amazon.com/s3/pricing): S3 Standard $0.023 per GB-month (first 50 TB);
 *   PUT/COPY/POST/LIST $0.005 per 1,000 requests.
 * - "AWS Key Management Service Pricing" (aws.amazon.com/kms/pricing): $1 per customer managed key per
 *   month; $0.03 per 10,000 symmetric requests; free tier 20,000 requests a month.
 * - "Amazon CloudWatch Pricing" (aws.amazon.com/cloudwatch/pricing): logs ingestion $0.50 per GB, storage
 *   $0.03 per GB-month; dashboard $3.00 a month; standard alarm $0.10 per alarm metric a month; custom
 *   metric $0.30 a month (first 10,000). Free tier: 5 GB logs, 3 dashboards (≤ 50 metrics each), 10 alarm
 *   metrics, 10 custom metrics.
 * - "Amazon GuardDuty Pricing" (aws.amazon.com/guardduty/pricing): CloudTrail management event analysis
 *   $4.00 per million; S3 data event analysis $0.80 per million (first 500 million); VPC Flow Log and DNS
 *   query log analysis $1.00 per GB (first 500 GB). 30-day trial per account and Region.
 * - "AWS Security Hub Pricing" (aws.amazon.com/security-hub/pricing, the Security Hub CSPM rates the CDK
 *   hub and standards use): security checks $0.0010 each (first 100,000 per account and Region a month),
 *   $0.0008 (next 400,000), $0.0005 (above); finding ingestion events $0.00003 each after the first 10,000
 *   per account and Region; ingestion of control findings is free.
 * - "AWS Config Pricing" (aws.amazon.com/config/pricing): $0.003 per configuration item recorded
 *   (continuous recording). Security Hub controls need the recorder; their service-linked rules are not
 *   priced separately here.
 * - "Amazon EventBridge Pricing" (aws.amazon.com/eventbridge/pricing): AWS service events on the default
 *   bus are free; custom events (PutEvents) and cross-account deliveries $1.00 per million (64 KB chunks).
 * - "Amazon SQS Pricing" (aws.amazon.com/sqs/pricing): standard queue requests $0.40 per million (64 KB
 *   chunks); free tier 1 million requests a month.
 * - "AWS Lambda Pricing" (aws.amazon.com/lambda/pricing): requests $0.20 per million; Arm duration
 *   $0.0000133334 per GB-second (first 7.5 billion); initialisation is billed as duration. Free tier
 *   1 million requests and 400,000 GB-seconds a month.
 * - "Amazon DynamoDB Pricing" (aws.amazon.com/dynamodb/pricing, on-demand): $0.625 per million write
 *   request units, $0.125 per million read request units, storage $0.25 per GB-month, continuous backups
 *   (PITR) $0.20 per GB-month. Free tier 25 GB storage.
 * - "Amazon SNS Pricing" (aws.amazon.com/sns/pricing): publishes $0.50 per million (first million free);
 *   email notifications $2.00 per 100,000 (first 1,000 free).
 * - "AWS Systems Manager Pricing" (aws.amazon.com/systems-manager/pricing): standard parameters and their
 *   standard-throughput API calls are free.
 */
export const PRICES = {
  cloudtrailAdditionalCopyPerEvent: 2.0 / 100_000,
  cloudtrailDataEventPerEvent: 0.1 / 100_000,
  s3StandardPerGbMonth: 0.023,
  s3PutPerRequest: 0.005 / 1_000,
  kmsKeyPerMonth: 1.0,
  kmsPerRequest: 0.03 / 10_000,
  logsIngestPerGb: 0.5,
  logsStorePerGbMonth: 0.03,
  dashboardPerMonth: 3.0,
  alarmPerMonth: 0.1,
  customMetricPerMonth: 0.3,
  guardDutyManagementEventPerEvent: 4.0 / 1_000_000,
  guardDutyS3DataEventPerEvent: 0.8 / 1_000_000,
  guardDutyFlowDnsPerGb: 1.0,
  /** [checks up to, price per check], per account and Region a month. */
  securityHubCheckTiers: [
    [100_000, 0.001],
    [500_000, 0.0008],
    [Infinity, 0.0005],
  ] as const,
  securityHubIngestionPerEvent: 0.00003,
  securityHubFreeIngestionPerAccount: 10_000,
  configItemPerItem: 0.003,
  eventBridgeCustomPerEvent: 1.0 / 1_000_000,
  sqsPerRequest: 0.4 / 1_000_000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoWritePerUnit: 0.625 / 1_000_000,
  dynamoReadPerUnit: 0.125 / 1_000_000,
  dynamoStoragePerGbMonth: 0.25,
  dynamoPitrPerGbMonth: 0.2,
  snsPublishPerRequest: 0.5 / 1_000_000,
  snsEmailPerNotification: 2.0 / 100_000,
} as const;

/** Always-free allowances per account a month, subtracted only in the separate free-tier line. */
export const FREE_TIER = {
  kmsRequests: 20_000,
  logsGb: 5,
  dashboards: 3,
  alarms: 10,
  customMetrics: 10,
  sqsRequests: 1_000_000,
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  dynamoStorageGb: 25,
  snsPublishes: 1_000_000,
  snsEmails: 1_000,
} as const;

type PerFunction = Record<'detect' | 'triage' | 'notify' | 'respond', number>;

export interface Assumptions {
  eventJsonBytes: number;
  eventGzBytes: number;
  logMonthsInS3: number;
  logGroupMonths: number;
  logGroupCompression: number;
  activeRegions: number;
  enabledRegions: number;
  detectShare: number;
  memoryMb: PerFunction;
  msPerInvocation: PerFunction;
  msPerMessage: PerFunction;
  coldStartsPerHour: number;
  coldStartMs: number;
  idleReceivesPerQueue: number;
  queues: number;
  detectReadUnits: number;
  detectWriteUnits: number;
  findingReadUnits: number;
  findingWriteUnits: number;
  alertWriteUnits: number;
  dynamoStorageGb: number;
  kmsKeys: number;
  kmsCachedUsers: number;
  dashboards: number;
  alarms: number;
  customMetrics: number;
  lambdaLogBytesPerInvocation: number;
  lambdaLogBytesPerMessage: number;
  guardDutyFlowDnsGbPerAccount: number;
  guardDutyS3EventsPerAccount: number;
  securityChecksPerAccount: Record<SecurityStandard, number>;
  configItemsPerAccount: number;
}

/**
 * What the model assumes about the deployment and the account. Every value is an input the caller may
 * override (`estimateCost(workload, { ...ASSUMPTIONS, … })`).
 */
export const ASSUMPTIONS: Assumptions = {
  /** Average CloudTrail record as JSON (CloudWatch Logs bills the uncompressed size): ~1.5 KB. */
  eventJsonBytes: 1_500,
  /** The same record in CloudTrail's gzip log files (~8:1 on JSON this repetitive). */
  eventGzBytes: 200,
  /** S3 holds this many months of logs (lifecycle moves older files to cheaper classes: an upper bound). */
  logMonthsInS3: 12,
  /** CloudWatch Logs retention (the stack's default: one year), in months; stored compressed (~15%). */
  logGroupMonths: 12,
  logGroupCompression: 0.15,
  /** Regions with activity per account (a log file per region every ~5 minutes) and all enabled ones (digests, hourly). */
  activeRegions: 4,
  enabledRegions: 17,
  /** Share of management events that match Vigil's "AWS API Call via CloudTrail" rule and reach `detect`. */
  detectShare: 0.2,
  /** Lambda memory (MB) of each function, arm64, as cdk/lib/vigil.ts sets it. */
  memoryMb: { detect: 1024, triage: 512, notify: 256, respond: 512 },
  /** Billed time per invocation and per message (ms): detection + DynamoDB round trips; HTTP delivery. */
  msPerInvocation: { detect: 20, triage: 20, notify: 20, respond: 20 },
  msPerMessage: { detect: 15, triage: 40, notify: 300, respond: 200 },
  /** Cold starts (billed init, ~800 ms) per function an hour. */
  coldStartsPerHour: 1,
  coldStartMs: 800,
  /** Lambda's SQS pollers long-poll (20 s) even when a queue is empty: ~5 pollers × 3 a minute per queue. */
  idleReceivesPerQueue: 5 * 3 * 60 * 730,
  queues: 4,
  /**
   * DynamoDB units per detect message and per finding/alert. Detect reads the event marker, the touched
   * windows and the principal's baseline profile (1–3 KB; strongly consistent: 1 RRU per item) and writes
   * the marker, the windows and the profile in one transaction (transactional writes count twice): about 3
   * RRU and 8 WRU per event.
   */
  detectReadUnits: 3,
  detectWriteUnits: 8,
  findingReadUnits: 1,
  findingWriteUnits: 2,
  alertWriteUnits: 3,
  dynamoStorageGb: 1,
  /** Customer managed keys (one Vigil key: trail, bucket, log group, queues, table, topic). */
  kmsKeys: 1,
  /** Log groups and queues whose KMS data keys are refreshed every 5 minutes. */
  kmsCachedUsers: 9,
  /** CloudWatch: one dashboard; alarms: errors × 4 functions, DLQ depth × 4, high-severity findings. */
  dashboards: 1,
  alarms: 9,
  /** Custom metrics Vigil publishes with EMF (findings by severity, alerts, deliveries, response actions). */
  customMetrics: 8,
  /** Lambda log bytes per invocation and per message (JSON lines, EMF included). */
  lambdaLogBytesPerInvocation: 600,
  lambdaLogBytesPerMessage: 300,
  /** GuardDuty, per account: VPC flow + DNS log volume (a few instances) and S3 data events analysed. */
  guardDutyFlowDnsGbPerAccount: 2,
  guardDutyS3EventsPerAccount: 1_000_000,
  /** Security Hub checks a month per account (~150 resources, change-triggered and daily periodic controls). */
  securityChecksPerAccount: { fsbp: 6_000, cis: 2_000 },
  /** AWS Config configuration items recorded a month per account (resource changes, ~150 resources). */
  configItemsPerAccount: 1_500,
};

export type SecurityStandard = 'fsbp' | 'cis';

/** The workload and the deployment options that change the bill. */
export interface Workload {
  /** CloudTrail management events a month, all accounts together. */
  eventsPerMonth: number;
  accounts: number;
  /** Finding events reaching `triage` a month (Vigil, GuardDuty, Security Hub updates after the rule's filter). */
  findingsPerMonth: number;
  /** Alerts a month (new or raised findings at or above the minimum severity). */
  alertsPerMonth: number;
  /** Email addresses subscribed to the alert topic. */
  alertEmails: number;
  /** S3 data events the trail records for chosen buckets (0: none selected). */
  trailDataEventsPerMonth: number;
  /** The accounts already deliver a trail (e.g. Control Tower): Vigil's trail is a paid second copy. */
  additionalTrailCopy: boolean;
  guardDuty: boolean;
  guardDutyS3Protection: boolean;
  securityHub: boolean;
  securityHubStandards: SecurityStandard[];
}

export const DEFAULT_WORKLOAD: Workload = {
  eventsPerMonth: 1_000_000,
  accounts: 1,
  findingsPerMonth: 2_000,
  alertsPerMonth: 100,
  alertEmails: 2,
  trailDataEventsPerMonth: 0,
  additionalTrailCopy: false,
  guardDuty: true,
  guardDutyS3Protection: true,
  securityHub: true,
  securityHubStandards: ['fsbp', 'cis'],
};

export interface CostItem {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  /** Unit price in USD, or a tier description when the price is tiered. */
  unitPrice: number | string;
  monthly: number;
  /** The option that removes this line (for the "what brings it under" summary). */
  optional?: 'securityHubStandards' | 'guardDutyS3Protection';
  /** Part of the line the always-free allowance would cover. */
  freeTier?: number;
}

export interface CostEstimate {
  workload: Workload;
  pricesChecked: string;
  items: CostItem[];
  total: number;
  freeTier: number;
  /** Total without the optional lines, and what those lines cost together. */
  withoutOptional: number;
  optional: { securityHubStandards: number; guardDutyS3Protection: number };
}

const MONTH_HOURS = 730;
const GB = 1e9;

function tiered(quantity: number, tiers: readonly (readonly [number, number])[]): number {
  let cost = 0;
  let from = 0;
  for (const [upTo, price] of tiers) {
    if (quantity <= from) break;
    cost += (Math.min(quantity, upTo) - from) * price;
    from = upTo;
  }
  return cost;
}

/** Lambda invocations for `messages` a month: at low rates a poll returns ~1–2 messages, at high rates 10. */
function invocations(messages: number): number {
  if (messages <= 0) return 0;
  const perSecond = messages / (MONTH_HOURS * 3600);
  const batch = Math.min(10, Math.max(1, perSecond * 2));
  return Math.ceil(messages / batch);
}

/**
 * Itemised monthly cost of the deployment for `workload`. Pure arithmetic: no AWS calls, so the CLI and
 * tests show the same figures.
 */
export function estimateCost(
  workload: Partial<Workload> = {},
  assumptions: Assumptions = ASSUMPTIONS,
): CostEstimate {
  const w: Workload = { ...DEFAULT_WORKLOAD, ...workload };
  const a = assumptions;
  const items: CostItem[] = [];
  const add = (item: CostItem) => items.push(item);
  const events = w.eventsPerMonth;
  const accounts = Math.max(1, w.accounts);

  // CloudTrail: the organization (or account) trail's copy is free unless another trail already delivers one.
  add({
    service: 'CloudTrail',
    item: w.additionalTrailCopy
      ? 'management events, additional copy'
      : 'management events, first copy (free)',
    quantity: events,
    unit: 'events',
    unitPrice: w.additionalTrailCopy ? PRICES.cloudtrailAdditionalCopyPerEvent : 0,
    monthly: w.additionalTrailCopy ? events * PRICES.cloudtrailAdditionalCopyPerEvent : 0,
  });
  if (w.trailDataEventsPerMonth > 0)
    add({
      service: 'CloudTrail',
      item: 'S3 data events (chosen buckets)',
      quantity: w.trailDataEventsPerMonth,
      unit: 'events',
      unitPrice: PRICES.cloudtrailDataEventPerEvent,
      monthly: w.trailDataEventsPerMonth * PRICES.cloudtrailDataEventPerEvent,
    });

  // S3: the log bucket. Files: one per active region every ~5 minutes, a digest per enabled region hourly.
  const trailEvents = events + w.trailDataEventsPerMonth;
  const storedGb = (trailEvents * a.eventGzBytes * a.logMonthsInS3) / GB;
  add({
    service: 'S3',
    item: `log storage, ${a.logMonthsInS3} months of gzip logs (Standard, upper bound)`,
    quantity: storedGb,
    unit: 'GB-month',
    unitPrice: PRICES.s3StandardPerGbMonth,
    monthly: storedGb * PRICES.s3StandardPerGbMonth,
  });
  const logFiles = accounts * a.activeRegions * 12 * MONTH_HOURS;
  const digestFiles = accounts * a.enabledRegions * MONTH_HOURS;
  add({
    service: 'S3',
    item: 'PUT requests (log and digest files)',
    quantity: logFiles + digestFiles,
    unit: 'requests',
    unitPrice: PRICES.s3PutPerRequest,
    monthly: (logFiles + digestFiles) * PRICES.s3PutPerRequest,
  });

  // Message flow: detect gets the share of events its rule matches; triage the finding events; notify and
  // respond each get every alert.
  const flow = {
    detect: events * a.detectShare,
    triage: w.findingsPerMonth,
    notify: w.alertsPerMonth,
    respond: w.alertsPerMonth,
  };
  const calls = {
    detect: invocations(flow.detect),
    triage: invocations(flow.triage),
    notify: invocations(flow.notify),
    respond: invocations(flow.respond),
  };
  const fns = ['detect', 'triage', 'notify', 'respond'] as const;

  // KMS: one key; requests from CloudTrail (a data key per log file), SNS (per publish) and the cached
  // data keys of log groups and queues (refreshed every 5 minutes).
  add({
    service: 'KMS',
    item: 'customer managed keys',
    quantity: a.kmsKeys,
    unit: 'keys',
    unitPrice: PRICES.kmsKeyPerMonth,
    monthly: a.kmsKeys * PRICES.kmsKeyPerMonth,
  });
  const kmsRequests = logFiles + w.alertsPerMonth + a.kmsCachedUsers * 12 * MONTH_HOURS;
  add({
    service: 'KMS',
    item: 'requests (trail files, queues, log groups, table, topic)',
    quantity: kmsRequests,
    unit: 'requests',
    unitPrice: PRICES.kmsPerRequest,
    monthly: kmsRequests * PRICES.kmsPerRequest,
    freeTier: Math.min(kmsRequests, FREE_TIER.kmsRequests) * PRICES.kmsPerRequest,
  });

  // CloudWatch Logs: the trail's log group (uncompressed JSON) plus the functions' JSON logs.
  const lambdaLogGb =
    fns.reduce(
      (sum, f) => sum + calls[f] * a.lambdaLogBytesPerInvocation + flow[f] * a.lambdaLogBytesPerMessage,
      0,
    ) / GB;
  const ingestGb = (trailEvents * a.eventJsonBytes) / GB + lambdaLogGb;
  add({
    service: 'CloudWatch Logs',
    item: 'ingestion (trail log group + function logs)',
    quantity: ingestGb,
    unit: 'GB',
    unitPrice: PRICES.logsIngestPerGb,
    monthly: ingestGb * PRICES.logsIngestPerGb,
    freeTier: Math.min(ingestGb, FREE_TIER.logsGb) * PRICES.logsIngestPerGb,
  });
  const logStoreGb = ingestGb * a.logGroupCompression * a.logGroupMonths;
  add({
    service: 'CloudWatch Logs',
    item: `storage (${a.logGroupMonths} month retention, compressed)`,
    quantity: logStoreGb,
    unit: 'GB-month',
    unitPrice: PRICES.logsStorePerGbMonth,
    monthly: logStoreGb * PRICES.logsStorePerGbMonth,
  });
  add({
    service: 'CloudWatch',
    item: 'dashboard',
    quantity: a.dashboards,
    unit: 'dashboards',
    unitPrice: PRICES.dashboardPerMonth,
    monthly: a.dashboards * PRICES.dashboardPerMonth,
    freeTier: Math.min(a.dashboards, FREE_TIER.dashboards) * PRICES.dashboardPerMonth,
  });
  add({
    service: 'CloudWatch',
    item: 'alarms (function errors, DLQ depth, high-severity findings)',
    quantity: a.alarms,
    unit: 'alarms',
    unitPrice: PRICES.alarmPerMonth,
    monthly: a.alarms * PRICES.alarmPerMonth,
    freeTier: Math.min(a.alarms, FREE_TIER.alarms) * PRICES.alarmPerMonth,
  });
  add({
    service: 'CloudWatch',
    item: 'custom metrics (EMF)',
    quantity: a.customMetrics,
    unit: 'metrics',
    unitPrice: PRICES.customMetricPerMonth,
    monthly: a.customMetrics * PRICES.customMetricPerMonth,
    freeTier: Math.min(a.customMetrics, FREE_TIER.customMetrics) * PRICES.customMetricPerMonth,
  });

  // GuardDuty: every account analyses its own management events, flow/DNS logs and (S3 protection) data events.
  if (w.guardDuty) {
    add({
      service: 'GuardDuty',
      item: 'CloudTrail management event analysis',
      quantity: events,
      unit: 'events',
      unitPrice: PRICES.guardDutyManagementEventPerEvent,
      monthly: events * PRICES.guardDutyManagementEventPerEvent,
    });
    const flowGb = accounts * a.guardDutyFlowDnsGbPerAccount;
    add({
      service: 'GuardDuty',
      item: 'VPC flow + DNS log analysis (always on)',
      quantity: flowGb,
      unit: 'GB',
      unitPrice: PRICES.guardDutyFlowDnsPerGb,
      monthly: flowGb * PRICES.guardDutyFlowDnsPerGb,
    });
    if (w.guardDutyS3Protection) {
      const s3Events = accounts * a.guardDutyS3EventsPerAccount;
      add({
        service: 'GuardDuty',
        item: 'S3 protection (S3 data event analysis)',
        quantity: s3Events,
        unit: 'events',
        unitPrice: PRICES.guardDutyS3DataEventPerEvent,
        monthly: s3Events * PRICES.guardDutyS3DataEventPerEvent,
        optional: 'guardDutyS3Protection',
      });
    }
  }

  // Security Hub: checks are tiered per account; standards need AWS Config recording in every account.
  if (w.securityHub) {
    const standards = [...new Set(w.securityHubStandards)];
    if (standards.length > 0) {
      const checksPerAccount = standards.reduce((sum, s) => sum + a.securityChecksPerAccount[s], 0);
      add({
        service: 'Security Hub',
        item: `security checks (${standards.map((s) => s.toUpperCase()).join(' + ')})`,
        quantity: checksPerAccount * accounts,
        unit: 'checks',
        unitPrice: '$0.0010 → $0.0005 tiered per account',
        monthly: accounts * tiered(checksPerAccount, PRICES.securityHubCheckTiers),
        optional: 'securityHubStandards',
      });
      const configItems = accounts * a.configItemsPerAccount;
      add({
        service: 'AWS Config',
        item: 'configuration items (recorder needed by the standards)',
        quantity: configItems,
        unit: 'items',
        unitPrice: PRICES.configItemPerItem,
        monthly: configItems * PRICES.configItemPerItem,
        optional: 'securityHubStandards',
      });
    }
    const ingestPerAccount = w.guardDuty ? w.findingsPerMonth / accounts : 0;
    const paidIngest = accounts * Math.max(0, ingestPerAccount - PRICES.securityHubFreeIngestionPerAccount);
    add({
      service: 'Security Hub',
      item: 'finding ingestion (GuardDuty findings; first 10,000 per account free)',
      quantity: paidIngest,
      unit: 'events',
      unitPrice: PRICES.securityHubIngestionPerEvent,
      monthly: paidIngest * PRICES.securityHubIngestionPerEvent,
    });
  }

  // EventBridge: AWS service events on the default bus are free; Vigil's own findings and alerts are
  // PutEvents; other accounts' events forwarded to the Vigil account's bus are cross-account deliveries.
  const putEvents = w.findingsPerMonth + w.alertsPerMonth;
  add({
    service: 'EventBridge',
    item: 'PutEvents (Vigil Finding, Vigil Alert)',
    quantity: putEvents,
    unit: 'events',
    unitPrice: PRICES.eventBridgeCustomPerEvent,
    monthly: putEvents * PRICES.eventBridgeCustomPerEvent,
  });
  if (accounts > 1) {
    const forwarded = (flow.detect * (accounts - 1)) / accounts;
    add({
      service: 'EventBridge',
      item: 'cross-account delivery of matched CloudTrail events',
      quantity: forwarded,
      unit: 'events',
      unitPrice: PRICES.eventBridgeCustomPerEvent,
      monthly: forwarded * PRICES.eventBridgeCustomPerEvent,
    });
  }

  // SQS: a send per message, a receive and a batch delete per invocation, and the pollers' empty receives.
  const messages = fns.reduce((sum, f) => sum + flow[f], 0);
  const invocationCount = fns.reduce((sum, f) => sum + calls[f], 0);
  const sqsRequests = messages + 2 * invocationCount + a.queues * a.idleReceivesPerQueue;
  add({
    service: 'SQS',
    item: 'requests (sends, receives, deletes, idle long polls)',
    quantity: sqsRequests,
    unit: 'requests',
    unitPrice: PRICES.sqsPerRequest,
    monthly: sqsRequests * PRICES.sqsPerRequest,
    freeTier: Math.min(sqsRequests, FREE_TIER.sqsRequests) * PRICES.sqsPerRequest,
  });

  // Lambda (arm64): requests, then duration per function at its memory size, cold starts included.
  add({
    service: 'Lambda',
    item: 'requests',
    quantity: invocationCount,
    unit: 'requests',
    unitPrice: PRICES.lambdaPerRequest,
    monthly: invocationCount * PRICES.lambdaPerRequest,
    freeTier: Math.min(invocationCount, FREE_TIER.lambdaRequests) * PRICES.lambdaPerRequest,
  });
  let gbSecondsTotal = 0;
  for (const f of fns) {
    const gb = a.memoryMb[f] / 1024;
    const ms =
      calls[f] * a.msPerInvocation[f] +
      flow[f] * a.msPerMessage[f] +
      a.coldStartsPerHour * MONTH_HOURS * a.coldStartMs;
    const gbSeconds = (gb * ms) / 1000;
    gbSecondsTotal += gbSeconds;
    add({
      service: 'Lambda',
      item: `${f} duration (${a.memoryMb[f]} MB arm64)`,
      quantity: gbSeconds,
      unit: 'GB-s',
      unitPrice: PRICES.lambdaArmPerGbSecond,
      monthly: gbSeconds * PRICES.lambdaArmPerGbSecond,
    });
  }
  const lambdaFreeGbSeconds = Math.min(gbSecondsTotal, FREE_TIER.lambdaGbSeconds);

  // DynamoDB on demand: detection state per detect message, finding aggregation, alert idempotency + audit.
  const writeUnits =
    flow.detect * a.detectWriteUnits +
    flow.triage * a.findingWriteUnits +
    w.alertsPerMonth * a.alertWriteUnits;
  const readUnits = flow.detect * a.detectReadUnits + flow.triage * a.findingReadUnits;
  add({
    service: 'DynamoDB',
    item: 'write request units',
    quantity: writeUnits,
    unit: 'WRU',
    unitPrice: PRICES.dynamoWritePerUnit,
    monthly: writeUnits * PRICES.dynamoWritePerUnit,
  });
  add({
    service: 'DynamoDB',
    item: 'read request units',
    quantity: readUnits,
    unit: 'RRU',
    unitPrice: PRICES.dynamoReadPerUnit,
    monthly: readUnits * PRICES.dynamoReadPerUnit,
  });
  add({
    service: 'DynamoDB',
    item: 'storage + point-in-time recovery',
    quantity: a.dynamoStorageGb,
    unit: 'GB-month',
    unitPrice: PRICES.dynamoStoragePerGbMonth + PRICES.dynamoPitrPerGbMonth,
    monthly: a.dynamoStorageGb * (PRICES.dynamoStoragePerGbMonth + PRICES.dynamoPitrPerGbMonth),
    freeTier: Math.min(a.dynamoStorageGb, FREE_TIER.dynamoStorageGb) * PRICES.dynamoStoragePerGbMonth,
  });

  // SNS: one publish per alert, one email per alert and subscribed address.
  add({
    service: 'SNS',
    item: 'publishes',
    quantity: w.alertsPerMonth,
    unit: 'requests',
    unitPrice: PRICES.snsPublishPerRequest,
    monthly: w.alertsPerMonth * PRICES.snsPublishPerRequest,
    freeTier: Math.min(w.alertsPerMonth, FREE_TIER.snsPublishes) * PRICES.snsPublishPerRequest,
  });
  const emails = w.alertsPerMonth * w.alertEmails;
  add({
    service: 'SNS',
    item: 'email notifications',
    quantity: emails,
    unit: 'emails',
    unitPrice: PRICES.snsEmailPerNotification,
    monthly: emails * PRICES.snsEmailPerNotification,
    freeTier: Math.min(emails, FREE_TIER.snsEmails) * PRICES.snsEmailPerNotification,
  });
  add({
    service: 'SSM Parameter Store',
    item: '/vigil/config (standard parameter)',
    quantity: 1,
    unit: 'parameters',
    unitPrice: 0,
    monthly: 0,
  });

  const total = items.reduce((sum, i) => sum + i.monthly, 0);
  const freeTier =
    items.reduce((sum, i) => sum + (i.freeTier ?? 0), 0) + lambdaFreeGbSeconds * PRICES.lambdaArmPerGbSecond;
  const optionalCost = (kind: NonNullable<CostItem['optional']>) =>
    items.filter((i) => i.optional === kind).reduce((sum, i) => sum + i.monthly, 0);
  const optional = {
    securityHubStandards: optionalCost('securityHubStandards'),
    guardDutyS3Protection: optionalCost('guardDutyS3Protection'),
  };
  return {
    workload: w,
    pricesChecked: PRICES_CHECKED,
    items,
    total,
    freeTier,
    withoutOptional: total - optional.securityHubStandards - optional.guardDutyS3Protection,
    optional,
  };
}

/** Monthly totals per service, largest first: what dominates. */
export function byService(estimate: CostEstimate): { service: string; monthly: number }[] {
  const sums = new Map<string, number>();
  for (const i of estimate.items) sums.set(i.service, (sums.get(i.service) ?? 0) + i.monthly);
  return [...sums].map(([service, monthly]) => ({ service, monthly })).sort((x, y) => y.monthly - x.monthly);
}
