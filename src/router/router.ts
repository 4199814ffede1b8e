import { buildAutomaton } from './automaton.js';
import { prepareEvent } from './event-tree.js';
import { compilePattern, type CompiledPattern, type CompileOptions } from './pattern.js';
import { PatternError } from './pattern-error.js';

export interface RouteSpec {
  name: string;
  pattern: string | object;
}

export interface Router {
  /** Names of the routes whose pattern matches the event, in route order. */
  match(event: unknown): string[];
  /**
   * Names of the routes whose every condition the automaton found met, before alternatives read through
   * arrays of objects are checked for array consistency (a superset of `match`).
   */
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

/**
 * Compiles every route once and builds one automaton over all of them (`automaton.ts`): each distinct leaf
 * condition is evaluated at most once per event, found by value where it can be, so the work per event
 * follows the conditions the event meets rather than the number of routes.
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

  const automaton = buildAutomaton(compiled.map((pattern) => pattern.alternatives));
  const routeNames = routes.map((route) => route.name);
  const names = (indexes: Int32Array) => {
    const out = new Array<string>(indexes.length);
    for (let i = 0; i < indexes.length; i++) out[i] = routeNames[indexes[i]!]!;
    return out;
  };
  return {
    match: (event) => names(automaton.run(prepareEvent(event), true)),
    candidates: (event) => names(automaton.run(prepareEvent(event), false)),
  };
}
