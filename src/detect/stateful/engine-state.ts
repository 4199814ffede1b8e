import type { Persistable } from './persist.js';

/** One stored entry of an engine's state: whose it is, under which definition, and its key and value. */
export interface StateRow {
  owner: string;
  fingerprint: string;
  key: string;
  /** JSON-serialisable; in changes, undefined means the entry is gone. */
  value: unknown;
}

/** A piece of the engine's state: a stateful detection ("detection:<id>") or a learning clock ("clock:<fields>"). */
export interface StateOwner {
  owner: string;
  fingerprint: string;
  state: Persistable;
}

/** Every stateful detection's and learning clock's state, for a host that keeps it across restarts. */
export interface EngineState {
  /** Owner → fingerprint of its current definition. */
  readonly owners: ReadonlyMap<string, string>;
  /** The entries changed since the last call (value undefined: removed). Needs `trackState`. */
  takeChanges(): StateRow[];
  /** Every entry, least recently used first within each owner. */
  exportAll(): StateRow[];
  /**
   * Replaces the whole state (what is not in `rows` is forgotten). Rows of an owner that no longer
   * exists, or saved under another fingerprint (the definition changed), are ignored.
   */
  importAll(rows: Iterable<StateRow>): void;
}

export function createEngineState(
  parts: readonly StateOwner[],
  onRestored: (maxSeq: number) => void,
): EngineState {
  const owners = new Map(parts.map((p) => [p.owner, p.fingerprint]));
  return {
    owners,
    takeChanges() {
      const out: StateRow[] = [];
      for (const { owner, fingerprint, state } of parts)
        for (const { key, value } of state.takeChanges()) out.push({ owner, fingerprint, key, value });
      return out;
    },
    exportAll() {
      const out: StateRow[] = [];
      for (const { owner, fingerprint, state } of parts)
        for (const { key, value } of state.exportAll()) out.push({ owner, fingerprint, key, value });
      return out;
    },
    importAll(rows) {
      const byOwner = new Map<string, { key: string; value: unknown }[]>(parts.map((p) => [p.owner, []]));
      for (const row of rows) {
        if (owners.get(row.owner) !== row.fingerprint) continue;
        byOwner.get(row.owner)!.push({ key: row.key, value: row.value });
      }
      let maxSeq = -1;
      for (const { owner, state } of parts) maxSeq = Math.max(maxSeq, state.importAll(byOwner.get(owner)!));
      onRestored(maxSeq);
    },
  };
}

/**
 * Two states saved and restored as one (the engine's and the behavioural baselines' in `vigil serve`):
 * their owners must not overlap. Rows are handed back to the part that owns them.
 */
export function combineEngineStates(a: EngineState, b: EngineState): EngineState {
  for (const owner of b.owners.keys())
    if (a.owners.has(owner)) throw new Error(`state owner "${owner}" is in both states`);
  const owners = new Map([...a.owners, ...b.owners]);
  return {
    owners,
    takeChanges: () => [...a.takeChanges(), ...b.takeChanges()],
    exportAll: () => [...a.exportAll(), ...b.exportAll()],
    importAll(rows) {
      const forA: StateRow[] = [];
      const forB: StateRow[] = [];
      for (const row of rows) (a.owners.has(row.owner) ? forA : forB).push(row);
      a.importAll(forA);
      b.importAll(forB);
    },
  };
}
