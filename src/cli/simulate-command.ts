import { parseArgs } from 'node:util';
import { simulate } from '../simulate/simulate.js';
import { SCALES } from '../simulate/scale.js';
import { flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { EXIT, UsageError, type CliIO } from './io.js';
import { parseTime } from './time.js';

const SIMULATE_FLAGS: FlagSpec[] = [
  {
    name: 'out',
    type: 'string',
    short: 'o',
    value: 'DIR',
    help: 'write the logs, labels.json and the lists here',
  },
  { name: 'days', type: 'string', value: 'N', help: 'days of activity, 2-90 (default 21)' },
  {
    name: 'seed',
    type: 'string',
    value: 'S',
    help: 'random seed: the same seed gives identical files (default acme)',
  },
  {
    name: 'scale',
    type: 'string',
    value: 'small|medium',
    help: 'how busy the organisation is (default medium)',
  },
  { name: 'start', type: 'string', value: 'DATE', help: 'first day, UTC (default 2026-11-02)' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const SIMULATE_USAGE = `Usage: vigil simulate --out DIR [options]

Writes a labelled evaluation set: weeks of a small organisation's benign AWS activity with attack
scenarios injected, as CloudTrail, VPC Flow Logs and Route 53 Resolver query logs in AWS's S3 layouts,
plus labels.json (each scenario's records, actors and time range), threat-list.txt, threat-domains.txt
and tor-exit-list.txt. Scan it with vigil scan DIR; npm run eval scores the result.

Options:
${flagHelp(SIMULATE_FLAGS)}`;

export async function simulateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: toParseArgsOptions(SIMULATE_FLAGS),
    allowPositionals: true,
    strict: true,
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.help) {
    io.stdout.write(`${SIMULATE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError(`simulate takes no arguments, found "${positionals[0]}"`);
  const out = v.out as string | undefined;
  if (!out) throw new UsageError('simulate needs --out DIR');
  const days = Number(v.days ?? 21);
  if (!Number.isInteger(days) || days < 2 || days > 90)
    throw new UsageError(`--days must be a whole number from 2 to 90, not "${String(v.days)}"`);
  const scale = (v.scale ?? 'medium') as string;
  if (!(scale in SCALES)) throw new UsageError(`--scale must be small or medium, not "${scale}"`);
  let startMs: number | undefined;
  if (v.start !== undefined) {
    const t = parseTime(v.start as string, io.now());
    startMs = Math.floor(t / 86_400_000) * 86_400_000;
  }
  const began = io.now();
  const { labels, counts } = simulate({
    out,
    days,
    seed: (v.seed as string | undefined) ?? 'acme',
    scale: scale as keyof typeof SCALES,
    ...(startMs !== undefined ? { startMs } : {}),
  });
  const t = labels.totals;
  io.stderr.write(
    `vigil: ${t.records} records (${t.cloudtrail} CloudTrail, ${t.vpcflow} flow, ${t.dns} DNS; ${t.malicious} malicious in ${labels.scenarios.length} scenarios) in ${counts.files} files, ${((io.now() - began) / 1000).toFixed(1)} s -> ${out}\n`,
  );
  return EXIT.OK;
}
