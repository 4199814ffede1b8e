import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authProblem } from './auth.js';
import { HttpError } from './http-error.js';
import { cloudTrailItems, eventBridgeItems } from './items.js';
import { runIngest } from './run-ingest.js';
import type { ServerDeps } from './types.js';

/** An `onRequest` hook refusing requests without the ingest token, before their body is read. */
export function requireToken(deps: ServerDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const problem = authProblem(request.headers, deps.ingestToken);
    if (problem !== undefined) throw new HttpError(401, 'VIGIL_HTTP_UNAUTHORIZED', problem);
  };
}

/** `POST /ingest/eventbridge` and `POST /ingest/cloudtrail`: answer 200 `{accepted, rejected}`. */
export function registerIngestRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const onRequest = requireToken(deps);
  app.post('/ingest/eventbridge', { onRequest }, async (request) =>
    runIngest(deps, 'eventbridge', eventBridgeItems(requireBody(request.body)), request.log),
  );
  app.post('/ingest/cloudtrail', { onRequest }, async (request) =>
    runIngest(deps, 'cloudtrail', cloudTrailItems(requireBody(request.body)), request.log),
  );
}

/** A POST without a body (and without Content-Type) reaches the handler with `undefined`. */
export function requireBody(body: unknown): unknown {
  if (body === undefined)
    throw new HttpError(400, 'VIGIL_HTTP_EMPTY_BODY', 'request body is empty; send a JSON document');
  return body;
}
