import { createIpClassifier, loadAwsIpRanges } from '../intel/index.js';
import { createDomainSet } from '../intel/lists/domain-set.js';
import type { FieldLookups } from './fields/index.js';

/**
 * The fixed lookups detection test cases run with, so cases are reproducible: one threat list
 * (`test-threat-list`) holding only TEST_LISTED_IP and the domain TEST_LISTED_DOMAIN (and every name below
 * it), a Tor exit list holding only TEST_TOR_EXIT, and the IP classifier over the AWS ranges
 * snapshot shipped in data/ (documentation addresses such as 203.0.113.0/24 count as public).
 */
export const TEST_THREAT_LIST = 'test-threat-list';
export const TEST_LISTED_IP = '203.0.113.66';
/** The one domain on the test threat list: it and its subdomains match, as with real domain lists. */
export const TEST_LISTED_DOMAIN = 'c2-listed.example';
/** The one address on the test Tor exit list. */
export const TEST_TOR_EXIT = '198.51.100.199';

export function detectionTestLookups(): FieldLookups {
  const domains = createDomainSet(new Set([TEST_LISTED_DOMAIN]));
  return {
    threatDomain: (name) => (domains.match(name) === undefined ? undefined : TEST_THREAT_LIST),
    threatIntel: (ip) => (ip === TEST_LISTED_IP ? TEST_THREAT_LIST : undefined),
    ipClass: createIpClassifier(loadAwsIpRanges()),
    isTorExit: (ip) => ip === TEST_TOR_EXIT,
  };
}
