import { leavesOf, prepareEvent, type EventLeaf, type EventNode } from './event-tree.js';
import { fromValue, JsonSyntaxError, parseJsonText, type JsonNode } from './json-text.js';
import { PatternError } from './pattern-error.js';
import { compileValue, type ValueMatcher } from './value-matchers.js';

/** How many alternatives `$or` may expand a pattern into before it is refused as too complex. */
export const MAX_ALTERNATIVES = 1024;

type Draft = { kind: 'leaf'; matchers: ValueMatcher[] } | { kind: 'node'; fields: DraftFields };
type DraftFields = Map<string, Draft>;

/** A compiled object level: every field must hold. `positive` when some leaf below needs a value present. */
export interface PatternNode {
  fields: [string, PatternField][];
  positive: boolean;
}
export type PatternField =
  { kind: 'leaf'; matchers: ValueMatcher[]; positive: boolean } | { kind: 'node'; node: PatternNode };

export interface CompileOptions {
  /**
   * EventBridge's default (true): a key given twice keeps the last value. When false, a path given twice
   * (by a duplicated key or by `$or` branches repeating an outer field) is an error.
   */
  ruleOverriding?: boolean;
}

export interface CompiledPattern {
  /** A string is read as the event's JSON text (repeated keys and exact numbers kept); anything else as the event. */
  matches(event: unknown): boolean;
  /** The `$or`-free alternatives the pattern expanded into; the pattern matches when any of them does. */
  readonly alternatives: readonly PatternNode[];
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function merge(a: DraftFields, b: DraftFields, path: string, strict: boolean): DraftFields {
  const out = new Map(a);
  for (const [key, value] of b) {
    const existing = out.get(key);
    if (existing?.kind === 'node' && value.kind === 'node') {
      out.set(key, { kind: 'node', fields: merge(existing.fields, value.fields, join(path, key), strict) });
    } else {
      if (existing && strict) throw new PatternError(join(path, key), 'this field is given more than once');
      out.set(key, value);
    }
  }
  return out;
}

function cross(left: DraftFields[], right: DraftFields[], path: string, strict: boolean): DraftFields[] {
  if (left.length * right.length > MAX_ALTERNATIVES) {
    throw new PatternError(path, `"$or" expands to more than ${MAX_ALTERNATIVES} alternatives`);
  }
  return left.flatMap((l) => right.map((r) => merge(l, r, path, strict)));
}

/**
 * A field at `key`; a key with dots ("detail.state") is a path, as the reference matcher compiles it, so it
 * nests like {"detail": {"state": …}}.
 */
function at(key: string, draft: Draft): DraftFields {
  const segments = key.split('.');
  let fields: DraftFields = new Map([[segments.pop()!, draft]]);
  while (segments.length) fields = new Map([[segments.pop()!, { kind: 'node', fields }]]);
  return fields;
}

function expand(node: Extract<JsonNode, { kind: 'object' }>, path: string, strict: boolean): DraftFields[] {
  let alts: DraftFields[] = [new Map()];
  for (const [key, value] of node.entries) {
    const where = join(path, key);
    if (key === '$or') {
      if (value.kind !== 'array')
        throw new PatternError(where, '"$or" takes an array of at least two objects');
      if (value.items.length < 2) {
        throw new PatternError(where, `"$or" needs at least two objects, found ${value.items.length}`);
      }
      const branches = value.items.flatMap((branch, i) => {
        if (branch.kind !== 'object')
          throw new PatternError(`${where}[${i}]`, 'each "$or" entry must be an object');
        if (branch.entries.length === 0)
          throw new PatternError(`${where}[${i}]`, 'a "$or" entry must not be empty');
        return expand(branch, path, strict);
      });
      alts = cross(alts, branches, path, strict);
    } else if (value.kind === 'array') {
      if (value.items.length === 0) throw new PatternError(where, 'a leaf array must not be empty');
      const matchers = value.items.map((item, i) => compileValue(item, `${where}[${i}]`));
      alts = cross(alts, [at(key, { kind: 'leaf', matchers })], path, strict);
    } else if (value.kind === 'object') {
      if (value.entries.length === 0)
        throw new PatternError(where, 'an object in a pattern must not be empty');
      const children = expand(value, where, strict).map((fields): DraftFields =>
        at(key, { kind: 'node', fields }),
      );
      alts = cross(alts, children, path, strict);
    } else {
      throw new PatternError(where, `a leaf must be an array of values, found a ${value.kind}`);
    }
  }
  return alts;
}

function finish(fields: DraftFields): PatternNode {
  const out: [string, PatternField][] = [];
  let positive = false;
  for (const [key, draft] of fields) {
    if (draft.kind === 'leaf') {
      const p = draft.matchers.some((m) => m.kind !== 'exists' || m.present);
      positive ||= p;
      out.push([key, { kind: 'leaf', matchers: draft.matchers, positive: p }]);
    } else {
      const node = finish(draft.fields);
      positive ||= node.positive;
      out.push([key, { kind: 'node', node }]);
    }
  }
  return { fields: out, positive };
}

const NO_FIELDS = new Map<string, EventNode[]>();
const NO_VALUES: EventNode[] = [];

function leafHolds(matchers: ValueMatcher[], values: EventNode[]): boolean {
  // The common case — one scalar value — needs no list of leaves.
  const single = values.length === 1 && values[0]!.kind !== 'array' && values[0]!.kind !== 'object';
  const leaves: readonly EventLeaf[] = single ? (values as EventLeaf[]) : leavesOf(values);
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i]!;
    if (m.kind === 'exists') {
      if (m.present ? leaves.length > 0 : leaves.length === 0) return true;
    } else {
      for (let j = 0; j < leaves.length; j++) if (m.test(leaves[j]!)) return true;
    }
  }
  return false;
}

