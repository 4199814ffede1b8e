import { describe, it, expect } from 'vitest';
import { admits, exactOnly, intersect, intersectAll, unionAll, type Required } from './required.js';

const r = (exact: string[], prefixes: string[] = []): Required => ({ exact: new Set(exact), prefixes });
const plain = (x: Required | undefined) =>
  x && { exact: [...x.exact].sort(), prefixes: [...x.prefixes].sort() };

describe('required field values', () => {
  it('admit exact values and values starting with a prefix', () => {
    const x = r(['createuser'], ['get', 'list']);
    expect(admits(x, 'createuser')).toBe(true);
    expect(admits(x, 'getuser')).toBe(true);
    expect(admits(x, 'createuserx')).toBe(false);
    expect(admits(x, 'deleteuser')).toBe(false);
  });

  it('intersect to the values both admit', () => {
    expect(plain(intersect(r(['getuser', 'listusers']), r([], ['get'])))).toEqual({
      exact: ['getuser'],
      prefixes: [],
    });
    expect(plain(intersect(r([], ['get']), r([], ['getuser', 'list'])))).toEqual({
      exact: [],
      prefixes: ['getuser'],
    });
    expect(plain(intersect(r(['a', 'b']), r(['b', 'c'])))).toEqual({ exact: ['b'], prefixes: [] });
    expect(plain(intersectAll([undefined, r(['a']), undefined]))).toEqual({ exact: ['a'], prefixes: [] });
    expect(intersectAll([undefined, undefined])).toBeUndefined();
  });

  it('unite only constrained parts', () => {
    expect(plain(unionAll([r(['a']), r(['b'], ['c'])]))).toEqual({ exact: ['a', 'b'], prefixes: ['c'] });
    expect(unionAll([r(['a']), undefined])).toBeUndefined();
  });

  it('give an index key set only without prefixes', () => {
    expect(exactOnly(r(['a']))).toEqual(new Set(['a']));
    expect(exactOnly(r(['a'], ['b']))).toBeUndefined();
    expect(exactOnly(undefined)).toBeUndefined();
  });
});
