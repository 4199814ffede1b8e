import { describe, it, expect } from 'vitest';
import { IDLE_APPLIES } from './sweep.js';
import { createWindowState, MAX_SUM_ENTRIES } from './window.js';
import type { WindowOptions } from './window.js';

const MIN = 60_000;
let seq = 0;
const c = (ts: number, id = `e${seq}`) => ({ ts, seq: seq++, id, name: 'GetObject' });

function state(over: Partial<WindowOptions> = {}) {
  return createWindowState({ kind: 'count', window: 10 * MIN, threshold: 3, maxGroups: 100, ...over });
}

describe('count window', () => {
  it('fires once when the threshold is reached within the window', () => {
    const s = state();
    expect(s.apply('alice', undefined, c(0))).toBeUndefined();
    expect(s.apply('alice', undefined, c(1 * MIN))).toBeUndefined();
    const fire = s.apply('alice', undefined, c(2 * MIN, 'third'));
    expect(fire?.value).toBe(3);
    expect(fire?.group).toBe('alice');
    expect(fire?.evidence.map((e) => e.id).at(-1)).toBe('third');
    expect(fire?.evidence).toHaveLength(3);
  });

  it('counts only events within one window of each other', () => {
    const s = state();
    expect(s.apply('a', undefined, c(0))).toBeUndefined();
    expect(s.apply('a', undefined, c(6 * MIN))).toBeUndefined();
    expect(s.apply('a', undefined, c(12 * MIN))).toBeUndefined();
    expect(s.apply('a', undefined, c(13 * MIN))?.evidence.map((e) => e.ts)).toEqual([
      6 * MIN,
      12 * MIN,
      13 * MIN,
    ]);
  });

  it('keeps groups apart', () => {
    const s = state();
    s.apply('a', undefined, c(0));
    s.apply('b', undefined, c(0));
    s.apply('a', undefined, c(1));
    expect(s.apply('b', undefined, c(2))).toBeUndefined();
    expect(s.apply('a', undefined, c(3))).toBeDefined();
  });

  it('a long burst is one fire; the group re-arms only after a quiet window', () => {
    const s = state();
    const fires = [];
    for (let m = 0; m < 60; m++) fires.push(s.apply('a', undefined, c(m * MIN)));
    expect(fires.filter(Boolean)).toHaveLength(1);
    // still within a window of the last event: quiet
    expect(s.apply('a', undefined, c(65 * MIN))).toBeUndefined();
    // the group is quiet for more than a window: re-armed, needs three fresh events
    expect(s.apply('a', undefined, c(80 * MIN))).toBeUndefined();
    expect(s.apply('a', undefined, c(81 * MIN))).toBeUndefined();
    expect(s.apply('a', undefined, c(82 * MIN))).toBeDefined();
  });

  it('places out-of-order events by event time', () => {
    const s = state();
    expect(s.apply('a', undefined, c(0))).toBeUndefined();
    expect(s.apply('a', undefined, c(1 * MIN))).toBeUndefined();
    expect(s.apply('a', undefined, c(15 * MIN))).toBeUndefined();
    // arrives late but belongs with the first two
    const fire = s.apply('a', undefined, c(5 * MIN, 'late'));
    expect(fire?.evidence.map((e) => e.ts)).toEqual([0, 1 * MIN, 5 * MIN]);
  });

  it('an event too late for the window does not count', () => {
    const s = state();
    s.apply('a', undefined, c(100 * MIN));
    s.apply('a', undefined, c(100 * MIN));
    expect(s.apply('a', undefined, c(1 * MIN))).toBeUndefined();
    expect(s.entries('a')).toBe(2);
  });

  it('evicts the least recently used group beyond maxGroups', () => {
    const s = state({ maxGroups: 2 });
    s.apply('a', undefined, c(0));
    s.apply('a', undefined, c(1));
    s.apply('b', undefined, c(2));
    s.apply('c', undefined, c(3)); // evicts a
    expect(s.size).toBe(2);
    expect(s.entries('a')).toBe(0);
    expect(s.apply('a', undefined, c(4))).toBeUndefined(); // a starts over: one event
  });

  it('drops groups that fall behind the watermark once nothing touches them', () => {
    const s = state();
    s.apply('old', undefined, c(0));
    s.apply('new', undefined, c(100 * MIN));
    expect(s.size).toBe(2); // old is behind in event time but was just touched
    for (let i = 0; i < IDLE_APPLIES; i++) s.apply('new', undefined, c(100 * MIN));
    expect(s.size).toBe(1);
    expect(s.entries('old')).toBe(0);
  });

  it('a stream far behind another in event time keeps its state (parallel readers)', () => {
    const s = state({ threshold: 50 });
    let fired = 0;
    for (let i = 0; i < 50; i++) {
      if (s.apply('yesterday', undefined, c(i * 6_000))) fired++;
      s.apply('today', undefined, c(24 * 60 * MIN + i * 60 * MIN));
    }
    expect(fired).toBe(1);
  });

  it('keeps at most twice the threshold entries per group', () => {
    const s = state({ threshold: 3, window: MIN });
    for (let i = 0; i < 100; i++) s.apply('a', undefined, c(i * MIN * 2));
    expect(s.entries('a')).toBeLessThanOrEqual(6);
  });
});

