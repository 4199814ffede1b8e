import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { createEventHub, registerStreamApi, type EventHub } from './stream.js';
import { testAccess } from './testing.js';

let app: FastifyInstance | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await app?.close();
  app = undefined;
});

async function start(hub: EventHub): Promise<{ port: number }> {
  app = fastify();
  registerStreamApi(app, { access: testAccess(), hub });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: (app.server.address() as { port: number }).port };
}

/**
 * A real HTTP client reading the stream: the first 256 KiB as text, the `event:` line of every frame in
 * `events`, `ended` once the server closes it.
 */
function open(port: number, role = 'viewer') {
  const client = {
    status: 0,
    headers: {} as IncomingMessage['headers'],
    text: '',
    events: [] as string[],
    ended: false,
  };
  let pending = '';
  const req = httpRequest(
    { host: '127.0.0.1', port, path: '/api/stream', headers: { 'x-test-role': role } },
    (res) => {
      client.status = res.statusCode ?? 0;
      client.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (client.text.length < 256 * 1024) client.text += chunk;
        const frames = (pending + chunk).split('\n\n');
        pending = frames.pop()!;
        for (const f of frames) {
          const event = /^event: (.*)$/m.exec(f)?.[1];
          if (event) client.events.push(event);
        }
      });
      res.on('close', () => (client.ended = true));
    },
  );
  req.on('error', () => (client.ended = true));
  req.end();
  cleanups.push(() => req.destroy());
  return client;
}

describe('GET /api/stream', () => {
  it('streams published events with ids, types and JSON data, after a retry hint', async () => {
    const hub = createEventHub();
    const { port } = await start(hub);
    const client = open(port);
    await until(() => hub.connections() === 1, 'the stream to open');
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toContain('no-cache');

    hub.publish('finding', { id: 'f1', title: 'line one\nevent: forged\ndata: x' });
    hub.publish('stats', { ingested: 3 });
    await until(() => client.text.includes('event: stats'), 'both events');
    expect(client.text).toBe(
      'retry: 5000\n\n' +
        'id: 1\nevent: finding\ndata: {"id":"f1","title":"line one\\nevent: forged\\ndata: x"}\n\n' +
        'id: 2\nevent: stats\ndata: {"ingested":3}\n\n',
    );
  });

  it('refuses event types that could break the framing', () => {
    const hub = createEventHub();
    expect(() => hub.publish('finding\ndata: x', {})).toThrow(RangeError);
    expect(() => hub.publish('', {})).toThrow(RangeError);
  });

  it('sends heartbeat comments while idle', async () => {
    const hub = createEventHub({ heartbeatMs: 50 });
    const { port } = await start(hub);
    const client = open(port);
    await until(() => client.text.split(': heartbeat\n\n').length > 2, 'two heartbeats');
  });

  it('answers 401 to anonymous callers and unknown roles, without opening a stream', async () => {
    const hub = createEventHub();
    app = fastify();
    registerStreamApi(app, { access: testAccess(), hub });
    const anonymous = await app.inject({ method: 'GET', url: '/api/stream' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: 'VIGIL_AUTH_REQUIRED' });
    const unknownRole = await app.inject({
      method: 'GET',
      url: '/api/stream',
      headers: { 'x-test-role': 'guest' },
    });
    expect(unknownRole.statusCode).toBe(401);
    expect(hub.connections()).toBe(0);
  });

  it('drops a client that stops reading, and keeps serving the others', async () => {
    const hub = createEventHub({ maxQueuedBytes: 64 * 1024 });
    const { port } = await start(hub);
    const reader = open(port);
    // The slow client: a raw socket that sends the request and never reads the answer.
    const slow: Socket = connect(port, '127.0.0.1');
    cleanups.push(() => slow.destroy());
    slow.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nx-test-role: viewer\r\n\r\n`);
    slow.pause();
    await until(() => hub.connections() === 2, 'both streams to open');

    // Publish until the kernel buffers of the slow socket are full and its queue passes the limit; the
    // reader takes each event before the next (at most 4000 × 16 KiB, far beyond any socket buffer).
    const blob = 'x'.repeat(16 * 1024);
    let published = 0;
    while (published < 4000 && hub.connections() === 2) {
      hub.publish('stats', { n: published++, blob });
      // Polled every millisecond (bounded at 10 s): `until`'s 50 ms step would make hundreds of rounds slow.
      for (let i = 0; i < 10_000 && reader.events.length < published && !reader.ended; i++)
        await new Promise((r) => setTimeout(r, 1));
    }
    expect(published).toBeLessThan(4000);
    expect(hub.connections()).toBe(1);
    hub.publish('finding', { last: true });
    await until(() => reader.events.at(-1) === 'finding', 'the reader to get the last event');
    expect(reader.ended).toBe(false);
    expect(reader.events.length).toBe(published + 1);
  });

  it('closes open streams when the server closes, without hanging', async () => {
    const hub = createEventHub();
    const { port } = await start(hub);
    const clients = [open(port), open(port), open(port, 'admin')];
    await until(() => hub.connections() === 3, 'three streams');
    await app!.close();
    app = undefined;
    await until(() => clients.every((c) => c.ended), 'every client to see the end');
    expect(hub.connections()).toBe(0);
  });
});
