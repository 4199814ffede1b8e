import type { Anchor } from './pattern.js';
import { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';

/** What a field key's `|modifier` chain asks for, validated. */
export interface Modifiers {
  anchor: Anchor;
  all: boolean;
  cased: boolean;
  re: { flags: string } | undefined;
  cidr: boolean;
  exists: boolean;
  compare: 'gt' | 'gte' | 'lt' | 'lte' | undefined;
  fieldref: boolean;
}

/** Sigma modifiers Vigil knows of but does not evaluate, with why. */
const NOT_SUPPORTED: Record<string, string> = {
  expand: 'placeholder modifier "expand" (values like %name% filled in per environment) is not supported',
  base64: 'modifier "base64" is not supported (encoded command lines do not occur in AWS logs)',
  base64offset: 'modifier "base64offset" is not supported (encoded command lines do not occur in AWS logs)',
  wide: 'modifier "wide" (UTF-16 encoding) is not supported',
  utf16: 'modifier "utf16" is not supported',
  utf16le: 'modifier "utf16le" is not supported',
  utf16be: 'modifier "utf16be" is not supported',
  windash: 'modifier "windash" (Windows command-line dashes) is not supported',
  neq: 'modifier "neq" is not supported; use "not" in the condition',
  minute: 'date-part modifier "minute" is not supported',
  hour: 'date-part modifier "hour" is not supported',
  day: 'date-part modifier "day" is not supported',
  week: 'date-part modifier "week" is not supported',
  month: 'date-part modifier "month" is not supported',
  year: 'date-part modifier "year" is not supported',
};

const COMPARE = new Set(['gt', 'gte', 'lt', 'lte']);

export function parseModifiers(names: string[], where: string): Modifiers {
  const m: Modifiers = {
    anchor: 'exact',
    all: false,
    cased: false,
    re: undefined,
    cidr: false,
    exists: false,
    compare: undefined,
    fieldref: false,
  };
  const seen = new Set<string>();
  const reFlags = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (seen.has(name)) throw new SigmaSyntaxError(`${where}: modifier "${name}" is given twice`);
    seen.add(name);
    if (name === 'contains' || name === 'startswith' || name === 'endswith') {
      if (m.anchor !== 'exact')
        throw new SigmaSyntaxError(`${where}: "${name}" cannot be combined with "${m.anchor}"`);
      m.anchor = name;
    } else if (name === 'all') m.all = true;
    else if (name === 'cased') m.cased = true;
    else if (name === 're') m.re = { flags: '' };
    else if (name === 'i' || name === 'm' || name === 's') {
      if (!m.re) throw new SigmaSyntaxError(`${where}: modifier "${name}" is only valid after "re"`);
      reFlags.add(name);
    } else if (name === 'cidr') m.cidr = true;
    else if (name === 'exists') m.exists = true;
    else if (COMPARE.has(name)) {
      if (m.compare) throw new SigmaSyntaxError(`${where}: "${name}" cannot be combined with "${m.compare}"`);
      m.compare = name as Modifiers['compare'];
    } else if (name === 'fieldref') m.fieldref = true;
    else if (name in NOT_SUPPORTED) throw new SigmaUnsupportedError(`${where}: ${NOT_SUPPORTED[name]}`);
    else if (name === '') throw new SigmaSyntaxError(`${where}: empty modifier (stray "|")`);
    else throw new SigmaUnsupportedError(`${where}: unknown modifier "${name}"`);
  }
  if (m.re) m.re.flags = [...reFlags].sort().join('');

  const kinds = [
    m.re && 're',
    m.cidr && 'cidr',
    m.exists && 'exists',
    m.compare,
    m.fieldref && 'fieldref',
  ].filter((k): k is string => typeof k === 'string');
  if (kinds.length > 1)
    throw new SigmaSyntaxError(`${where}: "${kinds[0]}" cannot be combined with "${kinds[1]}"`);
  const kind = kinds[0];
  if (kind && kind !== 'fieldref' && m.anchor !== 'exact') {
    throw new SigmaSyntaxError(`${where}: "${m.anchor}" cannot be combined with "${kind}"`);
  }
  if ((m.exists || m.compare) && m.all)
    throw new SigmaSyntaxError(`${where}: "all" cannot be combined with "${kind}"`);
  if (m.cased && (m.re || m.cidr || m.exists || m.compare)) {
    throw new SigmaSyntaxError(`${where}: "cased" cannot be combined with "${kind}"`);
  }
  return m;
}
