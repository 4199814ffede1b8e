/**
 * A token bucket: `perMinute` tokens refill evenly over a minute and the bucket holds at most
 * `perMinute` of them (so a burst up to the per-minute rate goes out at once). It starts full.
 */
export interface TokenBucket {
  /** Takes a token if one is available. */
  take(): boolean;
  /** Milliseconds from now until a token is available (0 if one is). */
  waitMs(): number;
}

/** One token, in the bucket's unit: a token is perMinute × 60 000 ms-units, so refills stay integers. */
const MINUTE_MS = 60_000;

export function createTokenBucket(perMinute: number, now: () => number): TokenBucket {
  if (!(perMinute > 0) || !Number.isFinite(perMinute)) {
    throw new RangeError(`a rate limit must be a positive number per minute, got ${perMinute}`);
  }
  // Level counted in units where one millisecond adds `perMinute` and one token costs MINUTE_MS:
  // integer arithmetic for integer rates, so "2 per minute" gives exactly one token every 30 s.
  const capacity = Math.max(1, perMinute) * MINUTE_MS;
  let level = capacity;
  let last = now();

  function refill(): void {
    const t = now();
    // A clock that steps backwards adds nothing (and takes nothing away).
    if (t > last) level = Math.min(capacity, level + (t - last) * perMinute);
    last = Math.max(last, t);
  }

  return {
    take() {
      refill();
      if (level < MINUTE_MS) return false;
      level -= MINUTE_MS;
      return true;
    },
    waitMs() {
      refill();
      if (level >= MINUTE_MS) return 0;
      // Refill resumes only once the clock is back where it was.
      return Math.max(0, last - now()) + Math.ceil((MINUTE_MS - level) / perMinute);
    },
  };
}
