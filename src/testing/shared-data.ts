import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The shared reference data (SigmaHQ rules, GuardDuty samples) lives beside the repository in
 * `../shared`, and is read from there, never copied. VIGIL_SHARED_DIR overrides the location.
 */
export function sharedDir(): string | undefined {
  const candidates = [
    process.env.VIGIL_SHARED_DIR,
    fileURLToPath(new URL('../../../shared', import.meta.url)),
    '/work/shared',
  ];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'sigma')));
}
