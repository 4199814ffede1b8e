import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The dashboard's page: every string it shows comes from attacker-controlled logs, so the browser is told
 * to run only our own files (no inline script or style, no eval, no framing, no plugins) and to send
 * data only back to this origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export interface WebOptions {
  /** Folder of the static UI files; default `src/web/public` of this package. */
  root?: string;
  /** Folder holding chart.js's `chart.umd.js`; default resolved from node_modules. */
  chartDir?: string;
}

/**
 * The UI's files stay where they are written (`src/web/public`) rather than being copied by the build:
 * this module sits two folders below the package root both as `src/web/index.ts` and as
 * `dist/web/index.js`, so the same relative path finds them from either, and there is no build step to
 * forget. (A published package must list `src/web/public` in package.json `files`.)
 */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../src/web/public/', import.meta.url));
}

/** chart.js's package exports do not expose its UMD build, so find its `dist` folder from the CJS entry. */
export function chartJsDir(): string {
  return dirname(createRequire(import.meta.url).resolve('chart.js'));
}

/**
 * Serves the single-page dashboard: `/` (its hash routes need nothing more) and `/assets/*`, with the
 * security headers on every one of these answers. The UI talks only to the REST API under `/api`, which
 * other modules register; nothing here reads data.
 */
export async function registerWeb(app: FastifyInstance, options: WebOptions = {}): Promise<void> {
  const root = options.root ?? defaultWebRoot();
  const chartDir = options.chartDir ?? chartJsDir();
  await app.register(async (scope) => {
    // Encapsulated: these headers apply to the UI's answers, not to the API or ingest routes.
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.headers(SECURITY_HEADERS);
      return payload;
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: '/assets/',
      index: false,
      dotfiles: 'deny',
      // Files change with each release and are small: revalidate rather than risk a stale mix of modules.
      cacheControl: true,
      maxAge: 0,
    });
    scope.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', 'no-store').sendFile('index.html', root),
    );
    scope.get('/assets/vendor/chart.umd.js', { schema: { hide: true } }, (_request, reply) =>
      reply.sendFile('chart.umd.js', chartDir),
    );
  });
}
