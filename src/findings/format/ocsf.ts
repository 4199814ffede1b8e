import type { Finding, FindingStatus } from '../../core/finding.js';
import type { SeverityLabel } from '../../core/severity.js';
import { put, type Findings, type TextSink } from './sink.js';

/** OCSF schema version the export follows. */
export const OCSF_VERSION = '1.1.0';

const SEVERITY: Record<SeverityLabel, { id: number; name: string }> = {
  LOW: { id: 2, name: 'Low' },
  MEDIUM: { id: 3, name: 'Medium' },
  HIGH: { id: 4, name: 'High' },
  CRITICAL: { id: 5, name: 'Critical' },
};

const STATUS: Record<FindingStatus, { id: number; name: string }> = {
  NEW: { id: 1, name: 'New' },
  ACKNOWLEDGED: { id: 2, name: 'In Progress' },
  SUPPRESSED: { id: 3, name: 'Suppressed' },
  RESOLVED: { id: 4, name: 'Resolved' },
};

/** MITRE ATT&CK enterprise tactic names, for `attacks[].tactic.name`. */
const TACTICS: Record<string, string> = {
  TA0001: 'Initial Access',
  TA0002: 'Execution',
  TA0003: 'Persistence',
  TA0004: 'Privilege Escalation',
  TA0005: 'Defense Evasion',
  TA0006: 'Credential Access',
  TA0007: 'Discovery',
  TA0008: 'Lateral Movement',
  TA0009: 'Collection',
  TA0010: 'Exfiltration',
  TA0011: 'Command and Control',
  TA0040: 'Impact',
  TA0042: 'Resource Development',
  TA0043: 'Reconnaissance',
};

export interface OcsfOptions {
  /** Vigil's version, for `metadata.product.version`. */
  productVersion?: string;
}

const ms = (iso: string) => Date.parse(iso);

type Attack = { tactic?: { uid: string; name?: string }; technique?: { uid: string }; version: string };

/**
 * ATT&CK pairs. With one tactic, every technique is paired with it; with several, which technique
 * belongs to which tactic is unknown, so tactics and techniques are listed as separate entries.
 */
function attacks(f: Finding): Attack[] {
  const tactic = (uid: string) => (TACTICS[uid] ? { uid, name: TACTICS[uid] } : { uid });
  const out: Attack[] = [];
  const { tactics, techniques } = f.mitre;
  if (tactics.length === 1) {
    if (techniques.length === 0) out.push({ tactic: tactic(tactics[0]!), version: '14' });
    for (const t of techniques)
      out.push({ tactic: tactic(tactics[0]!), technique: { uid: t }, version: '14' });
    return out;
  }
  for (const t of tactics) out.push({ tactic: tactic(t), version: '14' });
  for (const t of techniques) out.push({ technique: { uid: t }, version: '14' });
  return out;
}

/**
 * One finding as an OCSF Detection Finding (class_uid 2004, category 2 Findings). activity_id is
 * 1 Create for a finding seen once, 2 Update once it has grown, 3 Close when resolved; type_uid is
 * class_uid × 100 + activity_id. `time` is the last time it was seen.
 */
export function toOcsf(f: Finding, options: OcsfOptions = {}): Record<string, unknown> {
  const activity =
    f.status === 'RESOLVED'
      ? { id: 3, name: 'Close' }
      : f.count > 1
        ? { id: 2, name: 'Update' }
        : { id: 1, name: 'Create' };
  const severity = SEVERITY[f.severityLabel];
  const status = STATUS[f.status];
  const user: Record<string, unknown> = {};
  if (f.actor.principal !== undefined) user.uid = f.actor.principal;
  if (f.actor.principalType !== undefined) user.type = f.actor.principalType;
  if (f.actor.accessKeyId !== undefined) user.credential_uid = f.actor.accessKeyId;
  const evidence: Record<string, unknown> = {};
  if (f.actor.ip !== undefined) evidence.src_endpoint = { ip: f.actor.ip };
  if (f.actor.userAgent !== undefined) evidence.http_request = { user_agent: f.actor.userAgent };
  if (f.evidence.eventNames.length) evidence.api = { operation: f.evidence.eventNames[0] };
  const cloud: Record<string, unknown> = { provider: 'AWS' };
  if (f.accountId !== '-') cloud.account = { uid: f.accountId, type_id: 10, type: 'AWS Account' };
  if (f.region !== '-') cloud.region = f.region;

  const out: Record<string, unknown> = {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 200400 + activity.id,
    type_name: `Detection Finding: ${activity.name}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    time: ms(f.lastSeen),
    start_time: ms(f.firstSeen),
    end_time: ms(f.lastSeen),
    count: f.count,
    message: f.title,
    finding_info: {
      uid: f.id,
      title: f.title,
      desc: f.description,
      types: [f.type],
      first_seen_time: ms(f.firstSeen),
      last_seen_time: ms(f.lastSeen),
      created_time: ms(f.firstSeen),
      modified_time: ms(f.lastSeen),
      analytic: { uid: f.detector, name: f.detector, type_id: 1, type: 'Rule' },
    },
    cloud,
    resources: f.resources.map((r) => {
      const res: Record<string, unknown> = { uid: r.id, type: r.type, cloud_partition: 'aws' };
      if (f.region !== '-') res.region = f.region;
      return res;
    }),
    attacks: attacks(f),
    remediation: { desc: f.remediation, references: [...f.references] },
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: 'Vigil',
        vendor_name: 'Vigil',
        ...(options.productVersion ? { version: options.productVersion } : {}),
      },
      uid: f.id,
    },
    unmapped: {
      vigil: {
        detector: f.detector,
        eventIds: [...f.evidence.eventIds],
        eventNames: [...f.evidence.eventNames],
      },
    },
  };
  if (Object.keys(user).length) out.actor = { user };
  if (Object.keys(evidence).length) out.evidences = [evidence];
  return out;
}

/** OCSF Detection Findings as JSON lines, streamed. */
export async function writeOcsf(findings: Findings, out: TextSink, options: OcsfOptions = {}): Promise<void> {
  for await (const f of findings) await put(out, JSON.stringify(toOcsf(f, options)) + '\n');
}
