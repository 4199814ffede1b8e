import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../check-ids.js';
import type { AccountSnapshot, BucketSnapshot, Check, PostureSnapshot, RegionSnapshot } from '../types.js';
import { cloudtrailChecks } from './cloudtrail.js';
import { ec2Checks } from './ec2.js';
import { s3Checks } from './s3.js';
import { serviceChecks } from './services.js';

const checks: Check[] = [...s3Checks, ...cloudtrailChecks, ...ec2Checks, ...serviceChecks];
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

function bucket(name: string): BucketSnapshot {
  return {
    Name: name,
    Region: REGION,
    Policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
    Acl: { Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'owner' }, Permission: 'FULL_CONTROL' }] },
    OwnershipControls: { ObjectOwnership: 'BucketOwnerEnforced' },
    PublicAccessBlock: { ...ALL_ON },
    Encryption: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'k' } }],
    },
    Versioning: { Status: 'Enabled', MFADelete: 'Enabled' },
    Logging: { TargetBucket: 'acme-access-logs', TargetPrefix: `${name}/` },
  };
}

function region(): RegionSnapshot {
  return {
    region: REGION,
    cloudtrail: {
      trails: [
        {
          Name: 'main',
          TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/main`,
          HomeRegion: REGION,
          S3BucketName: 'acme-trail',
          IsMultiRegionTrail: true,
          LogFileValidationEnabled: true,
          KmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
          CloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:111122223333:log-group:trail',
          Status: { IsLogging: true, LatestCloudWatchLogsDeliveryTime: '2025-01-10T11:00:00Z' },
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
            },
          ],
        },
      ],
    },
    guardduty: {
      detectors: [{ DetectorId: 'd1', Status: 'ENABLED', Features: { S3_DATA_EVENTS: 'ENABLED' } }],
    },
    securityhub: { enabled: true },
    kms: {
      keys: [
        {
          KeyId: 'abc',
          Arn: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
          KeyManager: 'CUSTOMER',
          KeyState: 'Enabled',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeyRotationEnabled: true,
        },
        {
          KeyId: 'aws1',
          Arn: 'arn:aws:kms:eu-west-1:111122223333:key/aws1',
          KeyManager: 'AWS',
          KeyState: 'Enabled',
        },
      ],
    },
    ec2: {
      securityGroups: [
        {
          GroupId: 'sg-default',
          GroupName: 'default',
          VpcId: 'vpc-1',
          IpPermissions: [],
          IpPermissionsEgress: [],
        },
        {
          GroupId: 'sg-web',
          GroupName: 'web',
          VpcId: 'vpc-1',
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 443,
              ToPort: 443,
              IpRanges: [{ CidrIp: '0.0.0.0/0' }],
              Ipv6Ranges: [{ CidrIpv6: '::/0' }],
            },
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
            { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-web' }] },
          ],
          IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      ],
      ebsEncryptionByDefault: true,
      instances: [
        {
          InstanceId: 'i-1',
          State: 'running',
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        },
        {
          InstanceId: 'i-old',
          State: 'terminated',
          PublicIpAddress: '203.0.113.5',
          MetadataOptions: { HttpTokens: 'optional' },
        },
      ],
      vpcs: [{ VpcId: 'vpc-1', IsDefault: false }],
      flowLogs: [{ FlowLogId: 'fl-1', ResourceId: 'vpc-1', FlowLogStatus: 'ACTIVE', TrafficType: 'ALL' }],
      networkAcls: [
        {
          NetworkAclId: 'acl-1',
          VpcId: 'vpc-1',
          Entries: [
            {
              RuleNumber: 50,
              Protocol: '6',
              RuleAction: 'deny',
              Egress: false,
              CidrBlock: '0.0.0.0/0',
              PortRange: { From: 22, To: 22 },
            },
            {
              RuleNumber: 60,
              Protocol: '-1',
              RuleAction: 'deny',
              Egress: false,
              CidrBlock: '0.0.0.0/0',
              PortRange: { From: 3389, To: 3389 },
            },
            { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '10.0.0.0/8' },
            {
              RuleNumber: 110,
              Protocol: '6',
              RuleAction: 'allow',
              Egress: false,
              CidrBlock: '0.0.0.0/0',
              PortRange: { From: 443, To: 443 },
            },
            { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
            { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
            { RuleNumber: 32768, Protocol: '-1', RuleAction: 'deny', Egress: false, Ipv6CidrBlock: '::/0' },
          ],
        },
      ],
      publicSnapshotIds: [],
    },
    config: {
      recorders: [
        { name: 'default', recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } },
      ],
      status: [{ name: 'default', recording: true }],
    },
  };
}

function goodSnapshot(): PostureSnapshot {
  const account: AccountSnapshot = {
    accountId: ACCOUNT,
    alias: 'prod',
    s3: { accountPublicAccessBlock: { ...ALL_ON }, buckets: [bucket('acme-data'), bucket('acme-trail')] },
    regions: [region()],
  };
  return {
    format: 'vigil-posture-snapshot',
    version: 1,
    collectedAt: '2025-01-10T12:00:00Z',
    collector: 'test',
    accounts: [account],
    errors: [],
  };
}

const acct = (s: PostureSnapshot) => s.accounts[0]!;
const data = (s: PostureSnapshot) => acct(s).s3!.buckets[0]!;
const trailBucket = (s: PostureSnapshot) => acct(s).s3!.buckets[1]!;
const reg = (s: PostureSnapshot) => acct(s).regions[0]!;
const trail = (s: PostureSnapshot) => reg(s).cloudtrail!.trails[0]!;
const ec2 = (s: PostureSnapshot) => reg(s).ec2!;
const web = (s: PostureSnapshot) => ec2(s).securityGroups[1]!;
const nacl = (s: PostureSnapshot) => ec2(s).networkAcls![0]!;
const noBpa = (s: PostureSnapshot) => {
  acct(s).s3!.accountPublicAccessBlock = null;
  data(s).PublicAccessBlock = null;
  trailBucket(s).PublicAccessBlock = null;
};

function run(id: string, snapshot: PostureSnapshot) {
  const check = checks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check.run(snapshot);
}

describe('resource checks: catalogue', () => {
  it('implements every id of the Resources table, with complete metadata', () => {
    const ids = checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = CHECK_IDS.filter((id) => !id.startsWith('iam-'));
    expect([...ids].sort()).toEqual([...expected].sort());
    for (const c of checks) {
      expect(c.rationale.length, c.id).toBeGreaterThan(40);
      expect(c.remediation.text, c.id).toBeTruthy();
      expect(c.remediation.cli, c.id).toBeTruthy();
      expect(c.remediation.console, c.id).toBeTruthy();
      expect(c.remediation.cdk ?? c.remediation.cloudformation, c.id).toBeTruthy();
      expect((c.references.cis ?? []).length + (c.references.fsbp ?? []).length, c.id).toBeGreaterThan(0);
      expect(c.findingType, c.id).toMatch(/^Policy:[A-Za-z0-9]+\/[A-Za-z0-9]+$/);
    }
  });

  it('passes every resource of a well-configured account, with a sentence naming it', () => {
    const results = checks.flatMap((c) => c.run(goodSnapshot()).map((r) => ({ ...r, checkId: c.id })));
    const notPass = results.filter((r) => r.status !== 'PASS').map((r) => `${r.checkId}: ${r.message}`);
    expect(notPass).toEqual([]);
    for (const r of results) {
      expect(r.message).toMatch(/^[A-Z].*\.$/s);
      expect(r.message).toContain(
        r.resource.type === 'AwsAccount' ? ACCOUNT : r.resource.id.split('/').pop()!.split(':').pop()!,
      );
    }
    // Every check looked at something.
    for (const c of checks)
      expect(
        results.some((r) => r.checkId === c.id),
        c.id,
      ).toBe(true);
  });
});

/** [check id, what breaks, mutation, expected FAIL message]. */
const failing: [string, string, (s: PostureSnapshot) => void, RegExp][] = [
  [
    's3-account-public-access-block',
    'no account BPA',
    (s) => void (acct(s).s3!.accountPublicAccessBlock = null),
    /not configured at account level for account 111122223333 \(prod\)/,
  ],
  [
    's3-account-public-access-block',
    'one flag off',
    (s) => void (acct(s).s3!.accountPublicAccessBlock!.RestrictPublicBuckets = false),
    /has RestrictPublicBuckets off/,
  ],
  [
    's3-bucket-public-access-block',
    'bucket and account off',
    (s) => {
      acct(s).s3!.accountPublicAccessBlock = { BlockPublicAcls: true };
      data(s).PublicAccessBlock = { IgnorePublicAcls: true };
    },
    /^Bucket acme-data has BlockPublicPolicy and RestrictPublicBuckets off/,
  ],
  [
    's3-bucket-public',
    'Principal * read',
    (s) => {
      noBpa(s);
      data(s).Policy = {
        Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
      };
    },
    /^Bucket acme-data is publicly readable\. Bucket policy statement "Open" grants public read/,
  ],
  [
    's3-bucket-public',
    'AllUsers WRITE ACL',
    (s) => {
      noBpa(s);
      data(s).Acl!.Grants.push({
        Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
        Permission: 'WRITE',
      });
    },
    /publicly writable\. .*ACL grant 1 gives WRITE to AllUsers/,
  ],
  [
    's3-bucket-public',
    'IfExists vpce',
    (s) => {
      noBpa(s);
      data(s).Policy = {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Resource: '*',
            Condition: { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } },
          },
        ],
      };
    },
    /readable and writable.*Statement\[0\].*IfExists/,
  ],
  [
    's3-bucket-cross-account',
    'another account may change the policy',
    (s) =>
      void (data(s).Policy = {
        Statement: [
          {
            Sid: 'Partner',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::444455556666:root' },
            Action: ['s3:GetObject', 's3:PutBucketPolicy'],
            Resource: '*',
          },
        ],
      }),
    /statement "Partner" lets 444455556666 use s3:PutBucketPolicy/,
  ],
  [
    's3-bucket-cross-account',
    's3:* to everyone',
    (s) =>
      void (data(s).Policy = {
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
      }),
    /lets any account use s3:DeleteBucketPolicy/,
  ],
  [
    's3-secure-transport',
    'no TLS deny',
    (s) => void (data(s).Policy = null),
    /acme-data has no bucket policy, so nothing denies requests made without TLS/,
  ],
  [
    's3-secure-transport',
    'TLS deny for one action only',
    (s) =>
      void (data(s).Policy = {
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    /has no policy statement that denies/,
  ],
  [
    's3-bucket-acls-disabled',
    'ObjectWriter',
    (s) => void (data(s).OwnershipControls = { ObjectOwnership: 'ObjectWriter' }),
    /acme-data still honours ACLs \(Object Ownership: ObjectWriter\)/,
  ],
  [
    's3-bucket-acls-disabled',
    'no ownership controls',
    (s) => void (data(s).OwnershipControls = null),
    /not set, so ObjectWriter/,
  ],
  [
    's3-bucket-versioning',
    'suspended',
    (s) => void (data(s).Versioning = { Status: 'Suspended' }),
    /acme-data has versioning suspended/,
  ],
  [
    's3-bucket-mfa-delete',
    'disabled',
    (s) => void (data(s).Versioning!.MFADelete = 'Disabled'),
    /acme-data does not require MFA/,
  ],
  [
    's3-bucket-access-logging',
    'off',
    (s) => void (data(s).Logging = null),
    /acme-data has server access logging off/,
  ],
  [
    's3-bucket-kms-encryption',
    'SSE-S3',
    (s) =>
      void (data(s).Encryption = {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      }),
    /SSE-S3 \(AES256\) only/,
  ],
  [
    'cloudtrail-multi-region',
    'single-region trail',
    (s) => void (trail(s).IsMultiRegionTrail = false),
    /^Account 111122223333 \(prod\) has no multi-region trail/,
  ],
  [
    'cloudtrail-multi-region',
    'not logging',
    (s) => void (trail(s).Status!.IsLogging = false),
    /no multi-region trail that is logging/,
  ],
  [
    'cloudtrail-multi-region',
    'write-only management events',
    (s) => void (trail(s).EventSelectors![0]!.ReadWriteType = 'WriteOnly'),
    /no multi-region trail/,
  ],
  [
    'cloudtrail-log-validation',
    'off',
    (s) => void (trail(s).LogFileValidationEnabled = false),
    /Trail main has log file validation disabled/,
  ],
  [
    'cloudtrail-bucket-logging',
    'off',
    (s) => void (trailBucket(s).Logging = null),
    /Trail main's bucket acme-trail has server access logging off/,
  ],
  [
    'cloudtrail-kms',
    'no key',
    (s) => void delete trail(s).KmsKeyId,
    /Trail main is not encrypted with a KMS key/,
  ],
  [
    'cloudtrail-cloudwatch',
    'no log group',
    (s) => void delete trail(s).CloudWatchLogsLogGroupArn,
    /does not deliver to CloudWatch Logs/,
  ],
  [
    'cloudtrail-cloudwatch',
    'stale delivery',
    (s) => void (trail(s).Status!.LatestCloudWatchLogsDeliveryTime = '2025-01-01T00:00:00Z'),
    /more than a day before the snapshot/,
  ],
  [
    'cloudtrail-bucket-not-public',
    'public trail bucket',
    (s) => {
      noBpa(s);
      trailBucket(s).Policy = {
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
      };
    },
    /^Trail main: Bucket acme-trail is publicly readable/,
  ],
  [
    'cloudtrail-s3-data-events-write',
    'no data events',
    (s) => void (trail(s).EventSelectors![0]!.DataResources = []),
    /records S3 object-level write events/,
  ],
  [
    'cloudtrail-s3-data-events-write',
    'read-only data selector',
    (s) =>
      void (trail(s).EventSelectors = [
        { ReadWriteType: 'ReadOnly', DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] },
      ]),
    /write events/,
  ],
  [
    'cloudtrail-s3-data-events-read',
    'one bucket only',
    (s) =>
      void (trail(s).EventSelectors![0]!.DataResources = [
        { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::acme-data/'] },
      ]),
    /read events/,
  ],
  [
    'cloudtrail-s3-data-events-read',
    'advanced selector limited to writes',
    (s) =>
      void (trail(s).AdvancedEventSelectors = [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
      ]),
    /read events/,
  ],
  [
    'config-enabled',
    'not recording',
    (s) => void (reg(s).config!.status[0]!.recording = false),
    /recorder that is not recording/,
  ],
  [
    'config-enabled',
    'some types only',
    (s) => void (reg(s).config!.recorders[0]!.recordingGroup = { allSupported: false }),
    /records only some resource types/,
  ],
  [
    'kms-rotation',
    'off',
    (s) => void (reg(s).kms!.keys[0]!.KeyRotationEnabled = false),
    /KMS key abc in eu-west-1 does not rotate/,
  ],
  [
    'kms-pending-deletion',
    'scheduled',
    (s) =>
      Object.assign(reg(s).kms!.keys[0]!, {
        KeyState: 'PendingDeletion',
        DeletionDate: '2025-02-01T00:00:00Z',
      }),
    /abc in eu-west-1 is scheduled for deletion on 2025-02-01/,
  ],
  ['vpc-flow-logs', 'none', (s) => void (ec2(s).flowLogs = []), /VPC vpc-1 has no flow log/],
  [
    'vpc-flow-logs',
    'ACCEPT only',
    (s) => void (ec2(s).flowLogs[0]!.TrafficType = 'ACCEPT'),
    /capture ACCEPT traffic only \(fl-1\)/,
  ],
  [
    'guardduty-enabled',
    'suspended',
    (s) => void (reg(s).guardduty!.detectors[0]!.Status = 'DISABLED'),
    /GuardDuty is suspended for account 111122223333 \(prod\) in eu-west-1/,
  ],
  ['guardduty-enabled', 'no detector', (s) => void (reg(s).guardduty!.detectors = []), /not set up/],
  [
    'guardduty-s3-protection',
    'feature off',
    (s) => void (reg(s).guardduty!.detectors[0]!.Features = { S3_DATA_EVENTS: 'DISABLED' }),
    /S3 Protection is disabled/,
  ],
  [
    'securityhub-enabled',
    'off',
    (s) => void (reg(s).securityhub = { enabled: false }),
    /Security Hub is not enabled/,
  ],
  [
    'ec2-ebs-default-encryption',
    'off',
    (s) => void (ec2(s).ebsEncryptionByDefault = false),
    /EBS encryption by default is off for account 111122223333/,
  ],
  [
    'ec2-imdsv2',
    'optional tokens',
    (s) => void (ec2(s).instances[0]!.MetadataOptions!.HttpTokens = 'optional'),
    /Instance i-1 still accepts IMDSv1/,
  ],
  [
    'ec2-public-ip',
    'public address',
    (s) => void (ec2(s).instances[0]!.PublicIpAddress = '198.51.100.4'),
    /Instance i-1 has public IPv4 address 198\.51\.100\.4/,
  ],
  [
    'ec2-public-snapshots',
    'a public snapshot',
    (s) => void (ec2(s).publicSnapshotIds = ['snap-1']),
    /EBS snapshot snap-1 in eu-west-1 is public/,
  ],
  [
    'ec2-nacl-admin-ports',
    'allow-all before the denies',
    (s) =>
      nacl(s).Entries.push({
        RuleNumber: 10,
        Protocol: '-1',
        RuleAction: 'allow',
        Egress: false,
        CidrBlock: '0.0.0.0/0',
      }),
    /acl-1 \(vpc-1\): rule 10 allows 0\.0\.0\.0\/0 to tcp 22; rule 10 allows 0\.0\.0\.0\/0 to tcp 3389; rule 10 allows 0\.0\.0\.0\/0 to udp 3389/,
  ],
  [
    'ec2-nacl-admin-ports',
    'port range over 22, ipv6',
    (s) =>
      nacl(s).Entries.push({
        RuleNumber: 120,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: false,
        Ipv6CidrBlock: '::/0',
        PortRange: { From: 0, To: 1024 },
      }),
    /rule 120 allows ::\/0 to tcp 22/,
  ],
  [
    'ec2-sg-admin-ports-ipv4',
    'ssh from anywhere',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
    /Security group sg-web \(web, vpc-1\) allows 0\.0\.0\.0\/0 to port 22 \(tcp 22-22 from 0\.0\.0\.0\/0\)/,
  ],
  [
    'ec2-sg-admin-ports-ipv4',
    'all protocols',
    (s) => web(s).IpPermissions.push({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    /to port 22 and 3389 \(all traffic from 0\.0\.0\.0\/0\)/,
  ],
  [
    'ec2-sg-admin-ports-ipv4',
    'range covering 3389',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: '6',
        FromPort: 3000,
        ToPort: 4000,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
    /to port 3389/,
  ],
  [
    'ec2-sg-admin-ports-ipv4',
    'udp 3389 (RDP)',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'udp',
        FromPort: 3389,
        ToPort: 3389,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
    /to port 3389/,
  ],
  [
    'ec2-sg-admin-ports-ipv6',
    'ssh from ::/0',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      }),
    /allows ::\/0 to port 22/,
  ],
  [
    'ec2-default-sg-closed',
    'default SG with rules',
    (s) =>
      ec2(s).securityGroups[0]!.IpPermissionsEgress.push({
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
    /^Default security group sg-default .* has 0 inbound and 1 outbound rule\.$/,
  ],
  [
    'ec2-sg-high-risk-ports',
    'mysql and postgres open',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'tcp',
        FromPort: 3306,
        ToPort: 5432,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
    /high-risk ports 3306, 3389, 4333, 5000 and 5432/,
  ],
];

/** Changes that look risky but keep the check passing. */
const passing: [string, string, (s: PostureSnapshot) => void][] = [
  [
    's3-bucket-public-access-block',
    'bucket BPA off but account covers it',
    (s) => void (data(s).PublicAccessBlock = null),
  ],
  [
    's3-bucket-public-access-block',
    'split across account and bucket',
    (s) => {
      acct(s).s3!.accountPublicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true };
      data(s).PublicAccessBlock = { BlockPublicPolicy: true, RestrictPublicBuckets: true };
    },
  ],
  [
    's3-bucket-public',
    'public policy neutralised by account BPA',
    (s) =>
      void (data(s).Policy = {
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
      }),
  ],
  [
    's3-bucket-public',
    'Principal * pinned to a VPC endpoint, no BPA',
    (s) => {
      noBpa(s);
      data(s).Policy = {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b' } },
          },
        ],
      };
    },
  ],
  [
    's3-bucket-public',
    'Principal * limited to the organization, no BPA',
    (s) => {
      noBpa(s);
      data(s).Policy = {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
          },
        ],
      };
    },
  ],
  [
    's3-bucket-cross-account',
    'other account may only read',
    (s) =>
      void (data(s).Policy = {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 's3:GetObject', Resource: '*' },
        ],
      }),
  ],
  [
    's3-bucket-cross-account',
    'own account may change the policy',
    (s) =>
      void (data(s).Policy = {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` },
            Action: 's3:*',
            Resource: '*',
          },
        ],
      }),
  ],
  [
    'cloudtrail-multi-region',
    'advanced selector for all management events',
    (s) => {
      delete trail(s).EventSelectors;
      trail(s).AdvancedEventSelectors = [
        { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          ],
        },
      ];
    },
  ],
  [
    'cloudtrail-s3-data-events-read',
    'advanced selector, read only',
    (s) =>
      void (trail(s).AdvancedEventSelectors = [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'readOnly', Equals: ['true'] },
          ],
        },
      ]),
  ],
  [
    'kms-rotation',
    'asymmetric key without rotation is out of scope',
    (s) =>
      void reg(s).kms!.keys.push({
        KeyId: 'rsa',
        Arn: 'arn:aws:kms:eu-west-1:111122223333:key/rsa',
        KeyManager: 'CUSTOMER',
        KeyState: 'Enabled',
        KeySpec: 'RSA_2048',
        KeyUsage: 'SIGN_VERIFY',
        KeyRotationEnabled: false,
      }),
  ],
  ['vpc-flow-logs', 'REJECT-only flow log', (s) => void (ec2(s).flowLogs[0]!.TrafficType = 'REJECT')],
  [
    'ec2-imdsv2',
    'metadata endpoint disabled',
    (s) => void (ec2(s).instances[0]!.MetadataOptions = { HttpTokens: 'optional', HttpEndpoint: 'disabled' }),
  ],
  [
    'ec2-nacl-admin-ports',
    'narrow deny does not matter when there is no allow',
    (s) =>
      nacl(s).Entries.push({
        RuleNumber: 5,
        Protocol: '6',
        RuleAction: 'deny',
        Egress: false,
        CidrBlock: '1.2.3.4/32',
        PortRange: { From: 22, To: 22 },
      }),
  ],
  [
    'ec2-nacl-admin-ports',
    'allow-all after the admin denies',
    (s) =>
      nacl(s).Entries.push(
        { RuleNumber: 200, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
        {
          RuleNumber: 61,
          Protocol: '17',
          RuleAction: 'deny',
          Egress: false,
          CidrBlock: '0.0.0.0/0',
          PortRange: { From: 3389, To: 3389 },
        },
      ),
  ],
  [
    'ec2-nacl-admin-ports',
    'egress allow to 22 is not ingress',
    (s) =>
      nacl(s).Entries.push({
        RuleNumber: 1,
        Protocol: '6',
        RuleAction: 'allow',
        Egress: true,
        CidrBlock: '0.0.0.0/0',
        PortRange: { From: 22, To: 22 },
      }),
  ],
  [
    'ec2-sg-admin-ports-ipv4',
    'ICMP from anywhere opens no port',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'icmp',
        FromPort: -1,
        ToPort: -1,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
  ],
  [
    'ec2-sg-admin-ports-ipv4',
    'udp 22 is not SSH',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'udp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
  ],
  [
    'ec2-sg-admin-ports-ipv4',
    'ssh from ::/0 is the ipv6 check',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      }),
  ],
  [
    'ec2-sg-high-risk-ports',
    'a range between risky ports',
    (s) =>
      web(s).IpPermissions.push({
        IpProtocol: 'tcp',
        FromPort: 1435,
        ToPort: 2999,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
  ],
];

describe('resource checks: failing variants', () => {
  it.each(failing)('%s FAILs when %s', (id, _what, mutate, message) => {
    const snapshot = goodSnapshot();
    mutate(snapshot);
    const fails = run(id, snapshot).filter((r) => r.status === 'FAIL');
    expect(fails.map((r) => r.message)).toContainEqual(expect.stringMatching(message));
  });

  it('has a failing variant for every check', () => {
    for (const c of checks)
      expect(
        failing.some(([id]) => id === c.id),
        c.id,
      ).toBe(true);
  });
});

describe('resource checks: passing variants', () => {
  it.each(passing)('%s still PASSes: %s', (id, _what, mutate) => {
    const snapshot = goodSnapshot();
    mutate(snapshot);
    const results = run(id, snapshot);
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status !== 'PASS').map((r) => r.message)).toEqual([]);
  });

  it('says when account-level BPA covers a bucket, and why a bucket is not public', () => {
    const s = goodSnapshot();
    data(s).PublicAccessBlock = null;
    data(s).Policy = {
      Statement: [{ Sid: 'Web', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
    };
    expect(run('s3-bucket-public-access-block', s)[0]!.message).toBe(
      'Bucket acme-data is covered by account-level Block Public Access, which has all four settings on.',
    );
    expect(run('s3-bucket-public', s)[0]!.message).toMatch(
      /^Bucket acme-data is not public\. Public grants exist but account BPA neutralises them\. Bucket policy statement "Web" grants public read.*RestrictPublicBuckets is on \(account BPA\)/,
    );
  });
});

describe('resource checks: UNKNOWN when data was not collected', () => {
  it('names the API that failed', () => {
    const s = goodSnapshot();
    delete data(s).Policy;
    acct(s).s3!.accountPublicAccessBlock = null;
    data(s).PublicAccessBlock = null;
    s.errors.push({
      accountId: ACCOUNT,
      service: 's3',
      api: 's3:GetBucketPolicy',
      resource: 'acme-data',
      code: 'AccessDenied',
      message: 'not allowed',
    });
    const [r] = run('s3-bucket-public', s);
    expect(r).toMatchObject({ status: 'UNKNOWN', resource: { type: 'AwsS3Bucket', id: 'acme-data' } });
    expect(r!.message).toMatch(
      /^Whether bucket acme-data is public cannot be decided: the bucket policy \(s3:GetBucketPolicy\) was not collected \(s3:GetBucketPolicy failed: AccessDenied\)/,
    );
    const [secure] = run('s3-secure-transport', s);
    expect(secure!.message).toBe(
      'The bucket policy of bucket acme-data was not collected (s3:GetBucketPolicy failed: AccessDenied — not allowed).',
    );
  });

  it('reports a missing service per region, and a missing account section once', () => {
    const s = goodSnapshot();
    delete reg(s).guardduty;
    delete reg(s).ec2;
    delete acct(s).s3;
    s.errors.push({
      accountId: ACCOUNT,
      region: REGION,
      service: 'guardduty',
      api: 'guardduty:ListDetectors',
      code: 'SubscriptionRequiredException',
      message: 'opt-in region',
    });
    const gd = run('guardduty-enabled', s);
    expect(gd).toEqual([expect.objectContaining({ status: 'UNKNOWN', region: REGION })]);
    expect(gd[0]!.message).toMatch(
      /GuardDuty detectors of account 111122223333 \(prod\) in eu-west-1 was not collected \(guardduty:ListDetectors failed: SubscriptionRequiredException/,
    );
    for (const id of [
      'ec2-imdsv2',
      'vpc-flow-logs',
      'ec2-sg-admin-ports-ipv4',
      's3-bucket-versioning',
      's3-account-public-access-block',
    ])
      expect(
        run(id, s).map((r) => r.status),
        id,
      ).toEqual(['UNKNOWN']);
    expect(run('s3-bucket-versioning', s)[0]!.message).toMatch(/no collection error was recorded/);
  });

  it('is UNKNOWN when the trail bucket belongs to an account not in the snapshot', () => {
    const s = goodSnapshot();
    trail(s).S3BucketName = 'central-logging-bucket';
    for (const id of ['cloudtrail-bucket-logging', 'cloudtrail-bucket-not-public']) {
      const [r] = run(id, s);
      expect(r!.status).toBe('UNKNOWN');
      expect(r!.message).toMatch(/central-logging-bucket, which is not in the snapshot/);
    }
  });

  it('de-duplicates a multi-region trail listed in several regions', () => {
    const s = goodSnapshot();
    acct(s).regions.push({ ...region(), region: 'us-east-1' });
    expect(run('cloudtrail-log-validation', s)).toHaveLength(1);
  });
});
