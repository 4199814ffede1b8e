import type { VigilEvent } from '../core/event.js';
import { normalizeCloudTrail } from '../sources/index.js';
import type { GeoLookup } from './features.js';

/** Fixed geography for tests: addresses by their first octets. */
export const testGeo: GeoLookup = (ip) => {
  if (ip.startsWith('198.51.100.')) return { country: 'US', asn: 7018 };
  if (ip.startsWith('192.0.2.')) return { country: 'US', asn: 16509 };
  if (ip.startsWith('177.')) return { country: 'BR', asn: 28573 };
  return undefined;
};

export const DAY = 86_400_000;
export const T0 = Date.parse('2024-03-04T00:00:00Z'); // a Monday

export interface CallOptions {
  user?: string;
  role?: boolean;
  eventName: string;
  eventSource: string;
  ip?: string;
  ua?: string;
  region?: string;
  errorCode?: string;
  readOnly?: boolean;
}

let serial = 0;

/** A CloudTrail record as AWS writes it, normalized the way scan and serve do. */
export function call(ts: number, o: CallOptions): VigilEvent {
  return normalizeCloudTrail(callRecord(ts, o));
}

/** A CloudTrail record as AWS writes it (for tests that feed files or serve). */
export function callRecord(ts: number, o: CallOptions): Record<string, unknown> {
  const user = o.user ?? 'alice';
  const identity = o.role
    ? {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLE:${user}`,
        arn: `arn:aws:sts::111122223333:assumed-role/${user}/session`,
        accountId: '111122223333',
        accessKeyId: 'ASIAEXAMPLE',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: `arn:aws:iam::111122223333:role/${user}`,
            accountId: '111122223333',
            userName: user,
          },
        },
      }
    : {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLE',
        arn: `arn:aws:iam::111122223333:user/${user}`,
        accountId: '111122223333',
        accessKeyId: 'AKIAEXAMPLE',
        userName: user,
      };
  return {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime: new Date(ts).toISOString().replace('.000Z', 'Z'),
    eventSource: o.eventSource,
    eventName: o.eventName,
    awsRegion: o.region ?? 'us-east-1',
    sourceIPAddress: o.ip ?? '198.51.100.7',
    userAgent: o.ua ?? 'aws-cli/2.15.30 md/Botocore#1.34.62 ua/2.0 os/linux#6.5 md/arch#x86_64',
    ...(o.errorCode ? { errorCode: o.errorCode, errorMessage: 'denied' } : {}),
    requestParameters: null,
    responseElements: null,
    readOnly: o.readOnly ?? /^(Get|List|Describe)/.test(o.eventName),
    eventID: `00000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}

/** A small deterministic random source (tests must not depend on Math.random). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEV_APIS: [string, string][] = [
  ['s3.amazonaws.com', 'ListBuckets'],
  ['s3.amazonaws.com', 'GetBucketLocation'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['lambda.amazonaws.com', 'ListFunctions20150331'],
  ['logs.amazonaws.com', 'DescribeLogGroups'],
  ['cloudwatch.amazonaws.com', 'GetMetricData'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
];

/** `days` of office-hours work (Mon–Fri, 09–17 UTC) by one user: ~40 calls a day from a few APIs. */
export function officeDays(
  user: string,
  from: number,
  days: number,
  random: () => number,
  apis = DEV_APIS,
): VigilEvent[] {
  return officeRecords(user, from, days, random, apis).map((r) => normalizeCloudTrail(r));
}

/** `officeDays` as raw CloudTrail records, in time order. */
export function officeRecords(
  user: string,
  from: number,
  days: number,
  random: () => number,
  apis = DEV_APIS,
): Record<string, unknown>[] {
  const out: { ts: number; record: Record<string, unknown> }[] = [];
  for (let d = 0; d < days; d++) {
    const day = from + d * DAY;
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let i = 0; i < 40; i++) {
      const ts = day + 9 * 3_600_000 + Math.floor(random() * 8 * 3_600_000);
      const [eventSource, eventName] = apis[Math.floor(random() * apis.length)]!;
      out.push({ ts, record: callRecord(ts, { user, eventSource, eventName }) });
    }
  }
  return out.sort((a, b) => a.ts - b.ts).map((r) => r.record);
}
