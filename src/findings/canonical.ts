import type { Finding, FindingActor } from '../core/finding.js';

/**
 * A copy of a finding holding exactly the contract's fields, in the contract's key order
 * (ARCHITECTURE.md). Unknown keys are dropped and absent optional actor fields are omitted, so every
 * export of the same finding is byte-for-byte the same.
 */
export function canonicalFinding(f: Finding): Finding {
  return {
    id: f.id,
    type: f.type,
    detector: f.detector,
    title: f.title,
    description: f.description,
    severity: f.severity,
    severityLabel: f.severityLabel,
    status: f.status,
    accountId: f.accountId,
    region: f.region,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    count: f.count,
    actor: canonicalActor(f.actor),
    resources: f.resources.map((r) => ({ type: r.type, id: r.id })),
    evidence: { eventIds: [...f.evidence.eventIds], eventNames: [...f.evidence.eventNames] },
    mitre: { tactics: [...f.mitre.tactics], techniques: [...f.mitre.techniques] },
    remediation: f.remediation,
    references: [...f.references],
    ...(f.related ? { related: f.related.map((r) => ({ id: r.id, type: r.type, title: r.title })) } : {}),
  };
}

function canonicalActor(a: FindingActor): FindingActor {
  const out: FindingActor = {};
  if (a.principal !== undefined) out.principal = a.principal;
  if (a.principalType !== undefined) out.principalType = a.principalType;
  if (a.accessKeyId !== undefined) out.accessKeyId = a.accessKeyId;
  if (a.ip !== undefined) out.ip = a.ip;
  if (a.userAgent !== undefined) out.userAgent = a.userAgent;
  if (a.geo !== undefined) {
    const geo: NonNullable<FindingActor['geo']> = {};
    if (a.geo.country !== undefined) geo.country = a.geo.country;
    if (a.geo.asn !== undefined) geo.asn = a.geo.asn;
    if (a.geo.org !== undefined) geo.org = a.geo.org;
    out.geo = geo;
  }
  return out;
}