describe('distinct window', () => {
  it('counts distinct values, not events', () => {
    const s = state({ kind: 'distinct', threshold: 3 });
    expect(s.apply('a', 'us-east-1', c(0))).toBeUndefined();
    expect(s.apply('a', 'us-east-1', c(1))).toBeUndefined();
    expect(s.apply('a', 'eu-west-1', c(2))).toBeUndefined();
    const fire = s.apply('a', 'ap-south-1', c(3));
    expect(fire?.value).toBe(3);
    expect([...(fire?.values ?? [])].sort()).toEqual(['ap-south-1', 'eu-west-1', 'us-east-1']);
  });

  it('a value seen again later moves forward in time', () => {
    const s = state({ kind: 'distinct', threshold: 3 });
    s.apply('a', 'x', c(0));
    s.apply('a', 'y', c(0));
    s.apply('a', 'x', c(9 * MIN));
    // y is 11m before z: outside; x (at 9m) is inside
    expect(s.apply('a', 'z', c(11 * MIN))).toBeUndefined();
    expect(s.entries('a')).toBe(3);
  });

  it('ignores events without a value', () => {
    const s = state({ kind: 'distinct', threshold: 1 });
    expect(s.apply('a', undefined, c(0))).toBeUndefined();
    expect(s.apply('a', 'v', c(0))).toBeDefined();
  });

  it('keeps a bounded number of values per group', () => {
    const s = state({ kind: 'distinct', threshold: 5, window: 1000 });
    for (let i = 0; i < 200; i++) s.apply('a', `v${i}`, c(i * 10_000));
    expect(s.entries('a')).toBeLessThanOrEqual(10);
  });
});

describe('sum window', () => {
  it('adds the numeric field and fires at the threshold', () => {
    const s = state({ kind: 'sum', threshold: 100 });
    expect(s.apply('a', 40, c(0))).toBeUndefined();
    expect(s.apply('a', '50', c(1))).toBeUndefined();
    expect(s.apply('a', 'not a number', c(2))).toBeUndefined();
    expect(s.apply('a', 10, c(3))?.value).toBe(100);
  });

  it('forgets amounts that slide out of the window', () => {
    const s = state({ kind: 'sum', threshold: 100 });
    s.apply('a', 60, c(0));
    expect(s.apply('a', 60, c(11 * MIN))).toBeUndefined();
  });

  it('holds at most MAX_SUM_ENTRIES per group', () => {
    const s = state({ kind: 'sum', threshold: 1e12, window: 1e9 });
    for (let i = 0; i < MAX_SUM_ENTRIES + 50; i++) s.apply('a', 1, c(i));
    expect(s.entries('a')).toBe(MAX_SUM_ENTRIES);
  });
});
