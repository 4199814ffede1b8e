import { describe, expect, it } from 'vitest';
import { createCommitQueue } from './commit-queue.js';

describe('createCommitQueue', () => {
  it('advances only over committed batches at the head, whatever order they are committed in', () => {
    const written: string[] = [];
    const q = createCommitQueue((p) => written.push(p));
    const first = q.add('1');
    const second = q.add('3');
    const third = q.add('done');
    second();
    expect(written).toEqual([]);
    first();
    expect(written).toEqual(['3']);
    first();
    expect(written).toEqual(['3']);
    third();
    expect(written).toEqual(['3', 'done']);
    expect(q.size).toBe(0);
  });

  it('keeps a batch whose write failed, so the next commit writes it', () => {
    const written: string[] = [];
    let fail = true;
    const q = createCommitQueue((p) => {
      if (fail) throw new Error('locked');
      written.push(p);
    });
    const a = q.add('1');
    expect(() => a()).toThrow('locked');
    fail = false;
    q.add('2')();
    expect(written).toEqual(['2']);
  });
});
