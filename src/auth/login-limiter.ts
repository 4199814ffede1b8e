/**
 * Counts failed logins per key (an IP address or a user name) in a sliding window. Once `max` failures
 * fall in the window, the key is blocked until the oldest of them leaves it. In memory: a restart
 * forgets, which costs an attacker a restart they cannot cause. At most `maxKeys` keys are kept; the
 * least recently failed are dropped first, so a flood of names cannot grow memory without bound.
 */
export function createLoginLimiter(opts: {
  max: number;
  windowMs: number;
  now: () => number;
  maxKeys?: number;
}) {
  const maxKeys = opts.maxKeys ?? 10_000;
  const failures = new Map<string, number[]>();
  const live = (key: string): number[] => {
    const t = opts.now();
    const list = (failures.get(key) ?? []).filter((at) => t - at < opts.windowMs);
    if (list.length === 0) failures.delete(key);
    return list;
  };
  return {
    /** Seconds until `key` may try again; 0 when it is not blocked. */
    retryAfter(key: string): number {
      const list = live(key);
      if (list.length < opts.max) return 0;
      return Math.max(1, Math.ceil((list[list.length - opts.max]! + opts.windowMs - opts.now()) / 1000));
    },
    fail(key: string): void {
      const list = live(key);
      list.push(opts.now());
      failures.delete(key);
      failures.set(key, list.slice(-opts.max));
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
    },
    reset: (key: string): void => void failures.delete(key),
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
