import { readTextFile } from './read-text.js';
import { VigilError, type InputProblem } from '../core/errors.js';
import { parseCidr, parseIp, type NumericIp } from './ip-parse.js';
import { createIpSetBuilder, type IpSet } from './ip-set.js';
import { packagePath } from '../core/paths.js';

/** One published AWS prefix. */
export interface AwsPrefix {
  prefix: string;
  region: string;
  service: string;
}

/** AWS's published IP ranges (`ip-ranges.json`), indexed for lookups. */
export interface AwsIpRanges {
  syncToken: string;
  createDate: string;
  /** Prefixes read (IPv4 + IPv6, before merging). */
  prefixCount: number;
  /** Entries that could not be read; the others are loaded. */
  problems: InputProblem[];
  /** Whether the address is in any AWS range, O(log n). */
  contains(ip: string): boolean;
  /** Every published prefix containing the address (e.g. both AMAZON and EC2), most specific first. */
  describe(ip: string): AwsPrefix[];
  set: IpSet;
}

/** The snapshot shipped with Vigil (data/aws-ip-ranges.json; see data/README.md). */
export function defaultAwsIpRangesPath(): string {
  return packagePath('data/aws-ip-ranges.json');
}

function networkKey(ip: NumericIp, bits: number): string {
  if (ip.v === 4) {
    const size = 2 ** (32 - bits);
    return `4:${ip.n - (ip.n % size)}/${bits}`;
  }
  const ALL64 = (1n << 64n) - 1n;
  const hiHost = bits >= 64 ? 0n : ALL64 >> BigInt(bits);
  const loHost = bits <= 64 ? ALL64 : ALL64 >> BigInt(bits - 64);
  return `6:${ip.hi & ~hiHost & ALL64}:${ip.lo & ~loHost & ALL64}/${bits}`;
}

/**
 * Reads AWS's `ip-ranges.json` format: `prefixes[].{ip_prefix, region, service}` and
 * `ipv6_prefixes[].{ipv6_prefix, region, service}`. A malformed entry is reported (with its array and
 * index) and skipped; a document that is not this format throws VIGIL_INPUT_BAD_RECORD.
 */
export function parseAwsIpRanges(doc: unknown, file: string): AwsIpRanges {
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { prefixes?: unknown }).prefixes)) {
    throw new VigilError(
      'VIGIL_INPUT_BAD_RECORD',
      `${file}: not an AWS ip-ranges.json document (no "prefixes" array)`,
    );
  }
  const d = doc as {
    syncToken?: unknown;
    createDate?: unknown;
    prefixes: unknown[];
    ipv6_prefixes?: unknown;
  };
  const builder = createIpSetBuilder();
  const byNetwork = new Map<string, AwsPrefix[]>();
  const bitsSeen = { 4: new Set<number>(), 6: new Set<number>() };
  const problems: InputProblem[] = [];
  let count = 0;

  const read = (list: unknown[], key: 'ip_prefix' | 'ipv6_prefix', family: 4 | 6) => {
    list.forEach((entry, i) => {
      const e = entry as Record<string, unknown> | null;
      const prefix = e?.[key];
      const range = typeof prefix === 'string' && prefix.includes('/') ? parseCidr(prefix) : undefined;
      if (!range || range.v !== family) {
        if (problems.length < 100) {
          problems.push({
            file,
            record: i,
            code: 'VIGIL_INTEL_INVALID',
            message: `${key === 'ip_prefix' ? 'prefixes' : 'ipv6_prefixes'}[${i}]: ${JSON.stringify(String(prefix)).slice(0, 80)} is not an IPv${family} CIDR block`,
          });
        }
        return;
      }
      const p = prefix as string;
      const bits = Number(p.slice(p.indexOf('/') + 1));
      const info: AwsPrefix = {
        prefix: p,
        region: typeof e!.region === 'string' ? e!.region : '-',
        service: typeof e!.service === 'string' ? e!.service : '-',
      };
      builder.add(range);
      count++;
      const start: NumericIp =
        range.v === 4 ? { v: 4, n: range.start } : { v: 6, hi: range.startHi, lo: range.startLo };
      const k = networkKey(start, bits);
      const same = byNetwork.get(k);
      if (same) same.push(info);
      else byNetwork.set(k, [info]);
      bitsSeen[family].add(bits);
    });
  };
  read(d.prefixes, 'ip_prefix', 4);
  if (Array.isArray(d.ipv6_prefixes)) read(d.ipv6_prefixes, 'ipv6_prefix', 6);

  const set = builder.build();
  const bits4 = [...bitsSeen[4]].sort((a, b) => b - a);
  const bits6 = [...bitsSeen[6]].sort((a, b) => b - a);
  return {
    syncToken: typeof d.syncToken === 'string' ? d.syncToken : '',
    createDate: typeof d.createDate === 'string' ? d.createDate : '',
    prefixCount: count,
    problems,
    set,
    contains: (ip) => set.lookup(ip),
    describe(text) {
      const ip = typeof text === 'string' ? parseIp(text) : undefined;
      if (!ip || !set.has(ip)) return [];
      const out: AwsPrefix[] = [];
      for (const bits of ip.v === 4 ? bits4 : bits6) {
        const hit = byNetwork.get(networkKey(ip, bits));
        if (hit) out.push(...hit);
      }
      return out;
    },
  };
}

/** Reads an `ip-ranges.json` file (default: the shipped snapshot). */
export function loadAwsIpRanges(file: string = defaultAwsIpRangesPath()): AwsIpRanges {
  const text = readTextFile(file, 'AWS IP ranges');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VigilError(
      'VIGIL_INPUT_BAD_JSON',
      `${file}: AWS IP ranges are not valid JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return parseAwsIpRanges(doc, file);
}
