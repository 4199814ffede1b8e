import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { GUARD_RESPONSES } from './openapi.js';
import type { ApiAccess } from './types.js';

/**
 * Live updates for the dashboard over Server-Sent Events (GET /api/stream). The pipeline publishes
 * (`finding`, `delivery`, `stats`, …); every open stream gets each event as `id`, `event` and one `data`
 * line of JSON. SSE rather than WebSocket: one direction is all the UI needs, it is plain HTTP (the
 * session cookie and the role guard apply as to any route), and browsers reconnect by themselves.
 *
 * Memory stays bounded: what a connection cannot take at once waits in its own queue, and a client that
 * lets that queue pass `maxQueuedBytes` is dropped — it reconnects and refetches, rather than making the
 * server hold an ever-growing backlog for it.
 */
export interface EventHub {
  /** Sends one event to every open stream. `type` is a word: letters, digits, `.`, `_`, `-`. */
  publish(type: string, data: unknown): void;
  /** Open streams. */
  connections(): number;
  /** Takes over an HTTP response as an event stream (status, headers, retry hint) until either side ends it. */
  attach(res: ServerResponse, headers?: Record<string, string | number | string[]>): void;
  /** Ends every open stream (the server is closing). */
  closeAll(): void;
}

export interface EventHubOptions {
  /** Comment line sent this often so proxies keep idle streams open (default 15 s). */
  heartbeatMs?: number;
  /** Reconnection delay suggested to browsers (default 5 s). */
  retryMs?: number;
  /** Bytes a connection may have waiting before it is dropped (default 1 MiB). */
  maxQueuedBytes?: number;
}

interface Connection {
  res: ServerResponse;
  /** Chunks waiting for the socket to drain; empty while it keeps up. */
  queue: string[];
  queuedBytes: number;
  blocked: boolean;
}

const TYPE = /^[A-Za-z0-9._-]{1,64}$/;

export function createEventHub(options: EventHubOptions = {}): EventHub {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 5_000;
  const maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
  const open = new Set<Connection>();
  let nextId = 1;
  let heartbeat: NodeJS.Timeout | undefined;

  const drop = (c: Connection) => {
    if (!open.delete(c)) return;
    c.queue = [];
    if (open.size === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };
  // A write the socket refuses (returns false) is kept by Node in memory: past that point everything goes
  // to our counted queue instead, and the queue is flushed on 'drain'.
  const send = (c: Connection, chunk: string) => {
    if (c.blocked) {
      c.queue.push(chunk);
      c.queuedBytes += Buffer.byteLength(chunk);
      if (c.queuedBytes > maxQueuedBytes) {
        drop(c);
        c.res.destroy();
      }
      return;
    }
    if (!c.res.write(chunk)) c.blocked = true;
  };
  const flush = (c: Connection) => {
    c.blocked = false;
    while (c.queue.length > 0 && !c.blocked) {
      const chunk = c.queue.shift()!;
      c.queuedBytes -= Buffer.byteLength(chunk);
      if (!c.res.write(chunk)) c.blocked = true;
    }
  };
  const broadcast = (chunk: string) => {
    for (const c of [...open]) send(c, chunk);
  };

  return {
    publish(type, data) {
      if (!TYPE.test(type)) throw new RangeError(`event type must be a word, got ${JSON.stringify(type)}`);
      // JSON.stringify escapes line breaks inside strings, so the payload is one `data:` line whatever
      // a log record put in it.
      const chunk = `id: ${nextId++}\nevent: ${type}\ndata: ${JSON.stringify(data) ?? 'null'}\n\n`;
      if (open.size > 0) broadcast(chunk);
    },
    connections: () => open.size,
    attach(res, headers = {}) {
      const c: Connection = { res, queue: [], queuedBytes: 0, blocked: false };
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to.
        'x-accel-buffering': 'no',
      });
      res.on('drain', () => flush(c));
      res.on('close', () => drop(c));
      res.on('error', () => drop(c));
      open.add(c);
      send(c, `retry: ${retryMs}\n\n`);
      if (!heartbeat) {
        heartbeat = setInterval(() => broadcast(': heartbeat\n\n'), heartbeatMs);
        heartbeat.unref();
      }
    },
    closeAll() {
      for (const c of [...open]) {
        drop(c);
        c.res.end();
      }
    },
  };
}

/**
 * GET /api/stream (viewer). The guard runs as a preHandler, before the handler takes the response over
 * (`reply.hijack()`), so a refused caller gets a normal 401/403. Headers that hooks already set on the
 * reply (security headers) are kept. Streams never end by themselves, and fastify's `close()` waits for
 * open requests: a `preClose` hook ends them first, so closing the server does not hang.
 */
export function registerStreamApi(app: FastifyInstance, deps: { access: ApiAccess; hub: EventHub }): void {
  app.addHook('preClose', (done) => {
    deps.hub.closeAll();
    done();
  });
  app.get(
    '/api/stream',
    {
      schema: {
        tags: ['stream'],
        summary: 'Live updates as Server-Sent Events (finding, delivery, stats, …)',
        response: {
          200: {
            description:
              'An endless text/event-stream: `retry:` hint, then events with `id`, `event` (the type) and ' +
              'one `data` line of JSON; a `: heartbeat` comment every 15 s.',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...GUARD_RESPONSES,
        },
      },
      preHandler: deps.access.require('viewer'),
    },
    (request, reply) => {
      reply.hijack();
      const headers: Record<string, string | number | string[]> = {};
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) headers[name] = value as string | number | string[];
      deps.hub.attach(reply.raw, headers);
      // Keep the socket open indefinitely whatever the server's idle timeouts.
      request.raw.socket.setTimeout(0);
    },
  );
}
