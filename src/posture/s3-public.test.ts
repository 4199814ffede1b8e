import { describe, expect, it } from 'vitest';
import { assessBucketPolicy, assessBucketPublicAccess, globCovers, isRestrictingCidr } from './s3-public.js';
import type { BucketSnapshot, PolicyStatement, PublicAccessBlock } from './types.js';

const ARN = 'arn:aws:s3:::acme-data';
const read = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Sid: 'Read',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `${ARN}/*`,
  ...extra,
});
const cond = (operator: string, key: string, value: string | string[]) => ({
  Condition: { [operator]: { [key]: value } },
});
const isPublic = (...statements: PolicyStatement[]) =>
  assessBucketPolicy({ Version: '2012-10-17', Statement: statements }).public;

describe('assessBucketPolicy: restricting conditions (AWS "meaning of public")', () => {
  // [description, condition, public?]
  const cases: [string, ReturnType<typeof cond>, boolean][] = [
    ['fixed aws:SourceVpce', cond('StringEquals', 'aws:SourceVpce', 'vpce-1a2b3c4d'), false],
    ['aws:SourceVpce with a wildcard', cond('StringLike', 'aws:SourceVpce', 'vpce-*'), true],
    ['aws:SourceVpce "*" under StringEquals', cond('StringEquals', 'aws:SourceVpce', '*'), true],
    [
      'aws:SourceVpce under StringEqualsIfExists',
      cond('StringEqualsIfExists', 'aws:SourceVpce', 'vpce-1'),
      true,
    ],
    ['aws:SourceVpce under StringNotEquals', cond('StringNotEquals', 'aws:SourceVpce', 'vpce-1'), true],
    ['fixed aws:SourceVpc', cond('StringEquals', 'aws:SourceVpc', 'vpc-91237329'), false],
    ['aws:SourceVpc with a wildcard (AWS example)', cond('StringLike', 'aws:SourceVpc', 'vpc-*'), true],
    ['StringLike without a wildcard', cond('StringLike', 'aws:SourceVpc', 'vpc-91237329'), false],
    ['key names are case-insensitive', cond('StringEquals', 'AWS:SOURCEVPC', 'vpc-9'), false],
    ['private aws:SourceIp', cond('IpAddress', 'aws:SourceIp', '10.0.0.0/8'), false],
    [
      'specific public aws:SourceIp',
      cond('IpAddress', 'aws:SourceIp', ['203.0.113.0/24', '198.51.100.7']),
      false,
    ],
    ['aws:SourceIp 0.0.0.0/0', cond('IpAddress', 'aws:SourceIp', '0.0.0.0/0'), true],
    ['aws:SourceIp 0.0.0.0/1', cond('IpAddress', 'aws:SourceIp', '0.0.0.0/1'), true],
    ['aws:SourceIp ::/0', cond('IpAddress', 'aws:SourceIp', '::/0'), true],
    [
      'one broad range among narrow ones',
      cond('IpAddress', 'aws:SourceIp', ['10.1.0.0/16', '0.0.0.0/0']),
      true,
    ],
    ['aws:SourceIp under NotIpAddress', cond('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8'), true],
    [
      'aws:SourceIp under StringEquals (wrong operator)',
      cond('StringEquals', 'aws:SourceIp', '10.0.0.1'),
      true,
    ],
    ['fixed aws:PrincipalOrgID', cond('StringEquals', 'aws:PrincipalOrgID', 'o-a1b2c3d4e5'), false],
    ['aws:PrincipalOrgID IfExists', cond('StringEqualsIfExists', 'aws:PrincipalOrgID', 'o-a1b2c3d4e5'), true],
    [
      'aws:PrincipalOrgID with a policy variable',
      cond('StringEquals', 'aws:PrincipalOrgID', '${aws:ResourceOrgID}'),
      true,
    ],
    ['fixed aws:PrincipalAccount', cond('StringEquals', 'aws:PrincipalAccount', '111122223333'), false],
    ['fixed aws:SourceAccount', cond('StringEquals', 'aws:SourceAccount', '111122223333'), false],
    [
      'fixed aws:SourceArn',
      cond('ArnEquals', 'aws:SourceArn', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main'),
      false,
    ],
    [
      'aws:SourceArn with a wildcard',
      cond('ArnLike', 'aws:SourceArn', 'arn:aws:cloudtrail:*:111122223333:trail/*'),
      true,
    ],
    ['fixed aws:SourceOwner', cond('StringEquals', 'aws:SourceOwner', '111122223333'), false],
    ['fixed aws:userid', cond('StringEquals', 'aws:userid', 'AIDAEXAMPLEUSERID'), false],
    ['aws:userid role-session pattern', cond('StringLike', 'aws:userid', 'AROAEXAMPLEROLEID:*'), true],
    [
      'access point ARN, wildcard name, fixed account',
      cond('StringLike', 's3:DataAccessPointArn', 'arn:aws:s3:us-west-2:123456789012:accesspoint/*'),
      false,
    ],
    [
      'access point ARN, wildcard account',
      cond('StringLike', 's3:DataAccessPointArn', 'arn:aws:s3:us-west-2:*:accesspoint/*'),
      true,
    ],
    [
      'fixed s3:DataAccessPointAccount',
      cond('StringEquals', 's3:DataAccessPointAccount', '123456789012'),
      false,
    ],
    [
      'ForAnyValue with fixed values',
      cond('ForAnyValue:StringEquals', 'aws:PrincipalOrgID', 'o-a1b2c3d4e5'),
      false,
    ],
    [
      'ForAllValues (true when the key is absent)',
      cond('ForAllValues:StringEquals', 'aws:PrincipalOrgID', 'o-a1b2c3d4e5'),
      true,
    ],
    [
      'aws:Referer is not a restricting key',
      cond('StringLike', 'aws:Referer', 'https://acme.example/*'),
      true,
    ],
    ['aws:SecureTransport is not a restricting key', cond('Bool', 'aws:SecureTransport', 'true'), true],
    [
      "KMS key id is no longer on AWS's list",
      cond('StringEquals', 's3:x-amz-server-side-encryption-aws-kms-key-id', 'k'),
      true,
    ],
    ['Null check does not fix a value', cond('Null', 'aws:SourceVpce', 'false'), true],
  ];
  it.each(cases)('%s → public=%s', (_name, condition, expected) => {
    expect(isPublic(read(condition))).toBe(expected);
  });

  it('ANDs conditions: one restricting key beside a non-restricting one is enough', () => {
    const c = {
      Condition: { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
    };
    expect(isPublic(read(c))).toBe(false);
  });
});

describe('assessBucketPolicy: principals, statements and reasons', () => {
  it.each<[string, Partial<PolicyStatement>, boolean]>([
    ['Principal "*"', {}, true],
    ['{"AWS": "*"}', { Principal: { AWS: '*' } }, true],
    [
      'a wildcard among fixed principals',
      { Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } },
      true,
    ],
    ['a fixed account', { Principal: { AWS: 'arn:aws:iam::111122223333:root' } }, false],
    ['a service principal', { Principal: { Service: 'cloudtrail.amazonaws.com' } }, false],
    ['a canonical user', { Principal: { CanonicalUser: 'abc123' } }, false],
    ['Allow with NotPrincipal', { Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }, true],
    ['a Deny statement alone', { Effect: 'Deny' }, false],
  ])('%s → public=%s', (_name, extra, expected) => {
    expect(isPublic(read(extra))).toBe(expected);
  });

  it('a public statement makes the whole policy public and names it', () => {
    const v = assessBucketPolicy({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: '*',
        },
        { Effect: 'Allow', Principal: { AWS: '222233334444' }, Action: 's3:GetObject', Resource: '*' },
        { Effect: 'Allow', Principal: '*', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: '*' },
      ],
    });
    expect(v).toMatchObject({ public: true, read: false, write: true });
    expect(v.reasons).toEqual([expect.stringMatching(/^Bucket policy Statement\[2\] grants public write/)]);
  });

  it('classifies read and write from actions, NotAction and wildcards', () => {
    const access = (a: Partial<PolicyStatement>) => {
      const v = assessBucketPolicy({ Statement: [read(a)] });
      return [v.read, v.write];
    };
    expect(access({ Action: 's3:Get*' })).toEqual([true, false]);
    expect(access({ Action: 's3:ListBucket' })).toEqual([true, false]);
    expect(access({ Action: 's3:*' })).toEqual([true, true]);
    expect(access({ Action: '*' })).toEqual([true, true]);
    expect(access({ Action: 's3:PutObjectAcl' })).toEqual([false, true]);
    expect(access({ Action: undefined, NotAction: 's3:Delete*' })).toEqual([true, true]);
    expect(
      access({
        Action: undefined,
        NotAction: ['s3:Put*', 's3:Delete*', 's3:Abort*', 's3:Restore*', 's3:Replicate*', 's3:Bypass*'],
      }),
    ).toEqual([true, false]);
  });

  it('says why a condition that looks restricting is not', () => {
    const v = assessBucketPolicy({
      Statement: [read(cond('StringEqualsIfExists', 'aws:SourceVpce', 'vpce-1'))],
    });
    expect(v.reasons[0]).toMatch(
      /statement "Read" grants public read.*aws:SourceVpce under StringEqualsIfExists does not restrict/,
    );
    const ok = assessBucketPolicy({ Statement: [read(cond('StringEquals', 'aws:SourceVpce', 'vpce-1'))] });
    expect(ok.reasons[0]).toBe(
      'Bucket policy statement "Read" is not public: Principal "*" is everyone, but it is limited to aws:SourceVpce StringEquals vpce-1.',
    );
  });
});

