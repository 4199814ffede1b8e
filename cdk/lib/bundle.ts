import { cpSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The Lambda functions Vigil deploys, each bundled from `src/aws/handlers/<name>.ts`. */
export const HANDLER_NAMES = ['detect', 'triage', 'notify', 'respond'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/**
 * The repository root: the nearest folder above this file holding `src/aws/handlers`. The same from
 * `cdk/lib/` (vitest) and from `dist-cdk/cdk/lib/` (the compiled app `cdk synth` runs).
 */
export function repoRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'src', 'aws', 'handlers')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Vigil repository (src/aws/handlers) above ${from}`);
  }
}

/**
 * Bundles every handler into `<outDir>/<name>/index.mjs` with one esbuild call (the JS API, no Docker,
 * no esbuild CLI on PATH): ES modules for Node.js 20 on arm64, minified, the AWS SDK v3 included so a
 * function runs the SDK versions Vigil was tested with rather than the runtime's. CommonJS dependencies
 * that call `require` get one through `createRequire`. The detection catalogue is copied to
 * `detect/detections`. Returns the output folder.
 */
export async function bundleHandlers(outDir: string, root: string = repoRoot()): Promise<string> {
  const out = resolve(outDir);
  await build({
    entryPoints: HANDLER_NAMES.map((name) => ({
      in: join(root, 'src', 'aws', 'handlers', `${name}.ts`),
      out: `${name}/index`,
    })),
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __vigilCreateRequire } from 'node:module'; const require = __vigilCreateRequire(import.meta.url);",
    },
  });
  // The detect function loads the built-in catalogue from files: ship it beside its bundle (/var/task/detections).
  cpSync(join(root, 'detections'), join(out, 'detect', 'detections'), { recursive: true });
  // …and the data files (AWS IP ranges, registered blocks) the field lookups read: VIGIL_HOME=/var/task.
  cpSync(join(root, 'data'), join(out, 'detect', 'data'), {
    recursive: true,
    filter: (src) => !/\.db(-wal|-shm)?$|demo/.test(src),
  });
  return out;
}
