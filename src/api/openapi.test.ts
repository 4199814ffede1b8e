import { readFileSync } from 'node:fs';
import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipelineStats } from '../serve/stats.js';
import { registerHealthApi } from './health.js';
import { registerOpenApi } from './openapi.js';
import { assertDocumented, listRoutes } from './openapi-testing.js';
import { registerResponsesApi } from './responses.js';
import { createEventHub, registerStreamApi } from './stream.js';
import { testAccess } from './testing.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(): Promise<FastifyInstance> {
  const access = testAccess();
  app = fastify();
  await registerOpenApi(app, { access });
  registerHealthApi(app, { access, stats: createPipelineStats() });
  registerResponsesApi(app, { access });
  registerStreamApi(app, { access, hub: createEventHub() });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

describe('GET /api/openapi.json', () => {
  it('describes the routes with their schemas, security schemes and tags', async () => {
    const app = await build();
    const res = await app.inject({ url: '/api/openapi.json', headers: { 'x-test-role': 'viewer' } });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info).toMatchObject({ title: 'Vigil', version: VERSION });
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'session']);
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ session: [] }, { bearer: [] }]);
    expect(doc.tags.map((t: { name: string }) => t.name)).toContain('health');

    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/health/pipeline',
      '/api/openapi.json',
      '/api/responses/stats',
      '/api/stream',
    ]);
    const health = doc.paths['/api/health/pipeline'].get;
    expect(health.tags).toEqual(['health']);
    expect(health.summary).toMatch(/Pipeline health/);
    expect(health.parameters).toEqual([
      expect.objectContaining({
        name: 'minutes',
        in: 'query',
        schema: expect.objectContaining({ type: 'integer' }),
      }),
    ]);
    const ok = health.responses['200'].content['application/json'].schema;
    expect(ok.properties.now.properties.endToEnd.properties.p99Ms).toEqual({ type: 'number' });
    expect(health.responses['401'].content['application/json'].schema.required).toEqual(['error', 'message']);
    const stream = doc.paths['/api/stream'].get;
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream']);
    expect(
      doc.paths['/api/responses/stats'].get.responses['200'].content['application/json'].schema.required,
    ).toContain('awaitingApproval');
  });

  it('needs an identity like every /api route', async () => {
    const app = await build();
    expect((await app.inject({ url: '/api/openapi.json' })).statusCode).toBe(401);
  });
});

describe('assertDocumented', () => {
  it('passes when every /api route is documented with a 200 schema', async () => {
    const app = await build();
    await expect(assertDocumented(app)).resolves.toBeUndefined();
    expect(listRoutes(app).map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/health/pipeline', '/api/stream', '/healthz']),
    );
  });

  it('names a route registered before the document, and one without a response schema', async () => {
    const access = testAccess();
    app = fastify();
    app.get('/api/early/:id', { schema: { response: { 200: { type: 'object' } } } }, async () => ({}));
    await registerOpenApi(app, { access });
    app.post('/api/findings/:id/notes', async () => ({}));
    registerHealthApi(app, { access, stats: createPipelineStats() });
    await expect(assertDocumented(app)).rejects.toThrow(
      /GET \/api\/early\/:id is not in the OpenAPI document\nPOST \/api\/findings\/:id\/notes declares no schema for its success answer$/,
    );
  });
});
