import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testAlert } from '../notify/test-support.js';
import type { Channel } from '../notify/types.js';
import { createOutbox, openOutboxDatabase } from '../outbox/index.js';
import { countingChannel, manualClock, manualTimers } from '../outbox/testing.js';
import { testAccess } from '../api/testing.js';
import { registerDeliveriesApi } from './api.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-api-digest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('/api/deliveries with digests', () => {
  it('shows held alerts, the digest, and each alert delivered in it with its digest id', async () => {
    const clock = manualClock();
    const channel = countingChannel('soc');
    (channel as Channel).sendDigest = async () => ({ ok: true, providerId: 'm-1' });
    const db = openOutboxDatabase(join(dir, 'outbox.db'));
    const outbox = createOutbox(db, {
      channels: new Map([['soc', channel]]),
      now: clock.now,
      timers: manualTimers(clock),
      digests: { soc: { everyMs: 60_000, severities: ['LOW'] } },
    });
    const app = Fastify();
    registerDeliveriesApi(app, { outbox, access: testAccess() });
    const viewer = { 'x-test-role': 'viewer' };
    try {
      outbox.enqueue(testAlert({ id: 'low-1', severity: 2, severityLabel: 'LOW' }), ['soc']);
      const held = (await app.inject({ url: '/api/deliveries', headers: viewer })).json<
        Record<string, unknown>[]
      >();
      expect(held).toEqual([
        expect.objectContaining({ findingId: 'low-1', status: 'pending', heldUntil: expect.any(String) }),
      ]);
      expect(held[0]).not.toHaveProperty('alert');

      clock.advance(60_000);
      await outbox.deliverDue();
      const after = (await app.inject({ url: '/api/deliveries', headers: viewer })).json<
        Record<string, unknown>[]
      >();
      const digest = after.find((d) => d.kind === 'digest')!;
      expect(digest).toMatchObject({ status: 'delivered', providerId: 'm-1', digest: { count: 1 } });
      expect(after.find((d) => d.findingId === 'low-1')).toMatchObject({
        kind: 'alert',
        status: 'delivered',
        digestId: digest.id,
      });
    } finally {
      await app.close();
      db.close();
    }
  });
});

describe('/api/deliveries access and input', () => {
  it('needs a viewer to read and a responder to retry, and names bad parameters', async () => {
    const db = openOutboxDatabase(join(dir, 'outbox.db'));
    const outbox = createOutbox(db, { channels: new Map([['soc', countingChannel('soc')]]) });
    const access = testAccess();
    const app = Fastify();
    registerDeliveriesApi(app, { outbox, access });
    try {
      expect((await app.inject('/api/deliveries')).statusCode).toBe(401);
      const bad = await app.inject({
        url: '/api/deliveries?status=bogus',
        headers: { 'x-test-role': 'viewer' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toMatch(/status/);
      const retry = (role: string) =>
        app.inject({ method: 'POST', url: '/api/deliveries/7/retry', headers: { 'x-test-role': role } });
      expect((await retry('viewer')).statusCode).toBe(403);
      expect((await retry('responder')).statusCode).toBe(404);
      expect(access.audited).toEqual([]);
    } finally {
      await app.close();
      db.close();
    }
  });
});
