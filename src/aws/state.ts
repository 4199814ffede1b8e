import { createHash } from 'node:crypto';
import type { Engine } from '../detect/engine.js';
import type { EngineState, StateRow } from '../detect/stateful/engine-state.js';
import type { Signal } from '../detect/stateful/types.js';
import { ConditionFailedError, SK, ttlAfter, type Item, type Table, type WriteOp } from './table.js';

/**
 * Stateful detections in Lambda: the state lives in DynamoDB, not in the function. Several instances run
 * at once, so none may trust what it holds in memory; for each event the adapter reads exactly the
 * entries the event's signals touch (a window or sequence group, a first-seen key, a learning clock's
 * scope), replaces the engine's state with them (`engine.state.importAll`), lets the engine apply the
 * signals, and writes back what changed (`takeChanges`) in one transaction:
 *
 * - items `state#<owner>#<key>` (owner as the engine names it, `detection:<id>` or `clock:<scope>`;
 *   a key longer than 512 characters is replaced by its SHA-256) hold the entry, the fingerprint of the
 *   definition it was saved under (another fingerprint: ignored, then overwritten) and a version;
 * - each write is conditional on the version read, so two instances updating one group cannot lose an
 *   update: the loser's record fails and SQS delivers it again, to be applied to the winner's state;
 * - the same transaction puts `event#<eventId>`, so a duplicate delivery of an event already applied
 *   is recognised (read with the state) and not counted twice;
 * - TTL: window and sequence entries live twice their window (they expire by event time anyway),
 *   first-seen keys and learning clocks FIRST_SEEN_TTL_MS (a forgotten key fires again: noisy, not blind).
 *
 * Other keyed state beside the engine's (the behavioural baselines' profiles, one per principal) rides
 * along: `load` reads the keys the caller names for it, and `commit` writes its changes in the same
 * transaction, so an event's marker covers both.
 */
export const FIRST_SEEN_TTL_MS = 400 * 86_400_000;
/** How long an applied event is remembered: longer than SQS keeps a message (at most 14 days). */
export const EVENT_MARKER_TTL_MS = 15 * 86_400_000;
const MAX_KEY_CHARS = 512;

export interface DetectionStateOptions {
  table: Table;
  engine: Engine;
  /** More state loaded and committed with the engine's; its owners must not be the engine's. */
  extra?: readonly { state: EngineState; ttlMs: number }[];
  now?: () => number;
}

/** The state an event needs, read from the table. */
export interface LoadedState {
  /** The event was already applied (its marker exists): skip it. */
  duplicate: boolean;
  /** pk → version read (0: no item). */
  versions: Map<string, number>;
  /** pk → its owner and key, for the entries read or to be written. */
  keys: Map<string, { owner: string; key: string }>;
}

export interface DetectionState {
  /**
   * Reads the entries `signals` need and the `extra` entries named (and the event's marker), and loads
   * them into the engine and the extra states.
   */
  load(
    eventId: string,
    signals: readonly Signal[],
    extraKeys?: readonly { owner: string; key: string }[],
  ): Promise<LoadedState>;
  /** Writes the engine's changes since `load`, conditional on the versions read, with the marker. */
  commit(eventId: string, loaded: LoadedState): Promise<{ written: number; duplicate: boolean }>;
}

export function statePk(owner: string, key: string): string {
  const k = key.length <= MAX_KEY_CHARS ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
  return `state#${owner}#${k}`;
}

export const eventPk = (eventId: string) => `event#${eventId}`;

/**
 * The engine's owner names by detection index and clock index, from `engine.state.owners`: clocks
 * first (in clock order), then stateful detections in catalogue order — the order the engine builds them.
 */
function ownerNames(engine: Engine) {
  const names = [...engine.state.owners.keys()];
  const clocks = names.filter((n) => n.startsWith('clock:'));
  const detectionOwners = names.filter((n) => n.startsWith('detection:'));
  const byDetection = new Map<number, string>();
  const ttlMs = new Map<string, number>(clocks.map((c) => [c, FIRST_SEEN_TTL_MS]));
  const clockOf = new Map<number, string>();
  let next = 0;
  engine.detections.forEach((d, index) => {
    const a = d.aggregate;
    if (!a) return;
    const owner = detectionOwners[next++];
    if (owner === undefined) throw new Error(`the engine has no state owner for detection ${d.id}`);
    byDetection.set(index, owner);
    if (a.kind === 'first-seen') {
      ttlMs.set(owner, FIRST_SEEN_TTL_MS);
      clockOf.set(index, `clock:${JSON.stringify(a.scope)}`);
    } else ttlMs.set(owner, a.window * 2 + 3_600_000);
  });
  return { clocks, byDetection, clockOf, ttlMs };
}

