import { closeSync, openSync, readSync } from 'node:fs';
import { VigilError } from '../core/errors.js';
import type { NumericIp } from '../intel/ip-parse.js';

/** An autonomous system: its number and the organisation it is registered to. */
export interface AsnInfo {
  asn: number;
  org?: string;
}

/** IP → ASN ranges held in sorted typed arrays; each lookup is one binary search. */
export interface AsnTable {
  lookup(ip: NumericIp): AsnInfo | undefined;
  /** Ranges loaded, per family. */
  readonly ranges: { v4: number; v6: number };
}

/** The table as typed arrays sorted by range start (IPv6 addresses as high and low 64-bit halves). */
export interface AsnArrays {
  starts4: Uint32Array;
  ends4: Uint32Array;
  asns4: Uint32Array;
  orgs4: Uint32Array;
  startHi: BigUint64Array;
  startLo: BigUint64Array;
  endHi: BigUint64Array;
  endLo: BigUint64Array;
  asns6: Uint32Array;
  orgs6: Uint32Array;
  orgCount: number;
  orgName(index: number): string | undefined;
}

const ALL64 = (1n << 64n) - 1n;

class Grow<T extends Uint32Array | BigUint64Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: T extends Uint32Array ? number : bigint): void {
    if (this.length === this.data.length) {
      const next = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      next.set(this.data as never);
      this.data = next;
    }
    (this.data as unknown as (number | bigint)[])[this.length++] = v;
  }
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/** One line's columns: byte offsets of the two range fields, the ASN and the organisation text. */
interface Columns {
  start: [number, number];
  end: [number, number];
  asn: number;
  org: string;
}

const COMMA = 44;
const QUOTE = 34;

