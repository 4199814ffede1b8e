import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAsnBinary, writeAsnBinary } from './asn-binary.js';
import { asnTableOf, parseAsnTables, type AsnTable } from './asn-table.js';

const require = createRequire(import.meta.url);

/**
 * Where `npm run build` keeps the binary form of the bundled ASN tables: `dist/enrich/` of this
 * package, whether this module runs from `dist/` or from `src/` (tests).
 */
export const ASN_CACHE_DIR = fileURLToPath(new URL('../../dist/enrich/', import.meta.url));

/** Identifies the CSV a binary was built from: package version, size and modification time. */
function stampOf(csv: string): string {
  const st = statSync(csv);
  const pkg = require('@ip-location-db/asn/package.json') as { version?: string };
  return `${pkg.version ?? '?'}:${st.size}:${Math.trunc(st.mtimeMs)}`;
}

const cacheFile = (dir: string, family: 4 | 6) => join(dir, `asn-ipv${family}.bin`);

/**
 * The bundled table of one address family: from the prebuilt binary when it matches the installed CSV,
 * else parsed from the CSV (slower, more peak memory; `source` says which).
 */
export function loadBundledAsn(
  csv: string,
  family: 4 | 6,
  dir = ASN_CACHE_DIR,
): { table: AsnTable; source: string } {
  const bin = cacheFile(dir, family);
  const arrays = readAsnBinary(bin, stampOf(csv));
  if (arrays) return { table: asnTableOf(arrays), source: bin };
  return { table: asnTableOf(parseAsnTables(family === 4 ? { v4: csv } : { v6: csv })), source: csv };
}

/** Writes the binary tables for `csv4` and `csv6` into `dir` unless they are current. Returns the files written. */
export function buildAsnCache(csv: { v4: string; v6: string }, dir = ASN_CACHE_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const family of [4, 6] as const) {
    const source = family === 4 ? csv.v4 : csv.v6;
    const bin = cacheFile(dir, family);
    const stamp = stampOf(source);
    if (readAsnBinary(bin, stamp)) continue;
    writeAsnBinary(parseAsnTables(family === 4 ? { v4: source } : { v6: source }), bin, stamp);
    written.push(bin);
  }
  return written;
}
