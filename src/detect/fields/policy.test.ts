import { describe, it, expect } from 'vitest';
import type { VigilEvent } from '../../core/event.js';
import { createFieldGetter } from './index.js';
import {
  externalAccounts,
  grantsAdmin,
  hasPublicPrincipal,
  parsePolicy,
  principalAccount,
} from './policy.js';

const OWN = '111122223333';

function event(eventName: string, requestParameters: Record<string, unknown>): VigilEvent {
  return {
    time: '2026-11-20T10:00:00Z',
    ts: Date.parse('2026-11-20T10:00:00Z'),
    source: 'cloudtrail',
    accountId: OWN,
    region: 'us-east-1',
    eventName,
    eventSource: 'iam.amazonaws.com',
    service: 'iam',
    principal: `arn:aws:iam::${OWN}:user/alice`,
    principalType: 'IAMUser',
    principalAccountId: OWN,
    principalName: 'alice',
    sessionName: undefined,
    accessKeyId: 'AKIAEXAMPLE',
    mfa: false,
    sourceIp: '203.0.113.7',
    sourceIsService: false,
    userAgent: 'aws-cli/2.15.0',
    errorCode: undefined,
    readOnly: false,
    eventId: 'e1',
    raw: { eventName, recipientAccountId: OWN, requestParameters },
  };
}

const doc = (statement: unknown) => ({ Version: '2012-10-17', Statement: statement });
const get = createFieldGetter();
const field = (e: VigilEvent, name: string) => get(e, `vigil.${name}`);

describe('parsePolicy', () => {
  const policy = doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]);

  it('parses plain JSON text', () => {
    expect(parsePolicy(JSON.stringify(policy))).toEqual(policy);
  });

  it('parses URL-encoded JSON text, including + for spaces', () => {
    expect(parsePolicy(encodeURIComponent(JSON.stringify(policy)))).toEqual(policy);
    const formEncoded = encodeURIComponent(JSON.stringify(policy, null, 1)).replace(/%20/g, '+');
    expect(parsePolicy(formEncoded)).toEqual(policy);
  });

  it('passes an already-parsed object through', () => {
    expect(parsePolicy(policy)).toBe(policy);
  });

  it('returns undefined for malformed or non-object text', () => {
    expect(parsePolicy('{"Statement": [')).toBeUndefined();
    expect(parsePolicy('%E0%A4%A')).toBeUndefined();
    expect(parsePolicy('"just a string"')).toBeUndefined();
    expect(parsePolicy('[1,2]')).toBeUndefined();
    expect(parsePolicy('')).toBeUndefined();
    expect(parsePolicy(42)).toBeUndefined();
    expect(parsePolicy('x'.repeat(300 * 1024))).toBeUndefined();
  });
});

