import { basename } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { readTextFile } from '../read-text.js';
import { createCollector, type Indicators } from './collector.js';
import { isOtxHeader, csvRows, parseCsv } from './csv.js';
import { parseStix } from './stix.js';
import { parseTxt } from './txt.js';

/**
 * List formats, with GuardDuty's names accepted as aliases: `TXT`, `STIX`, `OTX_CSV`, `ALIEN_VAULT`
 * (AlienVault's `ip#…` reputation feed, read as text), `PROOF_POINT` and `FIRE_EYE` (CSV with a header
 * naming the indicator column).
 */
export const INTEL_FORMATS = [
  'auto',
  'txt',
  'stix',
  'csv',
  'otx_csv',
  'alien_vault',
  'proof_point',
  'fire_eye',
] as const;
export type IntelFormat = (typeof INTEL_FORMATS)[number];

/** One list as configured: a plain path, or the path with its format, name and kind. */
export interface IntelListSpec {
  path: string;
  format?: IntelFormat;
  /** Shown in findings; defaults to the file name. */
  name?: string;
  /** `threat` lists raise matches; `trusted` lists suppress them. Default `threat`. */
  kind?: 'threat' | 'trusted';
}

export interface LoadedIntelList extends Indicators {
  name: string;
  kind: 'threat' | 'trusted';
  path: string;
  format: Exclude<IntelFormat, 'auto'>;
}

export function toSpec(entry: string | IntelListSpec): IntelListSpec {
  return typeof entry === 'string' ? { path: entry } : entry;
}

/** Reads the format off the content: JSON is STIX, a line with a comma (outside a comment) is CSV, else text. */
export function detectFormat(text: string): 'txt' | 'stix' | 'csv' | 'otx_csv' {
  const head = text.slice(0, 64 * 1024).replace(/^\ufeff/, '');
  const firstChar = /\S/.exec(head)?.[0];
  if (firstChar === '{' || firstChar === '[') return 'stix';
  for (const raw of head.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    if (!line.includes(',')) return 'txt';
    const row = csvRows(raw).next().value;
    return row && isOtxHeader(row.fields) ? 'otx_csv' : 'csv';
  }
  return 'txt';
}

/**
 * Parses a list's text. Bad entries are problems naming the file and line (or STIX object); the rest
 * loads. A file that cannot be parsed at all (STIX that is not JSON) throws VIGIL_INTEL_INVALID.
 */
export function parseIntelList(text: string, spec: IntelListSpec, now: number = Date.now()): LoadedIntelList {
  const requested = spec.format ?? 'auto';
  const format = requested === 'auto' ? detectFormat(text) : requested;
  const into = createCollector(spec.path);
  switch (format) {
    case 'stix':
      try {
        parseStix(text, into, now);
      } catch (err) {
        throw new VigilError('VIGIL_INTEL_INVALID', `${spec.path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      break;
    case 'txt':
    case 'alien_vault':
      parseTxt(text, into);
      break;
    default:
      parseCsv(text, into);
  }
  return {
    ...into.build(),
    name: spec.name ?? basename(spec.path),
    kind: spec.kind ?? 'threat',
    path: spec.path,
    format,
  };
}

/** Reads and parses a list file; an unreadable file throws VIGIL_INPUT_UNREADABLE naming it. */
export function loadIntelList(spec: IntelListSpec | string, now?: number): LoadedIntelList {
  const s = toSpec(spec);
  return parseIntelList(readTextFile(s.path, 'the threat-intelligence list'), s, now);
}
