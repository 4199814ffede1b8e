/**
 * One contract, every channel: `send` never throws; an unreachable service, a service that hangs and a
 * caller's abort all come back as retryable results. Each channel runs the same cases against a real
 * local listener (SNS is left out: its API is only mocked here, and the mock does not do I/O).
 */
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailChannel } from './email.js';
import { createPagerDutyChannel } from './pagerduty.js';
import { createSlackChannel } from './slack.js';
import { createTeamsChannel } from './teams.js';
import { hostileAlert, noAbort, startServer, testAlert, type TestServer } from './test-support.js';
import type { Channel } from './types.js';
import { createWebhookChannel } from './webhook.js';

type Target = { url: string; host: string; port: number };

const channels: { kind: string; make: (t: Target, timeoutMs: number) => Channel }[] = [
  {
    kind: 'slack',
    make: (t, timeoutMs) => createSlackChannel({ id: 'c', webhookUrl: t.url }, { fetch, timeoutMs }),
  },
  {
    kind: 'teams',
    make: (t, timeoutMs) => createTeamsChannel({ id: 'c', webhookUrl: t.url }, { fetch, timeoutMs }),
  },
  {
    kind: 'pagerduty',
    make: (t, timeoutMs) =>
      createPagerDutyChannel({ id: 'c', routingKey: 'k', url: t.url }, { fetch, timeoutMs }),
  },
  {
    kind: 'webhook',
    make: (t, timeoutMs) => createWebhookChannel({ id: 'c', url: t.url, secret: 's' }, { fetch, timeoutMs }),
  },
  {
    kind: 'email',
    make: (t, timeoutMs) =>
      createEmailChannel(
        { id: 'c', host: t.host, port: t.port, secure: false, from: 'v@example.com', to: ['a@example.com'] },
        { timeoutMs },
      ),
  },
];

/** A TCP listener that accepts connections and never says a word: HTTP and SMTP clients both wait. */
async function silentListener(): Promise<{ target: Target; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    target: { url: `http://127.0.0.1:${port}/`, host: '127.0.0.1', port },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.each(channels)('$kind channel contract', ({ kind, make }) => {
  let closed: Target;
  let silent: Awaited<ReturnType<typeof silentListener>>;
  beforeAll(async () => {
    const s: TestServer = await startServer();
    const port = Number(new URL(s.url).port);
    closed = { url: `${s.url}/`, host: '127.0.0.1', port };
    await s.close();
    silent = await silentListener();
  });
  afterAll(() => silent.close());

  it('reports the kind it was built as', () => {
    expect(make(closed, 1000).kind).toBe(kind);
  });

  it('an unreachable service is a retryable result, not an exception', async () => {
    const result = await make(closed, 2000).send(hostileAlert(), { signal: noAbort() });
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('a service that never answers times out, retryable', async () => {
    const result = await make(silent.target, 100).send(testAlert(), { signal: noAbort() });
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it("the caller's abort ends a send in flight, retryable", async () => {
    const controller = new AbortController();
    const pending = make(silent.target, 60_000).send(testAlert(), { signal: controller.signal });
    controller.abort();
    expect(await pending).toEqual({ ok: false, retryable: true, error: 'aborted' });
  });
});
