import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Latency buckets in seconds, from 10 ms to 10 s. */
export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServeMetrics {
  recordsIngested: Counter<'source'>;
  recordsRejected: Counter<'source' | 'reason'>;
  findings: Counter<'severity'>;
  routedEvents: Counter<'route'>;
  deliveries: Counter<'channel' | 'outcome'>;
  sourceLag: Gauge<'source'>;
  detectionSeconds: Histogram;
  endToEndSeconds: Histogram;
}

/**
 * Registers the `vigil serve` metrics on `registry` and returns them. Call it once per registry:
 * prom-client refuses a second metric of the same name.
 */
export function createMetrics(registry: Registry): ServeMetrics {
  const registers = [registry];
  return {
    recordsIngested: new Counter({
      name: 'vigil_records_ingested_total',
      help: 'Records accepted into the pipeline, by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    recordsRejected: new Counter({
      name: 'vigil_records_rejected_total',
      help: 'Records refused (unparseable, not an object, invalid), by source and reason.',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    findings: new Counter({
      name: 'vigil_findings_total',
      help: 'Findings produced or updated, by severity.',
      labelNames: ['severity'] as const,
      registers,
    }),
    routedEvents: new Counter({
      name: 'vigil_routed_events_total',
      help: 'Finding events matched by a route, by route.',
      labelNames: ['route'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'vigil_deliveries_total',
      help: 'Alert delivery attempts, by channel and outcome.',
      labelNames: ['channel', 'outcome'] as const,
      registers,
    }),
    sourceLag: new Gauge({
      name: 'vigil_source_lag_seconds',
      help: 'Age of the newest record read from each source when it was read, in seconds.',
      labelNames: ['source'] as const,
      registers,
    }),
    detectionSeconds: new Histogram({
      name: 'vigil_detection_seconds',
      help: 'Time to run detection over one record, in seconds.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    endToEndSeconds: new Histogram({
      name: 'vigil_end_to_end_seconds',
      help: "From a record's arrival to its alert handed to a channel, in seconds.",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}
