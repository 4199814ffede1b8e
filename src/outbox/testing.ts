import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Finding } from '../core/finding.js';
import { sampleFindings } from '../findings/testing.js';
import type { Alert, Channel, DeliveryResult } from '../notify/types.js';
import { findingEvent } from '../router/routed-event.js';
import type { Timers } from './types.js';

/** Test doubles for the outbox tests: a manual clock and timers, alerts, and channels. */

export function makeAlert(overrides: Partial<Finding> = {}, reason: Alert['reason'] = 'new'): Alert {
  const finding = { ...sampleFindings()[0]!, ...overrides };
  return { finding, event: findingEvent(finding), reason };
}

export interface ManualClock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2026-11-20T12:00:00Z')): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

interface ManualTimer {
  id: number;
  fn: () => void;
  ms: number;
  at: number;
}

/** Timers that only fire when the test says so; `at` is the clock time each one is meant to fire. */
export interface ManualTimers extends Timers {
  pending(): readonly ManualTimer[];
  /** Fires, in time order, every timer whose time has come on the clock; returns how many fired. */
  fireDue(): number;
  /** Fires the pending timers with this delay. */
  fire(ms: number): number;
}

export function manualTimers(clock: ManualClock): ManualTimers {
  let next = 1;
  let timers: ManualTimer[] = [];
  const run = (chosen: ManualTimer[]) => {
    timers = timers.filter((t) => !chosen.includes(t));
    chosen.sort((a, b) => a.at - b.at || a.id - b.id).forEach((t) => t.fn());
    return chosen.length;
  };
  return {
    setTimeout(fn, ms) {
      const t = { id: next++, fn, ms, at: clock.now() + ms };
      timers.push(t);
      return t.id;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
    pending: () => timers,
    fireDue: () => run(timers.filter((t) => t.at <= clock.now())),
    fire: (ms) => run(timers.filter((t) => t.ms === ms)),
  };
}

/** A channel backed by a callback that counts and records every send. */
export function countingChannel(
  id: string,
  respond: (n: number, alert: Alert) => DeliveryResult | Promise<DeliveryResult> = () => ({ ok: true }),
): Channel & { sends: Alert[] } {
  const sends: Alert[] = [];
  return {
    id,
    kind: 'log',
    sends,
    async send(alert) {
      sends.push(alert);
      return respond(sends.length, alert);
    },
  };
}

export interface TestServer {
  url: string;
  requests: { body: string; headers: IncomingMessage['headers'] }[];
  /** Resolves when the server has received `n` requests. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (port 0); `handle` answers each request (or never does). */
export async function startServer(
  handle: (n: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      handle(requests.length, req, res);
      for (const w of waiters.filter((w) => requests.length >= w.n)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    received: (n) =>
      requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A webhook-style channel over fetch: 2xx delivered (the `x-request-id` answer header is the provider
 * id), 429 and 5xx retryable, other 4xx not, a network error or abort retryable. The event id goes out
 * as the idempotency key, the way a real receiver absorbs a resend.
 */
export function httpChannel(id: string, url: string): Channel {
  return {
    id,
    kind: 'webhook',
    async send(alert, { signal }) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': alert.event.id },
          body: JSON.stringify(alert.event),
          signal,
        });
        await res.arrayBuffer();
        if (res.ok) return { ok: true, providerId: res.headers.get('x-request-id') ?? undefined };
        return {
          ok: false,
          retryable: res.status === 429 || res.status >= 500,
          error: `HTTP ${res.status}`,
        };
      } catch (err) {
        return { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
