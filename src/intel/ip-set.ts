import { parseCidr, parseIp, type NumericIp, type NumericRange } from './ip-parse.js';

/** A set of IPv4/IPv6 addresses held as merged, sorted numeric ranges in typed arrays. */
export interface IpSet {
  /** Whether the address is in the set: a binary search, O(log n). False for anything not an IP. */
  lookup(ip: string): boolean;
  /** Same, for an already parsed address. */
  has(ip: NumericIp): boolean;
  /** Number of merged IPv4 and IPv6 ranges. */
  readonly size: number;
}

export interface IpSetBuilder {
  add(range: NumericRange): void;
  /** Adds an address or CIDR block; false when the text is neither. */
  addText(text: string): boolean;
  build(): IpSet;
}

const ALL64 = (1n << 64n) - 1n;

class GrowableU32 {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

class GrowableU64 {
  data = new BigUint64Array(64);
  length = 0;
  push(v: bigint): void {
    if (this.length === this.data.length) {
      const next = new BigUint64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Merging with starts and ends sorted independently: after sorting both, block i ends where the next
 * start lies beyond end[i] + 1. Gives the same union as sorting (start, end) pairs, without objects.
 */
function merge4(startsIn: Uint32Array, endsIn: Uint32Array): { starts: Uint32Array; ends: Uint32Array } {
  const starts = Uint32Array.from(startsIn).sort();
  const ends = Uint32Array.from(endsIn).sort();
  const outS = new GrowableU32();
  const outE = new GrowableU32();
  let blockStart = 0;
  for (let i = 0; i < starts.length; i++) {
    if (i === 0) blockStart = starts[0]!;
    const next = starts[i + 1];
    if (next === undefined || next > ends[i]! + 1) {
      outS.push(blockStart);
      outE.push(ends[i]!);
      if (next !== undefined) blockStart = next;
    }
  }
  return { starts: Uint32Array.from(outS.view()), ends: Uint32Array.from(outE.view()) };
}

function cmp128(aHi: bigint, aLo: bigint, bHi: bigint, bLo: bigint): number {
  if (aHi !== bHi) return aHi < bHi ? -1 : 1;
  if (aLo !== bLo) return aLo < bLo ? -1 : 1;
  return 0;
}

function sortedPairs(hi: GrowableU64, lo: GrowableU64): { hi: BigUint64Array; lo: BigUint64Array } {
  const n = hi.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => cmp128(hi.data[a]!, lo.data[a]!, hi.data[b]!, lo.data[b]!));
  const outHi = new BigUint64Array(n);
  const outLo = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    outHi[i] = hi.data[order[i]!]!;
    outLo[i] = lo.data[order[i]!]!;
  }
  return { hi: outHi, lo: outLo };
}

function merge6(sHi: GrowableU64, sLo: GrowableU64, eHi: GrowableU64, eLo: GrowableU64) {
  const s = sortedPairs(sHi, sLo);
  const e = sortedPairs(eHi, eLo);
  const out = {
    sHi: new GrowableU64(),
    sLo: new GrowableU64(),
    eHi: new GrowableU64(),
    eLo: new GrowableU64(),
  };
  let bHi = 0n;
  let bLo = 0n;
  for (let i = 0; i < s.hi.length; i++) {
    if (i === 0) [bHi, bLo] = [s.hi[0]!, s.lo[0]!];
    const last = i + 1 === s.hi.length;
    // end + 1, carrying into the high half; an end of all-ones has no successor and always closes a block
    const endHi = e.hi[i]!;
    const endLo = e.lo[i]!;
    const maxed = endHi === ALL64 && endLo === ALL64;
    const succHi = endLo === ALL64 ? endHi + 1n : endHi;
    const succLo = endLo === ALL64 ? 0n : endLo + 1n;
    if (last || maxed || cmp128(s.hi[i + 1]!, s.lo[i + 1]!, succHi, succLo) > 0) {
      out.sHi.push(bHi);
      out.sLo.push(bLo);
      out.eHi.push(endHi);
      out.eLo.push(endLo);
      if (maxed) break;
      if (!last) [bHi, bLo] = [s.hi[i + 1]!, s.lo[i + 1]!];
    }
  }
  const trim = (g: GrowableU64) => g.data.slice(0, g.length);
  return { sHi: trim(out.sHi), sLo: trim(out.sLo), eHi: trim(out.eHi), eLo: trim(out.eLo) };
}

/** Collects ranges (in growable typed arrays, no per-entry objects kept) and builds an IpSet. */
export function createIpSetBuilder(): IpSetBuilder {
  const s4 = new GrowableU32();
  const e4 = new GrowableU32();
  const s6hi = new GrowableU64();
  const s6lo = new GrowableU64();
  const e6hi = new GrowableU64();
  const e6lo = new GrowableU64();

  const add = (r: NumericRange) => {
    if (r.v === 4) {
      s4.push(r.start);
      e4.push(r.end);
    } else {
      s6hi.push(r.startHi);
      s6lo.push(r.startLo);
      e6hi.push(r.endHi);
      e6lo.push(r.endLo);
    }
  };

  return {
    add,
    addText(text) {
      const r = parseCidr(text);
      if (!r) return false;
      add(r);
      return true;
    },
    build() {
      const v4 = merge4(s4.view(), e4.view());
      const v6 = merge6(s6hi, s6lo, e6hi, e6lo);
      return makeIpSet(v4, v6);
    },
  };
}

function makeIpSet(
  v4: { starts: Uint32Array; ends: Uint32Array },
  v6: { sHi: BigUint64Array; sLo: BigUint64Array; eHi: BigUint64Array; eLo: BigUint64Array },
): IpSet {
  const has4 = (n: number) => {
    let lo = 0;
    let hi = v4.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (v4.starts[mid]! <= n) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && n <= v4.ends[found]!;
  };
  const has6 = (aHi: bigint, aLo: bigint) => {
    let lo = 0;
    let hi = v6.sHi.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp128(v6.sHi[mid]!, v6.sLo[mid]!, aHi, aLo) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && cmp128(aHi, aLo, v6.eHi[found]!, v6.eLo[found]!) <= 0;
  };
  const has = (ip: NumericIp) => (ip.v === 4 ? has4(ip.n) : has6(ip.hi, ip.lo));
  return {
    has,
    lookup(text: string) {
      if (typeof text !== 'string') return false;
      const ip = parseIp(text);
      return ip ? has(ip) : false;
    },
    size: v4.starts.length + v6.sHi.length,
  };
}

/** An IpSet of the given addresses and CIDR blocks; throws on any entry that is neither. */
export function ipSetOf(entries: Iterable<string>): IpSet {
  const b = createIpSetBuilder();
  for (const e of entries)
    if (!b.addText(e)) throw new Error(`not an IP address or CIDR: ${JSON.stringify(e)}`);
  return b.build();
}
