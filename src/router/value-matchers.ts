import type { EventLeaf } from './event-tree.js';
import type { JsonNode } from './json-text.js';
import { inCidr, ipBytes, parseCidr } from './ip.js';
import { PatternError } from './pattern-error.js';

/**
 * A string operator the router can look up instead of testing: `prefix`, `suffix` (case-sensitive) and
 * `equals-ignore-case`, with its operand.
 */
export interface Affix {
  op: 'prefix' | 'suffix' | 'equals-ignore-case';
  text: string;
}

type Unkeyed =
  | { kind: 'exists'; present: boolean }
  | { kind: 'value'; test: (leaf: EventLeaf) => boolean; exact?: string; affix?: Affix };

/**
 * One entry of a leaf's array in a pattern, compiled. `exists` entries are judged on the whole field.
 * `key` is equal for entries that match the same leaves (the router evaluates each distinct one once);
 * `exact` is the index key of an exact value and `affix` a string operator, both for lookups by value.
 */
export type ValueMatcher = Unkeyed & { key: string };

/** The index key of an exact value: equal keys for values that exact matching treats as equal. */
export function exactKey(leaf: EventLeaf): string | undefined {
  switch (leaf.kind) {
    case 'string': {
      const ip = ipBytes(leaf.value);
      return ip ? `ip:${ip.join('.')}` : `s:${leaf.value}`;
    }
    case 'number':
      // Numbers are equal by value (300 = 300.0), except integers too large for a double to hold exactly
      // (account numbers, IDs): those compare by their digits, so two different IDs never collide.
      return Math.abs(leaf.value) >= 2 ** 53 && /^-?\d+$/.test(leaf.raw)
        ? `i:${leaf.raw}`
        : `n:${leaf.value}`;
    case 'boolean':
      return `b:${leaf.value}`;
    case 'null':
      return 'null';
  }
}

const lower = (s: string) => s.toLowerCase();
const upper = (s: string) => s.toUpperCase();
function equalsIgnoringCase(a: string, b: string): boolean {
  return a === b || lower(a) === lower(b) || upper(a) === upper(b);
}

function exactMatcher(node: EventLeaf): Unkeyed {
  const key = exactKey(node)!;
  return { kind: 'value', test: (leaf) => exactKey(leaf) === key, exact: key };
}

const isString = (n: JsonNode): n is { kind: 'string'; value: string } => n.kind === 'string';

function needString(node: JsonNode, path: string, op: string): string {
  if (!isString(node)) throw new PatternError(path, `"${op}" takes a string`);
  return node.value;
}

/** Strings (one or a list) for an operand that accepts either. */
function stringOrList(node: JsonNode, path: string, op: string, allowEmpty: boolean): string[] {
  const nodes = node.kind === 'array' ? node.items : [node];
  if (node.kind === 'array' && nodes.length === 0)
    throw new PatternError(path, `"${op}" list must not be empty`);
  return nodes.map((n) => {
    const s = needString(n, path, op);
    if (!allowEmpty && s === '') throw new PatternError(path, `"${op}" must not be an empty string`);
    return s;
  });
}

/**
 * `*` is any run of characters, `\*` a literal star, `\\` a literal backslash; `**` is refused. Matching
 * is a left-to-right scan over the literal pieces (no regular expression, so no backtracking blow-up).
 */
export function compileWildcard(text: string, path: string): (s: string) => boolean {
  const pieces: string[] = [''];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\')
        throw new PatternError(path, `wildcard "${text}": "\\" must escape "*" or "\\"`);
      pieces[pieces.length - 1] += next;
      i++;
    } else if (c === '*') {
      if (text[i + 1] === '*')
        throw new PatternError(path, `wildcard "${text}": consecutive "**" is not allowed`);
      pieces.push('');
    } else {
      pieces[pieces.length - 1] += c;
    }
  }
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (pieces.length === 1) return (s) => s === first;
  const middle = pieces.slice(1, -1);
  return (s) => {
    if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
    let pos = first.length;
    const end = s.length - last.length;
    for (const piece of middle) {
      const found = s.indexOf(piece, pos);
      if (found < 0 || found + piece.length > end) return false;
      pos = found + piece.length;
    }
    return true;
  };
}

