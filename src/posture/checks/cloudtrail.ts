import type { AccountSnapshot, Check, CheckResult, PostureSnapshot, TrailSnapshot } from '../types.js';
import { accountName, accountResource, notCollected, result } from './resource-support.js';
import { publicBucketResult } from './s3.js';

/**
 * CloudTrail checks. DescribeTrails lists a multi-region trail in every region it covers, so trails are
 * gathered per account and de-duplicated by ARN; each trail is reported once, in its home region.
 */

interface AccountTrails {
  account: AccountSnapshot;
  /** undefined: CloudTrail was collected in no region. */
  trails?: TrailSnapshot[];
  /** Regions where CloudTrail was not collected. */
  missingRegions: string[];
}

function trailsOf(account: AccountSnapshot): AccountTrails {
  const byArn = new Map<string, TrailSnapshot>();
  const missingRegions: string[] = [];
  let collected = false;
  for (const region of account.regions) {
    if (!region.cloudtrail) {
      missingRegions.push(region.region);
      continue;
    }
    collected = true;
    for (const trail of region.cloudtrail.trails)
      if (!byArn.has(trail.TrailARN)) byArn.set(trail.TrailARN, trail);
  }
  return { account, missingRegions, ...(collected ? { trails: [...byArn.values()] } : {}) };
}

function trailResource(trail: TrailSnapshot): CheckResult['resource'] {
  return { type: 'AwsCloudTrailTrail', id: trail.TrailARN };
}

function noTrailData(checkId: string, snapshot: PostureSnapshot, account: AccountSnapshot): CheckResult {
  return notCollected(
    checkId,
    snapshot,
    account,
    accountResource(account),
    `CloudTrail trails of ${accountName(account)}`,
    {
      service: 'cloudtrail',
      api: 'cloudtrail:DescribeTrails',
    },
  );
}

/** Runs `perTrail` over every distinct trail; accounts without trail data yield UNKNOWN. */
function eachTrail(
  checkId: string,
  snapshot: PostureSnapshot,
  perTrail: (trail: TrailSnapshot, account: AccountSnapshot) => CheckResult,
): CheckResult[] {
  return snapshot.accounts.flatMap((account) => {
    const { trails } = trailsOf(account);
    if (!trails) return [noTrailData(checkId, snapshot, account)];
    return trails.map((trail) => perTrail(trail, account));
  });
}

/** Whether the trail's selectors record management events, read and write; undefined when not collected. */
export function logsAllManagementEvents(trail: TrailSnapshot): boolean | undefined {
  if (trail.AdvancedEventSelectors && trail.AdvancedEventSelectors.length > 0)
    return trail.AdvancedEventSelectors.some((selector) => {
      const category = selector.FieldSelectors.find((f) => f.Field === 'eventCategory');
      if (!category?.Equals?.includes('Management')) return false;
      // A readOnly field limits the selector to reads or writes; a source exclusion drops some events.
      return !selector.FieldSelectors.some((f) => f.Field === 'readOnly' || f.Field === 'eventSource');
    });
  if (trail.EventSelectors === undefined) return undefined;
  return trail.EventSelectors.some(
    (s) => s.IncludeManagementEvents !== false && (s.ReadWriteType ?? 'All') === 'All',
  );
}

/**
 * Whether the trail records S3 object-level events of the given kind for all buckets. Basic selectors: a
 * DataResources entry `AWS::S3::Object` with `arn:aws:s3` (all buckets). Advanced selectors: eventCategory
 * Data, resources.type AWS::S3::Object, no ARN restriction, and readOnly absent or matching.
 */
