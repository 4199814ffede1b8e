import { SEVERITY_LABELS } from '../core/severity.js';
import { alertFacts } from './message.js';
import { truncateText } from './truncate.js';
import type { Digest } from './types.js';

/** One finding of a digest, cleaned (one line each) but NOT escaped: each channel escapes for its format. */
export interface DigestItem {
  severityLabel: string;
  severity: number;
  title: string;
  type: string;
  principal: string;
  accountId: string;
  region: string;
  count: string;
  /** Only when it is an absolute http(s) URL. */
  link?: string;
}

/** What every channel says about a digest, extracted once. */
export interface DigestFacts {
  id: string;
  count: number;
  since: string;
  until: string;
  /** `Vigil digest: 12 findings (9 LOW, 3 MEDIUM)` — one line. */
  headline: string;
  /** Most severe first. */
  bySeverity: { label: string; count: number }[];
  /** Most frequent first, then by name. */
  byType: { type: string; count: number }[];
  items: DigestItem[];
  /** The highest severity label present (for filters: SNS attributes). */
  topSeverityLabel: string;
  topSeverity: number;
}

/** Per-item field lengths: one finding is one line, whatever an attacker put in its fields. */
const ITEM_MAX = { title: 200, type: 150, principal: 300, account: 64 } as const;
/** Types listed in a digest's summary; the rest are counted. */
export const DIGEST_TYPES_SHOWN = 20;

function tally(values: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}

function rank(label: string): number {
  const i = SEVERITY_LABELS.indexOf(label as (typeof SEVERITY_LABELS)[number]);
  return i === -1 ? -1 : i;
}

export function digestFacts(digest: Digest): DigestFacts {
  const items = digest.alerts.map((alert): DigestItem => {
    const f = alertFacts(alert);
    return {
      severityLabel: f.severityLabel,
      severity: f.severity,
      title: truncateText(f.title, ITEM_MAX.title),
      type: truncateText(f.type, ITEM_MAX.type),
      principal: truncateText(f.who.find((w) => w.label === 'Principal')?.value ?? '', ITEM_MAX.principal),
      accountId: truncateText(f.accountId, ITEM_MAX.account),
      region: truncateText(f.region, ITEM_MAX.account),
      count: f.when.find((w) => w.label === 'Occurrences')?.value ?? '',
      ...(f.link ? { link: f.link } : {}),
    };
  });
  const bySeverity = [...tally(items.map((i) => i.severityLabel))]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => rank(b.label) - rank(a.label) || a.label.localeCompare(b.label));
  const byType = [...tally(items.map((i) => i.type || 'unknown'))]
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
  const noun = items.length === 1 ? 'finding' : 'findings';
  const top = items.reduce<DigestItem | undefined>(
    (m, i) => (!m || i.severity > m.severity ? i : m),
    undefined,
  );
  return {
    id: digest.id,
    count: items.length,
    since: digest.since,
    until: digest.until,
    headline: `Vigil digest: ${items.length} ${noun} (${bySeverity.map((s) => `${s.count} ${s.label}`).join(', ')})`,
    bySeverity,
    byType,
    items,
    topSeverityLabel: bySeverity[0]?.label ?? 'UNKNOWN',
    topSeverity: top?.severity ?? 0,
  };
}

/** `alice · account 123456789012 / us-east-1 · 3 times`: the parts of an item line after title and type. */
export function itemDetails(item: DigestItem): string[] {
  const parts: string[] = [];
  if (item.principal) parts.push(item.principal);
  const where = [item.accountId, item.region].filter((p) => p !== '').join(' / ');
  if (where) parts.push(`account ${where}`);
  if (item.count) parts.push(`${item.count}×`);
  return parts;
}

/** One plain-text line: `[LOW] <title> · <type> · <principal> · account <a> / <region> · 3× · <link>`. */
export function digestLine(item: DigestItem): string {
  return [`[${item.severityLabel}] ${item.title}`, item.type, ...itemDetails(item), item.link ?? '']
    .filter((p) => p !== '')
    .join(' · ');
}

export function moreText(n: number): string {
  return `…and ${n} more`;
}

/**
 * How many items fit: all of them if their sizes add up to at most `budget`, otherwise as many as fit
 * while leaving `reserve` for the "and N more" line.
 */
export function fitCount(sizes: number[], budget: number, reserve: number): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= budget) return sizes.length;
  let used = 0;
  let n = 0;
  for (const size of sizes) {
    if (used + size + reserve > budget) break;
    used += size;
    n++;
  }
  return n;
}

/** The header lines of a plain-text digest (email text part, SNS message). */
export function plainTextDigestHead(facts: DigestFacts): string[] {
  return [
    facts.headline,
    `Held from ${facts.since} to ${facts.until}`,
    '',
    'By severity',
    ...facts.bySeverity.map((s) => `  ${s.label}: ${s.count}`),
    '',
    'By type',
    ...facts.byType.slice(0, DIGEST_TYPES_SHOWN).map((t) => `  ${t.type}: ${t.count}`),
    ...(facts.byType.length > DIGEST_TYPES_SHOWN
      ? [`  ${moreText(facts.byType.length - DIGEST_TYPES_SHOWN)} types`]
      : []),
    '',
    'Findings',
  ];
}

/**
 * The digest as plain text, one line per finding, at most `maxBytes` of UTF-8 (default unbounded): the
 * findings that do not fit are counted in a last "…and N more" line instead.
 */
export function plainTextDigest(facts: DigestFacts, maxBytes = Infinity): string {
  const head = plainTextDigestHead(facts).join('\n') + '\n';
  const lines = facts.items.map((i) => `  - ${digestLine(i)}\n`);
  const sizes = lines.map((l) => Buffer.byteLength(l, 'utf8'));
  const budget = maxBytes - Buffer.byteLength(head, 'utf8');
  const shown = fitCount(sizes, budget, Buffer.byteLength(`  ${moreText(facts.count)}\n`, 'utf8'));
  const more = facts.count - shown;
  return head + lines.slice(0, shown).join('') + (more > 0 ? `  ${moreText(more)}\n` : '');
}
