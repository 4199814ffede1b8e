import type { VigilEvent } from '../../core/event.js';

/** One event's part in a stateful detection's window. `seq` orders events with the same time. */
export interface Contribution {
  ts: number;
  seq: number;
  id: string | undefined;
  name: string | undefined;
}

/** A stateful detection crossing its threshold, completing its sequence, or seeing a new key. */
export interface Fire {
  /** The group key (first-seen: the scope). */
  group: string;
  /** The count, distinct count or sum that crossed the threshold (sequence: steps, first-seen: 1). */
  value: number;
  /** Up to 10 distinct values (distinct: the counted values; first-seen: the new key). */
  values: string[];
  /** Contributing events, oldest first, at most MAX_EVIDENCE_IDS. */
  evidence: Contribution[];
}

/**
 * What `matchLocal` emits for a stateful detection instead of changing its state: a plain,
 * structured-cloneable object that `processSignal` applies on the thread that owns the state.
 */
export type Signal =
  | {
      kind: 'window';
      /** Index of the detection in the engine's list. */
      detection: number;
      detectionId: string;
      group: string;
      /** distinct: the value; sum: the amount; count: undefined. */
      value: string | number | undefined;
      event: VigilEvent;
    }
  | {
      kind: 'first-seen';
      detection: number;
      detectionId: string;
      scope: string;
      key: string;
      /** The event is a baseline observation. */
      observe: boolean;
      /** The event can fire (it matches `condition`). */
      candidate: boolean;
      event: VigilEvent;
    }
  | {
      /** A scope seen (first, or earlier than before) by a first-seen learning clock; see clock.ts. */
      kind: 'clock';
      clock: number;
      scope: string;
      ts: number;
    }
  | {
      kind: 'sequence';
      detection: number;
      detectionId: string;
      group: string;
      /** Indexes of the steps this event matches. */
      steps: number[];
      event: VigilEvent;
    };
