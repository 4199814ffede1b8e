/** Domain indicators: exact names and every name below them (`evil.example` matches `a.b.evil.example`). */
export interface DomainSet {
  /** The indicator that covers the name (itself or a parent domain), or undefined. */
  match(name: string): string | undefined;
  readonly size: number;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * A domain name in the one form indicators and queries are compared in: lower case, without the
 * trailing root dot DNS logs write (`example.com.`), without a leading `*.` wildcard (a suffix match
 * already covers every subdomain). Undefined when it is not a host name of at least two labels: a
 * single label (`com`, `localhost`) as an indicator would match whole top-level domains.
 */
export function normalizeDomain(text: string): string | undefined {
  let s = text.trim().toLowerCase();
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s.startsWith('*.')) s = s.slice(2);
  if (s.length === 0 || s.length > 253) return undefined;
  const labels = s.split('.');
  if (labels.length < 2) return undefined;
  for (const l of labels) if (!LABEL.test(l)) return undefined;
  // all-numeric last label: an IPv4-looking string, not a name
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return s;
}

/**
 * A Set of normalized names; a lookup walks the name's suffixes from the full name up to its last two
 * labels, so it costs one hash probe per label, whatever the number of indicators.
 */
export function createDomainSet(names: Set<string>): DomainSet {
  return {
    size: names.size,
    match(name) {
      if (typeof name !== 'string' || names.size === 0) return undefined;
      let s = name.length > 0 && name.charCodeAt(name.length - 1) === 46 ? name.slice(0, -1) : name;
      s = s.toLowerCase();
      if (s.length > 253) return undefined;
      for (let from = 0; from >= 0;) {
        const suffix = from === 0 ? s : s.slice(from);
        if (names.has(suffix)) return suffix;
        const dot = s.indexOf('.', from);
        from = dot < 0 ? -1 : dot + 1;
      }
      return undefined;
    },
  };
}
