import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerActivityApi } from '../api/activity.js';
import { registerEventsApi } from '../api/events.js';
import { registerFindingsApi } from '../api/findings.js';
import { registerHealthApi } from '../api/health.js';
import { registerOverviewApi } from '../api/overview.js';
import { registerResponsesApi } from '../api/responses.js';
import { createEventHub, registerStreamApi, type EventHub } from '../api/stream.js';
import { registerSuppressionsApi } from '../api/suppressions.js';
import { registerAuth } from '../auth/index.js';
import { createPipelineStats } from '../serve/stats.js';
import type { EventStore } from '../store/events-types.js';
import { openEventStore } from '../store/events.js';
import { openFindingStore, type FindingStore } from '../store/index.js';
import { registerWeb } from './index.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface Dashboard {
  url: string;
  app: FastifyInstance;
  store: FindingStore;
  events: EventStore;
  hub: EventHub;
  dir: string;
  close(): Promise<void>;
}

/**
 * The dashboard as `vigil serve` assembles it, minus the pipeline: real auth (SQLite), the findings,
 * overview, suppressions, events, activity, health, responses and stream APIs over real SQLite stores in
 * a temp dir, and the UI — listening on a loopback port for a real browser.
 */
export async function startDashboard(): Promise<Dashboard> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  const authDb = new Database(join(dir, 'auth.db'));
  const store = openFindingStore(join(dir, 'findings.db'));
  const events = openEventStore(join(dir, 'events.db'));
  const hub = createEventHub({ heartbeatMs: 1000, retryMs: 500 });
  const app = Fastify();
  const access = registerAuth(app, {
    db: authDb,
    env: { VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD },
    log: () => {},
    scrypt: { N: 1024, r: 8, p: 1 },
  });
  registerFindingsApi(app, { access, store });
  registerOverviewApi(app, { access, store });
  registerSuppressionsApi(app, { access, store });
  registerEventsApi(app, { access, events });
  registerActivityApi(app, { access, events });
  registerHealthApi(app, { access, stats: createPipelineStats() });
  registerResponsesApi(app, { access });
  registerStreamApi(app, { access, hub });
  await registerWeb(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    store,
    events,
    hub,
    dir,
    async close() {
      hub.closeAll();
      await app.close();
      store.close();
      authDb.close();
      events.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
