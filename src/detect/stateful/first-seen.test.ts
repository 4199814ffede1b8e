import { describe, it, expect } from 'vitest';
import { createFirstSeenState } from './first-seen.js';

const DAY = 86_400_000;

describe('first-seen', () => {
  it('is quiet while the scope is learning, then fires once per new key', () => {
    const s = createFirstSeenState({ learning: 7 * DAY, maxGroups: 100 });
    const since = 0; // the scope's clock: first seen at day 0
    expect(s.apply('acct', 'us-east-1', true, true, 1, since)).toBe(false);
    expect(s.apply('acct', 'eu-west-1', true, true, 3 * DAY, since)).toBe(false); // learning: learned, quiet
    expect(s.apply('acct', 'eu-west-1', true, true, 8 * DAY, since)).toBe(false); // known
    expect(s.apply('acct', 'ap-south-1', true, true, 8 * DAY, since)).toBe(true); // new after learning
    expect(s.apply('acct', 'ap-south-1', true, true, 9 * DAY, since)).toBe(false); // fires once
  });

  it('a scope never seen, or first seen by the candidate itself, does not fire', () => {
    const s = createFirstSeenState({ learning: 0, maxGroups: 100 });
    expect(s.apply('acct', 'k', true, true, 10 * DAY, undefined)).toBe(false);
    expect(s.apply('acct', 'k2', true, true, 10 * DAY, 10 * DAY)).toBe(false);
    expect(s.apply('acct', 'k3', true, true, 10 * DAY + 1, 10 * DAY)).toBe(true);
  });

  it('keeps keys of different scopes apart', () => {
    const s = createFirstSeenState({ learning: DAY, maxGroups: 100 });
    s.apply('a', 'x', true, false, 0, 0);
    expect(s.apply('b', 'x', true, true, 2 * DAY, 0)).toBe(true);
    expect(s.apply('a', 'x', true, true, 2 * DAY, 0)).toBe(false);
  });

  it('candidates that are not observations do not teach while learning', () => {
    const s = createFirstSeenState({ learning: DAY, maxGroups: 100 });
    expect(s.apply('a', 'new', false, true, 1000, 0)).toBe(false); // learning
    expect(s.apply('a', 'new', false, true, 2 * DAY, 0)).toBe(true); // not learned above, fires now
    expect(s.apply('a', 'new', false, true, 3 * DAY, 0)).toBe(false);
  });

  it('is bounded: the least recently used keys are forgotten', () => {
    const s = createFirstSeenState({ learning: 0, maxGroups: 2 });
    s.apply('a', 'k1', true, false, 1, 0);
    s.apply('a', 'k2', true, false, 1, 0);
    s.apply('a', 'k3', true, false, 1, 0);
    expect(s.keys).toBe(2);
    expect(s.apply('a', 'k1', true, true, 2, 0)).toBe(true); // forgotten, so new again
    expect(s.apply('a', 'k3', true, true, 2, 0)).toBe(false);
  });
});