function stringTest(fn: (s: string) => boolean) {
  return (leaf: EventLeaf) => leaf.kind === 'string' && fn(leaf.value);
}

function prefixOrSuffix(op: 'prefix' | 'suffix', operand: JsonNode, path: string): Unkeyed {
  const at = `${path}.${op}`;
  const ends = (s: string, p: string) => (op === 'prefix' ? s.startsWith(p) : s.endsWith(p));
  if (operand.kind === 'object') {
    if (operand.entries.length !== 1 || operand.entries[0]![0] !== 'equals-ignore-case') {
      throw new PatternError(at, `"${op}" takes a string or {"equals-ignore-case": string}`);
    }
    const p = needString(operand.entries[0]![1], `${at}.equals-ignore-case`, 'equals-ignore-case');
    const pl = lower(p);
    const pu = upper(p);
    return { kind: 'value', test: stringTest((s) => ends(lower(s), pl) || ends(upper(s), pu)) };
  }
  const p = needString(operand, at, op);
  return { kind: 'value', test: stringTest((s) => ends(s, p)), affix: { op, text: p } };
}

function numericMatcher(operand: JsonNode, path: string): Unkeyed {
  const at = `${path}.numeric`;
  if (operand.kind !== 'array' || (operand.items.length !== 2 && operand.items.length !== 4)) {
    throw new PatternError(at, 'takes ["op", number] or [">" or ">=", number, "<" or "<=", number]');
  }
  const conds: [string, number][] = [];
  for (let i = 0; i < operand.items.length; i += 2) {
    const op = operand.items[i]!;
    const n = operand.items[i + 1]!;
    if (op.kind !== 'string' || !['=', '<', '<=', '>', '>='].includes(op.value)) {
      throw new PatternError(
        at,
        `unknown comparison ${JSON.stringify(op.kind === 'string' ? op.value : op.kind)}: use =, <, <=, >, >=`,
      );
    }
    if (n.kind !== 'number') throw new PatternError(at, `"${op.value}" needs a JSON number, not a ${n.kind}`);
    if (!Number.isFinite(n.value)) throw new PatternError(at, `${n.raw} is out of range`);
    if (n.value === 0 && /[1-9]/.test(n.raw.split(/[eE]/)[0]!))
      throw new PatternError(at, `${n.raw} is too small to represent`);
    conds.push([op.value, n.value]);
  }
  if (conds.length === 2) {
    const [[lo, a], [hi, b]] = conds as [[string, number], [string, number]];
    if (!(lo === '>' || lo === '>=') || !(hi === '<' || hi === '<=')) {
      throw new PatternError(at, 'a range is [">" or ">=", low, "<" or "<=", high]');
    }
    if (!(a < b)) throw new PatternError(at, `the range's low bound ${a} must be below its high bound ${b}`);
  }
  const holds = (op: string, x: number, n: number) =>
    op === '=' ? x === n : op === '<' ? x < n : op === '<=' ? x <= n : op === '>' ? x > n : x >= n;
  return {
    kind: 'value',
    test: (leaf) => leaf.kind === 'number' && conds.every(([op, n]) => holds(op, leaf.value, n)),
  };
}

/** Anything-but forms match every leaf that is not a string with the excluded shape (numbers, null, …). */
function notString(excluded: (s: string) => boolean) {
  return (leaf: EventLeaf) => leaf.kind !== 'string' || !excluded(leaf.value);
}

