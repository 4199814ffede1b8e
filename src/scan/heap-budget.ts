import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Keeps a scan thread's heap near what it really holds. A scan parses whole log files into objects that
 * live for the time the file is evaluated, long enough to be promoted out of V8's young generation; V8
 * then lets the old generation grow to several times its live size before a full collection (measured:
 * 35 MB live, 200 MB heap), and the process's resident memory follows. Collecting once every `budget`
 * bytes of growth holds each thread to its live data plus the budget, for about 1% of scan time (a full
 * collection of a 35 MB heap takes ~10 ms; at the measured promotion rate one runs every two seconds).
 *
 * The collector is reached the documented way for code that cannot pass `--expose-gc` on its command
 * line (worker threads cannot): the flag is set at run time and `gc` read from a fresh context. If that
 * ever fails, the budget does nothing and V8's own heuristics apply.
 */
export interface HeapBudget {
  /** Collects if the heap grew by more than the budget since the last collection; true if it did. */
  check(): boolean;
  /** Collections made so far. */
  readonly collections: number;
}

let cachedGc: (() => void) | null | undefined;

function exposedGc(): (() => void) | undefined {
  if (cachedGc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('gc');
      cachedGc = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      cachedGc = null;
    }
  }
  return cachedGc ?? undefined;
}

/** `collect` is the collector to call (default: V8's; `null`: none, the budget is inert). */
export function createHeapBudget(budgetBytes: number, collect?: (() => void) | null): HeapBudget {
  const gc = collect === undefined ? exposedGc() : (collect ?? undefined);
  let live = v8.getHeapStatistics().used_heap_size;
  let collections = 0;
  return {
    check() {
      if (!gc) return false;
      const used = v8.getHeapStatistics().used_heap_size;
      if (used <= live + budgetBytes) return false;
      gc();
      collections++;
      live = v8.getHeapStatistics().used_heap_size;
      return true;
    },
    get collections() {
      return collections;
    },
  };
}
