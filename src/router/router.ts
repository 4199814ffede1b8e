import { leavesOf, prepareEvent, type EventNode } from './event-tree.js';
import { compilePattern, matchesPrepared, type CompiledPattern, type CompileOptions } from './pattern.js';
import { PatternError } from './pattern-error.js';
import { chooseRequirements, exactRequirements, pathId } from './route-index.js';
import { exactKey } from './value-matchers.js';

export interface RouteSpec {
  name: string;
  pattern: string | object;
}

export interface Router {
  /** Names of the routes whose pattern matches the event, in route order. */
  match(event: unknown): string[];
  /** Names of the routes the index leaves to be evaluated for this event (a superset of `match`). */
  candidates(event: unknown): string[];
}

/** Every route that could not be compiled, reported together. */
export class RouteConfigError extends Error {
  constructor(readonly problems: { route: string; message: string }[]) {
    super(
      `${problems.length} route(s) rejected:\n${problems.map((p) => `  ${p.route}: ${p.message}`).join('\n')}`,
    );
    this.name = 'RouteConfigError';
  }
}

interface IndexedPath {
  path: string[];
  byValue: Map<string, number[]>;
}

/** Exact-value keys of every leaf at `path`, looking through arrays and repeated keys. */
function valuesAt(node: EventNode, path: string[], depth: number, out: Set<string>): void {
  if (node.kind === 'array') {
    for (const item of node.items) valuesAt(item, path, depth, out);
    return;
  }
  if (node.kind !== 'object') return;
  const values = node.fields.get(path[depth]!) ?? [];
  if (depth === path.length - 1) {
    for (const leaf of leavesOf(values)) out.add(exactKey(leaf)!);
    return;
  }
  for (const v of values) valuesAt(v, path, depth + 1, out);
}

/**
 * Compiles every route once and indexes each by the field where it requires exact values (any field:
 * `source`, `detail-type`, `detail.severityLabel`, …), so an event only evaluates the routes whose required
 * values it carries, plus the routes with no such requirement.
 */
export function createRouter(routes: RouteSpec[], options: CompileOptions = {}): Router {
  const problems: { route: string; message: string }[] = [];
  const compiled: CompiledPattern[] = [];
  const seen = new Set<string>();
  for (const route of routes) {
    if (seen.has(route.name))
      problems.push({ route: route.name, message: 'route name is used more than once' });
    seen.add(route.name);
    try {
      compiled.push(compilePattern(route.pattern, options));
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      problems.push({ route: route.name, message: err.message });
    }
  }
  if (problems.length) throw new RouteConfigError(problems);

  const indexed = new Map<string, IndexedPath>();
  const unindexed: number[] = [];
  const chosen = chooseRequirements(compiled.map((pattern) => exactRequirements(pattern.alternatives)));
  chosen.forEach((req, i) => {
    if (!req) {
      unindexed.push(i);
      return;
    }
    const id = pathId(req.path);
    let entry = indexed.get(id);
    if (!entry) indexed.set(id, (entry = { path: req.path, byValue: new Map() }));
    for (const key of req.keys) {
      const list = entry.byValue.get(key);
      if (list) list.push(i);
      else entry.byValue.set(key, [i]);
    }
  });

  function candidateIndexes(event: EventNode): number[] {
    const picked = new Set(unindexed);
    for (const { path, byValue } of indexed.values()) {
      const keys = new Set<string>();
      valuesAt(event, path, 0, keys);
      for (const key of keys) for (const i of byValue.get(key) ?? []) picked.add(i);
    }
    return [...picked].sort((a, b) => a - b);
  }

  return {
    match(event) {
      const prepared = prepareEvent(event);
      return candidateIndexes(prepared)
        .filter((i) => matchesPrepared(compiled[i]!, prepared))
        .map((i) => routes[i]!.name);
    },
    candidates(event) {
      return candidateIndexes(prepareEvent(event)).map((i) => routes[i]!.name);
    },
  };
}