describe('assessBucketPolicy: Deny statements that take public access away', () => {
  const perimeter = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
    Sid: 'OnlyFromVpce',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [ARN, `${ARN}/*`],
    Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b' } },
    ...extra,
  });
  it.each<[string, PolicyStatement, boolean]>([
    ['data perimeter Deny (StringNotEquals aws:SourceVpce)', perimeter(), false],
    [
      'IfExists on the Deny still refuses callers without the key',
      perimeter({ Condition: { StringNotEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } } }),
      false,
    ],
    [
      'Deny of NotIpAddress with private ranges',
      perimeter({ Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } }),
      false,
    ],
    [
      'Deny outside the org',
      perimeter({ Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }),
      false,
    ],
    [
      'Deny everyone but one account (NotPrincipal)',
      perimeter({
        Principal: undefined,
        NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' },
        Condition: undefined,
      }),
      false,
    ],
    [
      'Deny only without TLS leaves the rest public',
      perimeter({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      true,
    ],
    [
      'Deny with a wildcard vpce value',
      perimeter({ Condition: { StringNotLike: { 'aws:SourceVpce': 'vpce-*' } } }),
      true,
    ],
    [
      'Deny with a restricting and an unrelated condition',
      perimeter({
        Condition: { StringNotEquals: { 'aws:SourceVpce': 'v' }, Bool: { 'aws:SecureTransport': 'false' } },
      }),
      true,
    ],
    ['Deny that covers fewer actions', perimeter({ Action: 's3:PutObject' }), true],
    ['Deny that covers another bucket', perimeter({ Resource: 'arn:aws:s3:::other/*' }), true],
    ['Deny for one principal only', perimeter({ Principal: { AWS: 'arn:aws:iam::1:root' } }), true],
    [
      'Deny with ForAnyValue (false when the key is absent)',
      perimeter({ Condition: { 'ForAnyValue:StringNotEquals': { 'aws:SourceVpce': 'v' } } }),
      true,
    ],
  ])('%s → public=%s', (_name, deny, expected) => {
    expect(isPublic(read(), deny)).toBe(expected);
  });

  it('names the Deny in the reason', () => {
    const v = assessBucketPolicy({ Statement: [read(), perimeter()] });
    expect(v.reasons[0]).toMatch(
      /Deny statement "OnlyFromVpce" refuses everyone whenever aws:SourceVpce is not vpce-1a2b/,
    );
  });
});

