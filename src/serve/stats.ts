import { emptyHistogram, merge, observe, quantile, resetHistogram, type Histogram } from './histogram.js';

/**
 * Pipeline health for the dashboard (GET /api/health/pipeline), the counterpart of the reference's
 * Lambda performance metrics. It complements prom-client's /metrics (src/server/metrics.ts), fed from the
 * same places in `vigil serve`: /metrics keeps totals for scrapers, this keeps the recent past — one slot
 * per minute in a ring of `windowMinutes` slots, each with counters and latency histograms — so memory is
 * bounded whatever the traffic, and the numbers the dashboard shows need no Prometheus.
 *
 * Names line up with /metrics: ingested ↔ vigil_records_ingested_total{source}, lag ↔
 * vigil_source_lag_seconds{source}, detectionTime ↔ vigil_detection_seconds, delivery ↔
 * vigil_deliveries_total{channel,outcome} and vigil_end_to_end_seconds.
 */
export type DeliveryOutcome = 'delivered' | 'retry' | 'dead';

export interface PipelineStats {
  /** `n` records from `source` entered the pipeline. */
  ingested(source: string, n: number): void;
  /** How far behind `source` is: now − newest event time it delivered. */
  lag(source: string, ms: number): void;
  /** One detection run (a batch of records through the engine) took `ms`. */
  detectionTime(ms: number): void;
  /** Detection `detectionId` threw on an event. */
  detectionError(detectionId: string): void;
  /** One delivery attempt on `channel`; `endToEndMs` (record arrival → alert delivered) when delivered. */
  delivery(channel: string, outcome: DeliveryOutcome, endToEndMs?: number): void;
  snapshot(): PipelineSnapshot;
}

