import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
} from '@aws-sdk/client-ec2';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListAccountAliasesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import {
  DescribeHubCommand,
  GetEnabledStandardsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

export const HOME_ACCOUNT = '111122223333';

/** A credential report header as IAM writes it. */
export const REPORT_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

/**
 * Every SDK client the collector uses, under aws-sdk-client-mock, answering as an empty account would
 * (no users, no buckets, nothing configured). Tests override the calls they are about.
 */
export function mockAws() {
  const m = {
    sts: mockClient(STSClient),
    iam: mockClient(IAMClient),
    s3: mockClient(S3Client),
    s3control: mockClient(S3ControlClient),
    cloudtrail: mockClient(CloudTrailClient),
    guardduty: mockClient(GuardDutyClient),
    securityhub: mockClient(SecurityHubClient),
    kms: mockClient(KMSClient),
    ec2: mockClient(EC2Client),
    config: mockClient(ConfigServiceClient),
  };
  m.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: HOME_ACCOUNT, Arn: `arn:aws:iam::${HOME_ACCOUNT}:user/auditor` });
  m.iam.on(GetAccountAuthorizationDetailsCommand).resolves({ IsTruncated: false });
  m.iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  m.iam.on(GetCredentialReportCommand).resolves({
    Content: new TextEncoder().encode(`${REPORT_HEADER}\n`),
    ReportFormat: 'text/csv',
  });
  m.iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: { MinimumPasswordLength: 14 } });
  m.iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 1 } });
  m.iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [], IsTruncated: false });
  m.iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  m.s3.on(ListBucketsCommand).resolves({ Buckets: [] });
  m.s3control.on(GetAccountPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  m.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [] });
  m.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
  m.securityhub
    .on(DescribeHubCommand)
    .resolves({ HubArn: 'arn:aws:securityhub:us-east-1:111122223333:hub/default' });
  m.securityhub.on(GetEnabledStandardsCommand).resolves({ StandardsSubscriptions: [] });
  m.kms.on(ListKeysCommand).resolves({ Keys: [], Truncated: false });
  m.ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'us-east-1' }] });
  m.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  m.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  m.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
  m.ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
  m.ec2.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [] });
  m.ec2.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
  m.ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  m.config.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
  m.config.on(DescribeConfigurationRecorderStatusCommand).resolves({ ConfigurationRecordersStatus: [] });
  m.config.on(DescribeDeliveryChannelsCommand).resolves({ DeliveryChannels: [] });
  return {
    ...m,
    restore() {
      for (const mock of Object.values(m)) mock.restore();
    },
  };
}

export type AwsMocks = ReturnType<typeof mockAws>;
