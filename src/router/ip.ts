import ipaddr from 'ipaddr.js';

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;

/** Recent answers of ipBytes: the same event's address is tested by many routes. Cleared when full. */
const recent = new Map<string, number[] | undefined>();

/** The address bytes of an IPv4 or IPv6 literal (no zone, no brackets), or undefined when it is not one. */
export function ipBytes(text: string): number[] | undefined {
  // Every IPv4 literal has a dot and every IPv6 literal a colon: most strings are ruled out at once.
  if (!text.includes('.') && !text.includes(':')) return undefined;
  const known = recent.get(text);
  if (known !== undefined || recent.has(text)) return known;
  const bytes = parseBytes(text);
  if (recent.size >= 4096) recent.clear();
  recent.set(text, bytes);
  return bytes;
}

function parseBytes(text: string): number[] | undefined {
  if (IPV4.test(text)) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
    return ipaddr.IPv4.parse(text).toByteArray();
  }
  if (IPV6.test(text) && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text).toByteArray();
  return undefined;
}

export function sameBytes(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** -1, 0 or 1: byte-wise order of two addresses of the same family. */
function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

export interface CidrRange {
  low: number[];
  high: number[];
}

/**
 * A CIDR block as the reference matcher (aws/event-ruler) reads it: one "/", an integer mask below the
 * address width (so /32 and /128 are rejected), and a range from the network address (host bits cleared) to
 * the broadcast address (host bits set). Returns a reason string when the text is not acceptable.
 */
export function parseCidr(text: string): CidrRange | string {
  const parts = text.split('/');
  if (parts.length !== 2) return 'malformed CIDR: one "/" required';
  if (!/^-?\d+$/.test(parts[1]!)) return 'malformed CIDR: mask bits must be an integer';
  const bits = Number(parts[1]);
  if (bits < 0) return 'malformed CIDR: mask bits must not be negative';
  const low = ipBytes(parts[0]!);
  if (!low) return `invalid IP address "${parts[0]}"`;
  const width = low.length * 8;
  if (bits >= width) return `${low.length === 4 ? 'IPv4' : 'IPv6'} mask bits must be < ${width}`;
  const hostMask = low.map(
    (_, i) => (1 << Math.min(8, Math.max(0, width - bits - (low.length - 1 - i) * 8))) - 1,
  );
  return { low: low.map((b, i) => b & ~hostMask[i]!), high: low.map((b, i) => b | hostMask[i]!) };
}

export function inCidr(range: CidrRange, address: number[]): boolean {
  return (
    address.length === range.low.length &&
    compare(address, range.low) >= 0 &&
    compare(address, range.high) <= 0
  );
}
