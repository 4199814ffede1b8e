/** GuardDuty's severity scale: 1.0–3.9 LOW, 4.0–6.9 MEDIUM, 7.0–8.9 HIGH, 9.0–10.0 CRITICAL. */
export type SeverityLabel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export const SEVERITY_LABELS: readonly SeverityLabel[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** The lowest numeric severity of each band. */
export const SEVERITY_FLOOR: Readonly<Record<SeverityLabel, number>> = {
  LOW: 1,
  MEDIUM: 4,
  HIGH: 7,
  CRITICAL: 9,
};

export function severityLabel(severity: number): SeverityLabel {
  if (severity >= 9) return 'CRITICAL';
  if (severity >= 7) return 'HIGH';
  if (severity >= 4) return 'MEDIUM';
  return 'LOW';
}

/** Parses `low|medium|high|critical` (any case) or a number on the 1–10 scale. */
export function parseSeverity(input: string): number {
  const label = input.trim().toUpperCase();
  if (label in SEVERITY_FLOOR) return SEVERITY_FLOOR[label as SeverityLabel];
  const n = Number(input);
  if (input.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 10) return n;
  throw new Error(`unknown severity "${input}": use low, medium, high, critical or a number from 1 to 10`);
}