export function logsS3DataEvents(trail: TrailSnapshot, kind: 'read' | 'write'): boolean | undefined {
  if (trail.AdvancedEventSelectors && trail.AdvancedEventSelectors.length > 0)
    return trail.AdvancedEventSelectors.some((selector) => {
      const field = (name: string) => selector.FieldSelectors.find((f) => f.Field === name);
      if (!field('eventCategory')?.Equals?.includes('Data')) return false;
      if (!field('resources.type')?.Equals?.includes('AWS::S3::Object')) return false;
      if (field('resources.ARN') || field('eventName') || field('eventSource')) return false;
      const readOnly = field('readOnly');
      return !readOnly || readOnly.Equals?.includes(kind === 'read' ? 'true' : 'false') === true;
    });
  if (trail.EventSelectors === undefined) return undefined;
  return trail.EventSelectors.some((s) => {
    const rw = s.ReadWriteType ?? 'All';
    if (rw !== 'All' && rw !== (kind === 'read' ? 'ReadOnly' : 'WriteOnly')) return false;
    return (s.DataResources ?? []).some(
      (d) =>
        d.Type === 'AWS::S3::Object' &&
        d.Values.some(
          (v) => v === 'arn:aws:s3' || v === 'arn:aws:s3:::' || /^arn:aws[\w-]*:s3(:::)?$/.test(v),
        ),
    );
  });
}

const TRAIL_CDK = `new cloudtrail.Trail(this, 'Trail', {
  isMultiRegionTrail: true,
  includeGlobalServiceEvents: true,
  enableFileValidation: true,
  encryptionKey: key,
  sendToCloudWatchLogs: true,
});`;

/** An account-level check: some multi-region, logging trail satisfies `qualifies`. */
function accountTrailCheck(
  checkId: string,
  snapshot: PostureSnapshot,
  qualifies: (trail: TrailSnapshot) => boolean | undefined,
  pass: (trail: TrailSnapshot, account: AccountSnapshot) => string,
  fail: (account: AccountSnapshot) => string,
): CheckResult[] {
  return snapshot.accounts.map((account) => {
    const { trails } = trailsOf(account);
    if (!trails) return noTrailData(checkId, snapshot, account);
    const candidates = trails.filter((t) => t.IsMultiRegionTrail && t.Status?.IsLogging !== false);
    const good = candidates.find((t) => t.Status?.IsLogging === true && qualifies(t) === true);
    if (good) return result(checkId, 'PASS', account, accountResource(account), pass(good, account));
    const unsure = candidates.find((t) => t.Status === undefined || qualifies(t) === undefined);
    if (unsure)
      return notCollected(
        checkId,
        snapshot,
        account,
        accountResource(account),
        `the status or event selectors of trail ${unsure.Name} in ${accountName(account)}`,
        {
          service: 'cloudtrail',
          resource: unsure.TrailARN,
        },
      );
    return result(checkId, 'FAIL', account, accountResource(account), fail(account));
  });
}

export const cloudtrailMultiRegion: Check = {
  id: 'cloudtrail-multi-region',
  title: 'A multi-region CloudTrail trail logs all management events',
  severity: 'HIGH',
  service: 'cloudtrail',
  rationale:
    'Without a multi-region trail recording read and write management events, activity in an unused region — where attackers like to work — leaves no record.',
  remediation: {
    text: 'Create (or update) a trail that applies to all regions, records management events of type All, and is logging.',
    cli: 'aws cloudtrail create-trail --name main --s3-bucket-name LOG_BUCKET --is-multi-region-trail --enable-log-file-validation && aws cloudtrail start-logging --name main',
    console:
      'CloudTrail console → Trails → Create trail → apply to all regions; Management events: Read and Write.',
    cdk: TRAIL_CDK,
  },
  references: { cis: ['3.1'], fsbp: ['CloudTrail.1'] },
  findingType: 'Policy:CloudTrail/MultiRegionTrailMissing',
  run(snapshot) {
    return accountTrailCheck(
      'cloudtrail-multi-region',
      snapshot,
      logsAllManagementEvents,
      (t, a) => `Trail ${t.Name} logs read and write management events in every region of ${accountName(a)}.`,
      (a) =>
        `${accountName(a).replace(/^a/, 'A')} has no multi-region trail that is logging read and write management events.`,
    );
  },
};

