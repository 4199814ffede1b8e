import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startAuth, type AuthHarness } from './test-support.js';

let h: AuthHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const login = (harness: AuthHarness, user: string, password: string, remoteAddress = '10.0.0.1') =>
  harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { user, password }, remoteAddress });

describe('first run', () => {
  it('creates admin with the password from VIGIL_ADMIN_PASSWORD, without printing it, and only once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
    const file = join(dir, 'state.db');
    h = await startAuth({ file });
    expect(h.logs).toHaveLength(1);
    expect(h.logs[0]).toContain('VIGIL_ADMIN_PASSWORD');
    expect(h.logs[0]).not.toContain(ADMIN_PASSWORD);
    expect((await login(h, 'admin', ADMIN_PASSWORD)).statusCode).toBe(200);
    await h.close();
    // A later start with another password in the environment changes nothing and prints nothing.
    h = await startAuth({ file, env: { VIGIL_ADMIN_PASSWORD: 'another password here' } });
    expect(h.logs).toEqual([]);
    expect((await login(h, 'admin', ADMIN_PASSWORD)).statusCode).toBe(200);
    expect((await login(h, 'admin', 'another password here')).statusCode).toBe(401);
  });

  it('without the variable, prints a strong random password once and never again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
    const file = join(dir, 'state.db');
    h = await startAuth({ file, env: {} });
    expect(h.logs).toHaveLength(1);
    const password = /with password (\S+)/.exec(h.logs[0]!)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await login(h, 'admin', password!)).statusCode).toBe(200);
    await h.close();
    h = await startAuth({ file, env: {} });
    expect(h.logs).toEqual([]);
    expect((await login(h, 'admin', password!)).statusCode).toBe(200);
  });

  it('refuses a weak VIGIL_ADMIN_PASSWORD', async () => {
    await expect(startAuth({ env: { VIGIL_ADMIN_PASSWORD: 'short' } })).rejects.toThrow(/at least 12/);
  });

  it('stores an scrypt hash with its parameters and a per-user salt, never the password', async () => {
    h = await startAuth();
    const admin = h.db.prepare("SELECT password FROM auth_users WHERE name = 'admin'").get() as {
      password: string;
    };
    expect(admin.password).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(admin.password).not.toContain(ADMIN_PASSWORD);
    const { cookie, csrf } = await h.login('admin', ADMIN_PASSWORD);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: 'bob', role: 'viewer', password: ADMIN_PASSWORD },
    });
    expect(res.statusCode).toBe(201);
    const bob = h.db.prepare("SELECT password FROM auth_users WHERE name = 'bob'").get() as {
      password: string;
    };
    expect(bob.password.split('$')[4]).not.toBe(admin.password.split('$')[4]);
    expect(bob.password).not.toBe(admin.password);
  });
});

describe('POST /api/auth/login', () => {
  it('logs in, answers the role and CSRF token, and /api/auth/me knows the session', async () => {
    h = await startAuth();
    const res = await login(h, 'Admin ', ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: 'admin',
      role: 'admin',
      via: 'session',
      csrfToken: expect.any(String),
    });
    expect(res.headers['cache-control']).toBe('no-store');
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    const me = await h.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.json()).toEqual(res.json());
    // Only the hash of the session id is stored.
    const stored = h.db.prepare('SELECT id_hash FROM auth_sessions').all() as { id_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.id_hash).not.toBe(cookie.split('=')[1]);
  });

  it('answers the same 401 for a wrong password and an unknown user, and audits both with the reason', async () => {
    h = await startAuth();
    const wrong = await login(h, 'admin', 'not the password');
    const unknown = await login(h, 'nobody', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const rows = h.db
      .prepare("SELECT user, details, ip FROM auth_audit WHERE action = 'auth.login.failed' ORDER BY id")
      .all();
    expect(rows).toEqual([
      { user: 'admin', details: '{"reason":"wrong password"}', ip: '10.0.0.1' },
      { user: 'nobody', details: '{"reason":"unknown user"}', ip: '10.0.0.1' },
    ]);
  });

  it('GET /api/auth/me answers 401 when not logged in', async () => {
    h = await startAuth();
    const res = await h.app.inject({ url: '/api/auth/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('VIGIL_AUTH_REQUIRED');
  });

  it('answers 400 naming the field when the body is incomplete', async () => {
    h = await startAuth();
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: 'admin' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'VIGIL_BAD_REQUEST',
      message: expect.stringContaining('password'),
    });
  });
});

