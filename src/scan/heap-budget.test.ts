import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createHeapBudget } from './heap-budget.js';

describe('heap budget', () => {
  it('collects once the heap has grown by more than the budget, and not before', () => {
    const budget = createHeapBudget(16 * 2 ** 20);
    expect(budget.check()).toBe(false);
    let kept: number[][] = [];
    let peakAfter = Infinity;
    for (let round = 0; round < 40 && budget.collections === 0; round++) {
      // Garbage that survives long enough to be promoted, like a parsed log file.
      kept.push(Array.from({ length: 100_000 }, (_, i) => i * 1.5));
      if (kept.length > 4) kept = [];
      if (budget.check()) peakAfter = v8.getHeapStatistics().used_heap_size;
    }
    expect(budget.collections).toBeGreaterThan(0);
    expect(peakAfter).toBeLessThan(Infinity);
    expect(kept.length).toBeLessThanOrEqual(5);
  });

  it('calls the given collector and does nothing without one', () => {
    let calls = 0;
    const fake = createHeapBudget(-1, () => calls++);
    expect(fake.check()).toBe(true);
    expect(calls).toBe(1);
    expect(createHeapBudget(-1, null).check()).toBe(false);
  });
});