function anythingBut(operand: JsonNode, path: string): Unkeyed {
  const at = `${path}.anything-but`;
  if (operand.kind === 'object') {
    if (operand.entries.length !== 1)
      throw new PatternError(at, 'takes exactly one of prefix, suffix, equals-ignore-case, wildcard');
    const [op, inner] = operand.entries[0]!;
    const innerAt = `${at}.${op}`;
    if (op === 'prefix' || op === 'suffix') {
      const list = stringOrList(inner, innerAt, op, false);
      const ends = (s: string, p: string) => (op === 'prefix' ? s.startsWith(p) : s.endsWith(p));
      return { kind: 'value', test: notString((s) => list.some((p) => ends(s, p))) };
    }
    if (op === 'equals-ignore-case') {
      const list = stringOrList(inner, innerAt, op, true);
      return { kind: 'value', test: notString((s) => list.some((p) => equalsIgnoringCase(s, p))) };
    }
    if (op === 'wildcard') {
      const list = stringOrList(inner, innerAt, op, true).map((w) => compileWildcard(w, innerAt));
      return { kind: 'value', test: notString((s) => list.some((matches) => matches(s))) };
    }
    throw new PatternError(at, `unknown operator "${op}" inside anything-but`);
  }
  const values = operand.kind === 'array' ? operand.items : [operand];
  if (values.length === 0) throw new PatternError(at, 'list must not be empty');
  const kinds = new Set(values.map((v) => v.kind));
  if (kinds.size !== 1 || !(kinds.has('string') || kinds.has('number'))) {
    throw new PatternError(at, 'takes a string, a number, a list of strings or a list of numbers');
  }
  const keys = new Set(values.map((v) => exactKey(v as EventLeaf)));
  return { kind: 'value', test: (leaf) => !keys.has(exactKey(leaf)) };
}

const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
  'exactly',
];

/** Compiles one entry of a leaf array; `path` names the entry (e.g. `detail.state[1]`). */
export function compileValue(node: JsonNode, path: string): ValueMatcher {
  const matcher = compileEntry(node, path);
  // The entry's own JSON determines what it matches; exact values share one key across spellings (300 = 300.0).
  const key =
    matcher.kind === 'value' && matcher.exact !== undefined ? `=${matcher.exact}` : JSON.stringify(node);
  return { ...matcher, key };
}

function compileEntry(node: JsonNode, path: string): Unkeyed {
  if (node.kind === 'array') throw new PatternError(path, 'a value inside a leaf array cannot be an array');
  if (node.kind !== 'object') return exactMatcher(node);
  if (node.entries.length !== 1) {
    throw new PatternError(
      path,
      `an operator object has exactly one key, found ${node.entries.length}: ${node.entries.map(([k]) => `"${k}"`).join(', ') || 'none'}`,
    );
  }
  const [op, operand] = node.entries[0]!;
  switch (op) {
    case 'prefix':
    case 'suffix':
      return prefixOrSuffix(op, operand, path);
    case 'equals-ignore-case': {
      const s = needString(operand, `${path}.${op}`, op);
      return { kind: 'value', test: stringTest((v) => equalsIgnoringCase(v, s)), affix: { op, text: s } };
    }
    case 'exactly':
      return exactMatcher({ kind: 'string', value: needString(operand, `${path}.${op}`, op) });
    case 'wildcard': {
      const matches = compileWildcard(needString(operand, `${path}.${op}`, op), `${path}.${op}`);
      return { kind: 'value', test: stringTest(matches) };
    }
    case 'anything-but':
      return anythingBut(operand, path);
    case 'numeric':
      return numericMatcher(operand, path);
    case 'cidr': {
      const range = parseCidr(needString(operand, `${path}.cidr`, 'cidr'));
      if (typeof range === 'string') throw new PatternError(`${path}.cidr`, range);
      return {
        kind: 'value',
        test: (leaf) => {
          if (leaf.kind !== 'string') return false;
          const ip = ipBytes(leaf.value);
          return ip !== undefined && inCidr(range, ip);
        },
      };
    }
    case 'exists':
      if (operand.kind !== 'boolean') throw new PatternError(`${path}.exists`, 'takes true or false');
      return { kind: 'exists', present: operand.value };
    default:
      throw new PatternError(path, `unknown operator "${op}": use one of ${OPERATORS.join(', ')}`);
  }
}
