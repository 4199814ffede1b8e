/**
 * The batches of one stream (a file, the demo story) handed over and not yet written as checkpoint.
 * Batches may be committed in any order; the checkpoint advances only over the unbroken run of committed
 * batches at the head, so a later batch committed first never makes a restart skip an earlier one.
 */
export interface CommitQueue {
  /** Adds a batch whose checkpoint, once it and every earlier batch are committed, is `position`; returns its commit. */
  add(position: string): () => void;
  /** Batches handed over and not yet written. */
  readonly size: number;
}

export function createCommitQueue(write: (position: string) => void): CommitQueue {
  const entries: { position: string; committed: boolean }[] = [];

  function flush(): void {
    let n = 0;
    while (n < entries.length && entries[n]!.committed) n++;
    if (n === 0) return;
    // Written before the entries are dropped: if the write throws, the next commit tries again.
    write(entries[n - 1]!.position);
    entries.splice(0, n);
  }

  return {
    add(position) {
      const entry = { position, committed: false };
      entries.push(entry);
      return () => {
        if (entry.committed) return;
        entry.committed = true;
        flush();
      };
    },
    get size() {
      return entries.length;
    },
  };
}
