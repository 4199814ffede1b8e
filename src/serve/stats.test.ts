import { describe, expect, it } from 'vitest';
import { createPipelineStats } from './stats.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const MINUTE = 60_000;

function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('createPipelineStats', () => {
  it('reports percentiles within 5% of the exact values', () => {
    const c = clock();
    const stats = createPipelineStats({ now: c.now });
    // 1..1000 ms, shuffled: exact p50 = 500, p95 = 950, p99 = 990.
    const values = Array.from({ length: 1000 }, (_, i) => i + 1).sort(
      (a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000),
    );
    for (const v of values) stats.detectionTime(v);
    const d = stats.snapshot().now.detection;
    expect(d.count).toBe(1000);
    expect(d.maxMs).toBe(1000);
    for (const [got, exact] of [
      [d.p50Ms!, 500],
      [d.p95Ms!, 950],
      [d.p99Ms!, 990],
    ] as const)
      expect(Math.abs(got - exact) / exact).toBeLessThan(0.05);
  });

  it('reports a single sample exactly and nothing when empty', () => {
    const c = clock();
    const stats = createPipelineStats({ now: c.now });
    expect(stats.snapshot().now.endToEnd).toEqual({ count: 0 });
    stats.delivery('slack', 'delivered', 1234.5);
    expect(stats.snapshot().now.endToEnd).toEqual({
      count: 1,
      p50Ms: 1234.5,
      p95Ms: 1234.5,
      p99Ms: 1234.5,
      maxMs: 1234.5,
    });
  });

  it('keeps one slot per minute and forgets minutes that left the window', () => {
    const c = clock();
    const stats = createPipelineStats({ now: c.now, windowMinutes: 3, nowMinutes: 2 });
    stats.ingested('demo', 10);
    c.t += MINUTE;
    stats.ingested('demo', 20);
    stats.ingested('http:cloudtrail', 5);
    c.t += MINUTE;
    stats.ingested('demo', 30);
    let s = stats.snapshot();
    expect(s.series.map((m) => m.ingested)).toEqual([10, 25, 30]);
    expect(s.series[0]!.start).toBe('2025-03-01T10:00:00.000Z');
    expect(s.series[1]!.sources).toEqual([
      { source: 'demo', records: 20 },
      { source: 'http:cloudtrail', records: 5 },
    ]);
    // `now` sums the last two minutes: 20 + 30 for demo.
    expect(s.now.sources.find((x) => x.source === 'demo')!.records).toBe(50);

    // Two minutes later the ring reuses the slots of 10:00 and 10:01: their counts must be gone.
    c.t += 2 * MINUTE;
    stats.ingested('demo', 1);
    s = stats.snapshot();
    expect(s.series.map((m) => m.ingested)).toEqual([30, 0, 1]);
    expect(s.series.map((m) => m.start)).toEqual([
      '2025-03-01T10:02:00.000Z',
      '2025-03-01T10:03:00.000Z',
      '2025-03-01T10:04:00.000Z',
    ]);
    // A long silence leaves an all-zero window, not stale numbers.
    c.t += 10 * MINUTE;
    expect(stats.snapshot().series.every((m) => m.ingested === 0)).toBe(true);
  });

  it('computes the ingest rate over the time observed, and keeps the latest lag', () => {
    const c = clock();
    const stats = createPipelineStats({ now: c.now });
    c.t += 10_000;
    stats.ingested('demo', 100);
    stats.lag('demo', 4000);
    stats.lag('demo', 2500);
    stats.lag('s3', 90_000);
    const s = stats.snapshot();
    expect(s.now.sources).toEqual([
      { source: 'demo', records: 100, ratePerSecond: 10, lagMs: 2500 },
      { source: 's3', records: 0, ratePerSecond: 0, lagMs: 90_000 },
    ]);
    expect(s.series.at(-1)!.sources).toEqual([
      { source: 'demo', records: 100, maxLagMs: 4000 },
      { source: 's3', records: 0, maxLagMs: 90_000 },
    ]);
  });

  it('counts deliveries per channel and outcome, and errors per detection', () => {
    const c = clock();
    const stats = createPipelineStats({ now: c.now });
    stats.delivery('slack', 'delivered', 800);
    stats.delivery('slack', 'retry');
    stats.delivery('email', 'dead');
    stats.delivery('email', 'delivered', 1200);
    stats.detectionError('aws-root-login');
    stats.detectionError('aws-root-login');
    stats.detectionError('sigma-x');
    const s = stats.snapshot();
    expect(s.now.channels).toEqual([
      { channel: 'email', delivered: 1, retried: 0, dead: 1 },
      { channel: 'slack', delivered: 1, retried: 1, dead: 0 },
    ]);
    expect(s.now.errorsByDetection).toEqual([
      { detectionId: 'aws-root-login', errors: 2 },
      { detectionId: 'sigma-x', errors: 1 },
    ]);
    const last = s.series.at(-1)!;
    expect(last.deliveries.delivered).toBe(2);
    expect(last.deliveries.failed).toBe(2);
    expect(last.detection.errors).toBe(3);
    expect(last.endToEnd.count).toBe(2);
  });

  it('bounds the number of distinct names', () => {
    const c = clock();
    const stats = createPipelineStats({ now: c.now, maxKeys: 2 });
    for (let i = 0; i < 50; i++) stats.detectionError(`d${i}`);
    expect(stats.snapshot().now.errorsByDetection).toEqual([
      { detectionId: '(other)', errors: 48 },
      { detectionId: 'd0', errors: 1 },
      { detectionId: 'd1', errors: 1 },
    ]);
  });

  it('ignores nonsense values', () => {
    const c = clock();
    const stats = createPipelineStats({ now: c.now });
    stats.detectionTime(-5);
    stats.detectionTime(Number.NaN);
    stats.ingested('demo', 0);
    stats.lag('demo', Number.POSITIVE_INFINITY);
    const s = stats.snapshot();
    expect(s.now.detection).toEqual({ count: 0 });
    expect(s.now.sources).toEqual([]);
  });
});
