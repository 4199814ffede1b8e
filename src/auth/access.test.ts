import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startAuth, type AuthHarness } from './test-support.js';

let h: AuthHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function adminSession(harness: AuthHarness) {
  const { cookie, csrf } = await harness.login('admin', ADMIN_PASSWORD);
  return { cookie, 'x-csrf-token': csrf };
}

async function issueToken(harness: AuthHarness, role: string, name = `${role}-bot`): Promise<string> {
  const res = await harness.app.inject({
    method: 'POST',
    url: '/api/tokens',
    headers: await adminSession(harness),
    payload: { name, role },
  });
  expect(res.statusCode).toBe(201);
  return res.json().token as string;
}

describe('no anonymous access', () => {
  it('answers 401 on guarded routes, unguarded routes and unknown paths under /api', async () => {
    h = await startAuth();
    for (const [method, url] of [
      ['GET', '/api/sample'],
      ['POST', '/api/sample'],
      ['GET', '/api/unguarded'],
      ['GET', '/api/no-such-route'],
      ['GET', '/API/unguarded'],
      ['GET', '/api/users'],
      ['GET', '/api/audit'],
    ] as const) {
      const res = await h.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error).toBe('VIGIL_AUTH_REQUIRED');
    }
  });

  it('refuses a forged or malformed session cookie', async () => {
    h = await startAuth();
    for (const cookie of ['vigil_session=' + 'A'.repeat(43), 'vigil_session=../../etc', 'other=1']) {
      expect((await h.app.inject({ url: '/api/sample', headers: { cookie } })).statusCode).toBe(401);
    }
  });
});

describe('CSRF', () => {
  it('needs x-csrf-token equal to the session token on cookie-authenticated state changes', async () => {
    h = await startAuth();
    const { cookie, csrf } = await h.login('admin', ADMIN_PASSWORD);
    const post = (headers: Record<string, string>) =>
      h!.app.inject({ method: 'POST', url: '/api/sample', headers: { cookie, ...headers } });
    const missing = await post({});
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error).toBe('VIGIL_AUTH_CSRF');
    expect((await post({ 'x-csrf-token': csrf.slice(1) + 'x' })).statusCode).toBe(403);
    const other = await h.login('admin', ADMIN_PASSWORD);
    expect((await post({ 'x-csrf-token': other.csrf })).statusCode).toBe(403);
    const ok = await post({ 'x-csrf-token': csrf });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ done: true });
    // Reads need no token.
    expect((await h.app.inject({ url: '/api/sample', headers: { cookie } })).statusCode).toBe(200);
  });

  it('exempts token-authenticated requests', async () => {
    h = await startAuth();
    const token = await issueToken(h, 'responder');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/sample',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('API tokens and roles', () => {
  it('a viewer token reads but gets 403 on a responder route; a revoked token gets 401', async () => {
    h = await startAuth();
    const token = await issueToken(h, 'viewer');
    expect(token).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    const auth = { authorization: `Bearer ${token}` };
    expect((await h.app.inject({ url: '/api/sample', headers: auth })).statusCode).toBe(200);
    const denied = await h.app.inject({ method: 'POST', url: '/api/sample', headers: auth });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({ error: 'VIGIL_AUTH_FORBIDDEN', message: 'needs the responder role' });
    expect((await h.app.inject({ url: '/api/users', headers: auth })).statusCode).toBe(403);
    const me = await h.app.inject({ url: '/api/auth/me', headers: auth });
    expect(me.json()).toEqual({ user: 'token:viewer-bot', role: 'viewer', via: 'token' });

    const admin = await adminSession(h);
    const list = await h.app.inject({ url: '/api/tokens', headers: admin });
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain(token.slice(8));
    const [listed] = list.json().tokens;
    expect(listed).toMatchObject({
      name: 'viewer-bot',
      role: 'viewer',
      createdBy: 'admin',
      prefix: token.slice(0, 8),
    });
    expect(listed.lastUsedAt).not.toBeNull();
    const stored = h.db.prepare('SELECT hash FROM auth_tokens').get() as { hash: string };
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);

    const revoked = await h.app.inject({ method: 'DELETE', url: `/api/tokens/${listed.id}`, headers: admin });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    expect((await h.app.inject({ url: '/api/sample', headers: auth })).statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/tokens/${listed.id}`, headers: admin })).statusCode,
    ).toBe(404);
  });

  it('an expired or unknown token gets 401, and a bad bearer is not replaced by a valid cookie', async () => {
    h = await startAuth();
    const admin = await adminSession(h);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: admin,
      payload: { name: 'short-lived', role: 'admin', expiresInDays: 1 },
    });
    const auth = { authorization: `Bearer ${res.json().token}` };
    expect((await h.app.inject({ url: '/api/sample', headers: auth })).statusCode).toBe(200);
    h.clock.t += 86_400_000;
    expect((await h.app.inject({ url: '/api/sample', headers: auth })).statusCode).toBe(401);
    const bogus = { authorization: 'Bearer vgl_' + 'x'.repeat(43) };
    expect((await h.app.inject({ url: '/api/sample', headers: bogus })).statusCode).toBe(401);
    expect(
      (await h.app.inject({ url: '/api/sample', headers: { ...bogus, cookie: admin.cookie } })).statusCode,
    ).toBe(401);
  });

  it('only admins issue tokens, and a live token name is unique', async () => {
    h = await startAuth();
    const responder = await issueToken(h, 'responder');
    const byResponder = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { authorization: `Bearer ${responder}` },
      payload: { name: 'x', role: 'admin' },
    });
    expect(byResponder.statusCode).toBe(403);
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: await adminSession(h),
      payload: { name: 'responder-bot', role: 'viewer' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('audit() through ApiAccess records who, via what, from which IP', async () => {
    h = await startAuth();
    const token = await issueToken(h, 'responder');
    await h.app.inject({
      method: 'POST',
      url: '/api/sample',
      headers: { authorization: `Bearer ${token}` },
      remoteAddress: '192.0.2.7',
    });
    const row = h.db
      .prepare("SELECT user, via, target, details, ip FROM auth_audit WHERE action = 'sample.act'")
      .get();
    expect(row).toEqual({
      user: 'token:responder-bot',
      via: 'token',
      target: 'thing-1',
      details: '{"n":1}',
      ip: '192.0.2.7',
    });
  });
});
