import type { PrincipalType } from './event.js';
import type { SeverityLabel } from './severity.js';

/** The Finding contract (see ARCHITECTURE.md). Public: exports, the API and scripts rely on its shape. */
export type FindingStatus = 'NEW' | 'ACKNOWLEDGED' | 'RESOLVED' | 'SUPPRESSED';

export interface FindingActor {
  principal?: string;
  principalType?: PrincipalType | string;
  accessKeyId?: string;
  ip?: string;
  userAgent?: string;
  /** Where `ip` is: ISO country code, AS number and the AS's organisation. */
  geo?: { country?: string; asn?: number; org?: string };
}

export interface FindingResource {
  type: string;
  id: string;
}

/** Another finding this one is made of (an attack sequence's members), as listed in `related`. */
export interface RelatedFinding {
  id: string;
  type: string;
  title: string;
}

export interface Finding {
  /** Stable hash of detector + dedup key. */
  id: string;
  /** GuardDuty-style `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism`. */
  type: string;
  /** Id of the detection that raised it (its file name). */
  detector: string;
  title: string;
  description: string;
  severity: number;
  severityLabel: SeverityLabel;
  status: FindingStatus;
  accountId: string;
  region: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  actor: FindingActor;
  resources: FindingResource[];
  evidence: { eventIds: string[]; eventNames: string[] };
  mitre: { tactics: string[]; techniques: string[] };
  remediation: string;
  references: string[];
  /**
   * Findings this one links (schema 1.1, optional): an attack sequence's members in time order. Absent on
   * ordinary findings, so their exports are unchanged.
   */
  related?: RelatedFinding[];
}

/** How many evidence event ids a finding keeps; `count` keeps counting past it. */
export const MAX_EVIDENCE_IDS = 50;
