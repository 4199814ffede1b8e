import { requiredLiteral } from './regex-literal.js';
import ipaddr from 'ipaddr.js';
import { parseIPv4 } from '../../intel/ip-parse.js';
import type { VigilEvent } from '../../core/event.js';
import type { FieldAccessor, FieldGetter } from '../types.js';
import { fieldAccessor } from '../fields/index.js';
import type { JsonText } from './json-text.js';
import { parseModifiers, type Modifiers } from './modifiers.js';
import { compilePattern, literalOf, type StringPattern } from './pattern.js';
import { allTexts, anyText, isNullish } from './values.js';
import { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';
import type { Required } from './required.js';

export type EventPredicate = (event: VigilEvent) => boolean;

export interface FieldContext {
  getField: FieldGetter;
  jsonText: JsonText;
  /** Where the field is, for messages: `selection "filter_main"`. */
  where: string;
}

export interface CompiledField {
  test: EventPredicate;
  /** What a match requires of `eventName` when this is an exact or `startswith` eventName field. */
  eventName: Required | undefined;
  /** The same for `eventSource`. */
  eventSource: Required | undefined;
}

type Scalar = string | number | boolean | null;

const PLACEHOLDER = /^%[A-Za-z0-9_.-]+%$/;
/** Strings whose regular-expression answer a field remembers (cleared when full). */
const REGEX_MEMO_MAX = 4096;

/** Compiles one `field|modifier…: value(s)` entry of a selection. */
export function compileField(key: string, value: unknown, ctx: FieldContext): CompiledField {
  const [fieldRaw, ...modNames] = key.split('|');
  const field = fieldRaw!.trim();
  const where = `${ctx.where}, field "${key}"`;
  if (!field) throw new SigmaSyntaxError(`${where}: empty field name`);
  const mods = parseModifiers(modNames, where);
  const values = scalarValues(value, where);
  for (const v of values) {
    if (typeof v === 'string' && PLACEHOLDER.test(v)) {
      throw new SigmaUnsupportedError(
        `${where}: placeholder value "${v}" is not supported (it needs per-environment expansion)`,
      );
    }
  }
  const get = ctx.getField;
  const read = accessorFor(get, field, where);

  if (mods.exists) return plain(existsTest(read, values, where));
  if (mods.compare) return plain(compareTest(read, mods.compare, values, where));
  if (mods.cidr) return plain(cidrTest(read, values, ctx.jsonText, where));
  if (mods.re) return plain(regexTest(read, mods.re.flags, mods.all, values, ctx.jsonText, where));
  if (mods.fieldref) return plain(fieldrefTest(read, get, mods, values, ctx.jsonText, where));
  return {
    test: stringTest(read, mods, values, ctx.jsonText),
    eventName: field === 'eventName' || field === 'vigil.eventName' ? required(mods, values) : undefined,
    eventSource:
      field === 'eventSource' || field === 'vigil.eventSource' ? required(mods, values) : undefined,
  };
}

/** The compiled reader of a field; a field that can never be read is an error in the rule. */
function accessorFor(get: FieldGetter, field: string, where: string): FieldAccessor {
  try {
    return fieldAccessor(get, field);
  } catch (err) {
    throw new SigmaSyntaxError(`${where}: ${(err as Error).message}`);
  }
}

function plain(test: EventPredicate): CompiledField {
  return { test, eventName: undefined, eventSource: undefined };
}

function scalarValues(value: unknown, where: string): Scalar[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new SigmaSyntaxError(`${where}: empty list of values`);
  for (const v of list) {
    if (v === undefined || (v !== null && typeof v === 'object')) {
      throw new SigmaSyntaxError(
        `${where}: values must be strings, numbers, booleans or null, not ${describe(v)}`,
      );
    }
  }
  return list as Scalar[];
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === undefined) return 'nothing';
  return typeof v === 'object' ? 'a map' : typeof v;
}

/**
 * The lower-cased values (exact) or prefixes (`startswith`) a plain string field requires, when
 * every value is a literal string; undefined otherwise (a null value matches a missing field).
 * Lower-cased even when `cased`: a case-insensitive constraint admits more, which is safe.
 */
