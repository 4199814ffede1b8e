import { shown, type Collector, type IndicatorKind } from './collector.js';

/** One CSV row: its fields and the line it starts on. */
export interface CsvRow {
  fields: string[];
  line: number;
}

/**
 * RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks (OTX descriptions do).
 * Lines starting with `#` outside quotes are comments (feeds put a licence header there); blank lines
 * are skipped.
 */
export function* csvRows(text: string): Generator<CsvRow> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    if (text[i] === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (; i < n; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else quoted = false;
        } else {
          if (c === '\n') line++;
          field += c;
        }
      } else if (c === '"' && field.trim() === '') {
        quoted = true;
        field = '';
      } else if (c === ',') {
        fields.push(field);
        field = '';
      } else if (c === '\n') {
        break;
      } else if (c !== '\r') field += c;
    }
    fields.push(field);
    i++;
    line++;
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    yield { fields: fields.map((f) => f.trim()), line: start };
  }
}

/** OTX's `Indicator type` values, and what each is to Vigil; other types (hashes, e-mail, CVE…) are skipped. */
const OTX_TYPES: Record<string, IndicatorKind> = {
  ip: 'ip',
  ipv4: 'ip',
  ipv6: 'ip',
  cidr: 'ip',
  domain: 'domain',
  hostname: 'domain',
  fqdn: 'domain',
  url: 'url',
  uri: 'url',
};

/** Header names that hold the indicator, by what they hold; matched case-insensitively, `_`/space-blind. */
const VALUE_COLUMNS: Record<string, IndicatorKind> = {
  indicator: 'auto',
  ioc: 'auto',
  value: 'auto',
  observable: 'auto',
  ip: 'ip',
  ipaddress: 'ip',
  ipaddr: 'ip',
  address: 'ip',
  cidr: 'ip',
  network: 'ip',
  domain: 'domain',
  domainname: 'domain',
  hostname: 'domain',
  host: 'domain',
  fqdn: 'domain',
  url: 'url',
};
const TYPE_COLUMNS = new Set(['indicatortype', 'type', 'ioctype']);

const key = (header: string) => header.toLowerCase().replace(/[\s_-]/g, '');

/** True when the header row is an OTX pulse export (`Indicator type,Indicator,Description`). */
export function isOtxHeader(fields: readonly string[]): boolean {
  const keys = fields.map(key);
  return keys.includes('indicatortype') && keys.includes('indicator');
}

/**
 * CSV lists: an OTX pulse export (`Indicator type,Indicator,Description`), or any CSV whose header names
 * its indicator column (`ip`, `domain`, `url`, `indicator`, `value`…, with an optional type column) —
 * the layout of Proofpoint ET's reputation CSVs (`ip,category,score,…` / `domain,category,score,…`).
 * Without a header, the first column is the indicator. Rows of types Vigil does not match on (file
 * hashes, e-mail addresses…) are counted as skipped, not reported one by one.
 */
export function parseCsv(text: string, into: Collector): void {
  let column = -1;
  let columnKind: IndicatorKind = 'auto';
  let typeColumn = -1;
  let first = true;
  for (const row of csvRows(text)) {
    if (first) {
      first = false;
      const keys = row.fields.map(key);
      column = keys.findIndex((k) => Object.hasOwn(VALUE_COLUMNS, k));
      if (column >= 0) {
        columnKind = VALUE_COLUMNS[keys[column]!]!;
        typeColumn = keys.findIndex((k, i) => i !== column && TYPE_COLUMNS.has(k));
        continue;
      }
      // no header: the first column holds the indicator (a header we do not know is reported below)
      column = 0;
    }
    const value = row.fields[column];
    if (value === undefined || value === '') {
      into.problem({ line: row.line }, `no indicator in column ${column + 1}`);
      continue;
    }
    let kind = columnKind;
    if (typeColumn >= 0) {
      const type = (row.fields[typeColumn] ?? '').toLowerCase().replace(/[\s_-]/g, '');
      const mapped = OTX_TYPES[type] ?? OTX_TYPES[type.replace(/address$/, '')];
      if (!mapped) {
        into.skipped.unsupported++;
        continue;
      }
      kind = mapped;
    }
    if (!into.add(value, kind)) {
      into.problem(
        { line: row.line },
        `${shown(value)} is not a valid ${kind === 'auto' ? 'IP, CIDR or domain' : kind} indicator`,
      );
    }
  }
}
