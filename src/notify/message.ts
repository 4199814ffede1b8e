import type { Finding } from '../core/finding.js';
import type { Alert } from './types.js';

/** One labelled fact of a message: `Principal: arn:aws:iam::…:user/alice`. */
export interface Fact {
  label: string;
  value: string;
}

/**
 * What every channel says about an alert, extracted once. Values are cleaned (no control characters,
 * no bidi overrides; single-line fields are one line) but NOT escaped: each channel escapes them for
 * its own format, because every one of them is attacker-controlled.
 */
export interface AlertFacts {
  findingId: string;
  type: string;
  detector: string;
  title: string;
  /** Multi-line text (line breaks kept). */
  description: string;
  severity: number;
  severityLabel: string;
  /** `HIGH 7.5` */
  severityText: string;
  reason: Alert['reason'];
  /** `New finding`, `Severity raised`, `Resolved`. */
  reasonText: string;
  /** `[HIGH 7.5] <title>` — one line. */
  headline: string;
  accountId: string;
  region: string;
  /** `id (type)` per resource. */
  resources: string[];
  /** Principal, principal type, access key, source IP (with location when known), user agent. */
  who: Fact[];
  /** Account, region, resources (comma-joined). */
  where: Fact[];
  /** First seen, last seen, occurrences. */
  when: Fact[];
  /** MITRE ATT&CK tactics and techniques (only those present). */
  mitre: Fact[];
  /** Multi-line text (line breaks kept); empty when the detection has none. */
  remediation: string;
  references: string[];
  /** The dashboard link, only when it is an absolute http(s) URL. */
  link?: string;
}

const REASON_TEXT: Record<Alert['reason'], string> = {
  new: 'New finding',
  'severity-raised': 'Severity raised',
  resolved: 'Resolved',
};

// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Keeps line breaks (CRLF and CR become LF), turns tabs and other controls into spaces, drops bidi marks. */
export function cleanMultiline(text: unknown): string {
  return String(text ?? '')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROL_EXCEPT_NEWLINE, ' ')
    .replace(BIDI, '\uFFFD')
    .trim();
}

/** One line: every control character and line break becomes a space, runs of spaces fold, bidi marks drop. */
export function cleanLine(text: unknown): string {
  return cleanMultiline(text).replace(/\s+/g, ' ');
}

/** The link, if it is an absolute http(s) URL; anything else (javascript:, data:, relative) is dropped. */
export function safeLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function fact(label: string, value: unknown): Fact[] {
  const v = cleanLine(value);
  return v === '' ? [] : [{ label, value: v }];
}

function location(geo: Finding['actor']['geo']): string {
  const parts: string[] = [];
  if (geo?.country) parts.push(cleanLine(geo.country));
  if (typeof geo?.asn === 'number' && geo.asn > 0) parts.push(`AS${geo.asn}`);
  return parts.join(', ');
}

function list(values: unknown): string[] {
  return Array.isArray(values) ? values.map(cleanLine).filter((v) => v !== '') : [];
}

export function alertFacts(alert: Alert): AlertFacts {
  const f = alert.finding;
  const actor = f.actor ?? {};
  const severity = Number.isFinite(f.severity) ? f.severity : 0;
  const severityLabel = cleanLine(f.severityLabel) || 'UNKNOWN';
  const severityText = `${severityLabel} ${severity.toFixed(1)}`;
  const title = cleanLine(f.title) || cleanLine(f.type) || 'Vigil finding';
  const resources = (Array.isArray(f.resources) ? f.resources : [])
    .map((r) => {
      const id = cleanLine(r?.id);
      const type = cleanLine(r?.type);
      return type ? `${id} (${type})` : id;
    })
    .filter((r) => r !== '');
  const loc = location(actor.geo);
  const ip = cleanLine(actor.ip);
  const tactics = list(f.mitre?.tactics);
  const techniques = list(f.mitre?.techniques);
  return {
    findingId: cleanLine(f.id),
    type: cleanLine(f.type),
    detector: cleanLine(f.detector),
    title,
    description: cleanMultiline(f.description),
    severity,
    severityLabel,
    severityText,
    reason: alert.reason,
    reasonText: REASON_TEXT[alert.reason] ?? 'Alert',
    headline: `${alert.reason === 'resolved' ? 'RESOLVED: ' : ''}[${severityText}] ${title}`,
    accountId: cleanLine(f.accountId),
    region: cleanLine(f.region),
    resources,
    who: [
      ...fact('Principal', actor.principal),
      ...fact('Principal type', actor.principalType),
      ...fact('Access key', actor.accessKeyId),
      ...fact('Source IP', ip && loc ? `${ip} (${loc})` : ip),
      ...fact('User agent', actor.userAgent),
    ],
    where: [
      ...fact('Account', f.accountId),
      ...fact('Region', f.region),
      ...fact('Resources', resources.join(', ')),
    ],
    when: [
      ...fact('First seen', f.firstSeen),
      ...fact('Last seen', f.lastSeen),
      ...fact('Occurrences', Number.isFinite(f.count) ? String(f.count) : ''),
    ],
    mitre: [...fact('MITRE tactics', tactics.join(', ')), ...fact('MITRE techniques', techniques.join(', '))],
    remediation: cleanMultiline(f.remediation),
    references: list(f.references),
    ...(safeLink(alert.link) ? { link: safeLink(alert.link) } : {}),
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/**
 * The analysis as plain text (email text part, SNS message). Multi-line attacker text is indented under
 * its heading, so it cannot pose as a section of its own.
 */
export function plainTextReport(facts: AlertFacts): string {
  const section = (heading: string, rows: Fact[]): string[] =>
    rows.length ? ['', heading, ...rows.map((r) => `  ${r.label}: ${r.value}`)] : [];
  const lines = [
    facts.headline,
    `${facts.reasonText} · severity ${facts.severityText} · ${facts.type}`,
    '',
    'What happened',
    indent(facts.description || facts.title),
    `  Finding type: ${facts.type}`,
    `  Detector: ${facts.detector}`,
    `  Finding id: ${facts.findingId}`,
    ...section('Who', facts.who),
    ...section('Where', facts.where),
    ...section('When', facts.when),
    ...section('MITRE ATT&CK', facts.mitre),
  ];
  if (facts.remediation) lines.push('', 'Recommended next steps', indent(facts.remediation));
  if (facts.references.length) lines.push('', 'References', ...facts.references.map((r) => `  - ${r}`));
  if (facts.link) lines.push('', `View the finding: ${facts.link}`);
  return lines.join('\n') + '\n';
}
