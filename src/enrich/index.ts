/** Offline enrichment of addresses: location and AS, AWS service and region, Tor exits. */
import type { FindingActor } from '../core/finding.js';
import { loadAwsIpRanges, type AwsIpRanges } from '../intel/aws-ranges.js';
import { createAwsServiceLookup, type AwsServiceInfo } from './aws-service.js';
import { createGeo, type Geo, type GeoInfo, type GeoOptions } from './geo.js';
import { loadTorExitList, type TorExitList } from './tor.js';

export { loadAsnTable, type AsnInfo, type AsnTable } from './asn-table.js';
export { createAwsServiceLookup, describeAwsService, type AwsServiceInfo } from './aws-service.js';
export {
  bundledGeoFiles,
  createGeo,
  type Geo,
  type GeoInfo,
  type GeoLoadStats,
  type GeoOptions,
} from './geo.js';
export { openMmdb, readMmdbRecord, type Mmdb, type MmdbAnswer } from './mmdb.js';
export { loadTorExitList, parseTorExitList, type TorExitList, type TorExitListOptions } from './tor.js';

export interface EnrichmentOptions {
  /** User MaxMind files; the bundled databases otherwise. `false` turns location and AS off. */
  geo?: GeoOptions | false;
  /** A Tor exit list file (bulk exit list or one address per line). */
  torExits?: string;
  /** Already loaded AWS ranges, or a file (default: the shipped snapshot). */
  awsIpRanges?: AwsIpRanges | string;
}

export interface Enrichment {
  geo?: Geo;
  tor?: TorExitList;
  lookups: {
    geo?: (ip: string) => GeoInfo | undefined;
    isTorExit?: (ip: string) => boolean;
    awsService: (ip: string) => AwsServiceInfo | undefined;
  };
  /** The finding actor's `geo` for an address: country code, AS number and organisation. */
  actorGeo(ip: string): FindingActor['geo'] | undefined;
}

export function createEnrichment(options: EnrichmentOptions = {}): Enrichment {
  const geo = options.geo === false ? undefined : createGeo(options.geo ?? {});
  const tor = options.torExits ? loadTorExitList(options.torExits) : undefined;
  const ranges =
    typeof options.awsIpRanges === 'object' ? options.awsIpRanges : loadAwsIpRanges(options.awsIpRanges);
  return {
    ...(geo ? { geo } : {}),
    ...(tor ? { tor } : {}),
    lookups: {
      ...(geo ? { geo: (ip: string) => geo.lookup(ip) } : {}),
      ...(tor ? { isTorExit: (ip: string) => tor.isTorExit(ip) } : {}),
      awsService: createAwsServiceLookup(ranges),
    },
    actorGeo(ip) {
      const g = geo?.lookup(ip);
      if (!g) return undefined;
      const out: NonNullable<FindingActor['geo']> = {};
      if (g.country) out.country = g.country;
      if (g.asn !== undefined) out.asn = g.asn;
      if (g.org) out.org = g.org;
      return out;
    },
  };
}
