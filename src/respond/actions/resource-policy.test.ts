import { describe, expect, it } from 'vitest';
import {
  RESTRICTING_KEYS,
  analyzeBucketPolicy,
  parsePolicy,
  principalAccount,
  restrictsBy,
  type PolicyDocument,
} from './resource-policy.js';

const OWN = '111122223333';
const PARTNER = '444455556666';
const STRANGER = '999988887777';
const read = { Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' };
const doc = (...Statement: object[]): PolicyDocument =>
  ({ Version: '2012-10-17', Statement }) as PolicyDocument;

describe('restrictsBy', () => {
  it('counts concrete values of the listed keys, whatever their case', () => {
    expect(restrictsBy({ StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, RESTRICTING_KEYS)).toBe(true);
    expect(restrictsBy({ StringEquals: { 'AWS:SOURCEVPC': ['vpc-1'] } }, RESTRICTING_KEYS)).toBe(true);
    expect(restrictsBy({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } }, RESTRICTING_KEYS)).toBe(true);
    expect(restrictsBy({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc1234567' } }, RESTRICTING_KEYS)).toBe(
      true,
    );
    expect(
      restrictsBy(
        { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E1' } },
        RESTRICTING_KEYS,
      ),
    ).toBe(true);
  });

  it('does not count conditions that hold for anyone', () => {
    const no = (c: unknown) => expect(restrictsBy(c, RESTRICTING_KEYS)).toBe(false);
    no(undefined);
    no({ Bool: { 'aws:SecureTransport': 'true' } });
    no({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } });
    no({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } });
    no({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } });
    no({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } });
    no({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '::/0'] } });
    no({ StringLike: { 'aws:PrincipalOrgID': '*' } });
    no({ Null: { 'aws:SourceVpce': 'false' } });
    no({ 'ForAllValues:StringEquals': { 'aws:SourceVpc': 'vpc-1' } });
    no({ StringEquals: { 'aws:SourceVpce': [] } });
  });
});

describe('principalAccount', () => {
  it('reads account ids and IAM/STS ARNs only', () => {
    expect(principalAccount(PARTNER)).toBe(PARTNER);
    expect(principalAccount(`arn:aws:iam::${PARTNER}:root`)).toBe(PARTNER);
    expect(principalAccount(`arn:aws:sts::${PARTNER}:assumed-role/r/s`)).toBe(PARTNER);
    expect(principalAccount('AIDAEXAMPLEUNIQUEID')).toBeUndefined();
    expect(principalAccount('*')).toBeUndefined();
  });
});

describe('analyzeBucketPolicy', () => {
  it('removes unconditioned public Allow statements and keeps conditioned ones and Denies', () => {
    const policy = doc(
      { Sid: 'Public', Effect: 'Allow', Principal: '*', ...read },
      { Sid: 'PublicAws', Effect: 'Allow', Principal: { AWS: ['*'] }, ...read },
      { Sid: 'Everyone but', Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${OWN}:root` }, ...read },
      {
        Sid: 'TlsOnly',
        Effect: 'Allow',
        Principal: '*',
        ...read,
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      },
      {
        Sid: 'Vpce',
        Effect: 'Allow',
        Principal: '*',
        ...read,
        Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
      },
      { Sid: 'Deny', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' },
      { Sid: 'Own', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWN}:role/app` }, ...read },
    );
    const r = analyzeBucketPolicy(policy);
    expect(r.removed).toEqual([
      { index: 0, sid: 'Public', reason: 'public', whole: true },
      { index: 1, sid: 'PublicAws', reason: 'public', whole: true },
      { index: 2, sid: 'Everyone but', reason: 'public', whole: true },
      { index: 3, sid: 'TlsOnly', reason: 'public', whole: true },
    ]);
    expect((r.policy!.Statement as { Sid: string }[]).map((s) => s.Sid)).toEqual(['Vpce', 'Deny', 'Own']);
    expect(r.policy!.Version).toBe('2012-10-17');
  });

  it('takes foreign principals out only when allowed accounts are given', () => {
    const policy = doc(
      { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, ...read },
      { Sid: 'Stranger', Effect: 'Allow', Principal: { AWS: STRANGER }, ...read },
      {
        Sid: 'Mixed',
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${OWN}:role/app`, `arn:aws:sts::${STRANGER}:assumed-role/x/y`] },
        ...read,
      },
      {
        Sid: 'StrangerAndService',
        Effect: 'Allow',
        Principal: { AWS: STRANGER, Service: 'logging.s3.amazonaws.com' },
        ...read,
      },
      { Sid: 'DenyStranger', Effect: 'Deny', Principal: { AWS: STRANGER }, Action: 's3:*', Resource: '*' },
    );
    expect(analyzeBucketPolicy(policy).removed).toEqual([]);
    const r = analyzeBucketPolicy(policy, new Set([OWN, PARTNER]));
    expect(r.removed).toEqual([
      { index: 1, sid: 'Stranger', reason: 'cross-account', principals: [STRANGER], whole: true },
      {
        index: 2,
        sid: 'Mixed',
        reason: 'cross-account',
        principals: [`arn:aws:sts::${STRANGER}:assumed-role/x/y`],
        whole: false,
      },
      { index: 3, sid: 'StrangerAndService', reason: 'cross-account', principals: [STRANGER], whole: false },
    ]);
    expect(r.policy!.Statement).toEqual([
      { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, ...read },
      { Sid: 'Mixed', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWN}:role/app` }, ...read },
      {
        Sid: 'StrangerAndService',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        ...read,
      },
      { Sid: 'DenyStranger', Effect: 'Deny', Principal: { AWS: STRANGER }, Action: 's3:*', Resource: '*' },
    ]);
  });

  it('returns no policy when nothing remains, and handles a single Statement object', () => {
    const r = analyzeBucketPolicy({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: '*', ...read },
    });
    expect(r).toEqual({ removed: [{ index: 0, reason: 'public', whole: true }] });
  });
});

describe('parsePolicy', () => {
  it('accepts a JSON object with statements only', () => {
    expect(parsePolicy('{"Statement":[{"Effect":"Allow"}]}')).toHaveProperty('policy');
    expect(parsePolicy('{"Statement":{"Effect":"Allow"}}')).toHaveProperty('policy');
    for (const bad of [
      '',
      'null',
      '[]',
      '{}',
      '{"Statement":[]}',
      '{"Statement":["x"]}',
      '{"Statement":[{}],',
    ])
      expect(parsePolicy(bad)).toHaveProperty('error');
  });
});
