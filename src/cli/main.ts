import { readFileSync } from 'node:fs';
import { terminalSafe } from '../core/text.js';
import { complain, defaultIO, EXIT, UsageError, type CliIO } from './io.js';

const USAGE = `Vigil: security monitoring for AWS.

Usage:
  vigil scan PATH... [options]    hunt through CloudTrail logs (vigil scan --help)
  vigil serve [--config FILE]     run continuously: sources, alerts, HTTP ingest (vigil serve --help)
  vigil rules list|test           the detection catalogue and its tests (vigil rules --help)
  vigil simulate --out DIR        write labelled evaluation logs with attacks injected (vigil simulate --help)
  vigil route test --pattern P --event E
                                  does an EventBridge pattern match an event? ({"Result": true|false})
  vigil audit verify|list         check the hash-chained audit log, or print it (vigil audit --help)
  vigil respond run|approve|reject|undo|list|kill-switch
                                  response playbooks by hand (vigil respond --help)
  vigil posture collect|check|evidence
                                  account hardening and compliance frameworks (vigil posture --help)
  vigil trail verify PATH --public-keys FILE
                                  CloudTrail log file integrity, offline (vigil trail --help)
  vigil deploy [--estimate] [cdk args...]
                                  deploy to AWS with the CDK app, or print the monthly cost (vigil deploy --help)
  vigil version

Exit codes: 0 done, 1 error (vigil audit verify: the chain is broken; 2: it could not check),
3 findings at or above --fail-on, 4 vigil respond: a step awaits approval.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Runs one command and returns its exit code; only `bin/vigil.js` touches the process. Each command's
 * module is loaded when it runs: `vigil scan` does not load the AWS SDK clients of posture and response
 * (tens of megabytes of code a scan never runs).
 */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return await (await import('./scan-command.js')).scanCommand(rest, io);
      case 'rules':
        return await (await import('./rules-command.js')).rulesCommand(rest, io);
      case 'route':
        return await (await import('./route-command.js')).routeCommand(rest, io);
      case 'serve':
        return await (await import('./serve-command.js')).serveCommand(rest, io);
      case 'simulate':
        return await (await import('./simulate-command.js')).simulateCommand(rest, io);
      case 'audit':
        return await (await import('./audit-command.js')).auditCommand(rest, io);
      case 'respond':
        return await (await import('./respond-command.js')).respondCommand(rest, io);
      case 'trail':
        return await (await import('./trail-command.js')).trailCommand(rest, io);
      case 'posture':
        return await (await import('./posture-command.js')).postureCommand(rest, io);
      case 'deploy':
        return await (await import('./deploy-command.js')).deployCommand(rest, io);
      case 'version':
      case '--version':
        io.stdout.write(`vigil ${version()}\n`);
        return EXIT.OK;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.ERROR : EXIT.OK;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      complain(io, `${(err as Error).message} (see vigil --help)`);
      return EXIT.ERROR;
    }
    complain(io, `error: ${terminalSafe(err instanceof Error ? err.message : String(err))}`);
    if (io.env.VIGIL_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT.ERROR;
  }
}
