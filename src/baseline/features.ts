import type { VigilEvent } from '../core/event.js';

/**
 * What a behavioural baseline reads from one CloudTrail event, extracted where the event is parsed
 * (scan workers included) and applied in event order by the thread that owns the baselines. Small and
 * flat: one crosses threads for every event.
 */
export interface Observation {
  ts: number;
  /** The principal whose baseline learns from the event (its ARN, else its access key). */
  principal: string;
  /** `service:eventName`, e.g. `iam:CreateUser`. */
  api: string;
  service: string;
  region: string | undefined;
  country: string | undefined;
  asn: number | undefined;
  /** Normalised user-agent family (see userAgentFamily). */
  ua: string;
  /** VOLUME_* bits. */
  volume: number;
  /** For the finding: the event without its raw record. */
  event: Omit<VigilEvent, 'raw'>;
}

/** What the geo lookup gives for an IP (the ENRICH helper's `FieldLookups.geo`). */
export type GeoLookup = (ip: string) => { country?: string; asn?: number } | undefined;

export const VOLUME_READ = 1;
export const VOLUME_DELETE = 2;
export const VOLUME_GET_OBJECT = 4;
export const VOLUME_ERROR = 8;

const UA_FAMILIES: readonly [RegExp, string][] = [
  [/^aws-cli\//i, 'aws-cli'],
  [/terraform|hashicorp/i, 'terraform'],
  [/aws-cdk|cloudformation/i, 'cloudformation'],
  [/^(boto3|botocore)\//i, 'boto3'],
  [/aws-internal|^AWS Internal/i, 'aws-internal'],
  [/console\.amazonaws\.com|signin\.amazonaws\.com|^(s3|ec2|iam)\.amazonaws\.com$/i, 'console'],
  [
    /aws-sdk-java|aws-sdk-go|aws-sdk-js|aws-sdk-dotnet|aws-sdk-ruby|aws-sdk-php|aws-sdk-rust|aws-sdk-cpp/i,
    'sdk',
  ],
  [/^aws-sdk-|^aws-sdk\//i, 'sdk'],
  [/mozilla\/|chrome\/|safari\/|firefox\//i, 'browser'],
  [/^[a-z0-9-]+\.amazonaws\.com$/i, 'aws-service'],
];

/**
 * The family of a user agent, so a version bump (aws-cli/2.15 → 2.16) is not a new tool while a
 * switch from the console to a script is. The SDK family keeps its language (`sdk-go`, `sdk-java`).
 */
export function userAgentFamily(ua: string | undefined): string {
  if (!ua) return 'none';
  for (const [pattern, family] of UA_FAMILIES) {
    if (!pattern.test(ua)) continue;
    if (family !== 'sdk') return family;
    const lang = /aws-sdk-([a-z]+)/i.exec(ua)?.[1]?.toLowerCase();
    return lang ? `sdk-${lang}` : 'sdk';
  }
  return 'other';
}

const DELETE = /^(Delete|Terminate|Remove|Purge|Disable|Deregister|Detach|Stop|Cancel|Revoke)/;

function volumeBits(event: VigilEvent): number {
  let bits = 0;
  const name = event.eventName ?? '';
  // Object reads are their own volume (data, not discovery).
  if (name === 'GetObject') bits |= VOLUME_GET_OBJECT;
  else if (event.readOnly === true || /^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select)/.test(name))
    bits |= VOLUME_READ;
  if (DELETE.test(name)) bits |= VOLUME_DELETE;
  if (event.errorCode) bits |= VOLUME_ERROR;
  return bits;
}

/**
 * The observation of a CloudTrail event by a principal, or undefined when no baseline applies: other
 * sources, events without a principal, and AWS services acting for themselves (their behaviour is AWS's).
 */
export function observe(event: VigilEvent, geo?: GeoLookup): Observation | undefined {
  if (event.source !== 'cloudtrail' || !Number.isFinite(event.ts)) return undefined;
  if (event.principalType === 'AWSService') return undefined;
  const principal = event.principal ?? event.accessKeyId;
  if (!principal || !event.eventName) return undefined;
  const service = event.service ?? event.eventSource?.replace(/\.amazonaws\.com$/, '') ?? '-';
  let country: string | undefined;
  let asn: number | undefined;
  if (geo && event.sourceIp && !event.sourceIsService) {
    const g = geo(event.sourceIp);
    country = g?.country;
    asn = g?.asn;
  }
  const { raw: _raw, ...rest } = event;
  return {
    ts: event.ts,
    principal,
    api: `${service}:${event.eventName}`,
    service,
    region: event.region,
    country,
    asn,
    ua: event.sourceIsService ? 'aws-service' : userAgentFamily(event.userAgent),
    volume: volumeBits(event),
    event: rest,
  };
}
