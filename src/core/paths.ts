import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file shipped with Vigil (`detections/`, `data/`, …), relative to the package root. The root is two
 * levels above this module in the repository and in `dist/`; a bundle that flattens the modules (the AWS
 * Lambda functions, cdk/lib/bundle.ts) sets VIGIL_HOME to where it put those folders instead.
 */
export function packagePath(relative: string): string {
  const home = process.env.VIGIL_HOME;
  return home ? join(home, relative) : fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
