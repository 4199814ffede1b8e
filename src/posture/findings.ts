import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import { severityLabel } from '../core/severity.js';
import type { Check, CheckResult, PostureSnapshot, Severity } from './types.js';

/** GuardDuty-scale severities for check severities (middle of each band). */
const SEVERITY: Record<Severity, number> = { LOW: 2, MEDIUM: 5, HIGH: 8, CRITICAL: 9.5 };

/** The detector name of a posture finding: `posture:<check id>`. */
export const POSTURE_DETECTOR_PREFIX = 'posture:';

/** Stable per check and resource: the same failing resource in the next snapshot is the same finding. */
export function postureFindingId(
  r: Pick<CheckResult, 'checkId' | 'accountId' | 'region' | 'resource'>,
): string {
  return createHash('sha256')
    .update(
      ['posture', r.checkId, r.accountId, r.region ?? '', r.resource.type, r.resource.id].join('\u0000'),
    )
    .digest('hex')
    .slice(0, 32);
}

/** A failing check result as a finding (`Policy:…` type), stored and routed like any other. */
export function postureFinding(result: CheckResult, check: Check, snapshot: PostureSnapshot): Finding {
  const severity = SEVERITY[check.severity];
  const refs = [
    ...(check.references.cis ?? []).map((c) => `CIS AWS Foundations Benchmark v3.0.0 ${c}`),
    ...(check.references.fsbp ?? []).map((c) => `AWS Foundational Security Best Practices ${c}`),
    ...(check.references.urls ?? []),
  ];
  return {
    id: postureFindingId(result),
    type: check.findingType,
    detector: `${POSTURE_DETECTOR_PREFIX}${check.id}`,
    title: check.title,
    description: result.message,
    severity,
    severityLabel: severityLabel(severity),
    status: 'NEW',
    accountId: result.accountId,
    region: result.region ?? 'global',
    firstSeen: snapshot.collectedAt,
    lastSeen: snapshot.collectedAt,
    count: 1,
    actor: {},
    resources: [{ type: result.resource.type, id: result.resource.id }],
    evidence: { eventIds: [], eventNames: [] },
    mitre: { tactics: [], techniques: [] },
    remediation: [check.remediation.text, check.remediation.cli ? `CLI: ${check.remediation.cli}` : '']
      .filter(Boolean)
      .join('\n'),
    references: refs,
  };
}

export interface PostureFindingChanges {
  /** Findings for every FAIL (new or still failing). */
  failing: Finding[];
  /** Ids of stored posture findings that now PASS, or whose resource is gone from a collected account. */
  resolved: string[];
}

/**
 * What a snapshot changes: every FAIL becomes (or stays) a finding; a stored, unresolved posture finding
 * is resolved when the same check now passes for its resource, or when its resource no longer appears in
 * an account this snapshot collected. UNKNOWN results (data not collected) resolve nothing, and accounts
 * the snapshot did not cover keep their findings.
 */
export function postureChanges(
  snapshot: PostureSnapshot,
  results: readonly CheckResult[],
  checks: ReadonlyMap<string, Check>,
  open: readonly Pick<Finding, 'id' | 'detector' | 'accountId'>[],
): PostureFindingChanges {
  const failing: Finding[] = [];
  const seen = new Map<string, CheckResult['status']>();
  const unknownChecks = new Set<string>();
  for (const r of results) {
    const id = postureFindingId(r);
    seen.set(id, r.status);
    if (r.status === 'UNKNOWN') unknownChecks.add(`${r.checkId}\u0000${r.accountId}`);
    const check = checks.get(r.checkId);
    if (r.status === 'FAIL' && check) failing.push(postureFinding(r, check, snapshot));
  }
  const accounts = new Set(snapshot.accounts.map((a) => a.accountId));
  const resolved: string[] = [];
  for (const f of open) {
    if (!f.detector.startsWith(POSTURE_DETECTOR_PREFIX) || !accounts.has(f.accountId)) continue;
    const status = seen.get(f.id);
    if (status === 'PASS') resolved.push(f.id);
    else if (status === undefined) {
      // Not evaluated this time: the resource is gone, unless the check could not look at all.
      const checkId = f.detector.slice(POSTURE_DETECTOR_PREFIX.length);
      if (!unknownChecks.has(`${checkId}\u0000${f.accountId}`) && checks.has(checkId)) resolved.push(f.id);
    }
  }
  return { failing, resolved };
}
