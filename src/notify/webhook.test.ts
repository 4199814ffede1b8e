import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HOSTILE_UA,
  hostileAlert,
  noAbort,
  startServer,
  testAlert,
  type TestServer,
} from './test-support.js';
import { createWebhookChannel, signWebhook, verifyWebhookSignature } from './webhook.js';

const NOW = Date.parse('2026-11-20T10:06:00Z');
const SECRET = 'shared-secret';

describe('verifyWebhookSignature', () => {
  const ts = String(NOW / 1000);
  const body = '{"a":1}';
  const sig = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;

  it('accepts the HMAC-SHA256 of "<timestamp>.<body>"', () => {
    expect(signWebhook(SECRET, ts, body)).toBe(sig);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, NOW)).toBe(true);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, new Date(NOW + 299_000))).toBe(true);
  });

  it('rejects a changed body, wrong secret, malformed signature or a stale timestamp', () => {
    expect(verifyWebhookSignature(SECRET, ts, '{"a":2}', sig, NOW)).toBe(false);
    expect(verifyWebhookSignature('other', ts, body, sig, NOW)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig.slice(0, -1), NOW)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, 'sha256=', NOW)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, NOW + 301_000)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, NOW - 301_000)).toBe(false);
    expect(verifyWebhookSignature(SECRET, ts, body, sig, NOW + 3_600_000, 7200)).toBe(true);
    expect(verifyWebhookSignature(SECRET, `${ts}.5`, body, sig, NOW)).toBe(false);
  });
});

describe('createWebhookChannel', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ status: 204, body: '' });
  });
  afterEach(() => server.close());

  it('posts {event, reason, link} signed so that the receiver can verify it', async () => {
    const channel = createWebhookChannel(
      { id: 'hook', url: `${server.url}/hooks/vigil`, secret: SECRET, headers: { 'X-Api-Key': 'k1' } },
      { fetch, now: () => NOW },
    );
    const alert = testAlert({}, { link: 'https://vigil.example/f/1' });
    expect(await channel.send(alert, { signal: noAbort() })).toEqual({ ok: true });
    const req = server.requests[0]!;
    expect(req.url).toBe('/hooks/vigil');
    expect(req.headers['x-api-key']).toBe('k1');
    const ts = req.headers['x-vigil-timestamp'] as string;
    expect(ts).toBe(String(NOW / 1000));
    const sig = req.headers['x-vigil-signature'] as string;
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, ts, req.body, sig, NOW)).toBe(true);
    expect(verifyWebhookSignature('wrong', ts, req.body, sig, NOW)).toBe(false);
    expect(JSON.parse(req.body)).toEqual({
      event: alert.event,
      reason: 'new',
      link: 'https://vigil.example/f/1',
    });
  });

  it('carries hostile strings as JSON data, byte for byte', async () => {
    const alert = hostileAlert();
    const channel = createWebhookChannel(
      { id: 'hook', url: server.url, secret: SECRET },
      { fetch, now: () => NOW },
    );
    await channel.send(alert, { signal: noAbort() });
    const body = JSON.parse(server.requests[0]!.body) as {
      event: { detail: { actor: { userAgent: string } } };
    };
    expect(body.event).toEqual(alert.event);
    expect(body.event.detail.actor.userAgent).toBe(HOSTILE_UA);
  });

  it('5xx and timeouts are retryable; 4xx are not', async () => {
    const channel = createWebhookChannel(
      { id: 'hook', url: server.url, secret: SECRET },
      { fetch, timeoutMs: 50 },
    );
    server.respond({ status: 500 }, { status: 401 }, { status: 422 });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(await channel.send(testAlert(), { signal: noAbort() })).toMatchObject({
      ok: false,
      retryable: false,
    });
    server.hang();
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({
      ok: false,
      retryable: true,
      error: 'timed out after 50 ms',
    });
  });

  it('does not follow redirects (a receiver cannot send the signed alert elsewhere)', async () => {
    server.respond({ status: 307, headers: { location: `${server.url}/elsewhere` } });
    const channel = createWebhookChannel({ id: 'hook', url: server.url, secret: SECRET }, { fetch });
    const result = await channel.send(testAlert(), { signal: noAbort() });
    expect(result.ok).toBe(false);
    expect(server.requests.map((r) => r.url)).toEqual(['/']);
  });
});
