/**
 * Test support: realistic CloudTrail records for engine and runner tests. `at` is minutes after a
 * fixed start, so tests use event time and never the clock.
 */
export const START = Date.parse('2026-11-20T10:00:00Z');
let counter = 0;

export interface RecordOptions {
  eventName: string;
  eventSource?: string;
  at?: number;
  user?: string;
  account?: string;
  region?: string;
  ip?: string;
  errorCode?: string;
  requestParameters?: Record<string, unknown>;
  id?: string;
}

export function cloudTrailRecord(o: RecordOptions): Record<string, unknown> {
  const account = o.account ?? '123456789012';
  const user = o.user ?? 'alice';
  counter++;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${account}:user/${user}`,
      accountId: account,
      accessKeyId: 'AKIAEXAMPLE',
      userName: user,
    },
    eventTime: new Date(START + (o.at ?? 0) * 60_000).toISOString().replace('.000Z', 'Z'),
    eventSource: o.eventSource ?? 'iam.amazonaws.com',
    eventName: o.eventName,
    awsRegion: o.region ?? 'us-east-1',
    sourceIPAddress: o.ip ?? '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    ...(o.errorCode ? { errorCode: o.errorCode, errorMessage: 'denied' } : {}),
    requestParameters: o.requestParameters ?? null,
    responseElements: null,
    requestID: `req-${counter}`,
    eventID: o.id ?? `evt-${counter}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
}
