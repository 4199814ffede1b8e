import type { Check } from '../types.js';
import { accountName, eachRegion, accountResource, notCollected, result } from './resource-support.js';

/** AWS Config, KMS, GuardDuty and Security Hub checks, per collected region. */

export const configEnabled: Check = {
  id: 'config-enabled',
  title: 'AWS Config records all resources in every region',
  severity: 'MEDIUM',
  service: 'config',
  rationale:
    'AWS Config keeps the configuration history of resources — what changed, when, and how it related to others — which investigations and audits rely on.',
  remediation: {
    text: 'Create a configuration recorder recording all supported resource types (global types in one region), a delivery channel, and start recording.',
    cli: 'aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=ROLE_ARN --recording-group allSupported=true,includeGlobalResourceTypes=true && aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=CONFIG_BUCKET && aws configservice start-configuration-recorder --configuration-recorder-name default',
    console:
      'AWS Config console → Settings → Edit → Record all resource types → Save; make sure recording is on.',
    cloudformation: `Recorder:
  Type: AWS::Config::ConfigurationRecorder
  Properties:
    RoleARN: !GetAtt ConfigRole.Arn
    RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true }`,
  },
  references: { cis: ['3.3'], fsbp: ['Config.1'] },
  findingType: 'Policy:Config/RecorderDisabled',
  run(snapshot) {
    const id = 'config-enabled';
    return eachRegion(snapshot, (account, region) => {
      const r = region.region;
      const res = accountResource(account);
      if (!region.config)
        return [
          notCollected(
            id,
            snapshot,
            account,
            res,
            `AWS Config recorders of ${accountName(account)} in ${r}`,
            { service: 'config', region: r },
          ),
        ];
      const recording = region.config.recorders.filter((rec) =>
        region.config!.status.some((s) => s.name === rec.name && s.recording),
      );
      const all = recording.find((rec) => rec.recordingGroup?.allSupported === true);
      if (all)
        return [
          result(
            id,
            'PASS',
            account,
            res,
            `AWS Config recorder ${all.name} records all supported resource types for ${accountName(account)} in ${r}.`,
            r,
          ),
        ];
      const why =
        region.config.recorders.length === 0
          ? 'has no configuration recorder'
          : recording.length === 0
            ? 'has a configuration recorder that is not recording'
            : 'records only some resource types';
      return [result(id, 'FAIL', account, res, `AWS Config ${why} for ${accountName(account)} in ${r}.`, r)];
    });
  },
};

function customerKeys(region: Parameters<Parameters<typeof eachRegion>[1]>[1]) {
  return (region.kms?.keys ?? []).filter((k) => k.KeyManager === 'CUSTOMER');
}

