/**
 * A Map bounded to `max` entries that forgets the least recently used one first. Reading with
 * `get` or writing with `set` makes an entry the most recent. `onRemove` hears of every entry that
 * leaves by eviction or `delete` (not `clear`): persisted state uses it to know what to delete.
 */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>();
  readonly #max: number;
  readonly #onRemove: ((key: K) => void) | undefined;

  constructor(max: number, onRemove?: (key: K) => void) {
    if (!(max >= 1)) throw new RangeError(`LRU size must be at least 1, got ${max}`);
    this.#max = max;
    this.#onRemove = onRemove;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** Reads without making the entry more recent. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const evicted = this.#map.keys().next().value as K;
      this.#map.delete(evicted);
      this.#onRemove?.(evicted);
    }
  }

  delete(key: K): boolean {
    const removed = this.#map.delete(key);
    if (removed) this.#onRemove?.(key);
    return removed;
  }

  /** Forgets every entry without telling `onRemove`. */
  clear(): void {
    this.#map.clear();
  }

  /** Every entry, least recently used first. */
  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }

  /** The least recently used entry, or undefined when empty. */
  oldest(): [K, V] | undefined {
    const next = this.#map.entries().next();
    return next.done ? undefined : next.value;
  }
}
