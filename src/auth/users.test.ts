import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startAuth, type AuthHarness } from './test-support.js';

let h: AuthHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BOB_PASSWORD = 'bob password 1234';

async function withBob(harness: AuthHarness, role = 'viewer') {
  const { cookie, csrf } = await harness.login('admin', ADMIN_PASSWORD);
  const admin = { cookie, 'x-csrf-token': csrf };
  const res = await harness.app.inject({
    method: 'POST',
    url: '/api/users',
    headers: admin,
    payload: { name: 'bob', role, password: BOB_PASSWORD },
  });
  expect(res.statusCode).toBe(201);
  return admin;
}

const me = (harness: AuthHarness, cookie: string) =>
  harness.app.inject({ url: '/api/auth/me', headers: { cookie } });

describe('own password change', () => {
  it('needs the current password, ends the other sessions and keeps this one', async () => {
    h = await startAuth();
    await withBob(h);
    const a = await h.login('bob', BOB_PASSWORD);
    const b = await h.login('bob', BOB_PASSWORD);
    const change = (current: string) =>
      h!.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers: { cookie: a.cookie, 'x-csrf-token': a.csrf },
        payload: { current, password: 'a brand new password' },
      });
    const wrong = await change('not my password');
    expect(wrong.statusCode).toBe(403);
    expect((await me(h, b.cookie)).statusCode).toBe(200);
    const ok = await change(BOB_PASSWORD);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, endedSessions: 1 });
    expect((await me(h, a.cookie)).statusCode).toBe(200);
    expect((await me(h, b.cookie)).statusCode).toBe(401);
    await expect(h.login('bob', BOB_PASSWORD)).rejects.toThrow(/401/);
    await h.login('bob', 'a brand new password');
  });

  it('rejects a too short new password with 400 naming the field', async () => {
    h = await startAuth();
    const { cookie, csrf } = await h.login('admin', ADMIN_PASSWORD);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { current: ADMIN_PASSWORD, password: 'short' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('password');
  });
});

describe('user management', () => {
  it('admins create users, change roles, disable (ending sessions) and reset passwords', async () => {
    h = await startAuth();
    const admin = await withBob(h);
    const bob = await h.login('bob', BOB_PASSWORD);
    const act = () =>
      h!.app.inject({
        method: 'POST',
        url: '/api/sample',
        headers: { cookie: bob.cookie, 'x-csrf-token': bob.csrf },
      });
    expect((await act()).statusCode).toBe(403);
    const promote = await h.app.inject({
      method: 'PATCH',
      url: '/api/users/bob',
      headers: admin,
      payload: { role: 'responder' },
    });
    expect(promote.json()).toMatchObject({ name: 'bob', role: 'responder', disabled: false });
    expect((await act()).statusCode).toBe(200); // the role is read on every request

    // Bob cannot manage users.
    const self = await h.app.inject({
      method: 'PATCH',
      url: '/api/users/bob',
      headers: { cookie: bob.cookie, 'x-csrf-token': bob.csrf },
      payload: { role: 'admin' },
    });
    expect(self.statusCode).toBe(403);

    const disable = await h.app.inject({
      method: 'PATCH',
      url: '/api/users/bob',
      headers: admin,
      payload: { disabled: true },
    });
    expect(disable.json().disabled).toBe(true);
    expect((await me(h, bob.cookie)).statusCode).toBe(401);
    await expect(h.login('bob', BOB_PASSWORD)).rejects.toThrow(/401/);

    await h.app.inject({
      method: 'PATCH',
      url: '/api/users/bob',
      headers: admin,
      payload: { disabled: false },
    });
    const reset = await h.app.inject({
      method: 'POST',
      url: '/api/users/bob/password',
      headers: admin,
      payload: { password: 'reset by the admin' },
    });
    expect(reset.statusCode).toBe(200);
    await h.login('bob', 'reset by the admin');

    const list = await h.app.inject({ url: '/api/users', headers: admin });
    expect(list.json().users.map((u: { name: string }) => u.name)).toEqual(['admin', 'bob']);
    expect(list.body).not.toContain('scrypt');
  });

  it('refuses duplicates, unknown users, bad names, and demoting or disabling the last admin', async () => {
    h = await startAuth();
    const admin = await withBob(h);
    const post = (payload: object) =>
      h!.app.inject({ method: 'POST', url: '/api/users', headers: admin, payload });
    expect((await post({ name: 'bob', role: 'viewer', password: BOB_PASSWORD })).statusCode).toBe(409);
    const bad = await post({ name: '<script>', role: 'viewer', password: BOB_PASSWORD });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('name');
    expect((await post({ name: 'carol', role: 'root', password: BOB_PASSWORD })).statusCode).toBe(400);
    expect(
      (
        await h.app.inject({
          method: 'PATCH',
          url: '/api/users/nobody',
          headers: admin,
          payload: { role: 'viewer' },
        })
      ).statusCode,
    ).toBe(404);
    for (const payload of [{ role: 'viewer' }, { disabled: true }]) {
      const res = await h.app.inject({ method: 'PATCH', url: '/api/users/admin', headers: admin, payload });
      expect(res.statusCode).toBe(409);
    }
  });
});

