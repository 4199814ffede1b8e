import { parse } from 'tldts';
import type { VigilEvent } from '../../core/event.js';
import { dgaScore } from './dga.js';
import type { DerivedField } from './index.js';

/**
 * Facts about the name a Route 53 Resolver query asked for (`query_name`), for DNS detections:
 *
 * - `vigil.dns.name`: the name, lower case, without the trailing dot.
 * - `vigil.dns.domain`: the registered domain under the ICANN public suffixes (`example.co.uk`). Private
 *   suffixes (`cloudfront.net`, `github.io`, `herokuapp.com`) are deliberately not used: the hashes and
 *   tenant names under a CDN or platform belong to it, so `d1a2b3c4.cloudfront.net` is `cloudfront.net`.
 *   Reverse lookups group under `in-addr.arpa` / `ip6.arpa`; names without a public suffix (`.internal`,
 *   single labels) keep their last two labels.
 * - `vigil.dns.subdomain`: what precedes the domain (`www`), empty when none.
 * - `vigil.dns.longestLabel`: the length of the longest label of the name.
 * - `vigil.dns.entropy`: Shannon entropy in bits per character of the subdomain (dots excluded): data
 *   encoded into names (base32, hex, base64) scores 4 and above, words and host names far less.
 * - `vigil.dns.dgaScore`: 0–1, how machine-made the registered domain's own label looks (dga.ts); 0 for
 *   names without an ICANN suffix, which no domain generation algorithm can register.
 * - `vigil.dns.labelScore`: the same score of the longest subdomain label: encoded data (base32, hex) scores
 *   near 1 where long descriptive host names, whose entropy can be as high, score low.
 */
interface NameFacts {
  name: string;
  /** The longest label of the subdomain. */
  longestSubLabel: string;
  domain: string | undefined;
  subdomain: string;
  longestLabel: number;
  icann: boolean;
  label: string;
}

export function nameFacts(queryName: string): NameFacts {
  const name = queryName.toLowerCase().replace(/\.+$/, '');
  const labels = name.split('.');
  const longestLabel = labels.reduce((max, l) => Math.max(max, l.length), 0);
  const f = nameParts(name, labels);
  const longestSubLabel = f.subdomain.split('.').reduce((a, b) => (b.length > a.length ? b : a), '');
  return { ...f, name, longestLabel, longestSubLabel };
}

function nameParts(
  name: string,
  labels: readonly string[],
): Pick<NameFacts, 'domain' | 'subdomain' | 'icann' | 'label'> {
  const parsed = parse(name, { extractHostname: false, validateHostname: false });
  if (parsed.isIp) return { domain: name, subdomain: '', icann: false, label: '' };
  const suffix = parsed.publicSuffix ?? '';
  if (suffix === 'in-addr.arpa' || suffix === 'ip6.arpa') {
    const subdomain = name.length > suffix.length ? name.slice(0, name.length - suffix.length - 1) : '';
    return { domain: suffix, subdomain, icann: false, label: '' };
  }
  if (parsed.domain && parsed.isIcann) {
    return {
      domain: parsed.domain,
      subdomain: parsed.subdomain ?? '',
      icann: true,
      label: parsed.domainWithoutSuffix ?? '',
    };
  }
  const domain = labels.slice(-2).join('.');
  const subdomain = labels.slice(0, -2).join('.');
  return { domain: domain || undefined, subdomain, icann: false, label: '' };
}

/** Shannon entropy in bits per character of `text`, ignoring dots; 0 for empty text. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  let n = 0;
  for (const c of text) {
    if (c === '.') continue;
    counts.set(c, (counts.get(c) ?? 0) + 1);
    n++;
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

// Every dns field of an event parses the same name: keep the last event's facts.
let lastEvent: VigilEvent | undefined;
let lastFacts: NameFacts | undefined;

function facts(event: VigilEvent): NameFacts | undefined {
  if (event === lastEvent) return lastFacts;
  const q = event.source === 'dns' ? event.raw['query_name'] : undefined;
  lastEvent = event;
  lastFacts = typeof q === 'string' && q.length > 0 ? nameFacts(q) : undefined;
  return lastFacts;
}

export const dnsFields: Record<string, DerivedField> = {
  'dns.name': (e) => facts(e)?.name,
  'dns.domain': (e) => facts(e)?.domain,
  'dns.subdomain': (e) => facts(e)?.subdomain,
  'dns.longestLabel': (e) => facts(e)?.longestLabel,
  'dns.entropy': (e) => {
    const f = facts(e);
    return f ? Math.round(shannonEntropy(f.subdomain) * 1000) / 1000 : undefined;
  },
  'dns.dgaScore': (e) => {
    const f = facts(e);
    if (!f) return undefined;
    return f.icann ? Math.round(dgaScore(f.label) * 1000) / 1000 : 0;
  },
  'dns.labelScore': (e) => {
    const f = facts(e);
    return f ? Math.round(dgaScore(f.longestSubLabel) * 1000) / 1000 : undefined;
  },
};
