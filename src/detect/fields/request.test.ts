import { describe, it, expect } from 'vitest';
import { normalizeCloudTrail } from '../../sources/cloudtrail/normalize.js';
import { createFieldGetter } from './index.js';
import {
  ec2ListsAll,
  foreignKmsKeyAccount,
  kmsKeyAccount,
  s3DeleteWeight,
  ssmParameterCount,
  ssmReadTarget,
} from './request.js';

const ACCOUNT = '111122223333';

function record(eventSource: string, eventName: string, requestParameters: unknown): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      userName: 'alice',
    },
    eventTime: '2024-05-14T09:00:00Z',
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    requestParameters,
    eventID: '0f6a1c3e-2b4d-4e5f-8a9b-0c1d2e3f4a5b',
    recipientAccountId: ACCOUNT,
  };
}

describe('ssmParameterCount', () => {
  it('counts one for GetParameter and the names of GetParameters', () => {
    expect(ssmParameterCount('GetParameter', { name: '/prod/db', withDecryption: true })).toBe(1);
    expect(ssmParameterCount('GetParameters', { names: ['/a', '/b', '/c'], withDecryption: true })).toBe(3);
  });

  it('counts a GetParametersByPath page as its page size', () => {
    expect(ssmParameterCount('GetParametersByPath', { path: '/', recursive: true })).toBe(10);
    expect(ssmParameterCount('GetParametersByPath', { path: '/', maxResults: 5 })).toBe(5);
    expect(ssmParameterCount('GetParametersByPath', { path: '/', maxResults: 'x' })).toBe(10);
  });

  it('is undefined for other events and malformed requests', () => {
    expect(ssmParameterCount('PutParameter', { name: '/a' })).toBeUndefined();
    expect(ssmParameterCount('GetParameters', null)).toBeUndefined();
    expect(ssmParameterCount('GetParameters', { names: 7 })).toBeUndefined();
  });
});

describe('ssmReadTarget', () => {
  it('gives the same text for the same parameters however they are asked for', () => {
    expect(ssmReadTarget('GetParameter', { name: '/prod/db', withDecryption: true })).toBe('/prod/db');
    expect(ssmReadTarget('GetParameters', { names: ['/prod/db'] })).toBe('/prod/db');
    expect(ssmReadTarget('GetParameters', { names: ['/b', '/a', '/b'] })).toBe(
      ssmReadTarget('GetParameters', { names: ['/a', '/b'] }),
    );
    expect(ssmReadTarget('GetParameters', { names: ['/a', '/b'] })).not.toBe(
      ssmReadTarget('GetParameters', { names: ['/a', '/c'] }),
    );
  });

  it('names a path walk by its path, recursive or not, whatever the page', () => {
    expect(ssmReadTarget('GetParametersByPath', { path: '/app/', recursive: true, nextToken: 'x' })).toBe(
      '/app/**',
    );
    expect(ssmReadTarget('GetParametersByPath', { path: '/app', recursive: true })).toBe('/app/**');
    expect(ssmReadTarget('GetParametersByPath', { path: '/app' })).toBe('/app');
  });

  it('is undefined for other events and malformed requests', () => {
    expect(ssmReadTarget('PutParameter', { name: '/a' })).toBeUndefined();
    expect(ssmReadTarget('GetParameter', { name: 3 })).toBeUndefined();
    expect(ssmReadTarget('GetParameters', { names: [] })).toBeUndefined();
    expect(ssmReadTarget('GetParametersByPath', null)).toBeUndefined();
  });
});

describe('s3DeleteWeight', () => {
  it('weighs permanent version deletes above delete markers, and batches and buckets highest', () => {
    expect(s3DeleteWeight('DeleteObject', { bucketName: 'b', key: 'k', versionId: 'abc' })).toBe(4);
    expect(s3DeleteWeight('DeleteObject', { bucketName: 'b', key: 'k' })).toBe(2);
    expect(s3DeleteWeight('DeleteObject', null)).toBe(2);
    expect(s3DeleteWeight('DeleteObjects', { bucketName: 'b', delete: '' })).toBe(20);
    expect(s3DeleteWeight('DeleteBucket', { bucketName: 'b' })).toBe(20);
    expect(s3DeleteWeight('GetObject', { bucketName: 'b' })).toBeUndefined();
  });
});

