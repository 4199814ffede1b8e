import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { y: 1, x: 2 }], a: 'é', c: { '': null, B: true, a: false } })).toBe(
      '{"a":"é","b":[3,{"x":2,"y":1}],"c":{"":null,"B":true,"a":false}}',
    );
  });

  it('gives equal values the same text whatever order they were built in', () => {
    const one = { id: 'x', params: { region: 'eu-west-1', ids: ['i-1', 'i-2'] }, n: 1.5 };
    const two = { n: 1.5, params: { ids: ['i-1', 'i-2'], region: 'eu-west-1' }, id: 'x' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(JSON.parse(canonicalJson(one))).toEqual(one);
  });

  it('escapes strings as JSON does, lone surrogates and control characters included', () => {
    expect(canonicalJson(['\u001b[31m', '\ud800', '"\\'])).toBe('["\\u001b[31m","\\ud800","\\"\\\\"]');
    expect(canonicalJson(-0)).toBe('0');
  });

  it('refuses what JSON cannot carry faithfully, naming where', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [{ a: undefined }, /^\$\.a: undefined has no JSON form$/],
      [{ a: [1, Infinity] }, /^\$\.a\[1\]: Infinity is not a JSON number$/],
      [{ n: Number.NaN }, /NaN/],
      [{ big: 1n }, /bigint/],
      [{ f: () => 1 }, /function/],
      [{ at: new Date(0) }, /^\$\.at: a Date is not a plain object$/],
      [{ m: new Map() }, /Map/],
      [[1, , 3], /^\$\[1\]: undefined/], // eslint-disable-line no-sparse-arrays
      [cyclic, /contains itself/],
    ];
    for (const [value, message] of cases) {
      expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
      expect(() => canonicalJson(value)).toThrow(message);
    }
  });

  it('accepts a repeated (not cyclic) reference and objects without a prototype', () => {
    const shared = { k: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { z: 1, a: 2 });
    expect(canonicalJson({ x: shared, y: shared, bare })).toBe(
      '{"bare":{"a":2,"z":1},"x":{"k":1},"y":{"k":1}}',
    );
  });
});
