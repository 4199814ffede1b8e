import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import type { ApiAccess } from '../api/types.js';
import { registerAuth, type AuthDeps } from './index.js';

export const ADMIN_PASSWORD = 'correct horse battery';

/** A real SQLite file in a temp dir, a fastify app with auth and two sample routes, and a settable clock. */
export interface AuthHarness {
  app: FastifyInstance;
  access: ApiAccess;
  db: Database.Database;
  file: string;
  logs: string[];
  clock: { t: number };
  login(
    user: string,
    password: string,
    extra?: Partial<InjectOptions>,
  ): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

export async function startAuth(
  options: { env?: NodeJS.ProcessEnv; file?: string } & Partial<AuthDeps> = {},
): Promise<AuthHarness> {
  const dir = options.file ? undefined : mkdtempSync(join(tmpdir(), 'vigil-auth-'));
  const file = options.file ?? join(dir!, 'state.db');
  const db = new Database(file);
  const logs: string[] = [];
  const clock = { t: Date.parse('2025-06-01T12:00:00Z') };
  const app = Fastify();
  const access = registerAuth(app, {
    scrypt: { N: 1024, r: 8, p: 1 },
    now: () => clock.t,
    ...options,
    db,
    env: options.env ?? { VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD },
    log: (line) => logs.push(line),
  });
  // Stand-ins for the other API modules: a read for viewers and an audited action for responders.
  await app.register(async (api) => {
    api.get('/api/sample', { preHandler: access.require('viewer') }, async () => ({ ok: true }));
    api.post('/api/sample', { preHandler: access.require('responder') }, async (request) => {
      access.audit(access.principalOf(request), 'sample.act', 'thing-1', { n: 1 });
      return { done: true };
    });
    api.get('/api/unguarded', async () => ({ leaked: true }));
  });
  await app.ready();
  return {
    app,
    access,
    db,
    file,
    logs,
    clock,
    async login(user, password, extra = {}) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { user, password },
        ...extra,
      } as InjectOptions);
      if (res.statusCode !== 200) throw new Error(`login ${user}: ${res.statusCode} ${res.body}`);
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      return { cookie, csrf: res.json().csrfToken as string };
    },
    async close() {
      await app.close();
      db.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
