import type { VigilEvent } from '../../core/event.js';
import type { FieldGetter } from '../types.js';
import type { JsonText } from './json-text.js';
import { compileField, type EventPredicate } from './field.js';
import { compilePattern } from './pattern.js';
import { SigmaSyntaxError } from './errors.js';

export interface CompiledSelection {
  test: EventPredicate;
  /** Lower-cased eventNames every match of this selection requires, or undefined when unconstrained. */
  eventNames: Set<string> | undefined;
}

export interface SelectionContext {
  getField: FieldGetter;
  jsonText: JsonText;
}

/**
 * A named selection: a map (AND of its fields), a list of maps (OR of the maps), or a list of
 * strings (keywords: case-insensitive substrings of the record's compact JSON text).
 */
export function compileSelection(name: string, body: unknown, ctx: SelectionContext): CompiledSelection {
  const where = `selection "${name}"`;
  if (isMap(body)) return compileMap(body, where, ctx);
  if (typeof body === 'string' || typeof body === 'number') return compileKeywords([body], ctx);
  if (Array.isArray(body)) {
    if (body.length === 0) throw new SigmaSyntaxError(`${where}: empty list`);
    if (body.every(isMap)) {
      const parts = body.map((m, i) => compileMap(m, `${where} item ${i + 1}`, ctx));
      const tests = parts.map((p) => p.test);
      return {
        test: (event) => {
          for (const t of tests) if (t(event)) return true;
          return false;
        },
        eventNames: unionAll(parts.map((p) => p.eventNames)),
      };
    }
    if (body.every((v) => typeof v === 'string' || typeof v === 'number')) return compileKeywords(body, ctx);
    throw new SigmaSyntaxError(
      `${where}: a list must hold only maps (alternatives) or only strings (keywords)`,
    );
  }
  throw new SigmaSyntaxError(`${where}: must be a map of fields, a list of maps, or a list of keywords`);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileMap(body: Record<string, unknown>, where: string, ctx: SelectionContext): CompiledSelection {
  const entries = Object.entries(body);
  if (entries.length === 0) throw new SigmaSyntaxError(`${where}: empty map`);
  const fields = entries.map(([key, value]) => compileField(key, value, { ...ctx, where }));
  const tests = fields.map((f) => f.test);
  let eventNames: Set<string> | undefined;
  for (const f of fields)
    if (f.eventNames) eventNames = eventNames ? intersect(eventNames, f.eventNames) : f.eventNames;
  const test: EventPredicate =
    tests.length === 1
      ? tests[0]!
      : (event) => {
          for (const t of tests) if (!t(event)) return false;
          return true;
        };
  return { test, eventNames };
}

function compileKeywords(words: (string | number)[], ctx: SelectionContext): CompiledSelection {
  const patterns = words.map((w) => compilePattern(String(w), 'contains', false));
  const jsonText = ctx.jsonText;
  return {
    test: (event: VigilEvent) => {
      for (const text of jsonText.folded(event.raw)) for (const p of patterns) if (p.test(text)) return true;
      return false;
    },
    eventNames: undefined,
  };
}

export function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const v of a) if (b.has(v)) out.add(v);
  return out;
}

/** The union when every part is constrained; undefined as soon as one part is not. */
export function unionAll(parts: (ReadonlySet<string> | undefined)[]): Set<string> | undefined {
  const out = new Set<string>();
  for (const p of parts) {
    if (!p) return undefined;
    for (const v of p) out.add(v);
  }
  return out;
}