describe('helpers', () => {
  it.each<[string, boolean]>([
    ['10.0.0.0/8', true],
    ['10.0.0.0/7', false],
    ['172.16.0.0/12', true],
    ['192.168.0.0/16', true],
    ['11.0.0.0/8', true],
    ['11.0.0.0/7', false],
    ['203.0.113.9', true],
    ['2001:db8::/32', true],
    ['2001:db8::/31', false],
    ['not-an-ip/8', false],
    ['10.0.0.0/33', false],
  ])('isRestrictingCidr(%s) = %s', (cidr, expected) => {
    expect(isRestrictingCidr(cidr)).toBe(expected);
  });

  it('globCovers compares patterns', () => {
    expect(globCovers('s3:*', 's3:Get*')).toBe(true);
    expect(globCovers('s3:Get*', 's3:GetObject')).toBe(true);
    expect(globCovers('s3:GetObject', 's3:Get*')).toBe(false);
    expect(globCovers('arn:aws:s3:::b/*', 'arn:aws:s3:::b/logs/*')).toBe(true);
    expect(globCovers('arn:aws:s3:::b/*', 'arn:aws:s3:::b')).toBe(false);
  });
});

describe('assessBucketPublicAccess: policy + ACL + Block Public Access', () => {
  const ALL: PublicAccessBlock = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };
  const NONE: PublicAccessBlock = {
    BlockPublicAcls: false,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
  };
  const publicPolicy = { Statement: [read()] };
  const publicAcl = {
    Grants: [
      {
        Grantee: { Type: 'Group' as const, URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
        Permission: 'READ' as const,
      },
    ],
  };
  const privateAcl = {
    Grants: [
      { Grantee: { Type: 'CanonicalUser' as const, ID: 'owner' }, Permission: 'FULL_CONTROL' as const },
    ],
  };
  const bucket = (b: Partial<BucketSnapshot>): BucketSnapshot => ({
    Name: 'acme-data',
    Region: 'eu-west-1',
    Policy: null,
    Acl: privateAcl,
    PublicAccessBlock: null,
    ...b,
  });

  it.each<
    [string, Partial<BucketSnapshot>, PublicAccessBlock | null | undefined, boolean, string | undefined]
  >([
    ['private bucket, no BPA', {}, null, false, undefined],
    ['public policy, no BPA', { Policy: publicPolicy }, null, true, undefined],
    ['public policy, BPA all off', { Policy: publicPolicy, PublicAccessBlock: NONE }, NONE, true, undefined],
    [
      'public policy, account RestrictPublicBuckets',
      { Policy: publicPolicy },
      { RestrictPublicBuckets: true },
      false,
      'account BPA',
    ],
    [
      'public policy, bucket RestrictPublicBuckets',
      { Policy: publicPolicy, PublicAccessBlock: { RestrictPublicBuckets: true } },
      null,
      false,
      'bucket BPA',
    ],
    [
      'public policy, only BlockPublicPolicy (existing policy stays)',
      { Policy: publicPolicy, PublicAccessBlock: { BlockPublicPolicy: true } },
      { BlockPublicPolicy: true },
      true,
      undefined,
    ],
    [
      'public policy, IgnorePublicAcls does not help',
      { Policy: publicPolicy },
      { IgnorePublicAcls: true },
      true,
      undefined,
    ],
    ['public ACL, no BPA', { Acl: publicAcl }, null, true, undefined],
    [
      'public ACL, account IgnorePublicAcls',
      { Acl: publicAcl },
      { IgnorePublicAcls: true },
      false,
      'account BPA',
    ],
    [
      'public ACL, bucket IgnorePublicAcls',
      { Acl: publicAcl, PublicAccessBlock: { IgnorePublicAcls: true } },
      NONE,
      false,
      'bucket BPA',
    ],
    [
      'public ACL, only BlockPublicAcls (existing ACL stays)',
      { Acl: publicAcl },
      { BlockPublicAcls: true },
      true,
      undefined,
    ],
    [
      'public ACL, RestrictPublicBuckets does not help',
      { Acl: publicAcl },
      { RestrictPublicBuckets: true },
      true,
      undefined,
    ],
    ['both public, account all four', { Acl: publicAcl, Policy: publicPolicy }, ALL, false, 'account BPA'],
    [
      'both public, ACL ignored by bucket, policy restricted by account',
      { Acl: publicAcl, Policy: publicPolicy, PublicAccessBlock: { IgnorePublicAcls: true } },
      { RestrictPublicBuckets: true },
      false,
      'bucket BPA',
    ],
    [
      'both public, only the ACL ignored',
      { Acl: publicAcl, Policy: publicPolicy },
      { IgnorePublicAcls: true },
      true,
      undefined,
    ],
  ])('%s → public=%s', (_name, b, account, expected, mitigatedBy) => {
    const v = assessBucketPublicAccess(bucket(b), account);
    expect(v.public).toBe(expected);
    expect(v.mitigatedBy).toBe(mitigatedBy);
    expect(v.missing).toEqual([]);
  });

  it('AuthenticatedUsers grants are public; FULL_CONTROL reads and writes', () => {
    const v = assessBucketPublicAccess(
      bucket({
        Acl: {
          Grants: [
            {
              Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' },
              Permission: 'FULL_CONTROL',
            },
          ],
        },
      }),
      null,
    );
    expect(v).toMatchObject({ public: true, read: true, write: true });
    expect(v.reasons).toEqual([
      'Bucket ACL grant 0 gives FULL_CONTROL to AuthenticatedUsers (any AWS account).',
    ]);
  });

  it('the log delivery group is not public', () => {
    const acl = {
      Grants: [
        {
          Grantee: { Type: 'Group' as const, URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' },
          Permission: 'WRITE' as const,
        },
      ],
    };
    expect(assessBucketPublicAccess(bucket({ Acl: acl }), null).public).toBe(false);
  });

  it('reports what was not collected when it could change the answer', () => {
    expect(assessBucketPublicAccess(bucket({ Policy: undefined }), null).missing).toEqual([
      'bucket policy (s3:GetBucketPolicy)',
    ]);
    // Account RestrictPublicBuckets makes the missing policy irrelevant.
    const covered = assessBucketPublicAccess(bucket({ Policy: undefined }), { RestrictPublicBuckets: true });
    expect(covered.missing).toEqual([]);
    expect(covered.reasons[0]).toMatch(
      /policy was not collected, but RestrictPublicBuckets is on \(account BPA\)/,
    );
    // A public policy with the account BPA unknown may still be mitigated.
    const maybe = assessBucketPublicAccess(bucket({ Policy: publicPolicy }), undefined);
    expect(maybe).toMatchObject({
      public: true,
      missing: ['account Block Public Access (s3:GetAccountPublicAccessBlock)'],
    });
    // …but a public ACL with everything known off is certain, whatever else is missing.
    const sure = assessBucketPublicAccess(bucket({ Policy: undefined, Acl: publicAcl }), NONE);
    expect(sure).toMatchObject({ public: true, missing: [] });
  });
});