describe('grantsAdmin', () => {
  it('is true for Action * (string or array) on Resource *', () => {
    expect(grantsAdmin(doc({ Effect: 'Allow', Action: '*', Resource: '*' }))).toBe(true);
    expect(grantsAdmin(doc([{ Effect: 'Allow', Action: ['s3:GetObject', '*:*'], Resource: ['*'] }]))).toBe(
      true,
    );
  });

  it('is true for iam:* on every resource, whatever the case', () => {
    expect(grantsAdmin(doc({ Effect: 'Allow', Action: 'IAM:*', Resource: '*' }))).toBe(true);
  });

  it('is false when the resource is narrowed or the statement is a Deny', () => {
    expect(grantsAdmin(doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/*' }))).toBe(false);
    expect(grantsAdmin(doc({ Effect: 'Deny', Action: '*', Resource: '*' }))).toBe(false);
    expect(grantsAdmin(doc({ Effect: 'Allow', Action: ['s3:*', 'ec2:Describe*'], Resource: '*' }))).toBe(
      false,
    );
  });

  it('treats Allow + NotAction on * as admin unless IAM is excluded (PowerUserAccess)', () => {
    expect(grantsAdmin(doc({ Effect: 'Allow', NotAction: 's3:DeleteBucket', Resource: '*' }))).toBe(true);
    expect(
      grantsAdmin(doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' })),
    ).toBe(false);
  });
});

describe('hasPublicPrincipal', () => {
  const allow = (extra: Record<string, unknown>) =>
    doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra });

  it('is true for Principal "*" and {"AWS":"*"} (also in an array)', () => {
    expect(hasPublicPrincipal(allow({ Principal: '*' }))).toBe(true);
    expect(hasPublicPrincipal(allow({ Principal: { AWS: '*' } }))).toBe(true);
    expect(hasPublicPrincipal(allow({ Principal: { AWS: ['arn:aws:iam::444455556666:root', '*'] } }))).toBe(
      true,
    );
  });

  it('is false for named accounts and service principals', () => {
    expect(hasPublicPrincipal(allow({ Principal: { AWS: ['arn:aws:iam::111122223333:root'] } }))).toBe(false);
    expect(hasPublicPrincipal(allow({ Principal: { Service: 'cloudtrail.amazonaws.com' } }))).toBe(false);
    expect(hasPublicPrincipal(allow({ Principal: { Service: '*' } }))).toBe(false);
  });

  it('ignores Deny statements', () => {
    expect(hasPublicPrincipal(doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }))).toBe(
      false,
    );
  });

  it('treats Allow with NotPrincipal as public', () => {
    expect(hasPublicPrincipal(allow({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/bob' } }))).toBe(
      true,
    );
  });

  it('is false when a restricting condition binds the principal', () => {
    for (const key of [
      'aws:SourceVpce',
      'aws:PrincipalOrgID',
      'aws:SourceIp',
      'AWS:SourceAccount',
      'aws:SourceArn',
      'aws:PrincipalArn',
      'AWS:SourceOwner',
    ]) {
      const op = key.endsWith('Ip') ? 'IpAddress' : 'StringEquals';
      expect(
        hasPublicPrincipal(allow({ Principal: '*', Condition: { [op]: { [key]: 'value-1' } } })),
        key,
      ).toBe(false);
    }
  });

  it('is true when the condition does not restrict (negated, IfExists, wildcard, unrelated key)', () => {
    const cases = [
      { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1234' } },
      { StringLike: { 'aws:PrincipalArn': '*' } },
      { Bool: { 'aws:SecureTransport': 'true' } },
    ];
    for (const Condition of cases)
      expect(hasPublicPrincipal(allow({ Principal: '*', Condition }))).toBe(true);
  });
});

describe('principalAccount and externalAccounts', () => {
  it('reads bare ids, root ARNs, user/role ARNs and STS ARNs', () => {
    expect(principalAccount('444455556666')).toBe('444455556666');
    expect(principalAccount('arn:aws:iam::444455556666:root')).toBe('444455556666');
    expect(principalAccount('arn:aws-us-gov:iam::444455556666:role/x')).toBe('444455556666');
    expect(principalAccount('arn:aws:sts::444455556666:assumed-role/r/s')).toBe('444455556666');
    expect(principalAccount('AIDAEXAMPLEUNIQUEID')).toBeUndefined();
  });

  it('lists other accounts from Allow statements only, unique, excluding the own account', () => {
    const d = doc([
      {
        Effect: 'Allow',
        Principal: {
          AWS: ['arn:aws:iam::111122223333:root', '444455556666', 'arn:aws:iam::444455556666:root'],
        },
        Action: 'sts:AssumeRole',
      },
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::777788889999:root' }, Action: 'sts:AssumeRole' },
    ]);
    expect(externalAccounts(d, OWN)).toEqual(['444455556666']);
  });

  it('drops accounts bound by ExternalId or organization when asked for unbound ones', () => {
    const d = doc([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'vendor-123' } },
      },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777788889999:root' }, Action: 'sts:AssumeRole' },
    ]);
    expect(externalAccounts(d, OWN)).toEqual(['444455556666', '777788889999']);
    expect(externalAccounts(d, OWN, true)).toEqual(['777788889999']);
  });
});

describe('vigil.policy.* fields through the field getter', () => {
  it('reads policyDocument text (PutUserPolicy) and reports admin access', () => {
    const e = event('PutUserPolicy', {
      userName: 'bob',
      policyName: 'p',
      policyDocument: JSON.stringify(doc({ Effect: 'Allow', Action: '*', Resource: '*' })),
    });
    expect(field(e, 'policy.adminAccess')).toBe(true);
    expect(field(e, 'policy.document')).toEqual(doc({ Effect: 'Allow', Action: '*', Resource: '*' }));
  });

  it('reports admin access for an attached AdministratorAccess or IAMFullAccess, not PowerUserAccess', () => {
    expect(
      field(
        event('AttachRolePolicy', {
          roleName: 'r',
          policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
        'policy.adminAccess',
      ),
    ).toBe(true);
    expect(
      field(
        event('AttachUserPolicy', { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }),
        'policy.adminAccess',
      ),
    ).toBe(true);
    expect(
      field(
        event('AttachUserPolicy', { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' }),
        'policy.adminAccess',
      ),
    ).toBeUndefined();
    expect(
      field(
        event('AttachUserPolicy', {
          userName: 'u',
          policyArn: 'arn:aws:iam::111122223333:policy/AdministratorAccess',
        }),
        'policy.adminAccess',
      ),
    ).toBeUndefined();
  });

  it('reads a URL-encoded assumeRolePolicyDocument (CreateRole) for principals', () => {
    const trust = doc({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:root' },
      Action: 'sts:AssumeRole',
    });
    const e = event('CreateRole', {
      roleName: 'r',
      assumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
    });
    expect(field(e, 'policy.externalAccounts')).toEqual(['444455556666']);
    expect(field(e, 'policy.unboundExternalAccounts')).toEqual(['444455556666']);
    expect(field(e, 'policy.publicPrincipal')).toBe(false);
  });

  it('reads an S3 bucketPolicy object (PutBucketPolicy)', () => {
    const e = event('PutBucketPolicy', {
      bucketName: 'b',
      bucketPolicy: doc({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
      }),
    });
    expect(field(e, 'policy.publicPrincipal')).toBe(true);
    expect(field(e, 'policy.externalAccounts')).toBeUndefined();
  });

  it('reads SQS attributes.Policy', () => {
    const e = event('SetQueueAttributes', {
      attributes: {
        Policy: JSON.stringify(doc({ Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: '*' })),
      },
    });
    expect(field(e, 'policy.publicPrincipal')).toBe(true);
  });

  it('reads an SNS Policy attribute, treating the default AWS:SourceOwner statement as not public', () => {
    const sns = (statement: unknown) =>
      event('SetTopicAttributes', {
        topicArn: `arn:aws:sns:us-east-1:${OWN}:alerts`,
        attributeName: 'Policy',
        attributeValue: JSON.stringify(doc(statement)),
      });
    const open = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'SNS:Publish', Resource: '*' };
    expect(field(sns(open), 'policy.publicPrincipal')).toBe(true);
    const owned = { ...open, Condition: { StringEquals: { 'AWS:SourceOwner': OWN } } };
    expect(field(sns(owned), 'policy.publicPrincipal')).toBe(false);
  });

  it('reads a Glacier vault policy wrapped in {"Policy": "..."} (SetVaultAccessPolicy)', () => {
    const inner = doc({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:root' },
      Action: 'glacier:InitiateJob',
      Resource: '*',
    });
    const e = event('SetVaultAccessPolicy', {
      accountId: '-',
      vaultName: 'backups',
      policy: { policy: JSON.stringify(inner) },
    });
    expect(field(e, 'policy.document')).toEqual(inner);
    expect(field(e, 'policy.externalAccounts')).toEqual(['444455556666']);
    const malformed = event('SetVaultAccessPolicy', { vaultName: 'v', policy: { Policy: '{"Statement":' } });
    expect(field(malformed, 'policy.document')).toBeUndefined();
  });

  it('is undefined (never throws) for malformed policy text or no policy', () => {
    const bad = event('PutRolePolicy', {
      roleName: 'r',
      policyName: 'p',
      policyDocument: '{"Version":"2012-10-17","Statement":[{',
    });
    expect(field(bad, 'policy.document')).toBeUndefined();
    expect(field(bad, 'policy.adminAccess')).toBeUndefined();
    expect(field(bad, 'policy.publicPrincipal')).toBeUndefined();
    expect(field(bad, 'policy.externalAccounts')).toBeUndefined();
    const none = event('ListUsers', {});
    expect(field(none, 'policy.document')).toBeUndefined();
    const noParams = { ...none, raw: { eventName: 'ListUsers', requestParameters: null } };
    expect(field(noParams, 'policy.adminAccess')).toBeUndefined();
  });

  it('ignores a Statement that is not an object or array', () => {
    const e = event('PutUserPolicy', { policyDocument: '{"Version":"2012-10-17","Statement":"*"}' });
    expect(field(e, 'policy.adminAccess')).toBe(false);
    expect(field(e, 'policy.publicPrincipal')).toBe(false);
  });
});

describe('vigil.policy.attachedTo', () => {
  it('names the targeted user, role or group as an ARN in the event account', () => {
    expect(field(event('AttachUserPolicy', { userName: 'bob', policyArn: 'x' }), 'policy.attachedTo')).toBe(
      `arn:aws:iam::${OWN}:user/bob`,
    );
    expect(field(event('PutRolePolicy', { roleName: 'ops', policyName: 'p' }), 'policy.attachedTo')).toBe(
      `arn:aws:iam::${OWN}:role/ops`,
    );
    const gov = {
      ...event('AttachGroupPolicy', { groupName: 'devs' }),
      principal: 'arn:aws-us-gov:iam::111122223333:user/a',
    };
    expect(field(gov, 'policy.attachedTo')).toBe(`arn:aws-us-gov:iam::${OWN}:group/devs`);
    expect(field(event('CreatePolicy', { policyName: 'p' }), 'policy.attachedTo')).toBeUndefined();
  });
});

describe('vigil.acl.publicGrant', () => {
  it('is true for an AllUsers grant in an AccessControlPolicy (single Grant object or array)', () => {
    const grant = {
      Grantee: { 'xsi:type': 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ',
    };
    const acp = (g: unknown) => ({ AccessControlList: { Grant: g }, Owner: { ID: 'abc' } });
    expect(
      field(
        event('PutBucketAcl', { bucketName: 'b', acl: '', AccessControlPolicy: acp(grant) }),
        'acl.publicGrant',
      ),
    ).toBe(true);
    expect(
      field(
        event('PutObjectAcl', { bucketName: 'b', key: 'k', acl: '', AccessControlPolicy: acp([grant]) }),
        'acl.publicGrant',
      ),
    ).toBe(true);
  });

  it('is true for public canned ACLs and grant headers', () => {
    expect(
      field(event('CreateBucket', { bucketName: 'b', 'x-amz-acl': ['public-read'] }), 'acl.publicGrant'),
    ).toBe(true);
    expect(
      field(event('PutBucketAcl', { bucketName: 'b', 'x-amz-acl': 'authenticated-read' }), 'acl.publicGrant'),
    ).toBe(true);
    expect(
      field(
        event('PutBucketAcl', {
          bucketName: 'b',
          'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"',
        }),
        'acl.publicGrant',
      ),
    ).toBe(true);
  });

  it('is false for private ACLs, log delivery and other events', () => {
    expect(
      field(event('PutBucketAcl', { bucketName: 'b', 'x-amz-acl': ['private'] }), 'acl.publicGrant'),
    ).toBe(false);
    const logDelivery = {
      AccessControlList: {
        Grant: { Grantee: { URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' }, Permission: 'WRITE' },
      },
    };
    expect(
      field(event('PutBucketAcl', { bucketName: 'b', AccessControlPolicy: logDelivery }), 'acl.publicGrant'),
    ).toBe(false);
    expect(
      field(event('PutBucketPolicy', { bucketName: 'b', 'x-amz-acl': 'public-read' }), 'acl.publicGrant'),
    ).toBe(false);
  });
});
