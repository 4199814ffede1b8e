import { describe, it, expect } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { BadRecordError, arnAccount, normalizeCloudTrail } from './normalize.js';

/** A realistic CloudTrail management event; `userIdentity` and overrides vary per test. */
function record(userIdentity: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity,
    eventTime: '2024-05-14T09:21:07Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023',
    requestParameters: { userName: 'deploy-bot' },
    responseElements: {
      accessKey: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', userName: 'deploy-bot' },
    },
    requestID: '8f2c4a9e-5b1d-4c3e-9a7f-0e6d2b1c3a4f',
    eventID: '1c6b7f1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
    ...overrides,
  };
}

describe('normalizeCloudTrail: common fields', () => {
  it('derives time, service, region, account, agent, ids and keeps raw uncopied', () => {
    const raw = record({
      type: 'IAMUser',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: 'arn:aws:iam::123456789012:user/Alice',
      accountId: '123456789012',
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      userName: 'Alice',
    });
    const e = normalizeCloudTrail(raw);
    expect(e).toMatchObject({
      time: '2024-05-14T09:21:07Z',
      ts: Date.UTC(2024, 4, 14, 9, 21, 7),
      source: 'cloudtrail',
      accountId: '123456789012',
      region: 'us-east-1',
      eventName: 'CreateAccessKey',
      eventSource: 'iam.amazonaws.com',
      service: 'iam',
      sourceIp: '203.0.113.7',
      sourceIsService: false,
      userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023',
      errorCode: undefined,
      readOnly: false,
      eventId: '1c6b7f1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e',
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      mfa: undefined,
    });
    expect(e.raw).toBe(raw);
  });

  it('marks service-name source addresses and keeps error codes', () => {
    const e = normalizeCloudTrail(
      record(
        { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
        { sourceIPAddress: 'ec2.amazonaws.com', errorCode: 'AccessDenied', readOnly: true },
      ),
    );
    expect(e.sourceIp).toBe('ec2.amazonaws.com');
    expect(e.sourceIsService).toBe(true);
    expect(e.errorCode).toBe('AccessDenied');
    expect(e.readOnly).toBe(true);
    expect(
      normalizeCloudTrail(record({ type: 'AWSService' }, { sourceIPAddress: 'AWS Internal' }))
        .sourceIsService,
    ).toBe(true);
    expect(
      normalizeCloudTrail(record({ type: 'Root' }, { sourceIPAddress: '2001:db8::7' })).sourceIsService,
    ).toBe(false);
  });

  it('falls back to userIdentity.accountId when recipientAccountId is absent', () => {
    const raw = record({
      type: 'IAMUser',
      accountId: '111122223333',
      arn: 'arn:aws:iam::111122223333:user/bob',
    });
    delete raw.recipientAccountId;
    expect(normalizeCloudTrail(raw).accountId).toBe('111122223333');
  });

  it('keeps an eventSource without the amazonaws.com suffix as the service', () => {
    expect(normalizeCloudTrail(record({ type: 'Root' }, { eventSource: 'custom-source' })).service).toBe(
      'custom-source',
    );
  });
});

describe('normalizeCloudTrail: userIdentity variants', () => {
  it('IAMUser', () => {
    const e = normalizeCloudTrail(
      record({
        type: 'IAMUser',
        principalId: 'AIDAJ45Q7YFFAREXAMPLE',
        arn: 'arn:aws:iam::123456789012:user/Alice',
        accountId: '123456789012',
        accessKeyId: '',
        userName: 'Alice',
      }),
    );
    expect(e).toMatchObject({
      principal: 'arn:aws:iam::123456789012:user/Alice',
      principalType: 'IAMUser',
      principalAccountId: '123456789012',
      principalName: 'Alice',
      sessionName: undefined,
      accessKeyId: undefined,
    });
  });

  it('AssumedRole resolves to the role ARN (with its path) and the session name', () => {
    const e = normalizeCloudTrail(
      record({
        type: 'AssumedRole',
        principalId: 'AROAIDPPEZS35WEXAMPLE:alice@example.com',
        arn: 'arn:aws:sts::444455556666:assumed-role/Admin/alice@example.com',
        accountId: '444455556666',
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAIDPPEZS35WEXAMPLE',
            arn: 'arn:aws:iam::444455556666:role/ops/Admin',
            accountId: '444455556666',
            userName: 'Admin',
          },
          webIdFederationData: {},
          attributes: { creationDate: '2024-05-14T09:01:00Z', mfaAuthenticated: 'true' },
        },
      }),
    );
    expect(e).toMatchObject({
      principal: 'arn:aws:iam::444455556666:role/ops/Admin',
      principalType: 'AssumedRole',
      principalAccountId: '444455556666',
      principalName: 'Admin',
      sessionName: 'alice@example.com',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      mfa: true,
      accountId: '123456789012',
    });
  });

  it('AssumedRole without sessionIssuer builds the role ARN from the session ARN', () => {
    const e = normalizeCloudTrail(
      record({
        type: 'AssumedRole',
        principalId: 'AROAIDPPEZS35WEXAMPLE:i-0abc123def4567890',
        arn: 'arn:aws-us-gov:sts::123456789012:assumed-role/ec2-app/i-0abc123def4567890',
        accountId: '123456789012',
        sessionContext: { attributes: { mfaAuthenticated: 'false', creationDate: '2024-05-14T09:01:00Z' } },
      }),
    );
    expect(e.principal).toBe('arn:aws-us-gov:iam::123456789012:role/ec2-app');
    expect(e.principalName).toBe('ec2-app');
    expect(e.sessionName).toBe('i-0abc123def4567890');
    expect(e.mfa).toBe(false);
  });

  it('Root', () => {
    const e = normalizeCloudTrail(
      record({
        type: 'Root',
        principalId: '123456789012',
        arn: 'arn:aws:iam::123456789012:root',
        accountId: '123456789012',
        accessKeyId: 'ASIAEXAMPLEROOTKEY01',
        sessionContext: { attributes: { creationDate: '2024-05-14T08:00:00Z', mfaAuthenticated: 'false' } },
      }),
    );
    expect(e).toMatchObject({
      principal: 'arn:aws:iam::123456789012:root',
      principalType: 'Root',
      principalAccountId: '123456789012',
      principalName: 'root',
      mfa: false,
    });
    expect(normalizeCloudTrail(record({ type: 'Root', accountId: '210987654321' })).principal).toBe(
      'arn:aws:iam::210987654321:root',
    );
  });

  it('FederatedUser', () => {
    const e = normalizeCloudTrail(
      record({
        type: 'FederatedUser',
        principalId: '123456789012:Bob',
        arn: 'arn:aws:sts::123456789012:federated-user/Bob',
        accountId: '123456789012',
        accessKeyId: 'ASIAFEDERATEDEXAMPLE',
        sessionContext: {
          sessionIssuer: {
            type: 'IAMUser',
            principalId: 'AIDAJ45Q7YFFAREXAMPLE',
            arn: 'arn:aws:iam::123456789012:user/Alice',
            accountId: '123456789012',
            userName: 'Alice',
          },
          attributes: { mfaAuthenticated: 'false', creationDate: '2024-05-14T09:00:00Z' },
        },
      }),
    );
    expect(e).toMatchObject({
      principal: 'arn:aws:sts::123456789012:federated-user/Bob',
      principalType: 'FederatedUser',
      principalAccountId: '123456789012',
      principalName: 'Bob',
    });
  });

  it('AWSService uses invokedBy', () => {
    const e = normalizeCloudTrail(
      record(
        { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
        {
          sourceIPAddress: 'cloudtrail.amazonaws.com',
          eventSource: 's3.amazonaws.com',
          eventName: 'GetBucketAcl',
        },
      ),
    );
    expect(e).toMatchObject({
      principal: 'cloudtrail.amazonaws.com',
      principalType: 'AWSService',
      principalName: 'cloudtrail.amazonaws.com',
      principalAccountId: undefined,
      service: 's3',
    });
  });

  it('AWSAccount: cross-account caller, ARN when given, else the account root', () => {
    const withoutArn = normalizeCloudTrail(
      record(
        { type: 'AWSAccount', principalId: 'AIDAEXAMPLEPRINCIPAL', accountId: '999988887777' },
        { eventSource: 's3.amazonaws.com', eventName: 'GetObject' },
      ),
    );
    expect(withoutArn).toMatchObject({
      principal: 'arn:aws:iam::999988887777:root',
      principalType: 'AWSAccount',
      principalAccountId: '999988887777',
      accountId: '123456789012',
    });
    const withArn = normalizeCloudTrail(
      record({
        type: 'AWSAccount',
        principalId: 'AROAEXAMPLE:session',
        accountId: '999988887777',
        arn: 'arn:aws:sts::999988887777:assumed-role/partner/session',
      }),
    );
    expect(withArn.principal).toBe('arn:aws:sts::999988887777:assumed-role/partner/session');
  });

  it('IdentityCenterUser uses onBehalfOf.userId and the identity store ARN', () => {
    const e = normalizeCloudTrail(
      record(
        {
          type: 'IdentityCenterUser',
          accountId: '123456789012',
          onBehalfOf: {
            userId: '544894e8-80c1-707f-60e3-3ba6510dfac1',
            identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7',
          },
          credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
        },
        { eventSource: 'sso.amazonaws.com', eventName: 'ListAccounts', readOnly: 'true' },
      ),
    );
    expect(e).toMatchObject({
      principal:
        'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7/user/544894e8-80c1-707f-60e3-3ba6510dfac1',
      principalType: 'IdentityCenterUser',
      principalAccountId: '123456789012',
      principalName: '544894e8-80c1-707f-60e3-3ba6510dfac1',
      readOnly: true,
    });
  });

  it('WebIdentityUser', () => {
    const e = normalizeCloudTrail(
      record(
        {
          type: 'WebIdentityUser',
          principalId:
            'accounts.google.com:123456789012-abc.apps.googleusercontent.com:104567890123456789012',
          userName: '104567890123456789012',
          identityProvider: 'accounts.google.com',
        },
        { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRoleWithWebIdentity' },
      ),
    );
    expect(e).toMatchObject({
      principal: 'accounts.google.com:104567890123456789012',
      principalType: 'WebIdentityUser',
      principalName: '104567890123456789012',
      principalAccountId: undefined,
    });
  });

  it('SAMLUser uses identityProvider and userName', () => {
    const e = normalizeCloudTrail(
      record(
        {
          type: 'SAMLUser',
          principalId: 'SampleUkh1i4+ExamplexL/jEvs=:alice@example.com',
          userName: 'alice@example.com',
          identityProvider: 'SampleUkh1i4+ExamplexL/jEvs=',
        },
        { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRoleWithSAML' },
      ),
    );
    expect(e).toMatchObject({
      principal: 'SampleUkh1i4+ExamplexL/jEvs=:alice@example.com',
      principalType: 'SAMLUser',
      principalName: 'alice@example.com',
    });
  });

  it('Unknown: failed console sign-in by a user that does not exist', () => {
    const e = normalizeCloudTrail(
      record(
        {
          type: 'Unknown',
          principalId: '',
          accountId: '123456789012',
          accessKeyId: '',
          userName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
        },
        {
          eventSource: 'signin.amazonaws.com',
          eventName: 'ConsoleLogin',
          userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
          errorMessage: 'No username found in supplied account',
          responseElements: { ConsoleLogin: 'Failure' },
          additionalEventData: {
            LoginTo: 'https://console.aws.amazon.com/console/home',
            MobileVersion: 'No',
            MFAUsed: 'No',
          },
        },
      ),
    );
    expect(e).toMatchObject({
      principal: undefined,
      principalType: 'Unknown',
      principalAccountId: '123456789012',
      principalName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      mfa: false,
      service: 'signin',
    });
  });

  it('an unrecognised type keeps the ARN and account', () => {
    const e = normalizeCloudTrail(
      record({ type: 'Directory', arn: 'arn:aws:ds:us-east-1:123456789012:directory/d-1' }),
    );
    expect(e.principalType).toBe('Unknown');
    expect(e.principal).toBe('arn:aws:ds:us-east-1:123456789012:directory/d-1');
    expect(e.principalAccountId).toBe('123456789012');
  });

  it('no userIdentity at all', () => {
    const raw = record(undefined);
    delete raw.userIdentity;
    const e = normalizeCloudTrail(raw);
    expect(e).toMatchObject({
      principal: undefined,
      principalType: 'Unknown',
      accessKeyId: undefined,
      mfa: undefined,
    });
    expect(e.accountId).toBe('123456789012');
  });
});

describe('normalizeCloudTrail: MFA', () => {
  it('ConsoleLogin reads additionalEventData.MFAUsed', () => {
    const login = (mfa: string) =>
      record(
        {
          type: 'IAMUser',
          arn: 'arn:aws:iam::123456789012:user/Alice',
          accountId: '123456789012',
          userName: 'Alice',
        },
        {
          eventSource: 'signin.amazonaws.com',
          eventName: 'ConsoleLogin',
          responseElements: { ConsoleLogin: 'Success' },
          additionalEventData: {
            LoginTo: 'https://console.aws.amazon.com/',
            MobileVersion: 'No',
            MFAUsed: mfa,
          },
        },
      );
    expect(normalizeCloudTrail(login('Yes')).mfa).toBe(true);
    expect(normalizeCloudTrail(login('No')).mfa).toBe(false);
  });

  it('MFAUsed outside ConsoleLogin is ignored', () => {
    const e = normalizeCloudTrail(record({ type: 'Root' }, { additionalEventData: { MFAUsed: 'Yes' } }));
    expect(e.mfa).toBeUndefined();
  });
});

describe('normalizeCloudTrail: bad records', () => {
  const good = record({ type: 'Root', accountId: '123456789012' });

  it.each([
    ['eventTime', undefined, 'eventTime is missing'],
    ['eventName', undefined, 'eventName is missing'],
    ['eventSource', undefined, 'eventSource is missing'],
    ['eventTime', 1715678467000, 'eventTime is a number, expected a string'],
    ['eventName', ['CreateUser'], 'eventName is an array, expected a string'],
    ['eventSource', null, 'eventSource is null, expected a string'],
    ['eventTime', 'last tuesday', 'eventTime "last tuesday" is not a valid time'],
    ['eventName', '', 'eventName is empty'],
  ])('%s = %j is rejected', (key, value, message) => {
    const raw = { ...good };
    if (value === undefined) delete raw[key];
    else raw[key] = value;
    let caught: unknown;
    try {
      normalizeCloudTrail(raw, { file: 'a.json', record: 4 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VigilError);
    expect(caught).toBeInstanceOf(BadRecordError);
    const err = caught as BadRecordError;
    expect(err.code).toBe('VIGIL_INPUT_BAD_RECORD');
    expect(err.message).toBe(message);
    expect(err.toProblem({ file: 'x' })).toEqual({
      file: 'a.json',
      record: 4,
      code: 'VIGIL_INPUT_BAD_RECORD',
      message,
    });
  });

  it.each([null, 42, 'text', [good]])('a non-object record (%j) is rejected', (value) => {
    expect(() => normalizeCloudTrail(value)).toThrow(/expected an object/);
  });
});

describe('arnAccount', () => {
  it('reads the account field', () => {
    expect(arnAccount('arn:aws:iam::123456789012:user/a')).toBe('123456789012');
    expect(arnAccount('arn:aws:s3:::bucket')).toBeUndefined();
    expect(arnAccount('not-an-arn')).toBeUndefined();
    expect(arnAccount('arn:aws:iam')).toBeUndefined();
  });
});
