import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';
import { VigilError } from '../core/errors.js';

/** What one MaxMind-format record says about an address, whichever database wrote it. */
export interface MmdbAnswer {
  countryCode?: string;
  countryName?: string;
  asn?: number;
  org?: string;
}

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);

/**
 * Reads the layouts in use: MaxMind GeoLite2/GeoIP2 Country and City (`country.iso_code`,
 * `country.names.en`, falling back to `registered_country` for addresses with no located country),
 * GeoLite2-ASN (`autonomous_system_number`, `autonomous_system_organization`), and ip-location-db's
 * DB-IP files (`country_code`).
 */
export function readMmdbRecord(rec: unknown): MmdbAnswer {
  if (!isRec(rec)) return {};
  const out: MmdbAnswer = {};
  const country = isRec(rec.country)
    ? rec.country
    : isRec(rec.registered_country)
      ? rec.registered_country
      : undefined;
  const code = str(country?.iso_code) ?? str(rec.country_code);
  if (code && /^[A-Za-z]{2}$/.test(code)) out.countryCode = code.toUpperCase();
  const names = isRec(country?.names) ? country.names : undefined;
  const name = str(names?.en);
  if (name) out.countryName = name;
  const asn = rec.autonomous_system_number;
  if (typeof asn === 'number' && Number.isInteger(asn) && asn >= 0) out.asn = asn;
  const org = str(rec.autonomous_system_organization);
  if (org) out.org = org;
  return out;
}

/** A MaxMind-format database, read whole into memory (lookups are then a walk of its search tree). */
export interface Mmdb {
  lookup(ip: string): MmdbAnswer | undefined;
  readonly databaseType: string;
  readonly bytes: number;
}

export function openMmdb(file: string): Mmdb {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new VigilError(
      'VIGIL_INPUT_UNREADABLE',
      `${file}: cannot read MaxMind database: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(buf);
  } catch (err) {
    throw new VigilError(
      'VIGIL_INPUT_UNREADABLE',
      `${file}: not a MaxMind database (.mmdb): ${(err as Error).message}`,
      { cause: err },
    );
  }
  // An IPv4-only tree walked with an IPv6 address's bits lands on some IPv4 network's record: ask it
  // nothing it cannot answer.
  const v4Only = reader.metadata.ipVersion === 4;
  return {
    databaseType: reader.metadata.databaseType,
    bytes: buf.length,
    lookup(ip) {
      if (v4Only && ip.includes(':')) return undefined;
      let rec: unknown;
      try {
        rec = reader.get(ip);
      } catch {
        // An IPv6 address asked of an IPv4-only database, or text that is not an address.
        return undefined;
      }
      return rec ? readMmdbRecord(rec) : undefined;
    },
  };
}
