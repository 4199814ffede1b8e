import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetCredentialReportCommand,
  ListAccountAliasesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeKeyCommand,
  type DescribeKeyResponse,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsError, testClients } from '../../respond/testing.js';
import { parseSnapshot } from '../snapshot.js';
import { createCaller } from './call.js';
import { parseCredentialReport } from './credential-report.js';
import { clientFactoryFor, collectSnapshot, type CollectOptions } from './index.js';
import { HOME_ACCOUNT, mockAws, REPORT_HEADER, type AwsMocks } from './testing.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const encode = (doc: object) => encodeURIComponent(JSON.stringify(doc));
const ADMIN_DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const TRUST_DOC = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

let aws: AwsMocks;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => {
  aws.restore();
  vi.unstubAllEnvs();
});

const collect = (over: Partial<CollectOptions> = {}) =>
  collectSnapshot({
    accounts: [{}],
    regions: ['us-east-1'],
    clients: testClients,
    now: () => NOW,
    vigilVersion: '0.1.0-test',
    sleep: async () => undefined,
    ...over,
  });

describe('collectSnapshot: IAM', () => {
  it('follows GetAccountAuthorizationDetails pages and decodes every policy document', async () => {
    aws.iam
      .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
      .resolves({
        IsTruncated: true,
        Marker: 'page-2',
        UserDetailList: [
          {
            UserName: 'deploy',
            Arn: `arn:aws:iam::${HOME_ACCOUNT}:user/deploy`,
            CreateDate: new Date('2024-03-01T00:00:00Z'),
            UserPolicyList: [{ PolicyName: 'inline-admin', PolicyDocument: encode(ADMIN_DOC) }],
            AttachedManagedPolicies: [],
          },
        ],
        Policies: [
          {
            PolicyName: 'AdministratorAccess',
            Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
            AttachmentCount: 1,
            DefaultVersionId: 'v1',
            PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: encode(ADMIN_DOC) }],
          },
          // An AWS managed policy attached to nobody: not kept.
          {
            PolicyName: 'AmazonS3ReadOnlyAccess',
            Arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
            AttachmentCount: 0,
            PolicyVersionList: [{ VersionId: 'v3', IsDefaultVersion: true, Document: encode(ADMIN_DOC) }],
          },
        ],
      })
      .on(GetAccountAuthorizationDetailsCommand, { Marker: 'page-2' })
      .resolves({
        IsTruncated: false,
        RoleDetailList: [
          {
            RoleName: 'app',
            Arn: `arn:aws:iam::${HOME_ACCOUNT}:role/app`,
            AssumeRolePolicyDocument: encode(TRUST_DOC),
            RolePolicyList: [],
            RoleLastUsed: { LastUsedDate: new Date('2026-11-20T08:00:00Z'), Region: 'us-east-1' },
            InstanceProfileList: [
              {
                InstanceProfileName: 'app',
                Arn: `arn:aws:iam::${HOME_ACCOUNT}:instance-profile/app`,
                Path: '/',
                InstanceProfileId: 'AIPA',
                CreateDate: new Date(),
                Roles: [],
              },
            ],
          },
        ],
        GroupDetailList: [
          {
            GroupName: 'devs',
            Arn: `arn:aws:iam::${HOME_ACCOUNT}:group/devs`,
            // Not a policy document: recorded, the rest is kept.
            GroupPolicyList: [{ PolicyName: 'broken', PolicyDocument: '%7Bnot json' }],
          },
        ],
      });
    const snap = await collect();
    const d = snap.accounts[0]!.iam!.authorizationDetails!;
    expect(aws.iam.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2);
    expect(d.UserDetailList[0]).toMatchObject({
      UserName: 'deploy',
      CreateDate: '2024-03-01T00:00:00.000Z',
      UserPolicyList: [{ PolicyName: 'inline-admin', PolicyDocument: ADMIN_DOC }],
    });
    expect(d.RoleDetailList[0]!.AssumeRolePolicyDocument).toEqual(TRUST_DOC);
    expect(d.RoleDetailList[0]!.RoleLastUsed).toEqual({
      LastUsedDate: '2026-11-20T08:00:00.000Z',
      Region: 'us-east-1',
    });
    expect(d.Policies.map((p) => p.PolicyName)).toEqual(['AdministratorAccess']);
    expect(d.Policies[0]!.Document).toEqual(ADMIN_DOC);
    expect(d.Policies[0]).not.toHaveProperty('PolicyVersionList');
    expect(d.GroupDetailList[0]!.GroupPolicyList).toEqual([]);
    expect(snap.errors).toContainEqual(
      expect.objectContaining({
        api: 'iam:GetAccountAuthorizationDetails',
        resource: `arn:aws:iam::${HOME_ACCOUNT}:group/devs`,
        code: 'MalformedPolicyDocument',
      }),
    );
  });

  it('waits for the credential report, parses it, and reads no password policy as null', async () => {
    aws.iam
      .on(GenerateCredentialReportCommand)
      .resolvesOnce({ State: 'STARTED' })
      .resolvesOnce({ State: 'INPROGRESS' })
      .resolves({ State: 'COMPLETE' });
    const root = `<root_account>,arn:aws:iam::${HOME_ACCOUNT}:root,2019-01-01T00:00:00+00:00,not_supported,2026-11-01T09:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    aws.iam.on(GetCredentialReportCommand).resolves({
      Content: new TextEncoder().encode(`${REPORT_HEADER}\n${root}\n`),
    });
    aws.iam
      .on(GetAccountPasswordPolicyCommand)
      .rejects(
        awsError('NoSuchEntity', 'The Password Policy with domain name 111122223333 cannot be found.', 404),
      );
    aws.iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: ['acme-prod'] });
    aws.iam
      .on(ListVirtualMFADevicesCommand, { AssignmentStatus: 'Assigned', Marker: undefined })
      .resolves({
        IsTruncated: true,
        Marker: 'm2',
        VirtualMFADevices: [
          {
            SerialNumber: `arn:aws:iam::${HOME_ACCOUNT}:mfa/root-account-mfa-device`,
            User: {
              Arn: `arn:aws:iam::${HOME_ACCOUNT}:root`,
              UserName: 'root',
              UserId: 'x',
              Path: '/',
              CreateDate: new Date(),
            },
          },
        ],
      })
      .on(ListVirtualMFADevicesCommand, { AssignmentStatus: 'Assigned', Marker: 'm2' })
      .resolves({
        IsTruncated: false,
        VirtualMFADevices: [{ SerialNumber: `arn:aws:iam::${HOME_ACCOUNT}:mfa/alice` }],
      });

    const snap = await collect();
    const account = snap.accounts[0]!;
    expect(aws.iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(3);
    expect(account.alias).toBe('acme-prod');
    expect(account.iam!.passwordPolicy).toBeNull();
    expect(account.iam!.credentialReport).toHaveLength(1);
    expect(account.iam!.credentialReport![0]).toMatchObject({
      user: '<root_account>',
      mfa_active: 'true',
      access_key_1_active: 'false',
    });
    expect(account.iam!.virtualMfaDevices).toEqual([
      {
        SerialNumber: `arn:aws:iam::${HOME_ACCOUNT}:mfa/root-account-mfa-device`,
        User: { Arn: `arn:aws:iam::${HOME_ACCOUNT}:root` },
      },
      { SerialNumber: `arn:aws:iam::${HOME_ACCOUNT}:mfa/alice` },
    ]);
    // Nothing failed except what Vigil does not collect.
    expect(snap.errors.map((e) => e.code)).toEqual(['NotCollected']);
  });

  it('gives up on a credential report that never completes, and records it', async () => {
    aws.iam.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });
    const snap = await collect();
    expect(snap.accounts[0]!.iam).not.toHaveProperty('credentialReport');
    expect(aws.iam.commandCalls(GetCredentialReportCommand)).toHaveLength(0);
    expect(snap.errors).toContainEqual(
      expect.objectContaining({ api: 'iam:GenerateCredentialReport', code: 'ReportInProgress' }),
    );
  });
});

describe('collectSnapshot: S3', () => {
  beforeEach(() => {
    aws.s3
      .on(ListBucketsCommand, { MaxBuckets: 1000, ContinuationToken: undefined })
      .resolves({
        Buckets: [
          { Name: 'acme-web', BucketRegion: 'eu-west-1', CreationDate: new Date('2023-05-01T00:00:00Z') },
        ],
        ContinuationToken: 'next',
      })
      .on(ListBucketsCommand, { MaxBuckets: 1000, ContinuationToken: 'next' })
      .resolves({ Buckets: [{ Name: 'acme-logs' }] });
    aws.s3.on(GetBucketLocationCommand, { Bucket: 'acme-logs' }).resolves({});
    const webPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Public',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-web/*',
        },
      ],
    };
    aws.s3.on(GetBucketPolicyCommand, { Bucket: 'acme-web' }).resolves({ Policy: JSON.stringify(webPolicy) });
    aws.s3
      .on(GetBucketPolicyCommand, { Bucket: 'acme-logs' })
      .rejects(awsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404));
    aws.s3.on(GetBucketAclCommand).resolves({
      Owner: { ID: 'owner-canonical-id' },
      Grants: [
        {
          Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
          Permission: 'READ',
        },
      ],
    });
    aws.s3.on(GetBucketOwnershipControlsCommand, { Bucket: 'acme-web' }).resolves({
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    aws.s3
      .on(GetBucketOwnershipControlsCommand, { Bucket: 'acme-logs' })
      .rejects(awsError('OwnershipControlsNotFoundError', 'none', 404));
    aws.s3.on(GetPublicAccessBlockCommand, { Bucket: 'acme-web' }).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    });
    aws.s3
      .on(GetPublicAccessBlockCommand, { Bucket: 'acme-logs' })
      .rejects(awsError('NoSuchPublicAccessBlockConfiguration', 'none', 404));
    aws.s3.on(GetBucketEncryptionCommand, { Bucket: 'acme-web' }).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/s3' },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    aws.s3
      .on(GetBucketEncryptionCommand, { Bucket: 'acme-logs' })
      .rejects(awsError('ServerSideEncryptionConfigurationNotFoundError', 'none', 404));
    aws.s3
      .on(GetBucketVersioningCommand, { Bucket: 'acme-web' })
      .resolves({ Status: 'Enabled', MFADelete: 'Disabled' });
    aws.s3.on(GetBucketVersioningCommand, { Bucket: 'acme-logs' }).resolves({});
    aws.s3
      .on(GetBucketLoggingCommand, { Bucket: 'acme-web' })
      .resolves({ LoggingEnabled: { TargetBucket: 'acme-logs', TargetPrefix: 'web/' } });
    aws.s3.on(GetBucketLoggingCommand, { Bucket: 'acme-logs' }).resolves({});
    aws.s3
      .on(GetBucketTaggingCommand, { Bucket: 'acme-web' })
      .resolves({ TagSet: [{ Key: 'team', Value: 'web' }] });
    aws.s3
      .on(GetBucketTaggingCommand, { Bucket: 'acme-logs' })
      .rejects(awsError('NoSuchTagSet', 'none', 404));
  });

  it('lists every page of buckets and reads each through a client of its own region', async () => {
    const snap = await collect();
    const s3 = snap.accounts[0]!.s3!;
    expect(s3.accountPublicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(s3.buckets.map((b) => [b.Name, b.Region])).toEqual([
      ['acme-logs', 'us-east-1'],
      ['acme-web', 'eu-west-1'],
    ]);
    const [logs, web] = s3.buckets;
    expect(web).toMatchObject({
      CreationDate: '2023-05-01T00:00:00.000Z',
      Policy: { Statement: [{ Sid: 'Public', Principal: '*' }] },
      Acl: { Owner: { ID: 'owner-canonical-id' }, Grants: [{ Permission: 'READ' }] },
      OwnershipControls: { ObjectOwnership: 'BucketOwnerEnforced' },
      PublicAccessBlock: { BlockPublicAcls: true, BlockPublicPolicy: false },
      Encryption: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }],
      },
      Versioning: { Status: 'Enabled', MFADelete: 'Disabled' },
      Logging: { TargetBucket: 'acme-logs', TargetPrefix: 'web/' },
      Tags: { team: 'web' },
    });
    // "There is none" answers are null (tags: an empty map); never-enabled versioning is an empty object.
    expect(logs).toMatchObject({
      Policy: null,
      OwnershipControls: null,
      PublicAccessBlock: null,
      Encryption: null,
      Logging: null,
      Tags: {},
      Versioning: {},
    });
    // Only the bucket ListBuckets gave no region for needed GetBucketLocation.
    expect(aws.s3.commandCalls(GetBucketLocationCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'acme-logs' },
    ]);
    const policyCall = aws.s3.commandCalls(GetBucketPolicyCommand, { Bucket: 'acme-web' })[0]!;
    expect(await (policyCall.thisValue as S3Client).config.region()).toBe('eu-west-1');
    expect(aws.s3control.commandCalls(GetAccountPublicAccessBlockCommand)[0]!.args[0].input).toEqual({
      AccountId: HOME_ACCOUNT,
    });
    expect(snap.errors.filter((e) => e.service === 's3')).toEqual([]);
  });

  it('records AccessDenied on one bucket policy and collects everything else', async () => {
    aws.s3
      .on(GetBucketPolicyCommand, { Bucket: 'acme-web' })
      .rejects(awsError('AccessDenied', 'Access Denied', 403));
    aws.s3control
      .on(GetAccountPublicAccessBlockCommand)
      .rejects(awsError('NoSuchPublicAccessBlockConfiguration', 'none', 404));
    const snap = await collect();
    const web = snap.accounts[0]!.s3!.buckets.find((b) => b.Name === 'acme-web')!;
    expect(web).not.toHaveProperty('Policy');
    expect(web.Versioning).toEqual({ Status: 'Enabled', MFADelete: 'Disabled' });
    expect(snap.accounts[0]!.s3!.accountPublicAccessBlock).toBeNull();
    expect(snap.errors).toContainEqual({
      accountId: HOME_ACCOUNT,
      region: 'eu-west-1',
      service: 's3',
      api: 's3:GetBucketPolicy',
      resource: 'acme-web',
      code: 'AccessDenied',
      message: 'Access Denied',
    });
  });

  it('leaves S3 out when the bucket list itself is denied', async () => {
    aws.s3.on(ListBucketsCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
    const snap = await collect();
    expect(snap.accounts[0]).not.toHaveProperty('s3');
    expect(snap.errors).toContainEqual(
      expect.objectContaining({ api: 's3:ListAllMyBuckets', code: 'AccessDenied' }),
    );
  });
});

describe('collectSnapshot: regional services', () => {
  it('reads trails, detectors, Security Hub, KMS, EC2 and Config of each region', async () => {
    const trailArn = `arn:aws:cloudtrail:us-east-1:${HOME_ACCOUNT}:trail/main`;
    aws.cloudtrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        {
          Name: 'main',
          TrailARN: trailArn,
          HomeRegion: 'us-east-1',
          IsMultiRegionTrail: true,
          LogFileValidationEnabled: true,
          S3BucketName: 'acme-trail',
        },
      ],
    });
    aws.cloudtrail
      .on(GetTrailStatusCommand)
      .resolves({ IsLogging: true, LatestDeliveryTime: new Date('2026-11-25T11:55:00Z') });
    aws.cloudtrail.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }],
    });
    aws.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ['d1'] });
    aws.guardduty.on(GetDetectorCommand).resolves({
      Status: 'ENABLED',
      ServiceRole: 'x',
      FindingPublishingFrequency: 'SIX_HOURS',
      Features: [
        { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
        { Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' },
      ],
    });
    aws.securityhub
      .on(DescribeHubCommand)
      .rejects(
        awsError('InvalidAccessException', 'Account 111122223333 is not subscribed to AWS Security Hub', 401),
      );
    aws.kms.on(ListKeysCommand).resolves({
      Truncated: false,
      Keys: [{ KeyId: 'k-cust' }, { KeyId: 'k-aws' }, { KeyId: 'k-dying' }],
    });
    const meta = (KeyId: string, extra: object): DescribeKeyResponse => ({
      KeyMetadata: {
        KeyId,
        Arn: `arn:aws:kms:us-east-1:${HOME_ACCOUNT}:key/${KeyId}`,
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        Origin: 'AWS_KMS',
        ...extra,
      } as DescribeKeyResponse['KeyMetadata'],
    });
    aws.kms
      .on(DescribeKeyCommand, { KeyId: 'k-cust' })
      .resolves(meta('k-cust', { KeyManager: 'CUSTOMER', KeyState: 'Enabled' }));
    aws.kms
      .on(DescribeKeyCommand, { KeyId: 'k-aws' })
      .resolves(meta('k-aws', { KeyManager: 'AWS', KeyState: 'Enabled' }));
    aws.kms.on(DescribeKeyCommand, { KeyId: 'k-dying' }).resolves(
      meta('k-dying', {
        KeyManager: 'CUSTOMER',
        KeyState: 'PendingDeletion',
        DeletionDate: new Date('2026-12-01T00:00:00Z'),
      }),
    );
    aws.kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
    aws.kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(ADMIN_DOC) });

    aws.ec2
      .on(DescribeSecurityGroupsCommand, { NextToken: undefined, MaxResults: 1000 })
      .resolves({
        NextToken: 'sg2',
        SecurityGroups: [
          {
            GroupId: 'sg-1',
            GroupName: 'default',
            VpcId: 'vpc-1',
            IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-1' }] }],
            IpPermissionsEgress: [],
          },
        ],
      })
      .on(DescribeSecurityGroupsCommand, { NextToken: 'sg2', MaxResults: 1000 })
      .resolves({
        SecurityGroups: [
          {
            GroupId: 'sg-2',
            GroupName: 'ssh',
            VpcId: 'vpc-1',
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
            ],
          },
        ],
      });
    aws.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-1',
              State: { Name: 'running', Code: 16 },
              VpcId: 'vpc-1',
              PublicIpAddress: '198.51.100.7',
              MetadataOptions: {
                HttpTokens: 'optional',
                HttpEndpoint: 'enabled',
                HttpPutResponseHopLimit: 1,
              },
              SecurityGroups: [{ GroupId: 'sg-2', GroupName: 'ssh' }],
              Tags: [{ Key: 'Name', Value: 'bastion' }],
            },
          ],
        },
      ],
    });
    aws.ec2
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: 'vpc-1', IsDefault: true, CidrBlock: '172.31.0.0/16' }] });
    aws.ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    aws.ec2.on(DescribeNetworkAclsCommand).resolves({
      NetworkAcls: [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          IsDefault: true,
          Entries: [
            { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
          ],
        },
      ],
    });
    aws.ec2
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: 'snap-public' }, { SnapshotId: 'snap-private' }] });
    aws.ec2
      .on(DescribeSnapshotAttributeCommand, {
        SnapshotId: 'snap-public',
        Attribute: 'createVolumePermission',
      })
      .resolves({ CreateVolumePermissions: [{ Group: 'all' }] });
    aws.ec2
      .on(DescribeSnapshotAttributeCommand, {
        SnapshotId: 'snap-private',
        Attribute: 'createVolumePermission',
      })
      .resolves({ CreateVolumePermissions: [{ UserId: '444455556666' }] });
    aws.config.on(DescribeConfigurationRecordersCommand).resolves({
      ConfigurationRecorders: [
        {
          name: 'default',
          roleARN: 'arn:aws:iam::111122223333:role/config',
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
        },
      ],
    });
    aws.config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [{ name: 'default', recording: true, lastStatus: 'Success' }],
    });

    const snap = await collect();
    const r = snap.accounts[0]!.regions[0]!;
    expect(r.region).toBe('us-east-1');
    expect(aws.cloudtrail.commandCalls(DescribeTrailsCommand)[0]!.args[0].input).toEqual({
      includeShadowTrails: false,
    });
    expect(r.cloudtrail!.trails[0]).toMatchObject({
      Name: 'main',
      IsMultiRegionTrail: true,
      Status: { IsLogging: true, LatestDeliveryTime: '2026-11-25T11:55:00.000Z' },
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    });
    expect(r.guardduty!.detectors).toEqual([
      {
        DetectorId: 'd1',
        Status: 'ENABLED',
        FindingPublishingFrequency: 'SIX_HOURS',
        Features: { S3_DATA_EVENTS: 'ENABLED', EKS_AUDIT_LOGS: 'DISABLED' },
      },
    ]);
    expect(r.securityhub).toEqual({ enabled: false });
    const keys = Object.fromEntries(r.kms!.keys.map((k) => [k.KeyId, k]));
    expect(keys['k-cust']).toMatchObject({
      KeyManager: 'CUSTOMER',
      KeyRotationEnabled: true,
      Policy: ADMIN_DOC,
    });
    expect(keys['k-aws']).not.toHaveProperty('KeyRotationEnabled');
    expect(keys['k-aws']).not.toHaveProperty('Policy');
    expect(keys['k-dying']).toMatchObject({
      KeyState: 'PendingDeletion',
      DeletionDate: '2026-12-01T00:00:00.000Z',
    });
    expect(keys['k-dying']).not.toHaveProperty('KeyRotationEnabled');
    expect(aws.kms.commandCalls(GetKeyRotationStatusCommand).map((c) => c.args[0].input.KeyId)).toEqual([
      'k-cust',
    ]);
    expect(r.ec2!.securityGroups.map((g) => g.GroupId)).toEqual(['sg-1', 'sg-2']);
    expect(r.ec2!.instances).toEqual([
      {
        InstanceId: 'i-1',
        State: 'running',
        VpcId: 'vpc-1',
        PublicIpAddress: '198.51.100.7',
        MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        SecurityGroups: [{ GroupId: 'sg-2' }],
        Tags: { Name: 'bastion' },
      },
    ]);
    expect(r.ec2!.flowLogs).toEqual([]);
    expect(r.ec2!.networkAcls![0]!.Entries[0]).toMatchObject({ RuleNumber: 100, RuleAction: 'allow' });
    expect(r.ec2!.ebsEncryptionByDefault).toBe(true);
    expect(r.ec2!.publicSnapshotIds).toEqual(['snap-public']);
    expect(r.config).toEqual({
      recorders: [
        {
          name: 'default',
          roleARN: 'arn:aws:iam::111122223333:role/config',
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
        },
      ],
      status: [{ name: 'default', recording: true, lastStatus: 'Success' }],
      deliveryChannels: [],
    });
    // The snapshot survives its own format check.
    expect(parseSnapshot(JSON.stringify(snap), 'collected.json').accounts[0]!.accountId).toBe(HOME_ACCOUNT);
  });

  it('records denied services and a region that is not enabled, and goes on with the rest', async () => {
    aws.guardduty
      .on(ListDetectorsCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform guardduty:ListDetectors', 403));
    aws.ec2
      .on(DescribeInstancesCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    aws.config
      .on(DescribeConfigurationRecordersCommand)
      .rejects(
        awsError('UnrecognizedClientException', 'The security token included in the request is invalid', 400),
      );
    const snap = await collect({ regions: ['us-east-1', 'ap-east-1'] });
    const [east, hk] = snap.accounts[0]!.regions;
    expect(east).not.toHaveProperty('guardduty');
    expect(east).not.toHaveProperty('ec2'); // instances are required: an empty list would read as "none"
    expect(east!.kms).toEqual({ keys: [] });
    expect(hk!.region).toBe('ap-east-1');
    expect(hk).not.toHaveProperty('config');
    const codes = snap.errors.map((e) => `${e.region ?? '-'} ${e.api} ${e.code}`);
    expect(codes).toContain('us-east-1 guardduty:ListDetectors AccessDeniedException');
    expect(codes).toContain('ap-east-1 ec2:DescribeInstances UnauthorizedOperation');
    expect(codes).toContain('ap-east-1 config:DescribeConfigurationRecorders UnrecognizedClientException');
    expect(snap.accounts[0]!.iam).toBeDefined();
  });

  it('retries throttling with backoff and records it once the attempts run out', async () => {
    aws.kms
      .on(ListKeysCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({ Keys: [], Truncated: false });
    aws.cloudtrail.on(DescribeTrailsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const waits: number[] = [];
    const snap = await collect({ sleep: async (ms) => void waits.push(ms) });
    expect(snap.accounts[0]!.regions[0]!.kms).toEqual({ keys: [] });
    expect(aws.kms.commandCalls(ListKeysCommand)).toHaveLength(3);
    expect(aws.cloudtrail.commandCalls(DescribeTrailsCommand)).toHaveLength(5);
    expect(waits.length).toBeGreaterThanOrEqual(6);
    expect(snap.errors).toContainEqual(
      expect.objectContaining({ api: 'cloudtrail:DescribeTrails', code: 'ThrottlingException' }),
    );
  });

  it('reads the enabled regions from EC2 for all-enabled', async () => {
    aws.ec2
      .on(DescribeRegionsCommand)
      .resolves({ Regions: [{ RegionName: 'us-east-1' }, { RegionName: 'eu-west-1' }] });
    const progress: string[] = [];
    const snap = await collect({
      regions: 'all-enabled',
      onProgress: (p) => progress.push(`${p.done}/${p.total}`),
    });
    expect(aws.ec2.commandCalls(DescribeRegionsCommand)[0]!.args[0].input).toEqual({ AllRegions: false });
    expect(snap.accounts[0]!.regions.map((r) => r.region)).toEqual(['eu-west-1', 'us-east-1']);
    expect(progress).toHaveLength(14);
    expect(progress.at(-1)).toBe('14/14');
  });
});

describe('collectSnapshot: several accounts', () => {
  const OTHER = '444455556666';
  const ROLE = `arn:aws:iam::${OTHER}:role/vigil-audit`;
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAHOMEACCOUNTEXAMPL');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'home-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
  });

  it('reads the home account with its own credentials and another through AssumeRole with the external ID', async () => {
    aws.sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAASSUMEDEXAMPLE01',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3600_000),
      },
    });
    const targets = [{}, { roleArn: ROLE, externalId: 'vigil-ext-42' }];
    const snap = await collect({ accounts: targets, clients: clientFactoryFor(targets) });
    expect(snap.accounts.map((a) => a.accountId)).toEqual([HOME_ACCOUNT, OTHER]);
    expect(aws.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'vigil-posture', ExternalId: 'vigil-ext-42', DurationSeconds: 3600 },
    ]);
    const creds = await Promise.all(
      aws.iam
        .commandCalls(GetAccountAuthorizationDetailsCommand)
        .map(async (c) => (await (c.thisValue as IAMClient).config.credentials()).accessKeyId),
    );
    expect(creds.sort()).toEqual(['AKIAHOMEACCOUNTEXAMPL', 'ASIAASSUMEDEXAMPLE01']);
    expect(snap.accounts[1]!.regions).toHaveLength(1);
  });

  it('records a role that cannot be assumed and still reads the other account', async () => {
    aws.sts
      .on(AssumeRoleCommand)
      .rejects(
        awsError(
          'AccessDenied',
          `User is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
          403,
        ),
      );
    const targets = [{ roleArn: ROLE, externalId: 'wrong' }, {}];
    const snap = await collect({ accounts: targets, clients: clientFactoryFor(targets) });
    expect(snap.accounts[0]).toEqual({ accountId: OTHER, regions: [] });
    expect(snap.accounts[1]!.accountId).toBe(HOME_ACCOUNT);
    expect(snap.accounts[1]!.regions).toHaveLength(1);
    expect(snap.errors).toContainEqual(
      expect.objectContaining({ accountId: OTHER, api: 'sts:AssumeRole', code: 'AccessDenied' }),
    );
  });
});

