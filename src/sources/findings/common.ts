import { VigilError } from '../../core/errors.js';
import type { Finding, FindingResource } from '../../core/finding.js';
import { severityLabel } from '../../core/severity.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function bad(message: string): never {
  throw new VigilError('VIGIL_INPUT_BAD_RECORD', message);
}

/** ISO time with second precision, as the Finding contract writes it; undefined when unreadable. */
export function isoTime(v: unknown): string | undefined {
  const t = typeof v === 'number' ? v * (v < 1e12 ? 1000 : 1) : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

export function account(v: unknown): string {
  return typeof v === 'string' && /^\d{12}$/.test(v) ? v : '-';
}

export function region(v: unknown): string {
  return typeof v === 'string' && /^[a-z0-9-]{1,32}$/.test(v) ? v : '-';
}

/** ATT&CK tactics for a GuardDuty threat purpose (the part of a finding type before the colon). */
const PURPOSE_TACTICS: Record<string, string[]> = {
  Recon: ['TA0043'],
  Discovery: ['TA0007'],
  Persistence: ['TA0003'],
  PrivilegeEscalation: ['TA0004'],
  CredentialAccess: ['TA0006'],
  DefenseEvasion: ['TA0005'],
  Stealth: ['TA0005'],
  Exfiltration: ['TA0010'],
  Impact: ['TA0040'],
  InitialAccess: ['TA0001'],
  UnauthorizedAccess: ['TA0001'],
  CryptoCurrency: ['TA0040'],
  Cryptocurrency: ['TA0040'],
  Backdoor: ['TA0011'],
  Trojan: ['TA0011'],
  Execution: ['TA0002'],
  PenTest: ['TA0043'],
  Behavior: [],
  Policy: [],
};

export function tacticsOf(type: string): string[] {
  return [...(PURPOSE_TACTICS[type.split(':')[0] ?? ''] ?? [])];
}

/** Clamps to GuardDuty's 1–10 scale. */
export function clampSeverity(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return 1;
  return Math.min(10, Math.max(1, Math.round(n * 10) / 10));
}

export function finding(parts: Omit<Finding, 'severityLabel'>): Finding {
  return { ...parts, severityLabel: severityLabel(parts.severity) };
}

export function uniqueResources(list: FindingResource[]): FindingResource[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.type}\u0000${r.id}`;
    if (!r.id || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
