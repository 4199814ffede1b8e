import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const ACCOUNT = '123456789012';

/** A realistic CloudTrail management event by an IAM user; override any field. */
export function ctRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEALICE00001',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEALICE0001',
      userName: 'alice',
    },
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.23',
    userAgent:
      'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances',
    requestParameters: { instancesSet: {}, filterSet: {} },
    responseElements: null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'ec2.us-east-1.amazonaws.com',
    },
    ...overrides,
  };
}

/** StopLogging on a trail: the textbook defence-evasion event. */
export function stopLogging(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return ctRecord({
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    readOnly: false,
    requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
    responseElements: null,
    userAgent:
      'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/cloudtrail.stop-logging',
    ...overrides,
  });
}

/** Writes a CloudTrail log file as AWS does: gzipped `{"Records":[…]}` under the S3 layout. */
export function writeTrailFile(
  root: string,
  records: unknown[],
  opts: { region?: string; day?: string; name?: string; gzip?: boolean } = {},
): string {
  const region = opts.region ?? 'us-east-1';
  const day = opts.day ?? '2026/11/20';
  const name =
    opts.name ??
    `${ACCOUNT}_CloudTrail_${region}_20261120T1000Z_${randomUUID().slice(0, 16)}.json${opts.gzip === false ? '' : '.gz'}`;
  const file = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', region, day, name);
  mkdirSync(dirname(file), { recursive: true });
  const body = Buffer.from(JSON.stringify({ Records: records }));
  writeFileSync(file, opts.gzip === false ? body : gzipSync(body));
  return file;
}
