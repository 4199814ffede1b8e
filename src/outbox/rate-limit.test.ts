import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './rate-limit.js';
import { manualClock } from './testing.js';

describe('createTokenBucket', () => {
  it('allows a burst of the per-minute rate, then one token per 60/rate seconds', () => {
    const clock = manualClock();
    const bucket = createTokenBucket(3, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.waitMs()).toBe(20_000);
    clock.advance(19_999);
    expect(bucket.take()).toBe(false);
    expect(bucket.waitMs()).toBe(1);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    clock.advance(10 * 60_000);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('handles rates below one per minute and a clock stepping back', () => {
    const clock = manualClock();
    const bucket = createTokenBucket(0.5, clock.now);
    expect(bucket.take()).toBe(true);
    expect(bucket.waitMs()).toBe(120_000);
    clock.advance(-60_000);
    expect(bucket.waitMs()).toBe(180_000);
    clock.advance(180_000);
    expect(bucket.take()).toBe(true);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => createTokenBucket(0, Date.now)).toThrow(RangeError);
    expect(() => createTokenBucket(Number.NaN, Date.now)).toThrow(RangeError);
  });
});
