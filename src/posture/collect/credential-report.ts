import type { CredentialReportRow } from '../types.js';

/**
 * Parses the IAM credential report (RFC 4180 CSV with a header row) into one record per row keyed by
 * the header's column names, every value a string as AWS writes it. Quoted fields are honoured: IAM user
 * names may contain commas. Columns AWS adds later are kept; a row shorter than the header gets `''`.
 */
export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const rows = parseCsv(csv.replace(/^\uFEFF/, ''));
  const header = rows.shift();
  if (!header || !header.includes('user') || !header.includes('arn'))
    throw new Error('the credential report has no header row with "user" and "arn" columns');
  return rows
    .filter((r) => r.length > 1 || (r[0] ?? '') !== '')
    .map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ''])) as CredentialReportRow);
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
