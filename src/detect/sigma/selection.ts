import type { VigilEvent } from '../../core/event.js';
import type { FieldGetter } from '../types.js';
import type { JsonText } from './json-text.js';
import { compileField, type EventPredicate } from './field.js';
import { compilePattern } from './pattern.js';
import { SigmaSyntaxError } from './errors.js';
import { intersectAll, unionAll, type Required } from './required.js';

export interface CompiledSelection {
  test: EventPredicate;
  /** What every match of this selection requires of `eventName`, or undefined when unconstrained. */
  eventName: Required | undefined;
  /** The same for `eventSource`. */
  eventSource: Required | undefined;
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
        eventName: unionAll(parts.map((p) => p.eventName)),
        eventSource: unionAll(parts.map((p) => p.eventSource)),
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
  const test: EventPredicate =
    tests.length === 1
      ? tests[0]!
      : (event) => {
          for (const t of tests) if (!t(event)) return false;
          return true;
        };
  return {
    test,
    eventName: intersectAll(fields.map((f) => f.eventName)),
    eventSource: intersectAll(fields.map((f) => f.eventSource)),
  };
}

function compileKeywords(words: (string | number)[], ctx: SelectionContext): CompiledSelection {
  const patterns = words.map((w) => compilePattern(String(w), 'contains', false));
  const jsonText = ctx.jsonText;
  return {
    test: (event: VigilEvent) => {
      for (const text of jsonText.folded(event.raw)) for (const p of patterns) if (p.test(text)) return true;
      return false;
    },
    eventName: undefined,
    eventSource: undefined,
  };
}