export interface Percentiles {
  count: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

export interface SourceNow {
  source: string;
  records: number;
  ratePerSecond: number;
  /** Latest reported lag; absent before the source reported one. */
  lagMs?: number;
}

export interface ChannelCounts {
  channel: string;
  delivered: number;
  retried: number;
  dead: number;
}

export interface MinuteStats {
  /** Start of the minute (ISO 8601). */
  start: string;
  ingested: number;
  sources: { source: string; records: number; maxLagMs?: number }[];
  detection: Percentiles & { errors: number };
  deliveries: { delivered: number; failed: number; channels: ChannelCounts[] };
  endToEnd: Percentiles;
}

export interface PipelineSnapshot {
  at: string;
  windowMinutes: number;
  /** The last `nowMinutes` minutes (the current one included), summed. */
  now: {
    minutes: number;
    sources: SourceNow[];
    detection: Percentiles;
    errorsByDetection: { detectionId: string; errors: number }[];
    channels: ChannelCounts[];
    endToEnd: Percentiles;
  };
  /** One entry per minute, oldest first, ending with the current (partial) minute. */
  series: MinuteStats[];
}

export interface PipelineStatsOptions {
  now?: () => number;
  /** Minutes kept (default 60). */
  windowMinutes?: number;
  /** Minutes summed into `now` (default 5). */
  nowMinutes?: number;
  /** Distinct sources, channels and detection ids tracked; later ones are counted under "(other)". */
  maxKeys?: number;
}

const MINUTE = 60_000;
const OTHER = '(other)';

interface Slot {
  minute: number;
  ingested: Map<string, number>;
  maxLag: Map<string, number>;
  detection: Histogram;
  errors: Map<string, number>;
  channels: Map<string, ChannelCounts>;
  endToEnd: Histogram;
}

function emptySlot(): Slot {
  return {
    minute: -1,
    ingested: new Map(),
    maxLag: new Map(),
    detection: emptyHistogram(),
    errors: new Map(),
    channels: new Map(),
    endToEnd: emptyHistogram(),
  };
}

function percentiles(h: Histogram): Percentiles {
  if (h.count === 0) return { count: 0 };
  return {
    count: h.count,
    p50Ms: round(quantile(h, 0.5)!),
    p95Ms: round(quantile(h, 0.95)!),
    p99Ms: round(quantile(h, 0.99)!),
    maxMs: round(h.max),
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function createPipelineStats(options: PipelineStatsOptions = {}): PipelineStats {
  const now = options.now ?? Date.now;
  const windowMinutes = options.windowMinutes ?? 60;
  const nowMinutes = Math.min(options.nowMinutes ?? 5, windowMinutes);
  const maxKeys = options.maxKeys ?? 200;
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1)
    throw new RangeError(`windowMinutes must be a positive integer, got ${windowMinutes}`);
  const ring: Slot[] = Array.from({ length: windowMinutes }, emptySlot);
  const indexOf = (minute: number) => ((minute % windowMinutes) + windowMinutes) % windowMinutes;
  const started = now();
  const lastLag = new Map<string, number>();
  // Keys seen over the collector's life, so a flood of names cannot grow the maps without bound.
  const known = { source: new Set<string>(), channel: new Set<string>(), detection: new Set<string>() };
  const keyOf = (kind: keyof typeof known, key: string): string => {
    const set = known[kind];
    if (set.has(key)) return key;
    if (set.size >= maxKeys) return OTHER;
    set.add(key);
    return key;
  };

  /** The slot of the current minute, emptied first if it still holds a minute that left the window. */
  const current = (): Slot => {
    const minute = Math.floor(now() / MINUTE);
    const slot = ring[indexOf(minute)]!;
    if (slot.minute !== minute) {
      slot.minute = minute;
      slot.ingested.clear();
      slot.maxLag.clear();
      resetHistogram(slot.detection);
      slot.errors.clear();
      slot.channels.clear();
      resetHistogram(slot.endToEnd);
    }
    return slot;
  };
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);

  return {
    ingested(source, n) {
      if (!Number.isFinite(n) || n <= 0) return;
      add(current().ingested, keyOf('source', source), n);
    },
    lag(source, ms) {
      if (!Number.isFinite(ms)) return;
      const key = keyOf('source', source);
      lastLag.set(key, ms);
      const slot = current();
      slot.maxLag.set(key, Math.max(slot.maxLag.get(key) ?? -Infinity, ms));
    },
    detectionTime(ms) {
      observe(current().detection, ms);
    },
    detectionError(detectionId) {
      add(current().errors, keyOf('detection', detectionId), 1);
    },
    delivery(channel, outcome, endToEndMs) {
      const slot = current();
      const key = keyOf('channel', channel);
      let counts = slot.channels.get(key);
      if (!counts) slot.channels.set(key, (counts = { channel: key, delivered: 0, retried: 0, dead: 0 }));
      if (outcome === 'delivered') counts.delivered++;
      else if (outcome === 'retry') counts.retried++;
      else counts.dead++;
      if (outcome === 'delivered' && endToEndMs !== undefined) observe(slot.endToEnd, endToEndMs);
    },
    snapshot() {
      const t = now();
      const thisMinute = Math.floor(t / MINUTE);
      const series: MinuteStats[] = [];
      const recent = {
        ingested: new Map<string, number>(),
        detection: emptyHistogram(),
        errors: new Map<string, number>(),
        channels: new Map<string, ChannelCounts>(),
        endToEnd: emptyHistogram(),
      };
      for (let minute = thisMinute - windowMinutes + 1; minute <= thisMinute; minute++) {
        const stored = ring[indexOf(minute)]!;
        const slot = stored.minute === minute ? stored : undefined;
        series.push(minuteStats(minute, slot));
        if (!slot || minute <= thisMinute - nowMinutes) continue;
        for (const [k, n] of slot.ingested) add(recent.ingested, k, n);
        merge(recent.detection, slot.detection);
        for (const [k, n] of slot.errors) add(recent.errors, k, n);
        for (const c of slot.channels.values()) {
          const into = recent.channels.get(c.channel) ?? { ...c, delivered: 0, retried: 0, dead: 0 };
          into.delivered += c.delivered;
          into.retried += c.retried;
          into.dead += c.dead;
          recent.channels.set(c.channel, into);
        }
        merge(recent.endToEnd, slot.endToEnd);
      }
      // A rate over the time actually observed: a collector started 30 s ago divides by 30 s, not 5 min.
      const seconds = Math.max(1, Math.min(nowMinutes * MINUTE, t - started) / 1000);
      const sourceIds = new Set([...recent.ingested.keys(), ...lastLag.keys()]);
      return {
        at: new Date(t).toISOString(),
        windowMinutes,
        now: {
          minutes: nowMinutes,
          sources: [...sourceIds].sort().map((source) => {
            const records = recent.ingested.get(source) ?? 0;
            const lagMs = lastLag.get(source);
            return {
              source,
              records,
              ratePerSecond: Math.round((records / seconds) * 100) / 100,
              ...(lagMs !== undefined ? { lagMs: round(lagMs) } : {}),
            };
          }),
          detection: percentiles(recent.detection),
          errorsByDetection: [...recent.errors]
            .map(([detectionId, errors]) => ({ detectionId, errors }))
            .sort((a, b) => b.errors - a.errors || a.detectionId.localeCompare(b.detectionId)),
          channels: [...recent.channels.values()].sort((a, b) => a.channel.localeCompare(b.channel)),
          endToEnd: percentiles(recent.endToEnd),
        },
        series,
      };
    },
  };
}

function minuteStats(minute: number, slot: Slot | undefined): MinuteStats {
  const start = new Date(minute * MINUTE).toISOString();
  if (!slot)
    return {
      start,
      ingested: 0,
      sources: [],
      detection: { count: 0, errors: 0 },
      deliveries: { delivered: 0, failed: 0, channels: [] },
      endToEnd: { count: 0 },
    };
  let ingested = 0;
  for (const n of slot.ingested.values()) ingested += n;
  let errors = 0;
  for (const n of slot.errors.values()) errors += n;
  const channels = [...slot.channels.values()]
    .map((c) => ({ ...c }))
    .sort((a, b) => a.channel.localeCompare(b.channel));
  const sourceIds = [...new Set([...slot.ingested.keys(), ...slot.maxLag.keys()])].sort();
  return {
    start,
    ingested,
    sources: sourceIds.map((source) => {
      const maxLagMs = slot.maxLag.get(source);
      return {
        source,
        records: slot.ingested.get(source) ?? 0,
        ...(maxLagMs !== undefined ? { maxLagMs: round(maxLagMs) } : {}),
      };
    }),
    detection: { ...percentiles(slot.detection), errors },
    deliveries: {
      delivered: channels.reduce((n, c) => n + c.delivered, 0),
      failed: channels.reduce((n, c) => n + c.retried + c.dead, 0),
      channels,
    },
    endToEnd: percentiles(slot.endToEnd),
  };
}
