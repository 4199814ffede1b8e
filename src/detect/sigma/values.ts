import type { JsonText } from './json-text.js';

/**
 * The text a field value is matched as: strings as they are, numbers and booleans in their
 * string form, objects and arrays of objects as compact JSON. Missing and null have no text.
 */
export function textOf(value: unknown, jsonText: JsonText): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? undefined : jsonText(value);
    default:
      return undefined;
  }
}

/**
 * True when `test` accepts the text of the value or, when the value is an array (a path that
 * crossed an array, or an array field), of any of its elements.
 */
export function anyText(value: unknown, jsonText: JsonText, test: (text: string) => boolean): boolean {
  if (Array.isArray(value)) {
    for (const el of value) {
      const text = textOf(el, jsonText);
      if (text !== undefined && test(text)) return true;
    }
    return false;
  }
  const text = textOf(value, jsonText);
  return text !== undefined && test(text);
}

/** True when the value is missing or null (or an array holding a null element). */
export function isNullish(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  return Array.isArray(value) && value.some((el) => el === null);
}
