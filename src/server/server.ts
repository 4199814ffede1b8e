import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { headerRequestId } from './firehose-decode.js';
import { FIREHOSE_PATH, registerFirehoseRoute } from './firehose-route.js';
import { describeError } from './http-error.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { isJsonObject } from './items.js';
import { registerJsonBody } from './json-body.js';
import { registerLogsRoute } from './logs-route.js';
import type { ServerDeps } from './types.js';

export interface VigilServer {
  app: FastifyInstance;
  /** Starts listening; resolves to the address, e.g. `http://127.0.0.1:8080`. */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Milliseconds since the epoch, for Firehose answers; default Date.now. */
  now?: () => number;
}

/** The `vigil serve` HTTP server: health, metrics and ingest. Nothing listens until `listen`. */
export function createServer(deps: ServerDeps, options: ServerOptions = {}): VigilServer {
  if (!Number.isSafeInteger(deps.maxBodyBytes) || deps.maxBodyBytes <= 0)
    throw new RangeError(`maxBodyBytes must be a positive integer, got ${deps.maxBodyBytes}`);
  if (deps.ingestToken !== undefined && deps.ingestToken === '')
    throw new RangeError('ingestToken must not be empty (leave it unset to accept unauthenticated ingest)');
  const now = options.now ?? Date.now;
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: deps.maxBodyBytes });

  registerJsonBody(app, deps.maxBodyBytes);
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, deps.maxBodyBytes, now));
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'VIGIL_HTTP_NOT_FOUND', message: `no route for ${request.method} ${request.url}` }),
  );

  app.get('/healthz', async (request, reply) => {
    let report;
    try {
      report = deps.health();
    } catch (error) {
      request.log.error({ err: error }, 'health check threw');
      return reply.code(503).send({ status: 'unavailable', error: 'health check failed' });
    }
    return reply
      .code(report.ok ? 200 : 503)
      .send({ ...report.details, status: report.ok ? 'ok' : 'unavailable' });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.metrics();
    return reply.code(200).header('content-type', deps.metrics.contentType).send(text);
  });

  registerIngestRoutes(app, deps);
  registerFirehoseRoute(app, deps, now);
  registerLogsRoute(app, deps);

  return {
    app,
    listen: (host, port) => app.listen({ host, port }),
    close: () => app.close(),
  };
}

function sendError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  maxBodyBytes: number,
  now: () => number,
): FastifyReply {
  const { statusCode, code, message } = describeError(error, maxBodyBytes);
  if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code, statusCode }, message);
  reply.code(statusCode);
  // Answered before the body was read (a refused token, a body too large): close the connection
  // rather than keep it open for the rest of an unwanted upload.
  if (!request.raw.readableEnded) reply.header('connection', 'close');
  if (request.routeOptions.url === FIREHOSE_PATH) {
    const body = isJsonObject(request.body) ? request.body : {};
    const requestId =
      typeof body.requestId === 'string' ? body.requestId.slice(0, 256) : headerRequestId(request.headers);
    return reply.send({ requestId, timestamp: now(), errorMessage: message });
  }
  return reply.send({ error: code, message });
}
