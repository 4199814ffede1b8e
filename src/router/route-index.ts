import type { PatternNode } from './pattern.js';

/** A field path (its keys) and the exact-value keys (see `exactKey`) a pattern requires there. */
export interface ExactRequirement {
  path: string[];
  keys: Set<string>;
}

const SEP = '\u0000';

/** Leaves of one alternative whose every entry is an exact value, by path. */
function exactLeaves(node: PatternNode, prefix: string[], out: Map<string, ExactRequirement>): void {
  for (const [key, field] of node.fields) {
    const path = [...prefix, key];
    if (field.kind === 'node') {
      exactLeaves(field.node, path, out);
      continue;
    }
    const keys = new Set<string>();
    for (const m of field.matchers) {
      if (m.kind !== 'value' || m.exact === undefined) {
        keys.clear();
        break;
      }
      keys.add(m.exact);
    }
    if (keys.size) out.set(path.join(SEP), { path, keys });
  }
}

/**
 * The most selective field on which EVERY alternative of a pattern requires one of a few exact values:
 * an event without one of those values there cannot match. Undefined when no such field exists.
 */
export function exactRequirement(alternatives: readonly PatternNode[]): ExactRequirement | undefined {
  let common: Map<string, ExactRequirement> | undefined;
  for (const alt of alternatives) {
    const here = new Map<string, ExactRequirement>();
    exactLeaves(alt, [], here);
    if (!common) {
      common = here;
      continue;
    }
    const next = new Map<string, ExactRequirement>();
    for (const [id, req] of common) {
      const other = here.get(id);
      if (other) next.set(id, { path: req.path, keys: new Set([...req.keys, ...other.keys]) });
    }
    common = next;
  }
  let best: ExactRequirement | undefined;
  for (const req of common?.values() ?? []) if (!best || req.keys.size < best.keys.size) best = req;
  return best;
}

export const pathId = (path: string[]) => path.join(SEP);
