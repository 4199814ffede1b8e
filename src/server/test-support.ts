import { Registry } from 'prom-client';
import { createMetrics } from './metrics.js';
import type { ServeMetrics } from './metrics.js';
import { createServer } from './server.js';
import type { IngestBatch, IngestResult, ServerDeps } from './types.js';

export const FIXED_NOW = 1_700_000_000_000;
export const TOKEN = 's3cret-ingest-token';

export interface TestServer {
  url: string;
  batches: IngestBatch[];
  registry: Registry;
  metrics: ServeMetrics;
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1 (port 0). Its default pipeline records every batch and accepts
 * every object except those with `"bad": true`, which it rejects (as a pipeline would reject an
 * item that is not a CloudTrail record).
 */
export async function startTestServer(overrides: Partial<ServerDeps> = {}): Promise<TestServer> {
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const batches: IngestBatch[] = [];
  const ingest = (batch: IngestBatch): IngestResult => {
    batches.push(batch);
    const rejected = batch.items.flatMap((item, index) =>
      (item as { bad?: unknown }).bad === true ? [{ index, error: `item ${index} is marked bad` }] : [],
    );
    return { accepted: batch.items.length - rejected.length, rejected };
  };
  const server = createServer(
    {
      ingest,
      metrics: registry,
      ingestToken: TOKEN,
      maxBodyBytes: 1024 * 1024,
      health: () => ({ ok: true, details: {} }),
      serveMetrics: metrics,
      ...overrides,
    },
    { now: () => FIXED_NOW },
  );
  const url = await server.listen('127.0.0.1', 0);
  return { url, batches, registry, metrics, close: () => server.close() };
}

export function bearer(token = TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = bearer(),
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test sees the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
