import type { FindingActor, FindingResource, Finding } from '../../core/finding.js';
import { findingId } from '../../findings/aggregate.js';
import {
  account,
  bad,
  clampSeverity,
  finding,
  isObject,
  isoTime,
  region,
  str,
  tacticsOf,
  uniqueResources,
  type Json,
} from './common.js';

const REMEDIATE = 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_remediate.html';

function actorOf(resource: Json, action: Json | undefined): FindingActor {
  const actor: FindingActor = {};
  const key = isObject(resource.accessKeyDetails) ? resource.accessKeyDetails : undefined;
  if (key) {
    const name = str(key.userName);
    actor.principal = name ?? str(key.principalId);
    if (str(key.userType)) actor.principalType = str(key.userType);
    if (str(key.accessKeyId)) actor.accessKeyId = str(key.accessKeyId);
  }
  const call = action && isObject(action.awsApiCallAction) ? action.awsApiCallAction : undefined;
  const net = action && isObject(action.networkConnectionAction) ? action.networkConnectionAction : undefined;
  const remote = [call, net]
    .map((a) => (a && isObject(a.remoteIpDetails) ? a.remoteIpDetails : undefined))
    .find(Boolean);
  if (remote) {
    const ip = str(remote.ipAddressV4) ?? str(remote.ipAddressV6);
    if (ip) actor.ip = ip;
    const country = isObject(remote.country) ? str(remote.country.countryName) : undefined;
    const asnRaw = isObject(remote.organization) ? Number(remote.organization.asn) : NaN;
    const geo: NonNullable<FindingActor['geo']> = {};
    if (country) geo.country = country;
    if (Number.isInteger(asnRaw) && asnRaw >= 0) geo.asn = asnRaw;
    if (Object.keys(geo).length) actor.geo = geo;
  }
  return actor;
}

function resourcesOf(resource: Json): FindingResource[] {
  const out: FindingResource[] = [];
  const key = isObject(resource.accessKeyDetails) ? resource.accessKeyDetails : undefined;
  const instance = isObject(resource.instanceDetails) ? resource.instanceDetails : undefined;
  switch (resource.resourceType) {
    case 'AccessKey':
      if (key && str(key.accessKeyId)) out.push({ type: 'AwsIamAccessKey', id: str(key.accessKeyId)! });
      break;
    case 'Instance':
      if (instance && str(instance.instanceId))
        out.push({ type: 'AwsEc2Instance', id: str(instance.instanceId)! });
      break;
    case 'S3Bucket':
      for (const b of Array.isArray(resource.s3BucketDetails) ? resource.s3BucketDetails : []) {
        if (isObject(b) && (str(b.arn) ?? str(b.name)))
          out.push({ type: 'AwsS3Bucket', id: (str(b.arn) ?? str(b.name))! });
      }
      break;
    default:
      if (str(resource.resourceType)) out.push({ type: `Other:${String(resource.resourceType)}`, id: '-' });
  }
  return uniqueResources(out);
}

/**
 * A GuardDuty finding (schema 2.0, as in a "GuardDuty Finding" EventBridge event's `detail`) as a Vigil
 * Finding: GuardDuty's type, severity, times, count, actor and resources kept; detector `guardduty`,
 * dedup key the GuardDuty finding id. Throws VIGIL_INPUT_BAD_RECORD naming what is missing.
 */
export function fromGuardDuty(gd: unknown): Finding {
  if (!isObject(gd)) bad('GuardDuty finding is not an object');
  const id = str(gd.id) ?? bad('GuardDuty finding has no id');
  const type = str(gd.type) ?? bad(`GuardDuty finding ${id} has no type`);
  const resource = isObject(gd.resource) ? gd.resource : {};
  const service = isObject(gd.service) ? gd.service : {};
  const action = isObject(service.action) ? service.action : undefined;
  const call = action && isObject(action.awsApiCallAction) ? action.awsApiCallAction : undefined;
  const first =
    isoTime(service.eventFirstSeen) ?? isoTime(gd.createdAt) ?? bad(`GuardDuty finding ${id} has no time`);
  const last = isoTime(service.eventLastSeen) ?? isoTime(gd.updatedAt) ?? first;
  const count =
    Number.isInteger(service.count) && (service.count as number) > 0 ? (service.count as number) : 1;
  return finding({
    id: findingId('guardduty', id),
    type: /^[A-Za-z0-9]+:[^/\s]+\/\S+$/.test(type) ? type : `Unknown:GuardDuty/${type.replace(/\s+/g, '')}`,
    detector: 'guardduty',
    title: str(gd.title) ?? type,
    description: str(gd.description) ?? str(gd.title) ?? type,
    severity: clampSeverity(gd.severity),
    status: service.archived === true ? 'RESOLVED' : 'NEW',
    accountId: account(gd.accountId),
    region: region(gd.region),
    firstSeen: first,
    lastSeen: last,
    count,
    actor: actorOf(resource, action),
    resources: resourcesOf(resource),
    evidence: { eventIds: [id], eventNames: call && str(call.api) ? [str(call.api)!] : [] },
    mitre: { tactics: tacticsOf(type), techniques: [] },
    remediation: `Follow GuardDuty's remediation guidance for ${type} and review the finding in GuardDuty (${str(gd.arn) ?? id}).`,
    references: [
      REMEDIATE,
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-active.html',
    ],
  });
}
