import ipaddr from 'ipaddr.js';

/** An address as numbers: IPv4 as an unsigned 32-bit number, IPv6 as two unsigned 64-bit halves. */
export type NumericIp = { v: 4; n: number } | { v: 6; hi: bigint; lo: bigint };

/** An inclusive range of addresses of one family. */
export type NumericRange =
  | { v: 4; start: number; end: number }
  | { v: 6; startHi: bigint; startLo: bigint; endHi: bigint; endLo: bigint };

const ALL64 = (1n << 64n) - 1n;

/**
 * Strict dotted-quad IPv4: four decimal octets 0–255, no leading zeros (which some parsers read as
 * octal), no shorthand forms like `127.1`.
 */
export function parseIPv4(text: string): number | undefined {
  // A character scan, no split or regular expressions: it runs for every address of every flow record.
  const len = text.length;
  if (len < 7 || len > 15) return undefined;
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return undefined; // no leading zeros
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return n * 256 + octet;
}

function v6Halves(parts: number[]): { hi: bigint; lo: bigint } {
  let hi = 0n;
  let lo = 0n;
  for (let i = 0; i < 4; i++) hi = (hi << 16n) | BigInt(parts[i]!);
  for (let i = 4; i < 8; i++) lo = (lo << 16n) | BigInt(parts[i]!);
  return { hi, lo };
}

/** Parses an IPv4 or IPv6 address (a `%zone` suffix is ignored). IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): NumericIp | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > 64) return undefined;
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { v: 4, n: v4 };
  if (!s.includes(':') || !ipaddr.IPv6.isValid(s)) return undefined;
  const addr = ipaddr.IPv6.parse(s);
  if (addr.isIPv4MappedAddress()) return { v: 4, n: parseIPv4(addr.toIPv4Address().toString())! };
  return { v: 6, ...v6Halves(addr.parts) };
}

/**
 * Parses an address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) into an inclusive range. Host bits
 * set below the prefix (`10.1.2.3/8`) are cleared, as most tools do.
 */
export function parseCidr(text: string): NumericRange | undefined {
  const s = text.trim();
  const slash = s.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(s);
    if (!ip) return undefined;
    return ip.v === 4
      ? { v: 4, start: ip.n, end: ip.n }
      : { v: 6, startHi: ip.hi, startLo: ip.lo, endHi: ip.hi, endLo: ip.lo };
  }
  const bitsText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const addrText = s.slice(0, slash);
  const v4 = parseIPv4(addrText);
  if (v4 !== undefined) {
    if (bits > 32) return undefined;
    const size = 2 ** (32 - bits);
    const start = v4 - (v4 % size);
    return { v: 4, start, end: start + size - 1 };
  }
  if (bits > 128 || !addrText.includes(':') || addrText.includes('%') || !ipaddr.IPv6.isValid(addrText))
    return undefined;
  const { hi, lo } = v6Halves(ipaddr.IPv6.parse(addrText).parts);
  const hiHost = bits >= 64 ? 0n : ALL64 >> BigInt(bits);
  const loHost = bits <= 64 ? ALL64 : ALL64 >> BigInt(bits - 64);
  return {
    v: 6,
    startHi: hi & ~hiHost & ALL64,
    startLo: lo & ~loHost & ALL64,
    endHi: hi | hiHost,
    endLo: lo | loHost,
  };
}