export const kmsRotation: Check = {
  id: 'kms-rotation',
  title: 'Customer managed symmetric KMS keys rotate automatically',
  severity: 'MEDIUM',
  service: 'kms',
  rationale:
    'Automatic rotation replaces key material every year (or on the period set), limiting how much data one key version protects, without re-encrypting anything.',
  remediation: {
    text: 'Enable automatic rotation on each customer managed symmetric encryption key.',
    cli: 'aws kms enable-key-rotation --key-id KEY_ID',
    console:
      'KMS console → Customer managed keys → the key → Key rotation → tick "Automatically rotate this KMS key every year".',
    cdk: "new kms.Key(this, 'Key', { enableKeyRotation: true });",
  },
  references: { cis: ['3.6'], fsbp: ['KMS.4'] },
  findingType: 'Policy:KMS/KeyRotationDisabled',
  run(snapshot) {
    const id = 'kms-rotation';
    return eachRegion(snapshot, (account, region) => {
      const r = region.region;
      if (!region.kms)
        return [
          notCollected(
            id,
            snapshot,
            account,
            accountResource(account),
            `KMS keys of ${accountName(account)} in ${r}`,
            { service: 'kms', region: r },
          ),
        ];
      return (
        customerKeys(region)
          // Rotation applies to symmetric encryption keys; keys being deleted are reported by kms-pending-deletion.
          .filter(
            (k) =>
              (k.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT' &&
              (k.KeyUsage ?? 'ENCRYPT_DECRYPT') === 'ENCRYPT_DECRYPT',
          )
          .filter((k) => k.KeyState !== 'PendingDeletion' && k.KeyState !== 'PendingReplicaDeletion')
          .map((k) => {
            const res = { type: 'AwsKmsKey', id: k.Arn };
            if (k.KeyRotationEnabled === undefined)
              return notCollected(id, snapshot, account, res, `the rotation status of KMS key ${k.KeyId}`, {
                service: 'kms',
                region: r,
                resource: k.Arn,
                api: 'kms:GetKeyRotationStatus',
              });
            return k.KeyRotationEnabled
              ? result(id, 'PASS', account, res, `KMS key ${k.KeyId} in ${r} rotates automatically.`, r)
              : result(
                  id,
                  'FAIL',
                  account,
                  res,
                  `KMS key ${k.KeyId} in ${r} does not rotate automatically.`,
                  r,
                );
          })
      );
    });
  },
};

export const kmsPendingDeletion: Check = {
  id: 'kms-pending-deletion',
  title: 'No customer managed KMS key is scheduled for deletion',
  severity: 'MEDIUM',
  service: 'kms',
  rationale:
    'Once a key is deleted, everything encrypted under it is unrecoverable; a scheduled deletion is either intended (and should be confirmed) or an attack on availability.',
  remediation: {
    text: 'If the deletion is not intended, cancel it and re-enable the key before the deletion date.',
    cli: 'aws kms cancel-key-deletion --key-id KEY_ID && aws kms enable-key --key-id KEY_ID',
    console: 'KMS console → Customer managed keys → the key → Key actions → Cancel key deletion.',
    cdk: "new kms.Key(this, 'Key', { removalPolicy: cdk.RemovalPolicy.RETAIN });",
  },
  references: { fsbp: ['KMS.3'] },
  findingType: 'Policy:KMS/KeyPendingDeletion',
  run(snapshot) {
    const id = 'kms-pending-deletion';
    return eachRegion(snapshot, (account, region) => {
      const r = region.region;
      if (!region.kms)
        return [
          notCollected(
            id,
            snapshot,
            account,
            accountResource(account),
            `KMS keys of ${accountName(account)} in ${r}`,
            { service: 'kms', region: r },
          ),
        ];
      return customerKeys(region).map((k) => {
        const res = { type: 'AwsKmsKey', id: k.Arn };
        return k.KeyState === 'PendingDeletion' || k.KeyState === 'PendingReplicaDeletion'
          ? result(
              id,
              'FAIL',
              account,
              res,
              `KMS key ${k.KeyId} in ${r} is scheduled for deletion${k.DeletionDate ? ` on ${k.DeletionDate}` : ''}.`,
              r,
            )
          : result(
              id,
              'PASS',
              account,
              res,
              `KMS key ${k.KeyId} in ${r} is not scheduled for deletion (state ${k.KeyState}).`,
              r,
            );
      });
    });
  },
};

export const guarddutyEnabled: Check = {
  id: 'guardduty-enabled',
  title: 'GuardDuty is enabled in every region',
  severity: 'HIGH',
  service: 'guardduty',
  rationale:
    'GuardDuty watches CloudTrail, VPC flow and DNS logs for threats; a region without it is a blind spot attackers can use.',
  remediation: {
    text: 'Enable GuardDuty in every region (through the delegated administrator in an organization, with auto-enable for members).',
    cli: 'aws guardduty create-detector --enable --region REGION',
    console: 'GuardDuty console → Get started → Enable GuardDuty (per region).',
    cloudformation: `Detector:
  Type: AWS::GuardDuty::Detector
  Properties: { Enable: true }`,
  },
  references: { fsbp: ['GuardDuty.1'] },
  findingType: 'Policy:GuardDuty/DetectorDisabled',
  run(snapshot) {
    const id = 'guardduty-enabled';
    return eachRegion(snapshot, (account, region) => {
      const r = region.region;
      const res = accountResource(account);
      if (!region.guardduty)
        return [
          notCollected(id, snapshot, account, res, `GuardDuty detectors of ${accountName(account)} in ${r}`, {
            service: 'guardduty',
            region: r,
          }),
        ];
      const on = region.guardduty.detectors.find((d) => d.Status === 'ENABLED');
      return [
        on
          ? result(
              id,
              'PASS',
              account,
              res,
              `GuardDuty detector ${on.DetectorId} is enabled for ${accountName(account)} in ${r}.`,
              r,
            )
          : result(
              id,
              'FAIL',
              account,
              res,
              `GuardDuty is ${region.guardduty.detectors.length === 0 ? 'not set up' : 'suspended'} for ${accountName(account)} in ${r}.`,
              r,
            ),
      ];
    });
  },
};

export const guarddutyS3Protection: Check = {
  id: 'guardduty-s3-protection',
  title: 'GuardDuty S3 Protection is enabled',
  severity: 'MEDIUM',
  service: 'guardduty',
  rationale:
    'S3 Protection analyses S3 data events for suspicious access (anomalous reads, known bad callers, disabled logging) — the findings for data exfiltration from buckets.',
  remediation: {
    text: 'Turn on the S3 Protection feature (S3_DATA_EVENTS) of the detector in each region.',
    cli: 'aws guardduty update-detector --detector-id DETECTOR_ID --features Name=S3_DATA_EVENTS,Status=ENABLED',
    console: 'GuardDuty console → Protection plans → S3 Protection → Enable.',
    cloudformation: `Detector:
  Type: AWS::GuardDuty::Detector
  Properties:
    Enable: true
    Features: [{ Name: S3_DATA_EVENTS, Status: ENABLED }]`,
  },
  references: { fsbp: ['GuardDuty.10'] },
  findingType: 'Policy:GuardDuty/S3ProtectionDisabled',
  run(snapshot) {
    const id = 'guardduty-s3-protection';
    return eachRegion(snapshot, (account, region) => {
      const r = region.region;
      const res = accountResource(account);
      if (!region.guardduty)
        return [
          notCollected(id, snapshot, account, res, `GuardDuty detectors of ${accountName(account)} in ${r}`, {
            service: 'guardduty',
            region: r,
          }),
        ];
      const on = region.guardduty.detectors.find((d) => d.Status === 'ENABLED');
      if (!on)
        return [
          result(
            id,
            'FAIL',
            account,
            res,
            `GuardDuty is not enabled for ${accountName(account)} in ${r}, so S3 Protection is off.`,
            r,
          ),
        ];
      if (on.Features === undefined)
        return [
          notCollected(
            id,
            snapshot,
            account,
            res,
            `the protection plans of GuardDuty detector ${on.DetectorId} in ${r}`,
            { service: 'guardduty', region: r, api: 'guardduty:GetDetector' },
          ),
        ];
      return [
        on.Features.S3_DATA_EVENTS === 'ENABLED'
          ? result(
              id,
              'PASS',
              account,
              res,
              `GuardDuty S3 Protection is enabled for ${accountName(account)} in ${r}.`,
              r,
            )
          : result(
              id,
              'FAIL',
              account,
              res,
              `GuardDuty S3 Protection is disabled for ${accountName(account)} in ${r}.`,
              r,
            ),
      ];
    });
  },
};

export const securityhubEnabled: Check = {
  id: 'securityhub-enabled',
  title: 'Security Hub is enabled in every region',
  severity: 'MEDIUM',
  service: 'securityhub',
  rationale:
    'Security Hub runs the AWS Foundational Security Best Practices controls continuously and gathers findings from GuardDuty, Inspector and others in one place.',
  remediation: {
    text: 'Enable Security Hub in every region with the AWS Foundational Security Best Practices standard.',
    cli: 'aws securityhub enable-security-hub --enable-default-standards --region REGION',
    console: 'Security Hub console → Go to Security Hub → Enable Security Hub.',
    cloudformation: `Hub:
  Type: AWS::SecurityHub::Hub
  Properties: { EnableDefaultStandards: true }`,
  },
  references: { fsbp: ['SecurityHub.1'] },
  findingType: 'Policy:SecurityHub/HubDisabled',
  run(snapshot) {
    const id = 'securityhub-enabled';
    return eachRegion(snapshot, (account, region) => {
      const r = region.region;
      const res = accountResource(account);
      if (!region.securityhub)
        return [
          notCollected(id, snapshot, account, res, `Security Hub status of ${accountName(account)} in ${r}`, {
            service: 'securityhub',
            region: r,
          }),
        ];
      return [
        region.securityhub.enabled
          ? result(
              id,
              'PASS',
              account,
              res,
              `Security Hub is enabled for ${accountName(account)} in ${r}.`,
              r,
            )
          : result(
              id,
              'FAIL',
              account,
              res,
              `Security Hub is not enabled for ${accountName(account)} in ${r}.`,
              r,
            ),
      ];
    });
  },
};

export const serviceChecks: Check[] = [
  configEnabled,
  kmsRotation,
  kmsPendingDeletion,
  guarddutyEnabled,
  guarddutyS3Protection,
  securityhubEnabled,
];
