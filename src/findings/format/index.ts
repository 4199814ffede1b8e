import { writeAsff, type AsffOptions } from './asff.js';
import { writeCsv } from './csv.js';
import { writeJson } from './json.js';
import { writeJsonl } from './jsonl.js';
import { writeOcsf, type OcsfOptions } from './ocsf.js';
import type { Findings, TextSink } from './sink.js';
import { writeTable, type TableOptions } from './table.js';

export const FINDING_FORMATS = ['table', 'jsonl', 'json', 'csv', 'asff', 'ocsf'] as const;
export type FindingFormat = (typeof FINDING_FORMATS)[number];

export type FormatOptions = TableOptions & AsffOptions & OcsfOptions;

/** Writes findings in one of the output formats; all formats render the same Finding model. */
export async function writeFindings(
  format: FindingFormat,
  findings: Findings,
  out: TextSink,
  options: FormatOptions = {},
): Promise<void> {
  switch (format) {
    case 'table':
      return writeTable(findings, out, options);
    case 'jsonl':
      return writeJsonl(findings, out);
    case 'json':
      return writeJson(findings, out);
    case 'csv':
      return writeCsv(findings, out);
    case 'asff':
      return writeAsff(findings, out, options);
    case 'ocsf':
      return writeOcsf(findings, out, options);
  }
}

export { asffType, ASFF_LIMITS, toAsff, writeAsff, type AsffFinding, type AsffOptions } from './asff.js';
export { CSV_COLUMNS, csvRow, writeCsv } from './csv.js';
export { neutralizeFormula, terminalSafe } from './escape.js';
export { writeJson } from './json.js';
export { jsonlLine, writeJsonl } from './jsonl.js';
export { OCSF_VERSION, toOcsf, writeOcsf, type OcsfOptions } from './ocsf.js';
export { collectText, put, type Findings, type TextSink } from './sink.js';
export { writeTable, type TableOptions } from './table.js';
