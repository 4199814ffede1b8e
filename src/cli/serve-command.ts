import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { startServe } from '../serve/serve.js';
import { terminalSafe } from '../core/text.js';
import { complain, EXIT, type CliIO } from './io.js';

export const SERVE_USAGE = `Usage: vigil serve [--config vigil.yaml]

Runs Vigil continuously: sources, detection, findings (SQLite), routing and alerts, and an HTTP server
with /healthz, /metrics and the ingest endpoints. Without --config: the embedded defaults. See
vigil.example.yaml for every key; environment variables override file values.`;

/** Runs until SIGINT or SIGTERM (or `until` resolves, for tests), then stops cleanly. */
export async function serveCommand(
  argv: string[],
  io: CliIO,
  until: Promise<void> = new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  }),
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return EXIT.OK;
  }
  let config;
  try {
    config = loadConfig(values.config ?? io.env.VIGIL_CONFIG, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`vigil: ${terminalSafe(err.message).replace(/\\n/g, '\n')}\n`);
      return EXIT.ERROR;
    }
    throw err;
  }
  const running = await startServe(config, {
    env: io.env,
    fetch: globalThis.fetch,
    // Problem lines quote attacker-controlled record text: terminal-safe, one line each.
    log: (line) => io.stderr.write(`${terminalSafe(line.replace(/\n$/, ''))}\n`),
  });
  complain(
    io,
    `serving on ${running.url}: dashboard ${running.url}/ (user admin), API ${running.url}/api/openapi.json, ` +
      `health ${running.url}/healthz, metrics ${running.url}/metrics`,
  );
  await until;
  complain(io, 'stopping');
  await running.stop();
  return EXIT.OK;
}
