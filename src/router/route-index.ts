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
 * Every field on which EVERY alternative of a pattern requires one of a few exact values: an event without
 * one of those values there cannot match. Empty when no such field exists.
 */
export function exactRequirements(alternatives: readonly PatternNode[]): ExactRequirement[] {
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
  return [...(common?.values() ?? [])];
}

/**
 * For each route, the requirement to file it under: the one whose values the fewest routes share (so
 * `source: ["vigil"]`, common to all routes, loses to `detail.accountId: ["1234…"]`).
 */
export function chooseRequirements(options: ExactRequirement[][]): (ExactRequirement | undefined)[] {
  const shared = new Map<string, number>();
  const slot = (req: ExactRequirement, key: string) => `${pathId(req.path)}${SEP}${SEP}${key}`;
  for (const reqs of options) {
    for (const req of reqs)
      for (const key of req.keys) shared.set(slot(req, key), (shared.get(slot(req, key)) ?? 0) + 1);
  }
  return options.map((reqs) => {
    let best: ExactRequirement | undefined;
    let bestCost = Infinity;
    for (const req of reqs) {
      let cost = 0;
      for (const key of req.keys) cost += shared.get(slot(req, key))!;
      if (cost < bestCost) [best, bestCost] = [req, cost];
    }
    return best;
  });
}

export const pathId = (path: string[]) => path.join(SEP);