describe('ec2ListsAll', () => {
  it('is true for requests that name nothing (empty sets, no parameters, an owner of self)', () => {
    expect(ec2ListsAll('DescribeInstances', { instancesSet: {}, filterSet: {} })).toBe(true);
    expect(ec2ListsAll('DescribeInstances', { maxResults: 1000, instancesSet: {}, filterSet: {} })).toBe(
      true,
    );
    expect(ec2ListsAll('DescribeRegions', null)).toBe(true);
    expect(
      ec2ListsAll('DescribeSnapshots', { snapshotSet: {}, ownersSet: { items: [{ owner: 'self' }] } }),
    ).toBe(true);
  });

  it('is false for requests that read known resources or filter', () => {
    expect(
      ec2ListsAll('DescribeInstances', { instancesSet: { items: [{ instanceId: 'i-0abc1234def567890' }] } }),
    ).toBe(false);
    expect(
      ec2ListsAll('DescribeVpcAttribute', { vpcId: 'vpc-0a1b2c3d', attribute: 'enableDnsSupport' }),
    ).toBe(false);
    expect(
      ec2ListsAll('DescribeImages', {
        filterSet: { items: [{ name: 'name', valueSet: { items: [{ value: 'amzn2-ami-*' }] } }] },
      }),
    ).toBe(false);
  });

  it('is undefined for writes', () => {
    expect(ec2ListsAll('RunInstances', {})).toBeUndefined();
    expect(ec2ListsAll(undefined, {})).toBeUndefined();
  });
});

describe('kmsKeyAccount and foreignKmsKeyAccount', () => {
  const foreign = 'arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const own = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  it('reads the account of key and alias ARNs, not of bare ids', () => {
    expect(kmsKeyAccount(foreign)).toBe('999988887777');
    expect(kmsKeyAccount('arn:aws-us-gov:kms:us-gov-west-1:999988887777:alias/x')).toBe('999988887777');
    expect(kmsKeyAccount('1234abcd-12ab-34cd-56ef-1234567890ab')).toBeUndefined();
    expect(kmsKeyAccount('alias/aws/s3')).toBeUndefined();
    expect(kmsKeyAccount(42)).toBeUndefined();
  });

  it('returns the key account only when it differs from the event account', () => {
    expect(foreignKmsKeyAccount({ 'x-amz-server-side-encryption-aws-kms-key-id': foreign }, ACCOUNT)).toBe(
      '999988887777',
    );
    expect(
      foreignKmsKeyAccount({ 'x-amz-server-side-encryption-aws-kms-key-id': own }, ACCOUNT),
    ).toBeUndefined();
    expect(foreignKmsKeyAccount({ SSEKMSKeyId: foreign }, ACCOUNT)).toBe('999988887777');
    expect(foreignKmsKeyAccount({ SSEKMSKeyId: foreign }, undefined)).toBeUndefined();
    expect(foreignKmsKeyAccount('not an object', ACCOUNT)).toBeUndefined();
  });
});

describe('registered fields', () => {
  const getField = createFieldGetter();

  it('exposes vigil.ssm.parameterCount for SSM events only', () => {
    const ssm = normalizeCloudTrail(record('ssm.amazonaws.com', 'GetParameters', { names: ['/a', '/b'] }), {
      file: 't',
    });
    const other = normalizeCloudTrail(record('s3.amazonaws.com', 'GetParameters', { names: ['/a', '/b'] }), {
      file: 't',
    });
    expect(getField(ssm, 'vigil.ssm.parameterCount')).toBe(2);
    expect(getField(other, 'vigil.ssm.parameterCount')).toBeUndefined();
  });

  it('exposes vigil.ssm.readTarget and vigil.ec2.listsAll for their services only', () => {
    const ssm = normalizeCloudTrail(record('ssm.amazonaws.com', 'GetParameters', { names: ['/b', '/a'] }), {
      file: 't',
    });
    const ec2 = normalizeCloudTrail(record('ec2.amazonaws.com', 'DescribeVpcs', { vpcSet: {} }), {
      file: 't',
    });
    const iam = normalizeCloudTrail(record('iam.amazonaws.com', 'GetUser', {}), { file: 't' });
    expect(getField(ssm, 'vigil.ssm.readTarget')).toBe('/a,/b');
    expect(getField(ec2, 'vigil.ec2.listsAll')).toBe(true);
    expect(getField(iam, 'vigil.ec2.listsAll')).toBeUndefined();
  });

  it('exposes vigil.s3.foreignKmsKeyAccount against the event account', () => {
    const e = normalizeCloudTrail(
      record('s3.amazonaws.com', 'CopyObject', {
        bucketName: 'b',
        key: 'k',
        'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:999988887777:key/abc',
      }),
      { file: 't' },
    );
    expect(getField(e, 'vigil.s3.foreignKmsKeyAccount')).toBe('999988887777');
  });
});