/**
 * Array consistency: a level that needs a value is matched inside ONE element of an array of objects (so
 * all its fields come from the same element); a level that only asks for absence must hold in every element.
 */
function nodeHolds(node: PatternNode, value: EventNode | undefined): boolean {
  if (value?.kind === 'array') {
    return node.positive
      ? value.items.some((item) => nodeHolds(node, item))
      : value.items.every((item) => nodeHolds(node, item));
  }
  const fields = value?.kind === 'object' ? value.fields : NO_FIELDS;
  // Plain loops: this runs for every candidate route of every event.
  const list = node.fields;
  for (let i = 0; i < list.length; i++) {
    const [key, field] = list[i]!;
    const values = fields.get(key) ?? NO_VALUES;
    if (field.kind === 'leaf') {
      if (!leafHolds(field.matchers, values)) return false;
    } else if (field.node.positive) {
      let any = false;
      for (let j = 0; j < values.length && !any; j++) any = nodeHolds(field.node, values[j]);
      if (!any) return false;
    } else {
      for (let j = 0; j < values.length; j++) if (!nodeHolds(field.node, values[j])) return false;
    }
  }
  return true;
}

function readPattern(pattern: string | object): JsonNode {
  try {
    return typeof pattern === 'string' ? parseJsonText(pattern) : fromValue(pattern);
  } catch (err) {
    if (err instanceof JsonSyntaxError)
      throw new PatternError('', `the pattern is not valid JSON: ${err.message}`);
    throw err;
  }
}

/**
 * Validates and compiles an EventBridge event pattern (JSON text or a parsed object). Text keeps duplicate
 * keys (the last one wins unless `ruleOverriding` is false) and exact numbers. Throws `PatternError`.
 */
export function compilePattern(pattern: string | object, options: CompileOptions = {}): CompiledPattern {
  const root = readPattern(pattern);
  if (root.kind !== 'object')
    throw new PatternError('', `a pattern must be a JSON object, found a ${root.kind}`);
  const alternatives = expand(root, '', options.ruleOverriding === false).map(finish);
  return {
    alternatives,
    matches(event: unknown): boolean {
      const prepared = prepareEvent(event);
      return alternatives.some((alt) => nodeHolds(alt, prepared));
    },
  };
}

/** Matches an event already prepared with `prepareEvent` (the router prepares each event once). */
export function matchesPrepared(compiled: CompiledPattern, event: EventNode): boolean {
  return compiled.alternatives.some((alt) => nodeHolds(alt, event));
}

/** Matches one `$or`-free alternative against a prepared event, with the array-consistent rules above. */
export function alternativeHolds(alternative: PatternNode, event: EventNode): boolean {
  return nodeHolds(alternative, event);
}
