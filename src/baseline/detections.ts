import type { Detection } from '../detect/types.js';
import type { Tactic } from './tactic.js';

/**
 * The detections baseline findings are filed under: one per finding type, so the aggregator keeps one
 * finding per principal, type and window. Severity varies per hit (how many features and which), so a
 * hit carries a copy with its own severity; the id, and so the finding, stay the same.
 */
const MITRE: Record<Tactic, string> = {
  Discovery: 'TA0007',
  Exfiltration: 'TA0010',
  Impact: 'TA0040',
  Persistence: 'TA0003',
  PrivilegeEscalation: 'TA0004',
  CredentialAccess: 'TA0006',
  DefenseEvasion: 'TA0005',
  InitialAccess: 'TA0001',
};

const kebab = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

function detection(id: string, type: string, tactic: Tactic, description: string): Detection {
  return {
    id,
    title: `Unusual behaviour for this principal (${tactic})`,
    type,
    severity: 2,
    maturity: 'stable',
    source: 'cloudtrail',
    description,
    mitre: { tactics: [MITRE[tactic]], techniques: [] },
    detection: {},
    dedupKey: ['vigil.principal'],
    resources: [],
    remediation:
      'Confirm with the owner of the identity that the activity was theirs. If not, disable its access ' +
      'keys or revoke its sessions, and review what it did since the first unusual event.',
    references: [
      'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html',
      'https://www.elastic.co/guide/en/security/current/prebuilt-ml-jobs.html',
    ],
    falsepositives: ["A new task, tool, location or workload of the identity's legitimate owner."],
    tests: [],
    origin: 'builtin',
    file: '(behavioural baseline)',
  };
}

export const API_DETECTIONS: Record<Tactic, Detection> = Object.fromEntries(
  (Object.keys(MITRE) as Tactic[]).map((t) => [
    t,
    detection(
      `anomalous-behavior-${kebab(t)}`,
      `${t}:IAMUser/AnomalousBehavior`,
      t,
      'An API call, or a volume of calls, unusual for this principal given its learned behaviour.',
    ),
  ]),
) as Record<Tactic, Detection>;

export const GET_OBJECT_VOLUME = detection(
  'anomalous-behavior-s3-read-volume',
  'Exfiltration:S3/AnomalousBehavior',
  'Exfiltration',
  'Far more GetObject calls in an hour than this principal usually makes.',
);

export const BASELINE_DETECTIONS: readonly Detection[] = [
  ...Object.values(API_DETECTIONS),
  GET_OBJECT_VOLUME,
];

const withSeverity = new Map<string, Detection>();

/** The detection with this hit's severity (cached: a handful of combinations). */
export function atSeverity(d: Detection, severity: number): Detection {
  if (d.severity === severity) return d;
  const key = `${d.id}\u0000${severity}`;
  let copy = withSeverity.get(key);
  if (!copy) withSeverity.set(key, (copy = { ...d, severity }));
  return copy;
}