describe('parseCredentialReport', () => {
  it('reads quoted fields, CRLF line ends and short rows', () => {
    const csv = `${REPORT_HEADER}\r\n"a,b",arn:aws:iam::1:user/a\r\nalice,arn:aws:iam::1:user/alice,2024-01-01T00:00:00+00:00,true\r\n`;
    const rows = parseCredentialReport(csv);
    expect(rows.map((r) => r.user)).toEqual(['a,b', 'alice']);
    expect(rows[1]!.password_enabled).toBe('true');
    expect(rows[1]!.cert_2_last_rotated).toBe('');
  });

  it('refuses text without the header', () => {
    expect(() => parseCredentialReport('hello,world\n1,2\n')).toThrow(/header/);
  });
});

describe('createCaller', () => {
  it('keeps at most `concurrency` calls in flight', async () => {
    const caller = createCaller({ concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    const client = {
      async send() {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return { ok: true };
      },
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        caller.call(client, {}, 'x:Y', { accountId: HOME_ACCOUNT, service: 'x' }),
      ),
    );
    expect(results).toHaveLength(10);
    expect(peak).toBe(2);
    expect(caller.stats.calls).toBe(10);
  });

  it('drops a list whose pages never end', async () => {
    const caller = createCaller();
    const client = new EC2Client({ region: 'us-east-1' });
    client.send = (async () => ({ NextToken: 'same' })) as never;
    const pages = await caller.pages(
      client,
      () => ({}),
      (p: { NextToken?: string }) => p.NextToken,
      'ec2:DescribeVpcs',
      {
        accountId: HOME_ACCOUNT,
        service: 'ec2',
      },
    );
    expect(pages).toBeUndefined();
    expect(caller.errors[0]).toMatchObject({ code: 'PaginationLoop', api: 'ec2:DescribeVpcs' });
  });
});