function required(mods: Modifiers, values: Scalar[]): Required | undefined {
  if (mods.anchor !== 'exact' && mods.anchor !== 'startswith') return undefined;
  if (mods.all && values.length > 1) return undefined;
  const out = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string') return undefined;
    const lit = literalOf(v);
    if (lit === undefined) return undefined;
    out.add(lit.toLowerCase());
  }
  return mods.anchor === 'exact' ? { exact: out, prefixes: [] } : { exact: new Set(), prefixes: [...out] };
}

/** Plain, contains, startswith, endswith (optionally `all`, `cased`); null matches a missing field. */
function stringTest(
  read: (e: VigilEvent) => unknown,
  mods: Modifiers,
  values: Scalar[],
  jsonText: JsonText,
): EventPredicate {
  const alternatives = (vals: Scalar[]) => {
    const matchNull = vals.includes(null);
    const exact = new Set<string>();
    const others: StringPattern[] = [];
    for (const v of vals) {
      if (v === null) continue;
      const p = compilePattern(String(v), mods.anchor, mods.cased);
      if (p.literal !== undefined) exact.add(p.literal);
      else others.push(p);
    }
    const cased = mods.cased;
    const textTest = (text: string): boolean => {
      if (exact.has(text)) return true;
      for (const p of others) if (p.test(text)) return true;
      return false;
    };
    const hasText = exact.size > 0 || others.length > 0;
    return (value: unknown): boolean => {
      if (isNullish(value)) {
        if (matchNull) return true;
        if (value === undefined || value === null) return false;
      }
      return hasText && anyText(value, jsonText, !cased, textTest);
    };
  };
  if (mods.all && values.length > 1) {
    const each = values.map((v) => alternatives([v]));
    return (event) => {
      const value = read(event);
      for (const t of each) if (!t(value)) return false;
      return true;
    };
  }
  const one = alternatives(values);
  return (event) => one(read(event));
}

function existsTest(read: (e: VigilEvent) => unknown, values: Scalar[], where: string): EventPredicate {
  const want = values[0];
  if (values.length !== 1 || typeof want !== 'boolean') {
    throw new SigmaSyntaxError(`${where}: "exists" takes true or false`);
  }
  return (event) => {
    const v = read(event);
    return (v !== undefined && v !== null) === want;
  };
}

