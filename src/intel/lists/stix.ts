import { shown, type Collector, type IndicatorKind } from './collector.js';

/** STIX cyber-observable types Vigil matches on, by the indicator kind of their `value`. */
const OBJECT_KINDS: Record<string, IndicatorKind> = {
  'ipv4-addr': 'ip',
  'ipv6-addr': 'ip',
  'domain-name': 'domain',
  url: 'url',
};

/** One comparison of a pattern: `type:path OP value`, the value a quoted string or a `( … )` set. */
const COMPARISON =
  /([a-z0-9-]+):([A-Za-z0-9_.'\-[\]*]+)\s+(NOT\s+)?(=|!=|<>|<=|>=|<|>|IN|LIKE|MATCHES|ISSUBSET|ISSUPERSET)\s+('(?:[^'\\]|\\.)*'|\((?:[^)'\\]|'(?:[^'\\]|\\.)*')*\)|[^\s\]]+)/g;
const QUOTED = /'((?:[^'\\]|\\.)*)'/g;
const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

/**
 * The addresses and names a STIX pattern asks for. Only disjunctions are taken apart: in
 * `[ipv4-addr:value = 'a' OR domain-name:value = 'b']` or `[…] OR […]` each comparison alone is an
 * indicator. A pattern with AND, FOLLOWEDBY, negation or qualifiers (WITHIN, REPEATS…) describes a
 * combination that one address does not satisfy, so it is unsupported as a whole.
 */
export function patternValues(pattern: string): {
  values: { kind: IndicatorKind; value: string }[];
  unsupported: number;
} {
  const values: { kind: IndicatorKind; value: string }[] = [];
  let unsupported = 0;
  // strings removed first, so keywords inside values do not count
  const skeleton = pattern.replace(QUOTED, "''");
  if (/\b(AND|FOLLOWEDBY|WITHIN|REPEATS|START|STOP)\b/.test(skeleton)) return { values, unsupported: 1 };
  for (const m of pattern.matchAll(COMPARISON)) {
    const [, type, path, not, op, rhs] = m as unknown as [
      string,
      string,
      string,
      string | undefined,
      string,
      string,
    ];
    const kind = OBJECT_KINDS[type];
    if (!kind || path !== 'value' || not) {
      unsupported++;
      continue;
    }
    if (op === '=' || (op === 'ISSUBSET' && kind === 'ip')) {
      if (rhs.startsWith("'")) values.push({ kind, value: unescape(rhs.slice(1, -1)) });
      else unsupported++;
    } else if (op === 'IN') {
      for (const q of rhs.matchAll(QUOTED)) values.push({ kind, value: unescape(q[1]!) });
    } else unsupported++;
  }
  if (values.length === 0 && unsupported === 0) unsupported = 1;
  return { values, unsupported };
}

/** STIX timestamps are RFC 3339 (`2024-05-01T00:00:00.000Z`); a bad one counts as no expiry. */
function expired(validUntil: unknown, now: number): boolean {
  if (typeof validUntil !== 'string') return false;
  const t = Date.parse(validUntil);
  return Number.isFinite(t) && t <= now;
}

/**
 * STIX 2.0 / 2.1 JSON: a bundle (`{"type":"bundle","objects":[…]}`), a bare array of objects, or one
 * indicator. Each `indicator` with a STIX pattern contributes the IPs, CIDRs, domains and URL hosts its
 * pattern compares `value` against; revoked indicators and those whose `valid_until` has passed are
 * skipped (counted). Other objects (malware, relationships, identities…) carry no indicator and are
 * ignored. A problem names the object by its index in `objects`.
 */
export function parseStix(text: string, into: Collector, now: number): void {
  const doc: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const objects: unknown[] = Array.isArray(doc)
    ? doc
    : doc && typeof doc === 'object' && Array.isArray((doc as { objects?: unknown }).objects)
      ? (doc as { objects: unknown[] }).objects
      : doc && typeof doc === 'object' && (doc as { type?: unknown }).type === 'indicator'
        ? [doc]
        : (() => {
            throw new Error('not a STIX bundle: no "objects" array');
          })();
  objects.forEach((o, record) => {
    if (!o || typeof o !== 'object') {
      into.problem({ record }, 'not a STIX object');
      return;
    }
    const obj = o as Record<string, unknown>;
    if (obj.type !== 'indicator') return;
    if (obj.pattern_type !== undefined && obj.pattern_type !== 'stix') {
      into.skipped.unsupported++;
      return;
    }
    if (typeof obj.pattern !== 'string') {
      into.problem({ record }, 'indicator without a pattern');
      return;
    }
    if (obj.revoked === true || expired(obj.valid_until, now)) {
      into.skipped.expired++;
      return;
    }
    const { values, unsupported } = patternValues(obj.pattern);
    into.skipped.unsupported += unsupported;
    for (const { kind, value } of values) {
      if (!into.add(value, kind))
        into.problem(
          { record },
          `${shown(value)} in the pattern is not a valid ${kind === 'url' ? 'URL' : kind}`,
        );
    }
  });
}
