import { describe, it, expect } from 'vitest';
import { LruMap } from './lru.js';

describe('LruMap', () => {
  it('evicts the least recently used entry beyond its size', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect(lru.has('a')).toBe(true);
    expect(lru.size).toBe(2);
    expect(lru.oldest()).toEqual(['a', 1]);
  });

  it('peek does not refresh', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.peek('a');
    lru.set('c', 3);
    expect(lru.has('a')).toBe(false);
  });

  it('rejects a size below one', () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});
