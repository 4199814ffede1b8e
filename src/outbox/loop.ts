import type { Timers } from './types.js';

/** setTimeout's longest delay (about 24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** After a failed pass (database locked, disk full), try again this much later. */
const ERROR_RETRY_MS = 5000;

export interface Loop {
  start(): void;
  stop(): Promise<void>;
  /** Asks for a pass as soon as possible (after the one in progress, if any). */
  wake(): void;
  idle(): Promise<void>;
}

/**
 * The delivery loop: one pass at a time; after each pass it sleeps until `nextWake()` (the earliest
 * due delivery, rate limits included) — or, with `pollMs`, at most that long — and `wake()` cuts the
 * sleep short. With nothing due and no `pollMs` no timer is set at all.
 */
export function createLoop(deps: {
  run: () => Promise<unknown>;
  nextWake: () => number | undefined;
  now: () => number;
  timers: Timers;
  pollMs?: number | undefined;
  onError?: ((err: unknown) => void) | undefined;
}): Loop {
  const { timers } = deps;
  let running = false;
  let timer: unknown;
  let pass: Promise<void> | undefined;
  let again = false;

  function report(err: unknown): void {
    try {
      deps.onError?.(err);
    } catch {
      // A failing error reporter must not stop the loop.
    }
  }

  function cancel(): void {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  }

  function schedule(ms: number): void {
    cancel();
    timer = timers.setTimeout(
      () => {
        timer = undefined;
        runPass();
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
  }

  function plan(): void {
    let wake: number | undefined;
    try {
      wake = deps.nextWake();
    } catch (err) {
      report(err);
      schedule(ERROR_RETRY_MS);
      return;
    }
    let delay = wake === undefined ? undefined : wake - deps.now();
    if (deps.pollMs !== undefined) delay = Math.min(delay ?? deps.pollMs, deps.pollMs);
    if (delay === undefined) cancel();
    else schedule(delay);
  }

  function runPass(): void {
    if (!running) return;
    if (pass) {
      again = true;
      return;
    }
    cancel();
    pass = (async () => {
      let failed = false;
      try {
        await deps.run();
      } catch (err) {
        failed = true;
        report(err);
      }
      pass = undefined;
      if (!running) return;
      if (again) {
        again = false;
        runPass();
      } else if (failed) schedule(ERROR_RETRY_MS);
      else plan();
    })();
  }

  return {
    start() {
      if (running) return;
      running = true;
      // Deliveries left by an earlier run (pending, retries, expired leases) are served first.
      schedule(0);
    },
    async stop() {
      running = false;
      again = false;
      cancel();
      while (pass) await pass;
    },
    wake() {
      if (!running) return;
      if (pass) again = true;
      else schedule(0);
    },
    async idle() {
      while (pass) await pass;
    },
  };
}
