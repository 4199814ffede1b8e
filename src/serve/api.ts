import type { FastifyInstance } from 'fastify';
import { authProblem } from '../server/auth.js';
import type { Outbox } from '../outbox/index.js';
import type { FindingStore } from '../store/index.js';
import type { Finding, FindingStatus } from '../core/finding.js';

const STATUSES = new Set(['pending', 'sending', 'retry', 'delivered', 'dead']);
const FINDING_STATUSES = new Set(['NEW', 'ACKNOWLEDGED', 'RESOLVED', 'SUPPRESSED']);

/**
 * The deliveries and findings API of `vigil serve` (the dashboard will build on it): alerts as the outbox
 * holds them, dead letters and their retry, and stored findings. Guarded by the ingest token when one is set.
 */
export function registerApi(
  app: FastifyInstance,
  deps: { outbox: Outbox; store: FindingStore; token?: string; onResolved?: (finding: Finding) => void },
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const problem = authProblem(request.headers, deps.token);
    if (problem) await reply.code(401).send({ error: problem });
  });
  app.get('/api/deliveries', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.status !== undefined && !STATUSES.has(q.status)) {
      return reply.code(400).send({ error: `status must be one of ${[...STATUSES].join(', ')}` });
    }
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return reply.code(400).send({ error: 'limit must be a whole number from 1 to 1000' });
    }
    return deps.outbox
      .list({
        ...(q.status ? { status: q.status as never } : {}),
        ...(q.channel ? { channelId: q.channel } : {}),
        ...(q.finding ? { findingId: q.finding } : {}),
        limit,
      })
      .map(({ alert: _alert, ...d }) => d);
  });
  app.post('/api/deliveries/:id/retry', async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    if (!Number.isSafeInteger(id) || id < 1)
      return reply.code(400).send({ error: 'delivery id must be a positive whole number' });
    return deps.outbox.retry(id)
      ? { retried: id }
      : reply.code(404).send({ error: `no dead letter with id ${id}` });
  });
  app.get('/api/findings', async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const limit = Math.min(1000, Math.max(1, Number(q.limit ?? 100) || 100));
    return deps.store.list({ limit });
  });
  // Workflow: acknowledge, resolve, suppress, reopen. Resolving sends a `resolved` alert through the routes.
  app.post('/api/findings/:id/status', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const status = (request.body as { status?: unknown } | undefined)?.status;
    if (typeof status !== 'string' || !FINDING_STATUSES.has(status)) {
      return reply.code(400).send({ error: `status must be one of ${[...FINDING_STATUSES].join(', ')}` });
    }
    const before = deps.store.get(id);
    if (!before) return reply.code(404).send({ error: 'no such finding' });
    deps.store.setStatus(id, status as FindingStatus);
    const after = deps.store.get(id)!;
    if (status === 'RESOLVED' && before.status !== 'RESOLVED') deps.onResolved?.(after);
    return after;
  });
  app.get('/api/findings/:id', async (request, reply) => {
    const f = deps.store.get((request.params as { id: string }).id);
    return f ?? reply.code(404).send({ error: 'no such finding' });
  });
}
