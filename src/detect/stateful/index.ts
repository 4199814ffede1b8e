export { createWindowState, MAX_SUM_ENTRIES } from './window.js';
export type { WindowKind, WindowOptions, WindowState } from './window.js';
export { createFirstSeenState } from './first-seen.js';
export type { FirstSeenOptions, FirstSeenState } from './first-seen.js';
export { createSequenceState, MAX_PER_STEP } from './sequence.js';
export type { SequenceOptions, SequenceState } from './sequence.js';
export { LruMap } from './lru.js';
export type { Contribution, Fire, Signal } from './types.js';
