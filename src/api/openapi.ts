import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { ApiAccess } from './types.js';

/** The body of every /api error answer: a stable code and a sentence naming what to fix. */
export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** Error answers every guarded route can give, to spread into a route's `response`. */
export const GUARD_RESPONSES = {
  401: { description: 'Not logged in and no API token', ...ERROR_SCHEMA },
  403: { description: 'The caller’s role is below the one the route needs', ...ERROR_SCHEMA },
} as const;

/** The tags of the dashboard API, in the order the document lists them. */
export const API_TAGS = [
  { name: 'overview', description: 'Findings at a glance' },
  { name: 'findings', description: 'Findings, their triage workflow and notes' },
  { name: 'suppressions', description: 'Suppression rules' },
  { name: 'activity', description: 'API activity and events from the logs' },
  { name: 'health', description: 'Pipeline health: ingest, detection, delivery' },
  { name: 'responses', description: 'Automated response statistics' },
  { name: 'posture', description: 'Posture checks, compliance frameworks, reports and evidence' },
  { name: 'stream', description: 'Live updates (Server-Sent Events)' },
  { name: 'auth', description: 'Sessions, users, API tokens and the audit log' },
  { name: 'meta', description: 'This document' },
];

export const OPENAPI_PATH = '/api/openapi.json';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Describes the REST API in an OpenAPI 3 document built from the route schemas, served at
 * GET /api/openapi.json.
 *
 * Call it, and await it, BEFORE registering any route: @fastify/swagger learns routes from an `onRoute`
 * hook, which sees only routes added after the plugin has loaded; a route registered earlier is silently
 * missing from the document (`assertDocumented` in openapi-testing.ts catches that).
 *
 * The document requires the viewer role like every other /api route: the issue allows no anonymous access,
 * and one rule with no exception is easier to check. It holds nothing secret, so any logged-in user or API
 * token can fetch it for tooling.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  deps: { access: ApiAccess; sessionCookie?: string },
): Promise<void> {
  await registerOpenApiPlugin(app, deps);
  registerOpenApiDocument(app, deps);
}

/**
 * The two halves of `registerOpenApi`, for a host whose access control registers routes of its own (the
 * auth routes): the plugin first, then access control, then the document's route, guarded by it.
 */
export async function registerOpenApiPlugin(
  app: FastifyInstance,
  deps: { sessionCookie?: string } = {},
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil',
        version: VERSION,
        description:
          'The REST API of the Vigil dashboard: everything the UI does. Every route needs a logged-in ' +
          'session or an API token; roles viewer < responder < admin.',
      },
      tags: API_TAGS,
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: deps.sessionCookie ?? 'vigil_session',
            description:
              'Session cookie set by POST /api/auth/login (state-changing requests also need CSRF).',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'API token for scripts' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    // Only the dashboard API belongs in the document, not /healthz, /metrics or the ingest routes.
    transform: ({ schema, url }) => ({
      schema: url.startsWith('/api/') ? schema : { ...schema, hide: true },
      url,
    }),
  });
}

/** GET /api/openapi.json (viewer), once the plugin is registered. */
export function registerOpenApiDocument(app: FastifyInstance, deps: { access: ApiAccess }): void {
  app.get(
    OPENAPI_PATH,
    {
      schema: {
        tags: ['meta'],
        summary: 'This OpenAPI document',
        response: {
          200: {
            description: 'An OpenAPI 3 document',
            type: 'object',
            additionalProperties: true,
          },
          ...GUARD_RESPONSES,
        },
      },
      preHandler: deps.access.require('viewer'),
    },
    async () => app.swagger(),
  );
}
