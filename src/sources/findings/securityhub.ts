import type { Finding, FindingActor } from '../../core/finding.js';
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
} from './common.js';

const LABEL_SEVERITY: Record<string, number> = {
  INFORMATIONAL: 1,
  LOW: 2,
  MEDIUM: 5,
  HIGH: 7.5,
  CRITICAL: 9,
};

/**
 * The finding type: GuardDuty's own type when the ASFF finding came from GuardDuty (ProductFields
 * `aws/guardduty/type`), else the classifier of its first ASFF type (`namespace/category/classifier`),
 * in GuardDuty's `Purpose:Resource/Family` shape.
 */
function typeOf(asff: Record<string, unknown>): string {
  const fields = isObject(asff.ProductFields) ? asff.ProductFields : {};
  const gd = str(fields['aws/guardduty/type']);
  if (gd && /^[A-Za-z0-9]+:[^/\s]+\/\S+$/.test(gd)) return gd;
  const first = Array.isArray(asff.Types) ? str(asff.Types[0]) : undefined;
  const parts = (first ?? 'Unknown').split('/').map((p) => p.replace(/[^A-Za-z0-9.-]+/g, ''));
  const [namespace = 'Unknown', category = 'Finding', classifier] = parts;
  return `${namespace || 'Unknown'}:SecurityHub/${classifier || category || 'Finding'}`;
}

function severityOf(sev: unknown): number {
  if (!isObject(sev)) return 1;
  if (typeof sev.Normalized === 'number') return clampSeverity(sev.Normalized / 10);
  const label = str(sev.Label);
  if (label && label in LABEL_SEVERITY) return LABEL_SEVERITY[label]!;
  if (typeof sev.Product === 'number') return clampSeverity(sev.Product);
  return 1;
}

/**
 * A Security Hub finding in ASFF (as in a "Security Hub Findings - Imported" event's `detail.findings[]`)
 * as a Vigil Finding: type, severity, resources and remediation kept; detector `securityhub`, dedup key
 * the ASFF Id. Throws VIGIL_INPUT_BAD_RECORD naming what is missing.
 */
export function fromSecurityHub(asff: unknown): Finding {
  if (!isObject(asff)) bad('Security Hub finding is not an object');
  const id = str(asff.Id) ?? bad('Security Hub finding has no Id');
  const type = typeOf(asff);
  const first =
    isoTime(asff.FirstObservedAt) ?? isoTime(asff.CreatedAt) ?? bad(`Security Hub finding ${id} has no time`);
  const last = isoTime(asff.LastObservedAt) ?? isoTime(asff.UpdatedAt) ?? first;
  const resources = uniqueResources(
    (Array.isArray(asff.Resources) ? asff.Resources : [])
      .filter(isObject)
      .map((r) => ({ type: str(r.Type) ?? 'Other', id: str(r.Id) ?? '' })),
  );
  const remediation =
    isObject(asff.Remediation) && isObject(asff.Remediation.Recommendation)
      ? asff.Remediation.Recommendation
      : {};
  const workflow = isObject(asff.Workflow) ? str(asff.Workflow.Status) : undefined;
  const actor: FindingActor = {};
  const action = isObject(asff.Action) ? asff.Action : undefined;
  const call = action && isObject(action.AwsApiCallAction) ? action.AwsApiCallAction : undefined;
  const remote = call && isObject(call.RemoteIpDetails) ? call.RemoteIpDetails : undefined;
  if (remote && str(remote.IpAddressV4)) actor.ip = str(remote.IpAddressV4);
  const fromRegion = str(asff.Region) ?? str(asff.ProductArn)?.split(':')[3] ?? '';
  return finding({
    id: findingId('securityhub', id),
    type,
    detector: 'securityhub',
    title: str(asff.Title) ?? type,
    description: str(asff.Description) ?? str(asff.Title) ?? type,
    severity: severityOf(asff.Severity),
    status:
      workflow === 'RESOLVED' || asff.RecordState === 'ARCHIVED'
        ? 'RESOLVED'
        : workflow === 'SUPPRESSED'
          ? 'SUPPRESSED'
          : workflow === 'NOTIFIED'
            ? 'ACKNOWLEDGED'
            : 'NEW',
    accountId: account(asff.AwsAccountId),
    region: region(fromRegion),
    firstSeen: first,
    lastSeen: last,
    count: 1,
    actor,
    resources,
    evidence: { eventIds: [id], eventNames: call && str(call.Api) ? [str(call.Api)!] : [] },
    mitre: { tactics: tacticsOf(type), techniques: [] },
    remediation: str(remediation.Text) ?? 'Review the finding in Security Hub.',
    references: str(remediation.Url) ? [str(remediation.Url)!] : [],
  });
}
