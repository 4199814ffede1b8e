import { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';

/** A parsed Sigma condition. Quantifiers are resolved to the selections they name. */
export type ConditionNode =
  | { kind: 'ref'; name: string }
  | { kind: 'and'; items: ConditionNode[] }
  | { kind: 'or'; items: ConditionNode[] }
  | { kind: 'not'; item: ConditionNode };

interface Token {
  text: string;
  pos: number;
}

const WORD = /[^\s()|]+/y;

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ text: c, pos: i++ });
    } else if (c === '|') {
      const rest = expr.slice(i + 1).trim();
      if (/^near\b/i.test(rest)) {
        throw new SigmaUnsupportedError(
          `condition "${expr}": temporal proximity "near" is not supported (needs correlation across events)`,
        );
      }
      throw new SigmaUnsupportedError(
        `condition "${expr}": aggregation "| ${rest}" is not supported (Sigma aggregations such as count() need a Vigil detection with "aggregate")`,
      );
    } else {
      WORD.lastIndex = i;
      const m = WORD.exec(expr)!;
      tokens.push({ text: m[0], pos: i });
      i += m[0].length;
    }
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them']);

/**
 * Parses a condition over the given selection names. Precedence: `not` binds tighter than `and`,
 * which binds tighter than `or`; `1 of X` / `any of X` / `all of X` take a name, a `*` pattern or `them`
 * (which leaves out names starting with `_`).
 */
export function parseCondition(expr: string, names: readonly string[]): ConditionNode {
  const tokens = tokenize(expr);
  let i = 0;
  const fail = (what: string, at = tokens[i]): never => {
    const pos = at
      ? `position ${at.pos + 1} ("${at.text}")`
      : `position ${expr.length + 1} (end of condition)`;
    throw new SigmaSyntaxError(`condition "${expr}": ${what} at ${pos}`);
  };
  const peek = () => tokens[i]?.text.toLowerCase();

  const parseOr = (): ConditionNode => {
    const items = [parseAnd()];
    while (peek() === 'or') {
      i++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const parseAnd = (): ConditionNode => {
    const items = [parseNot()];
    while (peek() === 'and') {
      i++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const parseNot = (): ConditionNode => {
    if (peek() === 'not') {
      i++;
      return { kind: 'not', item: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const tok = tokens[i];
    if (!tok) return fail('expected a selection name, "not", "(" or "1 of"');
    const word = tok.text.toLowerCase();
    if (tok.text === '(') {
      i++;
      const inner = parseOr();
      if (tokens[i]?.text !== ')') fail('expected ")"');
      i++;
      return inner;
    }
    if (tokens[i + 1]?.text.toLowerCase() === 'of') {
      if (word !== '1' && word !== 'any' && word !== 'all') {
        if (/^\d+$/.test(word))
          throw new SigmaUnsupportedError(
            `condition "${expr}": "${tok.text} of" is not supported (only "1 of", "any of" and "all of")`,
          );
        fail('expected "1", "any" or "all" before "of"');
      }
      i += 2;
      const target = tokens[i];
      if (!target || target.text === '(' || target.text === ')')
        return fail('expected a selection name, pattern or "them" after "of"');
      i++;
      const matched = resolve(target.text, names);
      if (matched.length === 0) fail(`"${target.text}" matches no selection`, target);
      const refs: ConditionNode[] = matched.map((name) => ({ kind: 'ref', name }));
      if (refs.length === 1) return refs[0]!;
      return word === 'all' ? { kind: 'and', items: refs } : { kind: 'or', items: refs };
    }
    if (tok.text === ')' || KEYWORDS.has(word))
      return fail('expected a selection name, "not", "(" or "1 of"');
    if (tok.text.includes('*')) fail('a wildcard name needs "1 of" or "all of"');
    if (!names.includes(tok.text)) fail(`unknown selection "${tok.text}"`);
    i++;
    return { kind: 'ref', name: tok.text };
  };

  if (tokens.length === 0) fail('empty condition');
  const node = parseOr();
  if (i < tokens.length) fail('unexpected text');
  return node;
}

function resolve(target: string, names: readonly string[]): string[] {
  if (target.toLowerCase() === 'them') return names.filter((n) => !n.startsWith('_'));
  if (!target.includes('*')) return names.includes(target) ? [target] : [];
  const re = new RegExp(
    '^' +
      target
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return names.filter((n) => re.test(n));
}