export const cloudtrailLogValidation: Check = {
  id: 'cloudtrail-log-validation',
  title: 'CloudTrail trails have log file validation',
  severity: 'MEDIUM',
  service: 'cloudtrail',
  rationale:
    'Log file validation writes signed digest files, so deleted or altered log files can be proved (vigil trail verify checks them).',
  remediation: {
    text: 'Enable log file validation on the trail.',
    cli: 'aws cloudtrail update-trail --name TRAIL --enable-log-file-validation',
    console: 'CloudTrail console → the trail → General details → Edit → Log file validation: Enabled.',
    cdk: "new cloudtrail.Trail(this, 'Trail', { enableFileValidation: true });",
  },
  references: { cis: ['3.2'], fsbp: ['CloudTrail.4'] },
  findingType: 'Policy:CloudTrail/LogFileValidationDisabled',
  run(snapshot) {
    return eachTrail('cloudtrail-log-validation', snapshot, (trail, account) =>
      trail.LogFileValidationEnabled
        ? result(
            'cloudtrail-log-validation',
            'PASS',
            account,
            trailResource(trail),
            `Trail ${trail.Name} has log file validation enabled.`,
            trail.HomeRegion,
          )
        : result(
            'cloudtrail-log-validation',
            'FAIL',
            account,
            trailResource(trail),
            `Trail ${trail.Name} has log file validation disabled, so tampering with its logs cannot be proved.`,
            trail.HomeRegion,
          ),
    );
  },
};

/** Per trail, the trail's S3 bucket from the same account's snapshot (or why it is unavailable). */
function trailBucketCheck(
  checkId: string,
  snapshot: PostureSnapshot,
  judge: (
    bucket: NonNullable<AccountSnapshot['s3']>['buckets'][number],
    trail: TrailSnapshot,
    account: AccountSnapshot,
  ) => CheckResult,
): CheckResult[] {
  return eachTrail(checkId, snapshot, (trail, account) => {
    const res = trailResource(trail);
    if (!trail.S3BucketName)
      return result(
        checkId,
        'UNKNOWN',
        account,
        res,
        `Trail ${trail.Name} names no S3 bucket in the snapshot.`,
        trail.HomeRegion,
      );
    const owner = snapshot.accounts.find((a) => a.s3?.buckets.some((b) => b.Name === trail.S3BucketName));
    const bucket = owner?.s3?.buckets.find((b) => b.Name === trail.S3BucketName);
    if (!owner || !bucket)
      return result(
        checkId,
        'UNKNOWN',
        account,
        res,
        `Trail ${trail.Name} delivers to bucket ${trail.S3BucketName}, which is not in the snapshot (it may belong to another account; collect that account too).`,
        trail.HomeRegion,
      );
    return { ...judge(bucket, trail, owner), accountId: account.accountId };
  });
}

export const cloudtrailBucketLogging: Check = {
  id: 'cloudtrail-bucket-logging',
  title: "CloudTrail trails' S3 buckets have server access logging",
  severity: 'LOW',
  service: 'cloudtrail',
  rationale:
    'Access logs on the trail bucket show who read or deleted audit logs — the first thing an intruder covers up.',
  remediation: {
    text: "Enable server access logging on the trail's bucket, to a different bucket.",
    cli: 'aws s3api put-bucket-logging --bucket TRAIL_BUCKET --bucket-logging-status \'{"LoggingEnabled":{"TargetBucket":"LOG_BUCKET","TargetPrefix":"cloudtrail/"}}\'',
    console: 'S3 console → the trail bucket → Properties → Server access logging → Edit → Enable.',
    cdk: "new s3.Bucket(this, 'TrailBucket', { serverAccessLogsBucket: logBucket });",
  },
  references: { cis: ['3.4'], fsbp: ['CloudTrail.7'] },
  findingType: 'Policy:CloudTrail/TrailBucketAccessLoggingDisabled',
  run(snapshot) {
    const id = 'cloudtrail-bucket-logging';
    return trailBucketCheck(id, snapshot, (bucket, trail, owner) => {
      const res = trailResource(trail);
      if (bucket.Logging === undefined)
        return notCollected(
          id,
          snapshot,
          owner,
          res,
          `the logging configuration of bucket ${bucket.Name} (trail ${trail.Name})`,
          { service: 's3', resource: bucket.Name, api: 's3:GetBucketLogging' },
        );
      return bucket.Logging
        ? result(
            id,
            'PASS',
            owner,
            res,
            `Trail ${trail.Name}'s bucket ${bucket.Name} logs access to bucket ${bucket.Logging.TargetBucket}.`,
            trail.HomeRegion,
          )
        : result(
            id,
            'FAIL',
            owner,
            res,
            `Trail ${trail.Name}'s bucket ${bucket.Name} has server access logging off.`,
            trail.HomeRegion,
          );
    });
  },
};

