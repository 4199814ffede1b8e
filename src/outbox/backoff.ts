/**
 * Delay before the next attempt after `attempts` failed sends (1 after the first failure):
 *
 *   delay = min(maxDelay, base × 2^(attempts − 1)) × (0.5 + random / 2)
 *
 * an "equal jitter" variant: the exponential step is kept at least half, and the other half is random,
 * so retries of many deliveries that failed together (a channel outage) spread out instead of
 * arriving together, while each still waits at least half its step.
 */
export function backoffDelay(
  attempts: number,
  options: { baseDelayMs: number; maxDelayMs: number },
  random: number,
): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^exponent overflows to Infinity for huge exponents; min() then keeps the cap.
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(step * (0.5 + r / 2));
}
