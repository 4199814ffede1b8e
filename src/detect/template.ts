import type { VigilEvent } from '../core/event.js';
import type { FieldGetter } from './types.js';

/**
 * Title, description and resource-id templates. `{{path}}` is replaced by a field of the event (raw
 * paths, `vigil.*`) or by a value from `extra` (`aggregate.*`). Nothing is evaluated: a placeholder
 * is a field path or it is left as literal text.
 */
export type TemplatePart = string | { path: string };

export interface CompiledTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** Every path the template reads. */
  readonly paths: readonly string[];
}

/** Longest rendered value; longer values are cut and end with `…`. */
export const MAX_VALUE_LENGTH = 256;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z0-9_@$:-]+(?:\.[A-Za-z0-9_@$:-]+)*$/;

export function compileTemplate(source: string): CompiledTemplate {
  const parts: TemplatePart[] = [];
  const paths: string[] = [];
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    const path = m[1]!;
    if (!PATH.test(path)) continue;
    if (m.index > last) parts.push(source.slice(last, m.index));
    parts.push({ path });
    paths.push(path);
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return { source, parts, paths };
}

function truncate(text: string): string {
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '-';
}

/**
 * One field value as text: missing → `-`, arrays joined with `, `, objects as compact JSON,
 * at most MAX_VALUE_LENGTH characters.
 */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '-' : truncate(value.map(scalar).join(', '));
  return truncate(scalar(value));
}

export function renderTemplate(
  template: string | CompiledTemplate,
  event: VigilEvent,
  getField: FieldGetter,
  extra?: Readonly<Record<string, unknown>>,
): string {
  const compiled = typeof template === 'string' ? compileTemplate(template) : template;
  let out = '';
  for (const part of compiled.parts) {
    if (typeof part === 'string') out += part;
    else if (extra && Object.hasOwn(extra, part.path)) out += formatValue(extra[part.path]);
    else out += formatValue(getField(event, part.path));
  }
  return out;
}
