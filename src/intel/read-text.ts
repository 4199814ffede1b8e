import { readFileSync } from 'node:fs';
import { VigilError } from '../core/errors.js';

/** Reads a list or data file the user named; an unreadable file is VIGIL_INPUT_UNREADABLE naming it. */
export function readTextFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError(
      'VIGIL_INPUT_UNREADABLE',
      `${file}: cannot read ${what}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