export const cloudtrailKms: Check = {
  id: 'cloudtrail-kms',
  title: 'CloudTrail trails are encrypted with KMS',
  severity: 'MEDIUM',
  service: 'cloudtrail',
  rationale:
    'SSE-KMS makes reading the audit logs need a KMS key permission besides S3 read access, and logs each decryption.',
  remediation: {
    text: 'Encrypt the trail with a customer managed KMS key whose policy lets CloudTrail encrypt and your auditors decrypt.',
    cli: 'aws cloudtrail update-trail --name TRAIL --kms-key-id KEY_ARN',
    console:
      'CloudTrail console → the trail → General details → Edit → Log file SSE-KMS encryption: Enabled.',
    cdk: "new cloudtrail.Trail(this, 'Trail', { encryptionKey: key });",
  },
  references: { cis: ['3.5'], fsbp: ['CloudTrail.2'] },
  findingType: 'Policy:CloudTrail/TrailEncryptionDisabled',
  run(snapshot) {
    const id = 'cloudtrail-kms';
    return eachTrail(id, snapshot, (trail, account) =>
      trail.KmsKeyId
        ? result(
            id,
            'PASS',
            account,
            trailResource(trail),
            `Trail ${trail.Name} is encrypted with KMS key ${trail.KmsKeyId}.`,
            trail.HomeRegion,
          )
        : result(
            id,
            'FAIL',
            account,
            trailResource(trail),
            `Trail ${trail.Name} is not encrypted with a KMS key (SSE-S3 only).`,
            trail.HomeRegion,
          ),
    );
  },
};

const DAY_MS = 24 * 60 * 60 * 1000;

export const cloudtrailCloudwatch: Check = {
  id: 'cloudtrail-cloudwatch',
  title: 'CloudTrail trails deliver to CloudWatch Logs',
  severity: 'LOW',
  service: 'cloudtrail',
  rationale:
    'Delivery to CloudWatch Logs allows metric filters and alarms on API activity in near real time.',
  remediation: {
    text: 'Send the trail to a CloudWatch Logs log group with a role CloudTrail can assume.',
    cli: 'aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn LOG_GROUP_ARN --cloud-watch-logs-role-arn ROLE_ARN',
    console:
      'CloudTrail console → the trail → CloudWatch Logs → Edit → Enabled, choose the log group and role.',
    cdk: "new cloudtrail.Trail(this, 'Trail', { sendToCloudWatchLogs: true });",
  },
  references: { fsbp: ['CloudTrail.5'] },
  findingType: 'Policy:CloudTrail/CloudWatchLogsDeliveryDisabled',
  run(snapshot) {
    const id = 'cloudtrail-cloudwatch';
    const now = Date.parse(snapshot.collectedAt);
    return eachTrail(id, snapshot, (trail, account) => {
      const res = trailResource(trail);
      if (!trail.CloudWatchLogsLogGroupArn)
        return result(
          id,
          'FAIL',
          account,
          res,
          `Trail ${trail.Name} does not deliver to CloudWatch Logs.`,
          trail.HomeRegion,
        );
      const last = trail.Status?.LatestCloudWatchLogsDeliveryTime;
      if (!last)
        return result(
          id,
          'FAIL',
          account,
          res,
          `Trail ${trail.Name} is set to deliver to ${trail.CloudWatchLogsLogGroupArn} but has no recorded delivery.`,
          trail.HomeRegion,
        );
      const age = now - Date.parse(last);
      return age <= DAY_MS
        ? result(
            id,
            'PASS',
            account,
            res,
            `Trail ${trail.Name} delivers to CloudWatch Logs (last delivery ${last}).`,
            trail.HomeRegion,
          )
        : result(
            id,
            'FAIL',
            account,
            res,
            `Trail ${trail.Name} last delivered to CloudWatch Logs at ${last}, more than a day before the snapshot.`,
            trail.HomeRegion,
          );
    });
  },
};

