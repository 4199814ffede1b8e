import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const opts = { baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

describe('backoffDelay', () => {
  it('doubles per attempt, between half and all of the step', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(3, opts, 0.5)).toBe(3000);
  });

  it('is capped at the maximum delay, even for huge attempt counts', () => {
    expect(backoffDelay(10, opts, 1)).toBe(300_000);
    expect(backoffDelay(10, opts, 0)).toBe(150_000);
    expect(backoffDelay(5000, opts, 1)).toBe(300_000);
  });

  it('clamps a random value outside [0, 1]', () => {
    expect(backoffDelay(1, opts, -3)).toBe(500);
    expect(backoffDelay(1, opts, 7)).toBe(1000);
  });
});