function compareTest(
  read: (e: VigilEvent) => unknown,
  op: NonNullable<Modifiers['compare']>,
  values: Scalar[],
  where: string,
): EventPredicate {
  const bound = values.length === 1 ? toNumber(values[0]) : undefined;
  if (bound === undefined) throw new SigmaSyntaxError(`${where}: "${op}" takes one number`);
  const cmp =
    op === 'gt'
      ? (n: number) => n > bound
      : op === 'gte'
        ? (n: number) => n >= bound
        : op === 'lt'
          ? (n: number) => n < bound
          : (n: number) => n <= bound;
  return (event) => {
    const v = read(event);
    if (Array.isArray(v)) {
      for (const el of v) {
        const n = toNumber(el);
        if (n !== undefined && cmp(n)) return true;
      }
      return false;
    }
    const n = toNumber(v);
    return n !== undefined && cmp(n);
  };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function cidrTest(
  read: (e: VigilEvent) => unknown,
  values: Scalar[],
  jsonText: JsonText,
  where: string,
): EventPredicate {
  const ranges = values.map((v) => {
    if (typeof v !== 'string' || !ipaddr.isValidCIDR(v))
      throw new SigmaSyntaxError(`${where}: "${String(v)}" is not a CIDR range`);
    const [addr, bits] = ipaddr.parseCIDR(v);
    return { kind: addr.kind(), range: [addr, bits] as [ipaddr.IPv4 | ipaddr.IPv6, number] };
  });
  // IPv4 ranges as [first, last] numbers: most addresses in logs are dotted quads, checked without parsing
  // them into objects (flow logs ask this of every record). Other forms go through ipaddr.js.
  const v4: number[] = [];
  for (const r of ranges) {
    if (r.kind !== 'ipv4') continue;
    const [addr, bits] = r.range;
    const first = addr.toByteArray().reduce((n, b) => n * 256 + b, 0);
    const size = 2 ** (32 - bits);
    const start = first - (first % size);
    v4.push(start, start + size - 1);
  }
  const textTest = (text: string): boolean => {
    if (text.indexOf(':') < 0) {
      const n = parseIPv4(text);
      if (n === undefined) return false;
      for (let i = 0; i < v4.length; i += 2) if (n >= v4[i]! && n <= v4[i + 1]!) return true;
      return false;
    }
    if (!ipaddr.isValid(text)) return false;
    const addr = ipaddr.process(text);
    const kind = addr.kind();
    for (const r of ranges) {
      if (r.kind === kind && (addr as ipaddr.IPv4).match(r.range as [ipaddr.IPv4, number])) return true;
    }
    return false;
  };
  return (event) => anyText(read(event), jsonText, false, textTest);
}

function regexTest(
  read: (e: VigilEvent) => unknown,
  flags: string,
  all: boolean,
  values: Scalar[],
  jsonText: JsonText,
  where: string,
): EventPredicate {
  const regexes = values.map((v) => {
    if (typeof v !== 'string') throw new SigmaSyntaxError(`${where}: "re" takes strings`);
    try {
      return new RegExp(v, flags);
    } catch (err) {
      throw new SigmaSyntaxError(`${where}: invalid regular expression "${v}": ${(err as Error).message}`);
    }
  });
  const tests = regexes.map((re) => {
    // Case-sensitive patterns with a required literal: a cheap substring check rules most values out.
    const literal = re.flags.includes('i') ? undefined : requiredLiteral(re.source);
    return literal === undefined
      ? (text: string) => re.test(text)
      : (text: string) => text.includes(literal) && re.test(text);
  });
  // Any (all) of the patterns finds a text of the value, each pattern on any of its texts.
  const anyOf = (v: unknown): boolean => {
    for (const t of tests) if (anyText(v, jsonText, false, t)) return true;
    return false;
  };
  const allOf = (v: unknown): boolean => {
    for (const t of tests) if (!anyText(v, jsonText, false, t)) return false;
    return true;
  };
  const combined = all ? allOf : anyOf;
  // A string value is its only text, and the same strings (user agents, ARNs) recur across events:
  // remember the answer per string (the patterns have no `g`/`y` flag, so a test has no state).
  const answers = new Map<string, boolean>();
  return (event) => {
    const v = read(event);
    if (typeof v !== 'string') return combined(v);
    let answer = answers.get(v);
    if (answer === undefined) {
      answer = combined(v);
      if (answers.size >= REGEX_MEMO_MAX) answers.clear();
      answers.set(v, answer);
    }
    return answer;
  };
}

/** Compares the field with the value of another field (`fieldref`), optionally as substring/prefix/suffix. */
function fieldrefTest(
  read: (e: VigilEvent) => unknown,
  get: FieldGetter,
  mods: Modifiers,
  values: Scalar[],
  jsonText: JsonText,
  where: string,
): EventPredicate {
  const refs = values.map((v) => {
    if (typeof v !== 'string' || v.trim() === '')
      throw new SigmaSyntaxError(`${where}: "fieldref" takes field names`);
    return accessorFor(get, v.trim(), where);
  });
  const fold = !mods.cased;
  const anchor = mods.anchor;
  const compare = (text: string, ref: string): boolean =>
    anchor === 'exact'
      ? text === ref
      : anchor === 'contains'
        ? text.includes(ref)
        : anchor === 'startswith'
          ? text.startsWith(ref)
          : text.endsWith(ref);
  const matchesRef = (event: VigilEvent, value: unknown, readRef: FieldAccessor): boolean => {
    const refValue = readRef(event);
    const refTexts = allTexts(refValue, jsonText, fold);
    if (refTexts.length === 0) return false;
    return anyText(value, jsonText, fold, (text) => {
      for (const r of refTexts) if (compare(text, r)) return true;
      return false;
    });
  };
  const every = mods.all;
  return (event) => {
    const value = read(event);
    if (value === undefined || value === null) return false;
    return every
      ? refs.every((r) => matchesRef(event, value, r))
      : refs.some((r) => matchesRef(event, value, r));
  };
}
