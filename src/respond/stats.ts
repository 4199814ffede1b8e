import type { ResponseStats, ResponseStatsSource } from '../api/responses.js';
import type { Percentiles } from '../serve/stats.js';
import type { ResponseStore } from './store.js';

function percentiles(values: number[]): Percentiles {
  if (!values.length) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: sorted.at(-1)! };
}

/**
 * The dashboard's response statistics over the response store: live actions started in the period (dry
 * runs change nothing and are not counted), their outcomes per action, hourly series, approvals waiting
 * now, and the time from a run's creation (when the finding was routed) to each action completing.
 */
export function responseStats(store: ResponseStore): ResponseStatsSource {
  return {
    stats({ sinceMs, nowMs }): ResponseStats {
      const rows = store.actionsForStats(sinceMs);
      const bucketMinutes = nowMs - sinceMs > 48 * 3_600_000 ? 360 : 60;
      const bucketMs = bucketMinutes * 60_000;
      const first = Math.floor(sinceMs / bucketMs) * bucketMs;
      const series = new Map<number, { run: number; succeeded: number; failed: number }>();
      for (let t = first; t <= nowMs; t += bucketMs) series.set(t, { run: 0, succeeded: 0, failed: 0 });
      const byAction = new Map<
        string,
        { run: number; succeeded: number; failed: number; awaitingApproval: number }
      >();
      const total = { run: 0, succeeded: 0, failed: 0, awaitingApproval: 0 };
      const ttr: number[] = [];
      for (const a of rows) {
        const counts = byAction.get(a.action) ?? { run: 0, succeeded: 0, failed: 0, awaitingApproval: 0 };
        byAction.set(a.action, counts);
        if (a.status === 'awaiting-approval') {
          counts.awaitingApproval++;
          total.awaitingApproval++;
          continue;
        }
        if (a.startedAt === null || a.startedAt < sinceMs) continue;
        const bucket = series.get(Math.floor(a.startedAt / bucketMs) * bucketMs);
        counts.run++;
        total.run++;
        if (bucket) bucket.run++;
        if (a.status === 'succeeded') {
          counts.succeeded++;
          total.succeeded++;
          if (bucket) bucket.succeeded++;
          if (a.finishedAt !== null && !a.undoOf) ttr.push(Math.max(0, a.finishedAt - a.runCreatedAt));
        } else if (a.status === 'failed' || a.status === 'blocked') {
          counts.failed++;
          total.failed++;
          if (bucket) bucket.failed++;
        }
      }
      return {
        since: new Date(sinceMs).toISOString(),
        ...total,
        timeToRespond: percentiles(ttr),
        byAction: [...byAction]
          .map(([action, c]) => ({ action, ...c }))
          .sort((a, b) => b.run - a.run || a.action.localeCompare(b.action)),
        bucketMinutes,
        series: [...series].map(([t, c]) => ({ start: new Date(t).toISOString(), ...c })),
      };
    },
  };
}
