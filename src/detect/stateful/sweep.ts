import type { LruMap } from './lru.js';

/** A group of windowed state: the newest event time it holds and when (in applies) it was last touched. */
export interface SweptGroup {
  maxTs: number;
  touched: number;
}

/** How many applies a group must go untouched before it may be dropped for being old in event time. */
export const IDLE_APPLIES = 1_000;
const SWEEP_PER_APPLY = 4;

/**
 * Drops a few least recently used groups whose newest event is older than `horizon` (the
 * watermark minus what the window still needs) and that nothing has touched for IDLE_APPLIES
 * applies. The idle rule keeps a stream that lags far behind others in event time (parallel
 * readers on different accounts or days) from losing its state to the others' watermark.
 */
export function sweepExpired<G extends SweptGroup>(
  groups: LruMap<string, G>,
  horizon: number,
  applies: number,
): void {
  for (let n = 0; n < SWEEP_PER_APPLY; n++) {
    const oldest = groups.oldest();
    if (!oldest || oldest[1].maxTs >= horizon || applies - oldest[1].touched < IDLE_APPLIES) return;
    groups.delete(oldest[0]);
  }
}
