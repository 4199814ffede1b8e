import type { AwsIpRanges } from '../intel/aws-ranges.js';

/** Which AWS service and region publish an address, e.g. `{ service: 'EC2', region: 'eu-west-1' }`. */
export interface AwsServiceInfo {
  service: string;
  region: string;
}

/**
 * The most specific named service for an address in AWS's ranges. ip-ranges.json lists most blocks
 * twice — under `AMAZON` (everything Amazon announces) and under the service using it (`EC2`, `S3`,
 * `CLOUDFRONT`…) — so `AMAZON` is the answer only when no service claims the address.
 */
export function createAwsServiceLookup(ranges: AwsIpRanges): (ip: string) => AwsServiceInfo | undefined {
  return (ip) => {
    if (typeof ip !== 'string') return undefined;
    const all = ranges.describe(ip);
    const best = all.find((p) => p.service !== 'AMAZON') ?? all[0];
    return best ? { service: best.service, region: best.region } : undefined;
  };
}

/** "EC2 in eu-west-1"; "AMAZON" regions are often `GLOBAL`. */
export function describeAwsService(info: AwsServiceInfo): string {
  return info.region && info.region !== '-' ? `${info.service} in ${info.region}` : info.service;
}
