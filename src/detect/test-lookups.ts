import ipaddr from 'ipaddr.js';
import type { FieldLookups } from './fields/index.js';

/**
 * The fixed lookups detection test cases run with, so cases are reproducible without downloading
 * anything: one threat list holding TEST_LISTED_IP, and an IP class from the address alone
 * (private ranges are `private`, everything else `public`; `aws` needs AWS's published ranges and
 * is never produced here).
 */
export const TEST_THREAT_LIST = 'test-threat-list';
export const TEST_LISTED_IP = '203.0.113.66';

const PRIVATE = new Set([
  'private',
  'loopback',
  'linkLocal',
  'uniqueLocal',
  'carrierGradeNat',
  'unspecified',
]);

export function detectionTestLookups(): FieldLookups {
  return {
    threatIntel: (ip) => (ip === TEST_LISTED_IP ? TEST_THREAT_LIST : undefined),
    ipClass: (ip) => {
      if (!ipaddr.isValid(ip)) return 'invalid';
      let addr = ipaddr.parse(ip);
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
        addr = (addr as ipaddr.IPv6).toIPv4Address();
      }
      return PRIVATE.has(addr.range()) ? 'private' : 'public';
    },
  };
}
