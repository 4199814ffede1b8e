import { createWriteStream } from 'node:fs';
import { terminalSafe } from '../core/text.js';

/** Where a command writes: results to `stdout`, everything else to `stderr`. Injected so tests can capture. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

export function defaultIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: Date.now,
  };
}

export class UsageError extends Error {}

/** Exit codes, documented in README.md. */
export const EXIT = { OK: 0, ERROR: 1, FINDINGS: 3 } as const;

/** `vigil: <message>` on stderr, with attacker-controlled text made terminal-safe. */
export function complain(io: CliIO, message: string): void {
  io.stderr.write(`vigil: ${terminalSafe(message)}\n`);
}

/** Opens `--out FILE` (or stdout) and resolves once everything written is flushed. */
export function openOutput(io: CliIO, file: string | undefined) {
  if (!file || file === '-') {
    return { stream: io.stdout, close: () => Promise.resolve() };
  }
  const stream = createWriteStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return {
    stream,
    opened,
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      }),
  };
}
