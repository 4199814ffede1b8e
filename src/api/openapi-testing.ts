import type { FastifyInstance } from 'fastify';

interface RouteLine {
  path: string;
  methods: string[];
}

/**
 * Every route of `app` (after `ready`), from fastify's own route tree: `printRoutes` is the one public
 * listing that does not depend on @fastify/swagger having seen the route, which is what we check.
 */
export function listRoutes(app: FastifyInstance): RouteLine[] {
  const routes: RouteLine[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (m[3]) routes.push({ path: stack.join(''), methods: m[3].split(', ') });
  }
  return routes;
}

/** `/api/findings/:id` → `/api/findings/{id}`, as the OpenAPI document spells it. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * Throws, naming each one, unless every /api route of `app` is in its OpenAPI document with a schema for
 * its 200 answer. Run it over the fully wired `vigil serve` app: a route registered before
 * `registerOpenApi`, or declared without a response schema, fails here instead of going missing.
 */
export async function assertDocumented(app: FastifyInstance): Promise<void> {
  await app.ready();
  const doc = app.swagger() as {
    paths?: Record<
      string,
      Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
    >;
  };
  const problems: string[] = [];
  for (const route of listRoutes(app)) {
    if (!route.path.startsWith('/api/')) continue;
    for (const method of route.methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const operation = doc.paths?.[openApiPath(route.path)]?.[method.toLowerCase()];
      if (!operation) {
        problems.push(`${method} ${route.path} is not in the OpenAPI document`);
        continue;
      }
      // Its success answer: 200, or 201 for a creation, or 204 (no body to describe).
      const responses = operation.responses ?? {};
      if ('204' in responses) continue;
      const content = (responses['200'] ?? responses['201'])?.content ?? {};
      if (!Object.values(content).some((c) => c.schema !== undefined))
        problems.push(`${method} ${route.path} declares no schema for its success answer`);
    }
  }
  if (problems.length > 0) throw new Error(`undocumented API routes:\n${problems.join('\n')}`);
}