describe('audit log', () => {
  it('records logins and user and token changes; GET /api/audit filters and pages, for admins only', async () => {
    h = await startAuth();
    const admin = await withBob(h);
    await h.app.inject({
      method: 'PATCH',
      url: '/api/users/bob',
      headers: admin,
      payload: { role: 'responder' },
    });
    await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: admin,
      payload: { name: 'ci', role: 'viewer' },
    });
    await h.app.inject({ method: 'DELETE', url: '/api/tokens/1', headers: admin });
    await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { user: 'bob', password: 'wrong wrong' },
    });

    const read = (query: string) => h!.app.inject({ url: `/api/audit${query}`, headers: admin });
    const all = (await read('')).json();
    expect(all.entries.map((e: { action: string }) => e.action)).toEqual([
      'auth.login.failed',
      'token.revoke',
      'token.create',
      'user.update',
      'user.create',
      'auth.login',
      'user.create',
    ]);
    expect(all.next).toBeNull();
    const update = all.entries[3];
    expect(update).toMatchObject({
      user: 'admin',
      via: 'session',
      target: 'bob',
      details: { role: { from: 'viewer', to: 'responder' } },
      ip: '127.0.0.1',
    });
    expect(new Date(update.at).toISOString()).toBe(update.at);

    const byAction = (await read('?action=user.create')).json();
    expect(byAction.entries.map((e: { target: string }) => e.target)).toEqual(['bob', 'admin']);
    const byUser = (await read('?user=bob')).json();
    expect(byUser.entries.map((e: { action: string }) => e.action)).toEqual(['auth.login.failed']);
    const page1 = (await read('?limit=3')).json();
    expect(page1.entries).toHaveLength(3);
    const page2 = (await read(`?limit=3&before=${page1.next}`)).json();
    expect(page2.entries.map((e: { id: number }) => e.id)).toEqual(
      all.entries.slice(3, 6).map((e: { id: number }) => e.id),
    );
    h.clock.t += 60_000;
    await h.login('admin', ADMIN_PASSWORD);
    const since = (await read(`?since=${new Date(h.clock.t).toISOString()}`)).json();
    expect(since.entries.map((e: { action: string }) => e.action)).toEqual(['auth.login']);
    expect((await read('?since=yesterday')).statusCode).toBe(400);
    expect((await read('?limit=0')).statusCode).toBe(400);

    const bob = await h.login('bob', BOB_PASSWORD);
    expect((await h.app.inject({ url: '/api/audit', headers: { cookie: bob.cookie } })).statusCode).toBe(403);
  });

  it('is append-only', async () => {
    h = await startAuth();
    expect(() => h!.db.prepare("UPDATE auth_audit SET action = 'x'").run()).toThrow(/append-only/);
    expect(() => h!.db.prepare('DELETE FROM auth_audit').run()).toThrow(/append-only/);
  });
});
