import { stringify } from 'csv-stringify/sync';
import type { Finding } from '../../core/finding.js';
import { neutralizeFormula } from './escape.js';
import { put, type Findings, type TextSink } from './sink.js';

/** Column order of the CSV export. List values are joined with `;`. */
export const CSV_COLUMNS = [
  'id',
  'type',
  'detector',
  'title',
  'description',
  'severity',
  'severityLabel',
  'status',
  'accountId',
  'region',
  'firstSeen',
  'lastSeen',
  'count',
  'principal',
  'principalType',
  'accessKeyId',
  'ip',
  'userAgent',
  'country',
  'asn',
  'resourceTypes',
  'resourceIds',
  'eventIds',
  'eventNames',
  'tactics',
  'techniques',
  'remediation',
  'references',
] as const;

const join = (values: readonly string[]) => values.join(';');

/** One finding flattened to CSV cells; every text cell is neutralised against formula injection. */
export function csvRow(f: Finding): (string | number)[] {
  const row: (string | number | undefined)[] = [
    f.id,
    f.type,
    f.detector,
    f.title,
    f.description,
    f.severity,
    f.severityLabel,
    f.status,
    f.accountId,
    f.region,
    f.firstSeen,
    f.lastSeen,
    f.count,
    f.actor.principal,
    f.actor.principalType,
    f.actor.accessKeyId,
    f.actor.ip,
    f.actor.userAgent,
    f.actor.geo?.country,
    f.actor.geo?.asn,
    join(f.resources.map((r) => r.type)),
    join(f.resources.map((r) => r.id)),
    join(f.evidence.eventIds),
    join(f.evidence.eventNames),
    join(f.mitre.tactics),
    join(f.mitre.techniques),
    f.remediation,
    join(f.references),
  ];
  return row.map((v) => (v === undefined ? '' : typeof v === 'number' ? v : neutralizeFormula(v)));
}

/** CSV with a header row (RFC 4180 quoting by csv-stringify), one row per finding, streamed. */
export async function writeCsv(findings: Findings, out: TextSink): Promise<void> {
  await put(out, stringify([[...CSV_COLUMNS]]));
  for await (const f of findings) await put(out, stringify([csvRow(f)]));
}
