import { readFile } from 'node:fs/promises';
import type { SecretRef } from './config.js';

export type ResolveSecret = (ref: SecretRef) => Promise<string>;

/**
 * The resolver wired at the edge: `{ env }` reads the environment, `{ file }` reads a file (trailing line
 * break removed). A missing or empty secret is an error naming the reference, never the value.
 */
export function createSecretResolver(
  deps: {
    env?: Record<string, string | undefined>;
    readFile?: (path: string) => Promise<string>;
  } = {},
): ResolveSecret {
  const env = deps.env ?? process.env;
  const read = deps.readFile ?? ((path: string) => readFile(path, 'utf8'));
  return async (ref) => {
    const value = 'env' in ref ? env[ref.env] : await read(ref.file);
    const secret = value?.replace(/\r?\n$/, '');
    if (!secret)
      throw new Error(`secret ${'env' in ref ? `env ${ref.env}` : `file ${ref.file}`} is missing or empty`);
    return secret;
  };
}
