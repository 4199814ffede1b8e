import type { JsonText } from './json-text.js';

/**
 * True when `test` accepts a text of the value: strings as they are, numbers and booleans in their
 * string form, objects as their JSON texts (see json-text.ts); lower-cased when `fold`. When the
 * value is an array (a path that crossed an array, or an array field), any element may match.
 * Missing and null have no text.
 */
export function anyText(
  value: unknown,
  jsonText: JsonText,
  fold: boolean,
  test: (text: string) => boolean,
): boolean {
  if (Array.isArray(value)) {
    for (const el of value) if (scalarOrObjectText(el, jsonText, fold, test)) return true;
    return false;
  }
  return scalarOrObjectText(value, jsonText, fold, test);
}

/**
 * Lower-cased copies of recent strings. Many rules fold the same few values of one event (its
 * eventSource, userAgent, ARNs); folding each once saves a copy per rule. Cleared when full.
 */
const folded = new Map<string, string>();

function fold(text: string): string {
  let out = folded.get(text);
  if (out === undefined) {
    out = text.toLowerCase();
    if (folded.size >= 4096) folded.clear();
    folded.set(text, out);
  }
  return out;
}

function scalarOrObjectText(
  value: unknown,
  jsonText: JsonText,
  foldCase: boolean,
  test: (text: string) => boolean,
): boolean {
  switch (typeof value) {
    case 'string':
      return test(foldCase ? fold(value) : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return test(String(value));
    case 'object':
      if (value === null) return false;
      for (const text of foldCase ? jsonText.folded(value) : jsonText.texts(value))
        if (test(text)) return true;
      return false;
    default:
      return false;
  }
}

/** Every text of the value (see anyText), for comparing two fields. */
export function allTexts(value: unknown, jsonText: JsonText, fold: boolean): string[] {
  const out: string[] = [];
  anyText(value, jsonText, fold, (text) => {
    out.push(text);
    return false;
  });
  return out;
}

/** True when the value is missing or null (or an array holding a null element). */
export function isNullish(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  return Array.isArray(value) && value.some((el) => el === null);
}
