/**
 * Canonical JSON: one text per value, so a hash over it is the same wherever and whenever it is computed.
 * Object keys sorted by UTF-16 code units (as RFC 8785 does), no whitespace, strings and numbers as
 * `JSON.stringify` writes them. Anything JSON cannot carry faithfully is refused rather than silently
 * changed: `undefined`, functions, symbols, bigints, NaN and ±Infinity, cycles, and objects that are not
 * plain (a `Date`, `Map` or `Error` would otherwise become `{}` or a string nobody asked for).
 */

export class CanonicalJsonError extends TypeError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, '$', parts, new Set());
  return parts.join('');
}

function write(value: unknown, path: string, out: string[], ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      out.push(JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(
        path,
        `${value === undefined ? 'undefined' : `a ${typeof value}`} has no JSON form`,
      );
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (ancestors.has(value)) throw new CanonicalJsonError(path, 'the value contains itself');
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      // A hole in a sparse array reads as undefined and is refused like one.
      write(value[i], `${path}[${i}]`, out, ancestors);
    }
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new CanonicalJsonError(path, `a ${name} is not a plain object`);
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(record[key], `${path}.${key}`, out, ancestors);
    });
    out.push('}');
  }
  ancestors.delete(value);
}
