/**
 * What every match of a rule requires of one field (`eventName`, `eventSource`), for indexing: the
 * field's lower-cased value is one of `exact` or starts with one of `prefixes`. Conservative: a
 * Required may admit values no match has, never the reverse. `undefined` stands for "no constraint".
 */
export interface Required {
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
}

/** True when a lower-cased value meets the constraint. */
export function admits(r: Required, lower: string): boolean {
  if (r.exact.has(lower)) return true;
  for (const p of r.prefixes) if (lower.startsWith(p)) return true;
  return false;
}

/** The exact values when the constraint has no prefixes (an index key set), else undefined. */
export function exactOnly(r: Required | undefined): ReadonlySet<string> | undefined {
  return r && r.prefixes.length === 0 ? r.exact : undefined;
}

/** Values meeting both constraints. */
export function intersect(a: Required, b: Required): Required {
  const exact = new Set<string>();
  for (const v of a.exact) if (admits(b, v)) exact.add(v);
  for (const v of b.exact) if (admits(a, v)) exact.add(v);
  const prefixes = new Set<string>();
  for (const p of a.prefixes) {
    for (const q of b.prefixes) {
      if (p.startsWith(q)) prefixes.add(p);
      else if (q.startsWith(p)) prefixes.add(q);
    }
  }
  return { exact, prefixes: [...prefixes] };
}

/** The union when every part is constrained; undefined as soon as one part is not. */
export function unionAll(parts: readonly (Required | undefined)[]): Required | undefined {
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const p of parts) {
    if (!p) return undefined;
    for (const v of p.exact) exact.add(v);
    for (const v of p.prefixes) prefixes.add(v);
  }
  return { exact, prefixes: [...prefixes] };
}

/** Intersects the constrained parts (an AND: each constrained part narrows it); undefined when none is. */
export function intersectAll(parts: readonly (Required | undefined)[]): Required | undefined {
  let out: Required | undefined;
  for (const p of parts) if (p) out = out ? intersect(out, p) : p;
  return out;
}