export const cloudtrailBucketNotPublic: Check = {
  id: 'cloudtrail-bucket-not-public',
  title: "CloudTrail trails' S3 buckets are not public",
  severity: 'CRITICAL',
  service: 'cloudtrail',
  rationale:
    "A public trail bucket exposes a full record of the account's activity — resource names, principals, source addresses — or lets anyone tamper with it.",
  remediation: {
    text: 'Remove public statements and grants from the trail bucket and turn on Block Public Access; the CloudTrail service principal needs no public access.',
    cli: 'aws s3api put-public-access-block --bucket TRAIL_BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    console: 'S3 console → the trail bucket → Permissions → Block public access → "Block all public access".',
    cdk: "new s3.Bucket(this, 'TrailBucket', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });",
  },
  references: { fsbp: ['CloudTrail.6'] },
  findingType: 'Policy:S3/BucketPublicAccessGranted',
  run(snapshot) {
    const id = 'cloudtrail-bucket-not-public';
    return trailBucketCheck(id, snapshot, (bucket, trail, owner) => {
      const verdict = publicBucketResult(id, snapshot, owner, bucket);
      return {
        ...verdict,
        resource: trailResource(trail),
        message: `Trail ${trail.Name}: ${verdict.message}`,
      };
    });
  },
};

function dataEventsCheck(kind: 'read' | 'write'): Check {
  const id = `cloudtrail-s3-data-events-${kind}`;
  const rw = kind === 'read' ? 'ReadOnly' : 'WriteOnly';
  return {
    id,
    title: `CloudTrail records S3 object-level ${kind} events for all buckets`,
    severity: 'MEDIUM',
    service: 'cloudtrail',
    rationale:
      kind === 'read'
        ? 'Object-level read events (GetObject) show what data was read and by whom — needed to size a data leak.'
        : 'Object-level write events (PutObject, DeleteObject) show who changed or destroyed data.',
    remediation: {
      text: `Add an event selector for S3 data events (${kind === 'read' ? 'read' : 'write'} or all) on all current and future buckets to a multi-region trail.`,
      cli: `aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors '[{"ReadWriteType":"${rw}","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]'`,
      console:
        'CloudTrail console → the trail → Data events → Edit → Data event type S3, Log selector template "Log all events" (or readOnly).',
      cdk: `trail.addS3EventSelector([], { readWriteType: cloudtrail.ReadWriteType.${kind === 'read' ? 'READ_ONLY' : 'WRITE_ONLY'} }); // [] = all buckets`,
    },
    references: { cis: [kind === 'read' ? '3.9' : '3.8'], fsbp: [kind === 'read' ? 'S3.23' : 'S3.22'] },
    findingType: `Policy:CloudTrail/S3DataEvents${kind === 'read' ? 'Read' : 'Write'}NotLogged`,
    run(snapshot) {
      return accountTrailCheck(
        id,
        snapshot,
        (t) => logsS3DataEvents(t, kind),
        (t, a) =>
          `Trail ${t.Name} records S3 object-level ${kind} events for all buckets of ${accountName(a)}.`,
        (a) =>
          `No logging multi-region trail in ${accountName(a)} records S3 object-level ${kind} events for all buckets.`,
      );
    },
  };
}

export const cloudtrailS3DataEventsWrite = dataEventsCheck('write');
export const cloudtrailS3DataEventsRead = dataEventsCheck('read');

export const cloudtrailChecks: Check[] = [
  cloudtrailMultiRegion,
  cloudtrailLogValidation,
  cloudtrailBucketLogging,
  cloudtrailKms,
  cloudtrailCloudwatch,
  cloudtrailBucketNotPublic,
  cloudtrailS3DataEventsWrite,
  cloudtrailS3DataEventsRead,
];
