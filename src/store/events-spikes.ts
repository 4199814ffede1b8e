/**
 * The spike rule for error and AccessDenied series. A bucket is a spike when
 *   count >= minCount  and  count > mean + sigma × stddev
 * of the up to `window` buckets before it (population standard deviation), and at least `minHistory`
 * buckets precede it. The minimum count keeps a jump from 0 to 2 on a quiet account from being
 * flagged; the history requirement keeps the first buckets of a range from being judged on nothing.
 */
export interface SpikeRule {
  sigma: number;
  minCount: number;
  window: number;
  minHistory: number;
}

export const DEFAULT_SPIKE_RULE: Readonly<SpikeRule> = { sigma: 3, minCount: 5, window: 30, minHistory: 5 };

export interface Spike {
  index: number;
  count: number;
  mean: number;
  stddev: number;
  threshold: number;
}

export function findSpikes(counts: readonly number[], rule: SpikeRule = DEFAULT_SPIKE_RULE): Spike[] {
  const spikes: Spike[] = [];
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (count < rule.minCount) continue;
    const from = Math.max(0, i - rule.window);
    if (i - from < rule.minHistory) continue;
    let sum = 0;
    for (let j = from; j < i; j++) sum += counts[j]!;
    const n = i - from;
    const mean = sum / n;
    let sq = 0;
    for (let j = from; j < i; j++) sq += (counts[j]! - mean) ** 2;
    const stddev = Math.sqrt(sq / n);
    const threshold = mean + rule.sigma * stddev;
    if (count > threshold) spikes.push({ index: i, count, mean, stddev, threshold });
  }
  return spikes;
}
