/**
 * ATT&CK tags of Sigma rules (`attack.t1562.008`, `attack.defense-evasion`) to ids, and the
 * GuardDuty-style threat purpose a rule's first tactic gives its finding type.
 */
const TACTICS: Record<string, string> = {
  reconnaissance: 'TA0043',
  'resource-development': 'TA0042',
  'initial-access': 'TA0001',
  execution: 'TA0002',
  persistence: 'TA0003',
  'privilege-escalation': 'TA0004',
  'defense-evasion': 'TA0005',
  // ATT&CK v19 split Defense Evasion into Stealth and Defense Impairment; Sigma tags rules with the new
  // names. Both map to TA0005, the id Defense Evasion carried.
  stealth: 'TA0005',
  'defense-impairment': 'TA0005',
  'credential-access': 'TA0006',
  discovery: 'TA0007',
  'lateral-movement': 'TA0008',
  collection: 'TA0009',
  exfiltration: 'TA0010',
  'command-and-control': 'TA0011',
  impact: 'TA0040',
};

const PURPOSES: Record<string, string> = {
  'defense-evasion': 'Stealth',
  stealth: 'Stealth',
  'defense-impairment': 'Stealth',
  persistence: 'Persistence',
  'privilege-escalation': 'PrivilegeEscalation',
  'initial-access': 'InitialAccess',
  discovery: 'Discovery',
  'credential-access': 'CredentialAccess',
  exfiltration: 'Exfiltration',
  impact: 'Impact',
  execution: 'Execution',
};

const TECHNIQUE = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;

export interface MitreTags {
  tactics: string[];
  techniques: string[];
  /** Threat purpose from the first tactic tag; `Policy` when there is none we map. */
  purpose: string;
}

export function mapAttackTags(tags: readonly string[]): MitreTags {
  const tactics: string[] = [];
  const techniques: string[] = [];
  let purpose: string | undefined;
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (!tag.startsWith('attack.')) continue;
    const technique = TECHNIQUE.exec(tag);
    if (technique) {
      const id = technique[1]!.toUpperCase();
      if (!techniques.includes(id)) techniques.push(id);
      continue;
    }
    const name = tag.slice('attack.'.length).replace(/_/g, '-');
    const id = TACTICS[name];
    if (!id) continue;
    if (!tactics.includes(id)) tactics.push(id);
    purpose ??= PURPOSES[name] ?? 'Policy';
  }
  return { tactics, techniques, purpose: purpose ?? 'Policy' };
}
