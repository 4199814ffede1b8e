/**
 * Scores a scan of a `vigil simulate` set against its labels (the measure of issue 5): a scenario
 * is detected when at least one finding overlaps it — shares an evidence event id with the
 * scenario's records, or names one of its actors (principal, access key, IP, instance or interface,
 * or a resource id) while its time span meets the scenario's. A false positive is a finding at
 * MEDIUM or above that overlaps no scenario; the rate is per 100,000 benign records.
 */
export interface ScoredFinding {
  id: string;
  type: string;
  detector: string;
  title?: string;
  severityLabel: string;
  firstSeen: string;
  lastSeen: string;
  count?: number;
  actor?: { principal?: string; accessKeyId?: string; ip?: string };
  resources?: { type: string; id: string }[];
  evidence?: { eventIds?: string[] };
}

export interface ScenarioTruth {
  id: string;
  kind: string;
  start: string;
  end: string;
  actors: string[];
  /** Event ids of the scenario's records, as the scanner computes them. */
  eventIds: ReadonlySet<string>;
}

export interface ScenarioScore {
  id: string;
  kind: string;
  detected: boolean;
  /** The overlapping findings' types, most severe first. */
  findings: { type: string; severityLabel: string; byEvidence: boolean }[];
}

export interface Score {
  scenarios: ScenarioScore[];
  detected: number;
  recall: number;
  benignRecords: number;
  falsePositives: ScoredFinding[];
  /** MEDIUM-or-above findings overlapping no scenario, per 100,000 benign records. */
  fpPer100k: number;
  fpByType: { type: string; detector: string; findings: number }[];
  lowUnmatched: number;
  targetsMet: boolean;
}

export const FP_TARGET_PER_100K = 1;
const RANK: Record<string, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

/** Findings' times may trail a scenario's by a window's length (stateful detections report at the window end). */
export const DEFAULT_SLACK_MS = 15 * 60_000;

function actorValues(f: ScoredFinding): string[] {
  const out: string[] = [];
  if (f.actor?.principal) out.push(f.actor.principal);
  if (f.actor?.accessKeyId) out.push(f.actor.accessKeyId);
  if (f.actor?.ip) out.push(f.actor.ip);
  for (const r of f.resources ?? []) out.push(r.id);
  return out;
}

/** How a finding relates to a scenario: by shared evidence, by actor within the time range, or not at all. */
export function overlap(
  f: ScoredFinding,
  s: ScenarioTruth,
  slackMs = DEFAULT_SLACK_MS,
): 'evidence' | 'actor' | undefined {
  if (f.evidence?.eventIds?.some((id) => s.eventIds.has(id))) return 'evidence';
  const fStart = Date.parse(f.firstSeen);
  const fEnd = Date.parse(f.lastSeen);
  const sStart = Date.parse(s.start) - slackMs;
  const sEnd = Date.parse(s.end) + slackMs;
  if (!(fStart <= sEnd && fEnd >= sStart)) return undefined;
  const actors = new Set(s.actors);
  return actorValues(f).some((v) => actors.has(v)) ? 'actor' : undefined;
}

export function score(
  findings: ScoredFinding[],
  scenarios: ScenarioTruth[],
  benignRecords: number,
  slackMs = DEFAULT_SLACK_MS,
): Score {
  const matched = new Set<ScoredFinding>();
  const perScenario = scenarios.map((s): ScenarioScore => {
    const hits: ScenarioScore['findings'] = [];
    for (const f of findings) {
      const how = overlap(f, s, slackMs);
      if (!how) continue;
      matched.add(f);
      hits.push({ type: f.type, severityLabel: f.severityLabel, byEvidence: how === 'evidence' });
    }
    hits.sort(
      (a, b) => (RANK[b.severityLabel] ?? 0) - (RANK[a.severityLabel] ?? 0) || a.type.localeCompare(b.type),
    );
    return { id: s.id, kind: s.kind, detected: hits.length > 0, findings: hits };
  });
  const unmatched = findings.filter((f) => !matched.has(f));
  const falsePositives = unmatched.filter((f) => (RANK[f.severityLabel] ?? 0) >= RANK.MEDIUM!);
  const byType = new Map<string, { type: string; detector: string; findings: number }>();
  for (const f of falsePositives) {
    const key = `${f.type}|${f.detector}`;
    const entry = byType.get(key) ?? { type: f.type, detector: f.detector, findings: 0 };
    entry.findings++;
    byType.set(key, entry);
  }
  const detected = perScenario.filter((s) => s.detected).length;
  const fpPer100k = benignRecords > 0 ? (falsePositives.length / benignRecords) * 100_000 : 0;
  return {
    scenarios: perScenario,
    detected,
    recall: scenarios.length ? detected / scenarios.length : 1,
    benignRecords,
    falsePositives,
    fpPer100k,
    fpByType: [...byType.values()].sort((a, b) => b.findings - a.findings || a.type.localeCompare(b.type)),
    lowUnmatched: unmatched.length - falsePositives.length,
    targetsMet: detected === scenarios.length && fpPer100k < FP_TARGET_PER_100K,
  };
}

/** The report `npm run eval` prints: recall per scenario, the false-positive rate, the top FP types. */
export function formatScore(s: Score): string {
  const lines: string[] = [];
  const idW = Math.max(8, ...s.scenarios.map((x) => x.id.length));
  const kindW = Math.max(4, ...s.scenarios.map((x) => x.kind.length));
  lines.push(`${'scenario'.padEnd(idW)}  ${'kind'.padEnd(kindW)}  detected  findings (most severe first)`);
  for (const sc of s.scenarios) {
    const list = sc.findings
      .slice(0, 3)
      .map((f) => `${f.severityLabel} ${f.type}${f.byEvidence ? '' : ' (actor)'}`)
      .join('; ');
    const more = sc.findings.length > 3 ? ` +${sc.findings.length - 3}` : '';
    lines.push(
      `${sc.id.padEnd(idW)}  ${sc.kind.padEnd(kindW)}  ${(sc.detected ? 'yes' : 'NO').padEnd(8)}  ${list}${more}`,
    );
  }
  lines.push('');
  lines.push(`recall: ${s.detected}/${s.scenarios.length} scenarios (${(s.recall * 100).toFixed(0)}%)`);
  lines.push(
    `false positives (MEDIUM+, no scenario): ${s.falsePositives.length} over ${s.benignRecords.toLocaleString('en-US')} benign records = ${s.fpPer100k.toFixed(2)} per 100k (target < ${FP_TARGET_PER_100K}); LOW unmatched: ${s.lowUnmatched}`,
  );
  if (s.fpByType.length) {
    lines.push('top false-positive types:');
    for (const t of s.fpByType.slice(0, 15))
      lines.push(`  ${String(t.findings).padStart(5)}  ${t.type}  (${t.detector})`);
  }
  lines.push(`targets ${s.targetsMet ? 'met' : 'MISSED'}`);
  return lines.join('\n');
}
