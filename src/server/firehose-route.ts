import type { FastifyInstance } from 'fastify';
import { checkEnvelope, decodeFirehoseRecords, FIREHOSE_REQUEST_ID_HEADER } from './firehose-decode.js';
import { requireBody, requireToken } from './ingest-routes.js';
import { runIngest } from './run-ingest.js';
import type { ServerDeps } from './types.js';

export const FIREHOSE_PATH = '/ingest/firehose';

/**
 * `POST /ingest/firehose`: the Amazon Data Firehose HTTP endpoint delivery protocol. Success is
 * 200 `{"requestId", "timestamp"}`; errors (shaped by the server's error handler) add
 * `errorMessage`. Records that cannot be decoded are logged and counted, not retried: Firehose
 * would otherwise resend the same bad record until its retry duration ends.
 */
export function registerFirehoseRoute(app: FastifyInstance, deps: ServerDeps, now: () => number): void {
  app.post(FIREHOSE_PATH, { onRequest: requireToken(deps) }, async (request, reply) => {
    const header = request.headers[FIREHOSE_REQUEST_ID_HEADER];
    const { requestId, records } = checkEnvelope(
      requireBody(request.body),
      typeof header === 'string' ? header : undefined,
    );
    const decoded = decodeFirehoseRecords(requestId, records, {
      ...(deps.flowLogFields ? { flowFields: deps.flowLogFields } : {}),
      maxRecordBytes: deps.maxBodyBytes,
    });
    if (decoded.controlMessages > 0)
      request.log.debug({ requestId, count: decoded.controlMessages }, 'CloudWatch Logs control messages');
    for (const problem of decoded.problems)
      deps.serveMetrics?.recordsRejected.inc({ source: 'http:firehose', reason: problem.reason });
    const result = await runIngest(deps, 'firehose', decoded.items, request.log, decoded.formats);
    if (decoded.problems.length > 0 || result.rejected.length > 0) {
      const rejected = result.rejected.map((r) => ({ ...decoded.origin[r.index], error: r.error }));
      request.log.warn({ requestId, problems: decoded.problems, rejected }, 'firehose records rejected');
    }
    return reply.code(200).send({ requestId, timestamp: now() });
  });
}
