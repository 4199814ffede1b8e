import { terminalSafe } from '../../core/text.js';

export { terminalSafe };

/** First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * Neutralises spreadsheet formula injection: a cell starting with = + - @ TAB or CR gets a leading `'`,
 * so Excel, LibreOffice and Google Sheets show it as text instead of evaluating it.
 */
export function neutralizeFormula(cell: string): string {
  return cell.length > 0 && FORMULA_START.has(cell[0]!) ? `'${cell}` : cell;
}
