import ipaddr from 'ipaddr.js';
import { parseIp } from './ip-parse.js';

export type IpClass = 'aws' | 'private' | 'public' | 'invalid';

/**
 * ipaddr.js ranges that are not reachable on the public internet. Everything else is public.
 * IPv4: RFC 1918, loopback, link-local, CGNAT (100.64/10), unspecified, broadcast, multicast, and the
 * reserved blocks (192.0.0/24, benchmarking 198.18/15, 240/4…). IPv6: unique-local (fc00::/7),
 * loopback, link-local, unspecified, multicast, site-local, discard, benchmarking, IETF-reserved.
 */
const NOT_PUBLIC = new Set([
  'private',
  'loopback',
  'linkLocal',
  'carrierGradeNat',
  'unspecified',
  'broadcast',
  'multicast',
  'reserved',
  'uniqueLocal',
  'deprecatedSiteLocal',
  'discard',
  'benchmarking',
  'rfc6145',
]);

/**
 * Documentation ranges (RFC 5737 TEST-NETs, RFC 3849 2001:db8::/32, RFC 9637 3fff::/20) count as
 * PUBLIC, a deliberate choice: they never occur in real traffic, and examples and test data use them as
 * stand-ins for internet addresses, so a detection about "a public IP" must fire on them.
 */
const DOCUMENTATION: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [
  ipaddr.parseCIDR('192.0.2.0/24'),
  ipaddr.parseCIDR('198.51.100.0/24'),
  ipaddr.parseCIDR('203.0.113.0/24'),
  ipaddr.parseCIDR('2001:db8::/32'),
  ipaddr.parseCIDR('3fff::/20'),
];

/** Anything that answers "is this address AWS's?" (AwsIpRanges, or an IpSet). */
export interface AwsAddressSet {
  lookup?(ip: string): boolean;
  contains?(ip: string): boolean;
}

/**
 * Classifies a source IP: `aws` when in AWS's published ranges, `private` when not internet-routable
 * (see NOT_PUBLIC), `public` otherwise (documentation ranges included), `invalid` when not an IP.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is classified as its IPv4 address.
 */
export function createIpClassifier(awsRanges?: AwsAddressSet): (ip: string) => IpClass {
  const inAws = (ip: string) =>
    awsRanges?.contains ? awsRanges.contains(ip) : (awsRanges?.lookup?.(ip) ?? false);
  return (text) => {
    if (typeof text !== 'string') return 'invalid';
    const num = parseIp(text);
    if (!num) return 'invalid';
    const addr =
      num.v === 4
        ? ipaddr.IPv4.parse(`${num.n >>> 24}.${(num.n >>> 16) & 255}.${(num.n >>> 8) & 255}.${num.n & 255}`)
        : ipaddr.IPv6.parse(text.trim().replace(/%.*$/, ''));
    const isDoc = DOCUMENTATION.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
    if (!isDoc && NOT_PUBLIC.has(addr.range())) return 'private';
    return inAws(text) ? 'aws' : 'public';
  };
}
