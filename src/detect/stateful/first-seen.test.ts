import { describe, it, expect } from 'vitest';
import { createFirstSeenState } from './first-seen.js';

const DAY = 86_400_000;

describe('first-seen', () => {
  it('is quiet while the scope is learning, then fires once per new key', () => {
    const s = createFirstSeenState({ learning: 7 * DAY, maxGroups: 100 });
    expect(s.apply('acct', 'us-east-1', true, true, 0)).toBe(false);
    expect(s.apply('acct', 'eu-west-1', true, true, 3 * DAY)).toBe(false); // learning: learned, quiet
    expect(s.apply('acct', 'eu-west-1', true, true, 8 * DAY)).toBe(false); // known
    expect(s.apply('acct', 'ap-south-1', true, true, 8 * DAY)).toBe(true); // new after learning
    expect(s.apply('acct', 'ap-south-1', true, true, 9 * DAY)).toBe(false); // fires once
  });

  it('a scope never observed does not fire', () => {
    const s = createFirstSeenState({ learning: 0, maxGroups: 100 });
    expect(s.apply('acct', 'k', false, true, 10 * DAY)).toBe(false);
  });

  it('keeps scopes apart', () => {
    const s = createFirstSeenState({ learning: DAY, maxGroups: 100 });
    s.apply('a', 'x', true, false, 0);
    s.apply('b', 'y', true, false, 5 * DAY);
    expect(s.apply('a', 'y', true, true, 2 * DAY)).toBe(true);
    expect(s.apply('b', 'x', true, true, 5 * DAY + 1)).toBe(false); // b still learning
  });

  it('candidates that are not observations fire but do not teach during learning', () => {
    const s = createFirstSeenState({ learning: DAY, maxGroups: 100 });
    s.apply('a', 'base', true, false, 0);
    expect(s.apply('a', 'new', false, true, 1000)).toBe(false); // learning
    expect(s.apply('a', 'new', false, true, 2 * DAY)).toBe(true); // not learned above, fires now
    expect(s.apply('a', 'new', false, true, 3 * DAY)).toBe(false);
  });

  it('an out-of-order observation moves the scope start earlier', () => {
    const s = createFirstSeenState({ learning: DAY, maxGroups: 100 });
    s.apply('a', 'x', true, false, 2 * DAY);
    s.apply('a', 'x', true, false, 0); // late, older
    expect(s.apply('a', 'y', true, true, 2 * DAY)).toBe(true);
  });

  it('is bounded: the least recently used keys are forgotten', () => {
    const s = createFirstSeenState({ learning: 0, maxGroups: 2 });
    s.apply('a', 'k1', true, false, 0);
    s.apply('a', 'k2', true, false, 0);
    s.apply('a', 'k3', true, false, 0);
    expect(s.keys).toBe(2);
    expect(s.apply('a', 'k1', true, true, 1)).toBe(true); // forgotten, so new again
    expect(s.apply('a', 'k3', true, true, 1)).toBe(false);
  });
});
