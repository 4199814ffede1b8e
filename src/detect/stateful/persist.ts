import { createHash } from 'node:crypto';
import type { Contribution } from './types.js';

/**
 * Export and import of stateful detection state, so `vigil serve` can keep it across restarts. Each
 * kind of state is a set of entries (a window or sequence group, a first-seen (scope, key) pair, a
 * clock's scope) with a plain JSON value; the host stores them and writes only the entries changed
 * since its last save, in the same transaction as the source checkpoint they correspond to.
 */
export interface StateEntry {
  key: string;
  /** JSON-serialisable; in changes, undefined means the entry is gone. */
  value: unknown;
}

export interface Persistable {
  /**
   * The entries changed (or removed: value undefined) since the last call, and forgets them. Only
   * for state created with `track` (the dirty set would otherwise grow without bound).
   */
  takeChanges(): StateEntry[];
  /** Every entry, least recently used first. */
  exportAll(): StateEntry[];
  /**
   * Replaces the state with `entries`, least recently used first: invalid ones are skipped, and
   * beyond the bound the oldest are evicted (reported as removed by the next `takeChanges`).
   * Returns the highest contribution `seq` restored, or −1.
   */
  importAll(entries: Iterable<StateEntry>): number;
}

/** The keys changed since the last save; undefined when not tracking. */
export function dirtySet(track: boolean | undefined): Set<string> | undefined {
  return track ? new Set<string>() : undefined;
}

export function takeDirty<V>(
  dirty: Set<string> | undefined,
  read: (key: string) => V | undefined,
  encode: (value: V) => unknown,
): StateEntry[] {
  if (!dirty) throw new Error('this state was created without change tracking');
  const out: StateEntry[] = [];
  for (const key of dirty) {
    const value = read(key);
    out.push({ key, value: value === undefined ? undefined : encode(value) });
  }
  dirty.clear();
  return out;
}

/** A contribution as stored: [ts, seq, eventId, eventName]. */
export type StoredContribution = [number, number, string | null, string | null];

export function encodeContribution(c: Contribution): StoredContribution {
  return [c.ts, c.seq, c.id ?? null, c.name ?? null];
}

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The contribution stored as `value`, or undefined when it is not one. */
export function decodeContribution(value: unknown): Contribution | undefined {
  if (!Array.isArray(value) || value.length < 4) return undefined;
  const [ts, seq, id, name] = value as unknown[];
  if (!isNumber(ts) || !isNumber(seq) || !isTextOrNull(id) || !isTextOrNull(name)) return undefined;
  return { ts, seq, id: id ?? undefined, name: name ?? undefined };
}

/** JSON with object keys sorted, so equal definitions give equal text whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A short hash of what decides a piece of state's meaning (for a detection: its source, detection
 * block and aggregate), so state saved under another definition is dropped rather than misapplied.
 */
export function fingerprint(definition: unknown): string {
  return createHash('sha256').update(stableJson(definition)).digest('hex').slice(0, 16);
}
