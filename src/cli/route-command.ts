import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { JsonSyntaxError, parseJsonText } from '../router/json-text.js';
import { compilePattern, PatternError } from '../router/index.js';
import { flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';

const ROUTE_FLAGS: FlagSpec[] = [
  {
    name: 'pattern',
    type: 'string',
    short: 'p',
    value: 'P',
    help: 'EventBridge event pattern: JSON text or @FILE',
  },
  { name: 'event', type: 'string', short: 'e', value: 'E', help: 'event to test: JSON text or @FILE' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const ROUTE_USAGE = `Usage: vigil route test --pattern P --event E
  Tests an EventBridge event pattern against one event (like aws events test-event-pattern):
  prints {"Result": true} or {"Result": false}.

Options:
${flagHelp(ROUTE_FLAGS)}`;

/** `@path` reads the file; anything else is the JSON text itself. */
async function textOf(flag: string, value: string): Promise<string> {
  if (!value.startsWith('@')) return value;
  try {
    return await readFile(value.slice(1), 'utf8');
  } catch (err) {
    throw new InputError(`--${flag}: cannot read ${value.slice(1)}: ${(err as Error).message}`);
  }
}

class InputError extends Error {}

export async function routeCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const parsed = parseArgs({
    args: rest,
    options: toParseArgsOptions(ROUTE_FLAGS),
    allowPositionals: false,
    strict: true,
  });
  if (parsed.values.help || sub === undefined || sub === 'help') {
    io.stdout.write(`${ROUTE_USAGE}\n`);
    return sub === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (sub !== 'test') throw new UsageError(`unknown route command "${sub}": use test`);
  const { pattern, event } = parsed.values as { pattern?: string; event?: string };
  if (pattern === undefined || event === undefined) {
    throw new UsageError('route test needs --pattern and --event');
  }
  try {
    const compiled = compilePattern(await textOf('pattern', pattern));
    const eventText = await textOf('event', event);
    let eventNode;
    try {
      eventNode = parseJsonText(eventText);
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw new InputError(`--event is not valid JSON: ${err.message}`);
      throw err;
    }
    if (eventNode.kind !== 'object')
      throw new InputError(`--event must be a JSON object, found a ${eventNode.kind}`);
    const result = compiled.matches(eventText);
    io.stdout.write(`${JSON.stringify({ Result: result })}\n`);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof PatternError) {
      complain(io, `invalid --pattern: ${err.message}`);
      return EXIT.ERROR;
    }
    if (err instanceof InputError) {
      complain(io, err.message);
      return EXIT.ERROR;
    }
    throw err;
  }
}
