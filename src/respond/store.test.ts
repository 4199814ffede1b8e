import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openResponseStore } from './store.js';

describe('response store', () => {
  it('pages runs by (time, id): runs of the same millisecond are neither skipped nor repeated', () => {
    const store = openResponseStore(new Database(':memory:'));
    const at = 1_795_000_000_000;
    for (const [id, t] of [
      ['run-a', at],
      ['run-b', at],
      ['run-c', at],
      ['run-d', at - 1],
    ] as const)
      store.insertRun({
        id,
        playbook: 'p',
        findingId: 'f',
        finding: {},
        mode: 'dry-run',
        status: 'planned',
        trigger: 'route',
        requestedBy: null,
        createdAt: t,
        message: null,
      });
    const seen: string[] = [];
    let cursor: { before?: number; beforeId?: string } = {};
    for (let page = 0; page < 10; page++) {
      const runs = store.listRuns({ limit: 1, ...cursor });
      if (!runs.length) break;
      seen.push(runs[0]!.id);
      cursor = { before: runs[0]!.createdAt, beforeId: runs[0]!.id };
    }
    expect(seen).toEqual(['run-c', 'run-b', 'run-a', 'run-d']);
  });
});
