import { describe, it, expect } from 'vitest';
import { createSequenceState, MAX_PER_STEP } from './sequence.js';

const MIN = 60_000;
let seq = 0;
const c = (ts: number, name = 'x') => ({ ts, seq: seq++, id: `id${seq}`, name });

function state(steps = 2, maxGroups = 100) {
  return createSequenceState({ steps, window: 60 * MIN, maxGroups });
}

describe('sequence', () => {
  it('fires when the steps happen in order within the window', () => {
    const s = state(3);
    expect(s.apply('alice', [0], c(0, 'ListUsers'))).toBeUndefined();
    expect(s.apply('alice', [1], c(10 * MIN, 'CreateAccessKey'))).toBeUndefined();
    const fire = s.apply('alice', [2], c(20 * MIN, 'AttachUserPolicy'));
    expect(fire?.evidence.map((e) => e.name)).toEqual(['ListUsers', 'CreateAccessKey', 'AttachUserPolicy']);
    expect(s.size).toBe(0); // cleared after firing
  });

  it('does not fire out of order, too far apart, or across groups', () => {
    const s = state();
    s.apply('a', [1], c(0));
    expect(s.apply('a', [0], c(1 * MIN))).toBeUndefined(); // B before A
    s.apply('b', [0], c(0));
    expect(s.apply('c', [1], c(1 * MIN))).toBeUndefined(); // other group
    expect(s.apply('b', [1], c(61 * MIN))).toBeUndefined(); // 61m > 60m
  });

  it('uses event time for events that arrive out of order', () => {
    const s = state();
    expect(s.apply('a', [1], c(10 * MIN))).toBeUndefined();
    const fire = s.apply('a', [0], c(5 * MIN)); // arrives second, happened first
    expect(fire?.evidence.map((e) => e.ts)).toEqual([5 * MIN, 10 * MIN]);
  });

  it('one event matching two steps does not complete the sequence alone', () => {
    const s = state();
    expect(s.apply('a', [0, 1], c(0))).toBeUndefined();
    expect(s.apply('a', [0, 1], c(0))).toBeDefined(); // a second, distinct event at the same second
  });

  it('picks the tightest chain for the newest last step', () => {
    const s = state();
    s.apply('a', [0], c(0));
    s.apply('a', [1], c(100 * MIN)); // too far from step 0
    expect(s.apply('a', [0], c(90 * MIN))).toBeDefined(); // 90m → 100m fits
  });

  it('keeps a bounded number of matches per step and groups', () => {
    const s = state(2, 2);
    for (let i = 0; i < MAX_PER_STEP * 3; i++) s.apply('a', [0], c(i));
    s.apply('b', [0], c(0));
    s.apply('c', [0], c(0)); // evicts a
    expect(s.size).toBe(2);
    expect(s.apply('a', [1], c(100))).toBeUndefined(); // a forgot its step 0
  });
});
