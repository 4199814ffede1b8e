/**
 * Sigma string values: `*` matches any run of characters, `?` exactly one, and `\*`, `\?`, `\\`
 * stand for the literal characters (a backslash before anything else is itself literal).
 * Patterns compile to plain string tests (equality, prefix, suffix, ordered substrings); only
 * values with `?` need a regular expression.
 */
export type Anchor = 'exact' | 'contains' | 'startswith' | 'endswith';

export interface StringPattern {
  /** Tests a value; when the pattern is case-insensitive the caller passes the value lower-cased. */
  test(value: string): boolean;
  /** The (folded) literal when the pattern is an exact match without wildcards, for set lookups. */
  readonly literal: string | undefined;
}

const STAR = 0;
const ONE = 1;
type Token = string | typeof STAR | typeof ONE;

/** Splits a Sigma value into literal runs and wildcards. */
export function tokenize(value: string): Token[] {
  const out: Token[] = [];
  let lit = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else {
        lit += c;
      }
    } else if (c === '*' || c === '?') {
      if (lit) out.push(lit);
      lit = '';
      out.push(c === '*' ? STAR : ONE);
    } else {
      lit += c;
    }
  }
  if (lit) out.push(lit);
  return out;
}

/** True when the value contains an unescaped `*` or `?`. */
export function hasWildcard(value: string): boolean {
  return tokenize(value).some((t) => typeof t !== 'string');
}

/** The value with escapes resolved, or undefined when it has wildcards. */
export function literalOf(value: string): string | undefined {
  const tokens = tokenize(value);
  if (tokens.some((t) => typeof t !== 'string')) return undefined;
  return tokens.join('');
}

export function compilePattern(value: string, anchor: Anchor, cased: boolean): StringPattern {
  let tokens = tokenize(value).map((t) => (typeof t === 'string' && !cased ? t.toLowerCase() : t));
  if (anchor === 'contains' || anchor === 'endswith') tokens.unshift(STAR);
  if (anchor === 'contains' || anchor === 'startswith') tokens.push(STAR);
  tokens = tokens.filter((t, i) => !(t === STAR && tokens[i - 1] === STAR));

  if (tokens.includes(ONE)) return regexPattern(tokens);
  if (tokens.length === 0) return { literal: '', test: (v) => v === '' };
  if (tokens.length === 1) {
    const only = tokens[0]!;
    if (only === STAR) return { literal: undefined, test: () => true };
    const lit = only as string;
    return { literal: lit, test: (v) => v === lit };
  }
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (tokens.length === 3 && first === STAR && last === STAR) {
    const mid = tokens[1] as string;
    return { literal: undefined, test: (v) => v.includes(mid) };
  }
  if (tokens.length === 2 && last === STAR) {
    const lit = first as string;
    return { literal: undefined, test: (v) => v.startsWith(lit) };
  }
  if (tokens.length === 2 && first === STAR) {
    const lit = last as string;
    return { literal: undefined, test: (v) => v.endsWith(lit) };
  }
  return globPattern(tokens);
}

/** Literal runs separated by `*`: prefix, suffix, and the middle runs found in order. */
function globPattern(tokens: Token[]): StringPattern {
  const segments = tokens.filter((t): t is string => typeof t === 'string');
  const prefix = tokens[0] !== STAR ? segments.shift() : undefined;
  const suffix = tokens[tokens.length - 1] !== STAR ? segments.pop() : undefined;
  const min = (prefix?.length ?? 0) + (suffix?.length ?? 0);
  return {
    literal: undefined,
    test(v) {
      if (v.length < min) return false;
      let pos = 0;
      let end = v.length;
      if (prefix !== undefined) {
        if (!v.startsWith(prefix)) return false;
        pos = prefix.length;
      }
      if (suffix !== undefined) {
        if (!v.endsWith(suffix)) return false;
        end = v.length - suffix.length;
      }
      for (const seg of segments) {
        const at = v.indexOf(seg, pos);
        if (at < 0 || at + seg.length > end) return false;
        pos = at + seg.length;
      }
      return true;
    },
  };
}

function regexPattern(tokens: Token[]): StringPattern {
  let source = '^';
  for (const t of tokens) {
    if (t === STAR) source += '[\\s\\S]*';
    else if (t === ONE) source += '[\\s\\S]';
    else source += t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const re = new RegExp(source + '$', 'u');
  return { literal: undefined, test: (v) => re.test(v) };
}
