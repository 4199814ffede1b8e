import { parseArgs } from 'node:util';
import { terminalSafe } from '../core/text.js';
import { severityLabel } from '../core/severity.js';
import type { Detection } from '../detect/types.js';
import { runDetectionTests } from '../detect/index.js';
import { buildContext, isOnByDefault } from '../scan/context.js';
import { applyEnv, flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';

const RULES_FLAGS: FlagSpec[] = [
  {
    name: 'rules',
    type: 'string',
    multiple: true,
    value: 'DIR',
    help: 'also load detections or Sigma rules from DIR',
    env: true,
  },
  { name: 'no-builtin', type: 'boolean', help: 'leave out the built-in detections' },
  { name: 'format', type: 'string', short: 'f', value: 'F', help: 'list: table (default) or json' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const RULES_USAGE = `Usage: vigil rules list [options]   print the detection catalogue
       vigil rules test [options]   run every detection's test cases

Options:
${flagHelp(RULES_FLAGS)}`;

function listRow(d: Detection, enabled: boolean) {
  return {
    id: d.id,
    title: d.title,
    type: d.type,
    severity: d.severity,
    severityLabel: severityLabel(d.severity),
    maturity: d.maturity,
    enabled,
    source: d.source,
    origin: d.origin,
    mitre: d.mitre,
    aggregate: d.aggregate?.kind ?? null,
    tests: d.tests.length,
    file: d.file,
  };
}

function table(rows: ReturnType<typeof listRow>[]): string {
  const cols: [string, (r: ReturnType<typeof listRow>) => string][] = [
    ['ID', (r) => r.id],
    ['SEVERITY', (r) => `${r.severityLabel} ${r.severity.toFixed(1)}`],
    ['MATURITY', (r) => (r.enabled ? r.maturity : `${r.maturity} (off)`)],
    ['TYPE', (r) => r.type],
    ['TITLE', (r) => r.title],
  ];
  const cells = rows.map((r) => cols.map(([, get]) => terminalSafe(get(r))));
  const widths = cols.map(([h], i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const line = (values: string[]) =>
    values.map((v, i) => (i === values.length - 1 ? v : v.slice(0, widths[i]).padEnd(widths[i]!))).join('  ');
  return [line(cols.map(([h]) => h)), ...cells.map(line)].join('\n');
}

export async function rulesCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const parsed = parseArgs({
    args: rest,
    options: toParseArgsOptions(RULES_FLAGS),
    allowPositionals: false,
    strict: true,
  });
  if (parsed.values.help || sub === undefined || sub === 'help') {
    io.stdout.write(`${RULES_USAGE}\n`);
    return sub === undefined ? EXIT.ERROR : EXIT.OK;
  }
  const v = applyEnv(RULES_FLAGS, parsed.values, io.env);
  const ctx = buildContext(
    {
      ruleDirs: (v.rules as string[] | undefined) ?? [],
      builtin: !v['no-builtin'],
      experimental: true,
      threatIntel: [],
    },
    { tests: true },
  );
  for (const p of ctx.ruleProblems) complain(io, `rule not loaded: ${p.file}: ${p.reason}`);

  if (sub === 'list') {
    const rows = ctx.detections.map((d) => listRow(d, isOnByDefault(d)));
    const format = (v.format as string | undefined) ?? 'table';
    if (format === 'json') io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (format === 'table') io.stdout.write(`${table(rows)}\n`);
    else throw new UsageError(`unknown --format "${format}" for rules list: use table or json`);
    complain(
      io,
      `${rows.length} detection(s): ${rows.filter((r) => r.enabled).length} on by default, ` +
        `${rows.filter((r) => !r.enabled).length} built-in experimental (off unless --experimental)` +
        (ctx.ruleProblems.length ? `; ${ctx.ruleProblems.length} not loaded` : ''),
    );
    return EXIT.OK;
  }
  if (sub === 'test') {
    // Test cases run with fixed lookups (a known threat list, the shipped AWS ranges), not the user's.
    const results = runDetectionTests(ctx.detections.filter((d) => d.origin !== 'sigma'));
    let failed = 0;
    for (const r of results) {
      if (!r.ok) failed++;
      io.stdout.write(
        `${r.ok ? 'PASS' : 'FAIL'}  ${terminalSafe(r.id)}  ${terminalSafe(r.name)}${r.ok ? '' : `: ${terminalSafe(r.message)}`}\n`,
      );
    }
    const notLoaded = ctx.ruleProblems.length;
    complain(
      io,
      `${results.length - failed} passed, ${failed} failed` +
        (notLoaded ? `; ${notLoaded} detection file(s) not loaded (see above): their cases did not run` : ''),
    );
    return failed || ctx.ruleProblems.length ? EXIT.ERROR : EXIT.OK;
  }
  throw new UsageError(`unknown rules command "${sub}": use list or test`);
}
