import { leavesOf, type EventLeaf, type EventNode } from './event-tree.js';
import { alternativeHolds, type PatternNode } from './pattern.js';
import { ipBytes } from './ip.js';
import { exactKey, type ValueMatcher } from './value-matchers.js';

/**
 * The routes' shared matcher, in the spirit of aws/event-ruler's automaton: matching time depends on the
 * conditions an event meets, not on the number of routes.
 *
 * Every `$or`-free alternative of every route is a conjunction of leaf conditions (a field path and the
 * OR-ed entries of its leaf array). Paths get one global order — paths that routes pin to exact values
 * first, the most selective of them leading — and each alternative becomes the chain of its conditions in
 * that order, inserted into a trie of states: alternatives that share their first conditions share states,
 * and an alternative is accepted at the state its chain ends in. From a state, the transitions on one path
 * are looked up by the event's values there rather than tested one by one: exact values in a hash map,
 * `prefix`/`suffix` by the value's own prefixes and suffixes of the lengths in use, `equals-ignore-case`
 * by lower- and upper-cased value, `exists` by whether the path has a value. Other operators (numeric,
 * cidr, wildcard, anything-but, case-insensitive prefix/suffix) are tested, and each distinct (path,
 * entry) is evaluated at most once per event. The values at each path are read once per event.
 *
 * Array consistency. Each condition is judged on all values at its path, through arrays. That is exactly
 * the pattern's meaning when every object level above the path is one object in the event ("simple"
 * path). Otherwise — an array of objects, a repeated key, a missing or non-object level — the automaton
 * only over-approximates (an `exists: false` transition is then also taken when values exist), and an
 * alternative reached through such a path is confirmed with the array-consistent matcher
 * (`alternativeHolds`) before its route counts.
 */
export interface Automaton {
  /**
   * Indexes of the routes that match the prepared event, ascending. With `confirm` false, the routes the
   * automaton reaches before alternatives on non-simple paths are confirmed (a superset of the matches).
   * The array is a view that the next call overwrites.
   */
  run(event: EventNode, confirm: boolean): Int32Array;
}

/** A transition taken when condition `cond` (a path and an entry tested on its values) holds. */
interface Test {
  cond: number;
  target: State;
}

// Which lookups a state's transitions on one path need, so a visit touches only those structures.
const STRINGS = 1,
  EXACT = 2,
  AFFIX = 4,
  PRESENT = 8,
  ABSENT = 16,
  TESTS = 32;

/** The transitions of one state on one path, indexed by how each kind of entry is found. */
interface Transitions {
  path: number;
  /** Bits for the structures below that are in use. */
  uses: number;
  /** Exact strings that are not IP literals, by their text (no key to build per event). */
  strings: Map<string, State[]>;
  /** Other exact values by `exactKey`. */
  exact: Map<string, State[]>;
  prefix: Map<string, State[]>;
  prefixLengths: number[];
  suffix: Map<string, State[]>;
  suffixLengths: number[];
  lower: Map<string, State[]>;
  upper: Map<string, State[]>;
  present: State[];
  absent: State[];
  tests: Test[];
}

interface State {
  id: number;
  /** Routes of the alternatives whose conditions end here, packed for a cache-friendly scan. */
  routes: Int32Array;
  /** Those alternatives, for the array-consistency check. */
  alternatives: PatternNode[];
  transitions: Transitions[];
}

interface Leaf {
  path: number;
  matchers: ValueMatcher[];
}

const SEP = '\u0000';
const NO_VALUES: EventNode[] = [];
const NO_ROUTES = new Int32Array(0);
const isScalar = (n: EventNode): n is EventLeaf => n.kind !== 'array' && n.kind !== 'object';

/** Shared by every unused lookup, so a state holds only the maps it needs. */
const EMPTY: Map<string, State[]> = new Map();

function add(map: Map<string, State[]>, key: string, state: State): Map<string, State[]> {
  const out = map === EMPTY ? new Map<string, State[]>() : map;
  const list = out.get(key);
  if (!list) out.set(key, [state]);
  else if (!list.includes(state)) list.push(state);
  return out;
}

function addLength(lengths: number[], n: number): void {
  if (!lengths.includes(n)) {
    lengths.push(n);
    lengths.sort((a, b) => a - b);
  }
}

