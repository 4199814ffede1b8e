import type { InputProblem } from '../../core/errors.js';
import { parseCidr } from '../ip-parse.js';
import { createIpSetBuilder, type IpSet } from '../ip-set.js';
import { createDomainSet, normalizeDomain, type DomainSet } from './domain-set.js';

/** Bad entries reported one by one per file; past this, one summary problem says how many more. */
export const MAX_LIST_PROBLEMS = 1000;

/** The indicators of one list file, ready for lookups. */
export interface Indicators {
  ips: IpSet;
  domains: DomainSet;
  /** Entries loaded (IP and CIDR entries before merging, plus domains). */
  entries: number;
  problems: InputProblem[];
  /** Entries left out on purpose: not an IP or domain (file hashes, e-mail…), or expired. */
  skipped: { unsupported: number; expired: number };
}

export type IndicatorKind = 'ip' | 'domain' | 'url' | 'auto';

/** Where an entry came from, for its problem: a line of a text file, or an object of a JSON bundle. */
export type EntryPlace = { line: number } | { record: number };

/** Shows attacker-controlled text in a message: quoted, escaped, cut to 80 characters. */
export function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? text.slice(0, 80) + '…' : text);
}

/** The host of a URL indicator (`http://evil.example:8080/x` → `evil.example`), brackets of IPv6 removed. */
export function urlHost(text: string): string | undefined {
  const s = text.trim();
  try {
    const host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `http://${s}`).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

/**
 * Collects the entries of one file: IPs and CIDRs into an IpSet builder (typed arrays, no object per
 * entry), domains into a Set. Parsers call `add` per entry and `problem` for what they cannot read.
 */
export function createCollector(file: string) {
  const ips = createIpSetBuilder();
  const domains = new Set<string>();
  const problems: InputProblem[] = [];
  const skipped = { unsupported: 0, expired: 0 };
  let entries = 0;
  let bad = 0;

  const problem = (place: EntryPlace | undefined, message: string) => {
    bad++;
    if (problems.length < MAX_LIST_PROBLEMS)
      problems.push({ file, ...place, code: 'VIGIL_INTEL_INVALID', message });
  };

  /** Adds an IP, CIDR, domain or URL host; false (nothing added) when the text is none of what `kind` allows. */
  const add = (text: string, kind: IndicatorKind = 'auto'): boolean => {
    if (kind === 'url') {
      const host = urlHost(text);
      return host !== undefined && add(host, 'auto');
    }
    if (kind !== 'domain') {
      const range = parseCidr(text);
      if (range) {
        ips.add(range);
        entries++;
        return true;
      }
      if (kind === 'ip') return false;
    }
    const name = normalizeDomain(text);
    if (name === undefined) return false;
    if (!domains.has(name)) {
      domains.add(name);
      entries++;
    }
    return true;
  };

  return {
    add,
    problem,
    skipped,
    /** Adds the entry, or reports it as `not …` at its place. */
    addOrReport(text: string, place: EntryPlace, kind: IndicatorKind = 'auto'): void {
      if (add(text, kind)) return;
      const what =
        kind === 'ip'
          ? 'an IP address or CIDR block'
          : kind === 'domain'
            ? 'a domain name'
            : kind === 'url'
              ? 'a URL with a host'
              : 'an IP address, CIDR block or domain name';
      problem(place, `${shown(text)} is not ${what}`);
    },
    build(): Indicators {
      if (bad > problems.length) {
        problems.push({
          file,
          code: 'VIGIL_INTEL_INVALID',
          message: `${bad - problems.length} more bad entries not listed (${bad} in all)`,
        });
      }
      if (skipped.unsupported || skipped.expired) {
        problems.push({
          file,
          code: 'VIGIL_INTEL_SKIPPED',
          message:
            `skipped ${skipped.unsupported} indicator(s) that are not IPs or domains` +
            ` and ${skipped.expired} expired or revoked one(s)`,
        });
      }
      return { ips: ips.build(), domains: createDomainSet(domains), entries, problems, skipped };
    },
  };
}

export type Collector = ReturnType<typeof createCollector>;