export function createDetectionState(options: DetectionStateOptions): DetectionState {
  const { table, engine } = options;
  const now = options.now ?? Date.now;
  const names = ownerNames(engine);
  const extra = options.extra ?? [];
  for (const x of extra)
    for (const owner of x.state.owners.keys()) {
      if (engine.state.owners.has(owner)) throw new Error(`state owner "${owner}" is the engine's`);
      names.ttlMs.set(owner, x.ttlMs);
    }
  const takeChanges = () => [...engine.state.takeChanges(), ...extra.flatMap((x) => x.state.takeChanges())];

  function needed(signals: readonly Signal[]): { owner: string; key: string }[] {
    const out: { owner: string; key: string }[] = [];
    for (const s of signals) {
      if (s.kind === 'clock') {
        const owner = names.clocks[s.clock];
        if (owner) out.push({ owner, key: s.scope });
        continue;
      }
      const owner = names.byDetection.get(s.detection);
      if (!owner) continue;
      if (s.kind === 'first-seen') {
        out.push({ owner, key: `${s.scope}\u0000${s.key}` });
        const clock = names.clockOf.get(s.detection);
        if (clock) out.push({ owner: clock, key: s.scope });
      } else out.push({ owner, key: s.group });
    }
    return out;
  }

  return {
    async load(eventId, signals, extraKeys = []) {
      const keys = new Map<string, { owner: string; key: string }>();
      for (const k of [...needed(signals), ...extraKeys]) keys.set(statePk(k.owner, k.key), k);
      const marker = eventPk(eventId);
      const items = await table.getMany([marker, ...keys.keys()]);
      const versions = new Map<string, number>();
      const rows: StateRow[] = [];
      for (const [pk, k] of keys) {
        const item = items.get(pk);
        versions.set(pk, typeof item?.ver === 'number' ? item.ver : 0);
        if (!item || typeof item.fp !== 'string' || typeof item.value !== 'string') continue;
        let value: unknown;
        try {
          value = JSON.parse(item.value);
        } catch {
          continue; // a damaged item is forgotten state, overwritten by the next write
        }
        rows.push({ owner: k.owner, key: k.key, fingerprint: item.fp, value });
      }
      // The engine (and each extra state) now holds exactly this event's share of the state; earlier
      // events' leftovers are gone.
      engine.state.importAll(rows.filter((r) => engine.state.owners.has(r.owner)));
      for (const x of extra) x.state.importAll(rows.filter((r) => x.state.owners.has(r.owner)));
      return { duplicate: items.has(marker), versions, keys };
    },
    async commit(eventId, loaded) {
      const changes = takeChanges();
      if (!changes.length) return { written: 0, duplicate: false };
      const t = now();
      const ops: WriteOp[] = [];
      for (const c of changes) {
        const pk = statePk(c.owner, c.key);
        const ver = loaded.versions.get(pk) ?? 0;
        const guard =
          ver === 0
            ? { condition: 'attribute_not_exists(pk)' }
            : { condition: 'ver = :ver', values: { ':ver': ver } };
        if (c.value === undefined) {
          if (ver !== 0) ops.push({ delete: { pk, sk: SK }, ...guard });
          continue;
        }
        const item: Item = {
          pk,
          sk: SK,
          owner: c.owner,
          key: c.key,
          fp: c.fingerprint,
          value: JSON.stringify(c.value),
          ver: ver + 1,
          ttl: ttlAfter(t, names.ttlMs.get(c.owner) ?? FIRST_SEEN_TTL_MS),
        };
        ops.push({ put: item, ...guard });
      }
      ops.push({
        put: { pk: eventPk(eventId), sk: SK, ttl: ttlAfter(t, EVENT_MARKER_TTL_MS) },
        condition: 'attribute_not_exists(pk)',
      });
      try {
        await table.transact(ops);
      } catch (err) {
        // Only the marker's condition failed: another instance applied this very event meanwhile.
        if (err instanceof ConditionFailedError && err.failed.length === ops.length) {
          const markerOnly = err.failed.every((f, i) => f === (i === ops.length - 1));
          if (markerOnly) return { written: 0, duplicate: true };
        }
        throw err;
      }
      return { written: ops.length - 1, duplicate: false };
    },
  };
}