/** Builds the automaton for each route's alternatives (route index = position in `routes`). */
export function buildAutomaton(routes: readonly (readonly PatternNode[])[]): Automaton {
  const paths: string[][] = [];
  const pathIds = new Map<string, number>();
  const exactUses: number[] = [];
  const exactValues: Set<string>[] = [];
  const uses: number[] = [];

  function leavesOfNode(node: PatternNode, prefix: string[], out: Leaf[]): Leaf[] {
    for (const [key, field] of node.fields) {
      const path = [...prefix, key];
      if (field.kind === 'node') {
        leavesOfNode(field.node, path, out);
        continue;
      }
      const id = pathIds.get(path.join(SEP)) ?? paths.length;
      if (id === paths.length) {
        pathIds.set(path.join(SEP), id);
        paths.push(path);
        exactUses.push(0);
        exactValues.push(new Set());
        uses.push(0);
      }
      uses[id]!++;
      if (field.matchers.every((m) => m.kind === 'value' && m.exact !== undefined)) {
        exactUses[id]!++;
        for (const m of field.matchers) exactValues[id]!.add(m.kind === 'value' ? m.exact! : '');
      }
      out.push({ path: id, matchers: field.matchers });
    }
    return out;
  }

  const chains = routes.flatMap((alternatives, route) =>
    alternatives.map((alternative) => ({ route, alternative, leaves: leavesOfNode(alternative, [], []) })),
  );

  // Paths pinned to exact values come first (the busiest, then the most selective), so the first steps
  // from the start are hash lookups and the states they lead to hold few routes.
  const order = paths.map((_, i) => i);
  order.sort(
    (a, b) =>
      exactUses[b]! - exactUses[a]! ||
      exactValues[b]!.size - exactValues[a]!.size ||
      uses[b]! - uses[a]! ||
      (paths[a]!.join(SEP) < paths[b]!.join(SEP) ? -1 : 1),
  );
  const rank = new Array<number>(paths.length);
  order.forEach((path, i) => (rank[path] = i));

  const states: State[] = [];
  const newState = (): State => {
    const state: State = { id: states.length, routes: NO_ROUTES, alternatives: [], transitions: [] };
    states.push(state);
    return state;
  };
  const conds = new Map<string, number>();
  const condTests: ((leaf: EventLeaf) => boolean)[] = [];
  // The child state per leaf condition (its entries' keys) of each state's transitions, while building.
  const edges = new Map<Transitions, Map<string, State>>();
  const root = newState();

  function transitionsOn(state: State, path: number): Transitions {
    let t = state.transitions.find((x) => x.path === path);
    if (!t) {
      t = {
        path,
        uses: 0,
        strings: EMPTY,
        exact: EMPTY,
        prefix: EMPTY,
        prefixLengths: [],
        suffix: EMPTY,
        suffixLengths: [],
        lower: EMPTY,
        upper: EMPTY,
        present: [],
        absent: [],
        tests: [],
      };
      state.transitions.push(t);
    }
    return t;
  }

  function register(t: Transitions, m: ValueMatcher, target: State): void {
    if (m.kind === 'exists') {
      const list = m.present ? t.present : t.absent;
      if (!list.includes(target)) list.push(target);
    } else if (m.exact?.startsWith('s:')) {
      t.strings = add(t.strings, m.exact.slice(2), target);
    } else if (m.exact !== undefined) {
      t.exact = add(t.exact, m.exact, target);
    } else if (m.affix?.op === 'prefix') {
      t.prefix = add(t.prefix, m.affix.text, target);
      addLength(t.prefixLengths, m.affix.text.length);
    } else if (m.affix?.op === 'suffix') {
      t.suffix = add(t.suffix, m.affix.text, target);
      addLength(t.suffixLengths, m.affix.text.length);
    } else if (m.affix) {
      t.lower = add(t.lower, m.affix.text.toLowerCase(), target);
      t.upper = add(t.upper, m.affix.text.toUpperCase(), target);
    } else {
      const condKey = `${t.path}${SEP}${m.key}`;
      let cond = conds.get(condKey);
      if (cond === undefined) {
        cond = condTests.length;
        conds.set(condKey, cond);
        // One function per distinct condition, whichever route brought it: it stays hot across states.
        condTests.push(m.test);
      }
      t.tests.push({ cond, target });
    }
  }

  const accepted = new Map<State, number[]>();
  for (const { route, alternative, leaves } of chains) {
    leaves.sort((a, b) => rank[a.path]! - rank[b.path]!);
    let state = root;
    for (const leaf of leaves) {
      const t = transitionsOn(state, leaf.path);
      const edge = leaf.matchers
        .map((m) => m.key)
        .sort()
        .join(SEP);
      const children = edges.get(t) ?? edges.set(t, new Map()).get(t)!;
      let next = children.get(edge);
      if (!next) {
        next = newState();
        children.set(edge, next);
        for (const m of leaf.matchers) register(t, m, next);
      }
      state = next;
    }
    (accepted.get(state) ?? accepted.set(state, []).get(state)!).push(route);
    state.alternatives.push(alternative);
  }
  for (const state of states) {
    state.routes = Int32Array.from(accepted.get(state) ?? []);
    for (const t of state.transitions) {
      t.uses =
        (t.strings.size ? STRINGS : 0) |
        (t.exact.size ? EXACT : 0) |
        (t.prefixLengths.length || t.suffixLengths.length || t.lower.size ? AFFIX : 0) |
        (t.present.length ? PRESENT : 0) |
        (t.absent.length ? ABSENT : 0) |
        (t.tests.length ? TESTS : 0);
    }
  }

  // Per-event scratch, stamped with the event's number instead of cleared.
  let epoch = 0;
  let event: EventNode = { kind: 'null' };
  let confirming = true;
  const pathSeen = new Int32Array(paths.length);
  const pathLeaves: (readonly EventLeaf[])[] = new Array<EventLeaf[]>(paths.length).fill([]);
  const pathSimple = new Uint8Array(paths.length);
  const condSeen = new Int32Array(condTests.length);
  const condHolds = new Uint8Array(condTests.length);
  const stateSeen = new Int32Array(states.length);
  const routeSeen = new Int32Array(routes.length);
  const matched = new Int32Array(routes.length);
  let matchedCount = 0;

  function gather(node: EventNode, key: string, out: EventNode[]): void {
    if (node.kind === 'array') for (const item of node.items) gather(item, key, out);
    else if (node.kind === 'object') {
      const values = node.fields.get(key);
      if (values) for (const v of values) out.push(v);
    }
  }

  /** Reads the leaves at a path once per event, and whether every object level above it is one object. */
  function load(p: number): void {
    pathSeen[p] = epoch;
    const segments = paths[p]!;
    const last = segments.length - 1;
    let node = event;
    let depth = 0;
    while (depth < last && node.kind === 'object') {
      const values = node.fields.get(segments[depth]!);
      if (!values || values.length !== 1 || values[0]!.kind !== 'object') break;
      node = values[0]!;
      depth++;
    }
    if (depth === last && node.kind === 'object') {
      const values = node.fields.get(segments[last]!) ?? NO_VALUES;
      pathSimple[p] = 1;
      pathLeaves[p] =
        values.length === 1 && isScalar(values[0]!) ? (values as EventLeaf[]) : leavesOf(values);
      return;
    }
    let current: EventNode[] = [node];
    for (; depth <= last; depth++) {
      const next: EventNode[] = [];
      for (const n of current) gather(n, segments[depth]!, next);
      current = next;
    }
    pathSimple[p] = 0;
    pathLeaves[p] = leavesOf(current);
  }

  function accept(state: State, simple: boolean): void {
    const routes = state.routes;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i]!;
      if (routeSeen[route] === epoch) continue;
      if (confirming && !simple && !alternativeHolds(state.alternatives[i]!, event)) continue;
      routeSeen[route] = epoch;
      matched[matchedCount++] = route;
    }
  }

  function enter(state: State, simple: boolean): void {
    if (stateSeen[state.id] === epoch) return;
    stateSeen[state.id] = epoch;
    visit(state, simple);
  }

  function enterAll(list: readonly State[] | undefined, simple: boolean): void {
    if (list) for (let i = 0; i < list.length; i++) enter(list[i]!, simple);
  }

  function visit(state: State, simple: boolean): void {
    if (state.routes.length) accept(state, simple);
    const all = state.transitions;
    for (let i = 0; i < all.length; i++) {
      const t = all[i]!;
      const p = t.path;
      if (pathSeen[p] !== epoch) load(p);
      const leaves = pathLeaves[p]!;
      const here = simple && pathSimple[p] === 1;
      const uses = t.uses;
      if (uses & (STRINGS | EXACT)) {
        for (let j = 0; j < leaves.length; j++) {
          const leaf = leaves[j]!;
          if (leaf.kind === 'string' && !ipBytes(leaf.value)) {
            if (uses & STRINGS) enterAll(t.strings.get(leaf.value), here);
          } else if (uses & EXACT) enterAll(t.exact.get(exactKey(leaf)!), here);
        }
      }
      if (uses & AFFIX) {
        for (let j = 0; j < leaves.length; j++) {
          const leaf = leaves[j]!;
          if (leaf.kind !== 'string') continue;
          const s = leaf.value;
          for (const n of t.prefixLengths) {
            if (n > s.length) break;
            enterAll(t.prefix.get(s.slice(0, n)), here);
          }
          for (const n of t.suffixLengths) {
            if (n > s.length) break;
            enterAll(t.suffix.get(s.slice(s.length - n)), here);
          }
          if (t.lower.size) {
            enterAll(t.lower.get(s.toLowerCase()), here);
            enterAll(t.upper.get(s.toUpperCase()), here);
          }
        }
      }
      if (uses & PRESENT && leaves.length) enterAll(t.present, here);
      // Off a simple path, values elsewhere in the event do not rule out absence in one array element.
      if (uses & ABSENT && (!leaves.length || !pathSimple[p])) enterAll(t.absent, here);
      if (uses & TESTS)
        for (let j = 0; j < t.tests.length; j++) {
          const { cond, target } = t.tests[j]!;
          if (condSeen[cond] !== epoch) {
            condSeen[cond] = epoch;
            condHolds[cond] = leaves.some(condTests[cond]!) ? 1 : 0;
          }
          if (condHolds[cond]) enter(target, here);
        }
    }
  }

  return {
    run(prepared, confirm) {
      if (++epoch === 0x7fffffff) {
        for (const stamps of [pathSeen, condSeen, stateSeen, routeSeen]) stamps.fill(0);
        epoch = 1;
      }
      event = prepared;
      confirming = confirm;
      matchedCount = 0;
      stateSeen[root.id] = epoch;
      visit(root, true);
      // A typed array sorts numerically, natively, without a comparator.
      return matched.subarray(0, matchedCount).sort();
    },
  };
}