describe('login rate limiting', () => {
  it('after 5 failures for a name answers 429 with Retry-After, even to the right password, until the window passes', async () => {
    h = await startAuth();
    for (let i = 0; i < 5; i++)
      expect((await login(h, 'admin', `wrong ${i}`, `10.0.1.${i}`)).statusCode).toBe(401);
    const blocked = await login(h, 'admin', ADMIN_PASSWORD, '10.0.2.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error).toBe('VIGIL_AUTH_RATE_LIMITED');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    h.clock.t += retryAfter * 1000;
    expect((await login(h, 'admin', ADMIN_PASSWORD, '10.0.2.1')).statusCode).toBe(200);
  });

  it('treats unknown names alike, so 429 does not reveal whether a user exists', async () => {
    h = await startAuth();
    for (let i = 0; i < 5; i++) await login(h, 'ghost', `wrong ${i}`, `10.0.3.${i}`);
    const blocked = await login(h, 'ghost', 'anything at all', '10.0.4.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect((await login(h, 'admin', ADMIN_PASSWORD, '10.0.4.1')).statusCode).toBe(200);
  });

  it('limits one IP address across many names', async () => {
    h = await startAuth({ loginFailuresPerIp: 3 });
    for (let i = 0; i < 3; i++) await login(h, `user${i}`, 'wrong password', '10.9.9.9');
    expect((await login(h, 'admin', ADMIN_PASSWORD, '10.9.9.9')).statusCode).toBe(429);
    expect((await login(h, 'admin', ADMIN_PASSWORD, '10.9.9.8')).statusCode).toBe(200);
  });
});

describe('session cookie', () => {
  const cookieOf = async (harness: AuthHarness, headers: Record<string, string> = {}) => {
    const res = await harness.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { user: 'admin', password: ADMIN_PASSWORD },
      headers,
    });
    return String(res.headers['set-cookie']);
  };

  it('is HttpOnly, SameSite=Strict, Path=/, with an absolute Max-Age; Secure unless plain http to loopback', async () => {
    h = await startAuth();
    const local = await cookieOf(h, { host: '127.0.0.1:8080' });
    expect(local).toMatch(/^vigil_session=[A-Za-z0-9_-]{43}; /);
    expect(local).toContain('; Path=/');
    expect(local).toContain('; HttpOnly');
    expect(local).toContain('; SameSite=Strict');
    expect(local).toContain(`; Max-Age=${12 * 3600}`);
    expect(local).not.toContain('Secure');
    expect(await cookieOf(h, { host: 'localhost:8080' })).not.toContain('Secure');
    expect(await cookieOf(h, { host: 'vigil.example.com' })).toContain('; Secure');
    expect(await cookieOf(h, { host: '127.0.0.1:8080', 'x-forwarded-proto': 'https' })).toContain('; Secure');
  });

  it('is always Secure when secureCookies is true', async () => {
    h = await startAuth({ secureCookies: true });
    expect(await cookieOf(h, { host: '127.0.0.1:8080' })).toContain('; Secure');
  });

  it('expires after the idle time and after the absolute lifetime', async () => {
    h = await startAuth({ sessionIdleMinutes: 30, sessionMaxHours: 2 });
    const me = (cookie: string) => h!.app.inject({ url: '/api/auth/me', headers: { cookie } });
    const idle = await h.login('admin', ADMIN_PASSWORD);
    h.clock.t += 29 * 60_000;
    expect((await me(idle.cookie)).statusCode).toBe(200);
    h.clock.t += 29 * 60_000; // still alive: the last request was 29 minutes ago
    expect((await me(idle.cookie)).statusCode).toBe(200);
    h.clock.t += 31 * 60_000;
    expect((await me(idle.cookie)).statusCode).toBe(401);

    const busy = await h.login('admin', ADMIN_PASSWORD);
    for (let i = 0; i < 7; i++) {
      h.clock.t += 20 * 60_000;
      expect((await me(busy.cookie)).statusCode).toBe(i < 5 ? 200 : 401);
    }
  });

  it('logout deletes the session and clears the cookie', async () => {
    h = await startAuth();
    const { cookie, csrf } = await h.login('admin', ADMIN_PASSWORD);
    const out = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^vigil_session=; .*Max-Age=0/);
    expect(h.db.prepare('SELECT count(*) AS n FROM auth_sessions').get()).toEqual({ n: 0 });
    expect((await h.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });
});
