import { describe, expect, it } from 'vitest';
import { fromValue, JsonSyntaxError, parseJsonText } from './json-text.js';

describe('parseJsonText', () => {
  it('keeps every occurrence of a repeated key, in order', () => {
    expect(parseJsonText('{"x":1,"x":"two"}')).toEqual({
      kind: 'object',
      entries: [
        ['x', { kind: 'number', raw: '1', value: 1 }],
        ['x', { kind: 'string', value: 'two' }],
      ],
    });
  });
  it('keeps the exact text of numbers', () => {
    expect(parseJsonText('[37.807807921694092, 1E-320, -0.0]')).toEqual({
      kind: 'array',
      items: [
        { kind: 'number', raw: '37.807807921694092', value: 37.807807921694092 },
        { kind: 'number', raw: '1E-320', value: 1e-320 },
        { kind: 'number', raw: '-0.0', value: -0 },
      ],
    });
  });
  it('decodes escapes', () => {
    expect(parseJsonText('"a\\"\\u00e9\\n"')).toEqual({ kind: 'string', value: 'a"é\n' });
  });
  it.each(['{"a": [1, 2 3]}', '{"a":1,}', '[1', '01', '{"a":1} x', '"\\x"', "{'a':1}", ''])(
    'rejects %j',
    (text) => {
      expect(() => parseJsonText(text)).toThrow(JsonSyntaxError);
    },
  );
  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseJsonText('['.repeat(10000))).toThrow('nesting too deep');
  });
});

describe('fromValue', () => {
  it('converts JavaScript values, dropping undefined properties', () => {
    expect(fromValue({ a: [true, null], b: undefined })).toEqual({
      kind: 'object',
      entries: [['a', { kind: 'array', items: [{ kind: 'boolean', value: true }, { kind: 'null' }] }]],
    });
  });
  it('rejects values JSON cannot hold', () => {
    expect(() => fromValue({ n: NaN })).toThrow(JsonSyntaxError);
  });
});
