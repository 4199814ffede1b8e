/**
 * A JSON reader that keeps what `JSON.parse` throws away and EventBridge relies on: every occurrence of a
 * duplicated key (in order) and the exact text of every number. Patterns and events given as text are read
 * with it; values given as JavaScript objects are converted to the same shape by `fromValue`.
 */
export type JsonNode =
  | { kind: 'object'; entries: [string, JsonNode][] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 256;

export function parseJsonText(text: string): JsonNode {
  let pos = 0;
  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skip = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const readString = (): string => {
    pos++; // opening quote
    let out = '';
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text[pos]!;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c < ' ') fail('control character in string');
      if (c !== '\\') {
        out += c;
        pos++;
        continue;
      }
      const e = text[pos + 1];
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (e !== undefined && e in simple) {
        out += simple[e];
        pos += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
        out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
        pos += 6;
      } else {
        fail('bad escape in string');
      }
    }
  };
  const readValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skip();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: [string, JsonNode][] = [];
      skip();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      for (;;) {
        skip();
        if (text[pos] !== '"') fail('expected a key');
        const key = readString();
        skip();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        entries.push([key, readValue(depth + 1)]);
        skip();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return { kind: 'object', entries };
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      skip();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(readValue(depth + 1));
        skip();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return { kind: 'array', items };
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: 'string', value: readString() };
    for (const [word, node] of [
      ['true', { kind: 'boolean', value: true }],
      ['false', { kind: 'boolean', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return node;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      return { kind: 'number', raw: m[0], value: Number(m[0]) };
    }
    return fail('unexpected character');
  };
  const node = readValue(0);
  skip();
  if (pos < text.length) fail('unexpected text after the JSON value');
  return node;
}

/** The same shape for a value that is already JavaScript (numbers keep their shortest text). */
export function fromValue(value: unknown, depth = 0): JsonNode {
  if (depth > MAX_DEPTH) throw new JsonSyntaxError('nesting too deep', 0);
  if (value === null || value === undefined) return { kind: 'null' };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new JsonSyntaxError(`${value} is not a JSON number`, 0);
    return { kind: 'number', raw: String(value), value };
  }
  if (Array.isArray(value)) return { kind: 'array', items: value.map((v) => fromValue(v, depth + 1)) };
  if (typeof value === 'object') {
    const entries: [string, JsonNode][] = [];
    for (const [k, v] of Object.entries(value))
      if (v !== undefined) entries.push([k, fromValue(v, depth + 1)]);
    return { kind: 'object', entries };
  }
  throw new JsonSyntaxError(`a ${typeof value} is not JSON`, 0);
}
