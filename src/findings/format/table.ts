import type { Finding } from '../../core/finding.js';
import type { SeverityLabel } from '../../core/severity.js';
import { terminalSafe } from './escape.js';
import { put, type Findings, type TextSink } from './sink.js';

export interface TableOptions {
  /** ANSI colours for the severity column. Off unless asked (e.g. stdout is a TTY and NO_COLOR is unset). */
  color?: boolean;
}

const COLUMNS = [
  { head: 'SEVERITY', max: 12 },
  { head: 'TYPE', max: 60 },
  { head: 'PRINCIPAL', max: 60 },
  { head: 'COUNT', max: 8, right: true },
  { head: 'FIRST SEEN', max: 20 },
  { head: 'LAST SEEN', max: 20 },
  { head: 'TITLE', max: 80 },
] as const;

const COLOR: Record<SeverityLabel, string> = {
  CRITICAL: '\u001b[1;31m',
  HIGH: '\u001b[31m',
  MEDIUM: '\u001b[33m',
  LOW: '\u001b[36m',
};
const RESET = '\u001b[0m';

/** Cuts to `max` code points, marking the cut with `…`. */
function fit(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

const width = (s: string) => [...s].length;

function cells(f: Finding): string[] {
  return [
    `${f.severityLabel} ${f.severity.toFixed(1)}`,
    f.type,
    f.actor.principal ?? '-',
    String(f.count),
    f.firstSeen,
    f.lastSeen,
    f.title,
  ].map((c, i) => fit(terminalSafe(c), COLUMNS[i]!.max));
}

/**
 * A human table: severity, type, principal, count, first/last seen, title. Every cell is made
 * terminal-safe first (control characters, CR/LF, ESC, BEL, C1 controls and bidi overrides become visible
 * escapes) and then cut to its column's maximum width; columns are as wide as their widest cell.
 * Needs all rows to fit the widths, so it collects its input.
 */
export async function writeTable(
  findings: Findings,
  out: TextSink,
  options: TableOptions = {},
): Promise<void> {
  const rows: { label: SeverityLabel; cells: string[] }[] = [];
  for await (const f of findings) rows.push({ label: f.severityLabel, cells: cells(f) });
  if (rows.length === 0) {
    await put(out, 'No findings.\n');
    return;
  }
  const widths = COLUMNS.map((c, i) => Math.max(width(c.head), ...rows.map((r) => width(r.cells[i]!))));
  const line = (values: string[], label?: SeverityLabel) =>
    values
      .map((v, i) => {
        const pad = ' '.repeat(widths[i]! - width(v));
        const padded = 'right' in COLUMNS[i]! ? pad + v : v + pad;
        return i === 0 && label && options.color ? COLOR[label] + padded + RESET : padded;
      })
      .join('  ')
      .trimEnd() + '\n';
  await put(out, line(COLUMNS.map((c) => c.head)));
  for (const r of rows) await put(out, line(r.cells, r.label));
}
