/**
 * A fixed-size latency histogram with logarithmic buckets (each 10% wider than the last, from 0.01 ms to
 * one day), so percentiles come out within about 5% of the true value whatever the number of samples,
 * in constant memory, and histograms of several minutes merge by adding counts. prom-client's histograms
 * answer /metrics with coarse fixed buckets; this one serves the dashboard's p50/p95/p99.
 */
const MIN_MS = 0.01;
const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to one day; bucket 0 holds everything below MIN_MS, the last everything above a day. */
export const BUCKETS = Math.ceil(Math.log(86_400_000 / MIN_MS) / LOG_GROWTH) + 2;

export interface Histogram {
  counts: Uint32Array;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export function emptyHistogram(): Histogram {
  return { counts: new Uint32Array(BUCKETS), count: 0, sum: 0, min: Infinity, max: -Infinity };
}

export function resetHistogram(h: Histogram): void {
  h.counts.fill(0);
  h.count = 0;
  h.sum = 0;
  h.min = Infinity;
  h.max = -Infinity;
}

function bucketOf(ms: number): number {
  if (ms < MIN_MS) return 0;
  return Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH));
}

/** Records one value in milliseconds; negative, NaN and infinite values are ignored (a clock step). */
export function observe(h: Histogram, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  h.counts[bucketOf(ms)]!++;
  h.count++;
  h.sum += ms;
  if (ms < h.min) h.min = ms;
  if (ms > h.max) h.max = ms;
}

/** Adds `from` into `into`. */
export function merge(into: Histogram, from: Histogram): void {
  if (from.count === 0) return;
  for (let i = 0; i < BUCKETS; i++) into.counts[i]! += from.counts[i]!;
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
}

/**
 * The value at quantile `q` (0..1): the geometric middle of the bucket holding that rank, clamped to the
 * smallest and largest values seen (so one sample reports itself exactly). Undefined when empty.
 */
export function quantile(h: Histogram, q: number): number | undefined {
  if (h.count === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += h.counts[i]!;
    if (seen < rank) continue;
    const middle = i === 0 ? MIN_MS / 2 : MIN_MS * GROWTH ** (i - 0.5);
    return Math.min(h.max, Math.max(h.min, middle));
  }
  return h.max;
}