/** A run of ASCII digits as a number (exact up to 2^53), or -1 when it is not one. */
function digits(buf: Buffer, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Splits one `start,end,asn,org` line of `buf[from, to)` without making strings of the numbers: the
 * files are tens of megabytes and this keeps loading to one pass with little garbage. The fourth column
 * is plain, or quoted with `""` for a quote, as RFC 4180 writes a name containing a comma
 * ("Cloudflare, Inc."). Undefined when the line is not this shape.
 */
function splitLine(buf: Buffer, from: number, to: number): Columns | undefined {
  const a = buf.indexOf(COMMA, from);
  if (a < 0 || a >= to) return undefined;
  const b = buf.indexOf(COMMA, a + 1);
  if (b < 0 || b >= to) return undefined;
  const c = buf.indexOf(COMMA, b + 1);
  if (c < 0 || c >= to) return undefined;
  const asn = digits(buf, b + 1, c);
  if (asn < 0 || asn > 0xffffffff) return undefined;
  let org: string;
  if (buf[c + 1] === QUOTE) {
    const close = buf[to - 1] === QUOTE && to - 1 > c + 1 ? to - 1 : to;
    org = buf.toString('utf8', c + 2, close);
    if (org.includes('""')) org = org.replace(/""/g, '"');
  } else org = buf.toString('utf8', c + 1, to);
  return { start: [from, a], end: [a + 1, b], asn, org };
}

/** Calls `fn` with the [from, to) bounds of every non-empty line (CRLF or LF). */
function eachLine(buf: Buffer, fn: (from: number, to: number) => void): void {
  let at = 0;
  while (at < buf.length) {
    let nl = buf.indexOf(10, at);
    if (nl < 0) nl = buf.length;
    const to = nl > at && buf[nl - 1] === 13 ? nl - 1 : nl;
    if (to > at) fn(at, to);
    at = nl + 1;
  }
}

/**
 * Calls `fn` with each non-empty line of `file`, read 1 MiB at a time (the tables are tens of megabytes:
 * holding one whole would add that much to the process's peak memory). `buf` is valid during the call.
 */
function eachTableLine(file: string, fn: (buf: Buffer, from: number, to: number) => void): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new VigilError(
      'VIGIL_INPUT_UNREADABLE',
      `${file}: cannot read ASN table: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let kept = 0; // bytes of an unfinished line carried over at the start of `buf`
    for (;;) {
      if (kept === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const n = readSync(fd, buf, kept, buf.length - kept, null);
      const end = kept + n;
      if (n === 0) {
        if (end > 0) eachLine(buf.subarray(0, end), (from, to) => fn(buf, from, to));
        return;
      }
      const last = buf.lastIndexOf(10, end - 1);
      if (last < 0) {
        kept = end;
        continue;
      }
      eachLine(buf.subarray(0, last + 1), (from, to) => fn(buf, from, to));
      buf.copy(buf, 0, last + 1, end);
      kept = end - last - 1;
    }
  } finally {
    closeSync(fd);
  }
}

const CHUNK = 1024 * 1024;

/** A decimal of up to 39 digits as a 128-bit value, or undefined. */
function bigDigits(buf: Buffer, from: number, to: number): bigint | undefined {
  if (to <= from || to - from > 39) return undefined;
  for (let i = from; i < to; i++) if (buf[i]! < 48 || buf[i]! > 57) return undefined;
  const v = BigInt(buf.toString('latin1', from, to));
  return v >> 128n ? undefined : v;
}

/** Indexes of `starts` sorted by start; the files are sorted already, so this is usually the identity. */
function order(n: number, less: (i: number, j: number) => boolean): Uint32Array | undefined {
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (less(i, i - 1)) sorted = false;
  if (sorted) return undefined;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((i, j) => (less(i, j) ? -1 : less(j, i) ? 1 : 0));
  return Uint32Array.from(idx);
}

function permute<T extends Uint32Array | BigUint64Array>(a: T, idx: Uint32Array | undefined): T {
  if (!idx) return a;
  const out = new (a.constructor as new (n: number) => T)(a.length);
  for (let i = 0; i < idx.length; i++) (out as unknown as unknown[])[i] = a[idx[i]!];
  return out;
}

/**
 * Reads the numeric ASN tables of ip-location-db (`asn-ipv4-num.csv`, `asn-ipv6-num.csv`: lines
 * `start,end,asn,organisation`, inclusive ranges as decimal numbers). Organisation names are stored once
 * each and referenced by index. Lines that are not this shape are skipped.
 */
export function parseAsnTables(files: { v4?: string; v6?: string }): AsnArrays {
  const orgs: string[] = [];
  const orgIndex = new Map<string, number>();
  const orgOf = (name: string): number => {
    let i = orgIndex.get(name);
    if (i === undefined) {
      i = orgs.length;
      orgs.push(name);
      orgIndex.set(name, i);
    }
    return i;
  };

  const s4 = new Grow(new Uint32Array(1 << 16));
  const e4 = new Grow(new Uint32Array(1 << 16));
  const a4 = new Grow(new Uint32Array(1 << 16));
  const o4 = new Grow(new Uint32Array(1 << 16));
  if (files.v4) {
    eachTableLine(files.v4, (buf, from, to) => {
      const c = splitLine(buf, from, to);
      if (!c) return;
      const start = digits(buf, c.start[0], c.start[1]);
      const end = digits(buf, c.end[0], c.end[1]);
      if (start < 0 || end < start || end > 0xffffffff) return;
      s4.push(start);
      e4.push(end);
      a4.push(c.asn);
      o4.push(orgOf(c.org));
    });
  }
  const sh6 = new Grow(new BigUint64Array(1 << 14));
  const sl6 = new Grow(new BigUint64Array(1 << 14));
  const eh6 = new Grow(new BigUint64Array(1 << 14));
  const el6 = new Grow(new BigUint64Array(1 << 14));
  const a6 = new Grow(new Uint32Array(1 << 14));
  const o6 = new Grow(new Uint32Array(1 << 14));
  if (files.v6) {
    eachTableLine(files.v6, (buf, from, to) => {
      const c = splitLine(buf, from, to);
      if (!c) return;
      const start = bigDigits(buf, c.start[0], c.start[1]);
      const end = bigDigits(buf, c.end[0], c.end[1]);
      if (start === undefined || end === undefined || end < start) return;
      sh6.push(start >> 64n);
      sl6.push(start & ALL64);
      eh6.push(end >> 64n);
      el6.push(end & ALL64);
      a6.push(c.asn);
      o6.push(orgOf(c.org));
    });
  }

  let starts4 = s4.done();
  const idx4 = order(starts4.length, (i, j) => starts4[i]! < starts4[j]!);
  starts4 = permute(starts4, idx4);
  const ends4 = permute(e4.done(), idx4);
  const asns4 = permute(a4.done(), idx4);
  const orgs4 = permute(o4.done(), idx4);

  let startHi = sh6.done();
  let startLo = sl6.done();
  const less6 = (i: number, j: number) =>
    startHi[i]! < startHi[j]! || (startHi[i] === startHi[j] && startLo[i]! < startLo[j]!);
  const idx6 = order(startHi.length, less6);
  startHi = permute(startHi, idx6);
  startLo = permute(startLo, idx6);
  const endHi = permute(eh6.done(), idx6);
  const endLo = permute(el6.done(), idx6);
  const asns6 = permute(a6.done(), idx6);
  const orgs6 = permute(o6.done(), idx6);
  return {
    starts4,
    ends4,
    asns4,
    orgs4,
    startHi,
    startLo,
    endHi,
    endLo,
    asns6,
    orgs6,
    orgCount: orgs.length,
    orgName: (i) => orgs[i],
  };
}

/** Reads the CSV tables (see parseAsnTables) into a lookup table. */
export function loadAsnTable(files: { v4?: string; v6?: string }): AsnTable {
  return asnTableOf(parseAsnTables(files));
}

/** A lookup table over loaded arrays: one binary search per address. */
export function asnTableOf(t: AsnArrays): AsnTable {
  const { starts4, ends4, asns4, orgs4, startHi, startLo, endHi, endLo, asns6, orgs6 } = t;
  const info = (asn: number, org: number): AsnInfo => {
    const name = t.orgName(org);
    return name ? { asn, org: name } : { asn };
  };

  return {
    ranges: { v4: starts4.length, v6: startHi.length },
    lookup(ip) {
      if (ip.v === 4) {
        // Last range starting at or before the address; it holds the address if it ends at or after it.
        let lo = 0;
        let hi = starts4.length - 1;
        let at = -1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          if (starts4[mid]! <= ip.n) {
            at = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        return at >= 0 && ends4[at]! >= ip.n ? info(asns4[at]!, orgs4[at]!) : undefined;
      }
      let lo = 0;
      let hi = startHi.length - 1;
      let at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const h = startHi[mid]!;
        if (h < ip.hi || (h === ip.hi && startLo[mid]! <= ip.lo)) {
          at = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (at < 0) return undefined;
      const eh = endHi[at]!;
      const inside = eh > ip.hi || (eh === ip.hi && endLo[at]! >= ip.lo);
      return inside ? info(asns6[at]!, orgs6[at]!) : undefined;
    },
  };
}
