import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { terminalSafe } from '../core/text.js';
import { parsePublicKeys, TrailKeyError, type TrailPublicKey } from '../posture/trail/keys.js';
import { TrailLayoutError, verifyTrail, type TrailReport } from '../posture/trail/verify.js';
import { flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';
import { parseTime } from './time.js';

/** Like `vigil audit verify`: 1 is a verdict (something failed), 2 means it could not check. */
export const TRAIL_EXIT = { OK: EXIT.OK, INVALID: EXIT.ERROR, USAGE: 2 } as const;

const FLAGS: FlagSpec[] = [
  {
    name: 'public-keys',
    type: 'string',
    multiple: true,
    value: 'FILE',
    help: 'output of aws cloudtrail list-public-keys (repeat for each region of a multi-region trail)',
  },
  { name: 'start-time', type: 'string', value: 'T', help: 'check digests delivered from T (ISO time or 7d)' },
  { name: 'end-time', type: 'string', value: 'T', help: 'check digests delivered until T (ISO time or 1h)' },
  { name: 'format', type: 'string', short: 'f', value: 'F', help: 'table (default) or json' },
  { name: 'verbose', type: 'boolean', short: 'v', help: 'list valid files too, not only problems' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const TRAIL_USAGE = `Usage: vigil trail verify PATH --public-keys FILE [--start-time T] [--end-time T] [--format table|json]

Validates CloudTrail log file integrity offline, as aws cloudtrail validate-logs does: PATH is a folder a
trail's bucket was synced to (it holds AWSLogs/<account>/CloudTrail-Digest/...). Each digest's RSA signature
is checked with CloudTrail's public key for its time, each link of the digest chain, and the SHA-256 of
every log file a digest lists. A sync loses a digest's signature (S3 metadata): save it beside each digest
as <digest>.metadata.json (aws s3api head-object --bucket B --key K) or <digest>.sig (the hex signature).

Options:
${flagHelp(FLAGS)}

Exit codes: 0 every digest and log file is valid, 1 something is invalid, missing or deleted,
2 usage error or nothing could be read.`;

/** JSON with the characters that could drive a terminal escaped too, as \\u escapes (still valid JSON). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const where = (bucket: string | undefined, key: string) =>
  terminalSafe(bucket ? `s3://${bucket}/${key}` : key);

function ratio(valid: number, total: number, name: string): string {
  const line = `${valid}/${total} ${name} files valid`;
  return valid === total ? line : `${line}, ${total - valid}/${total} ${name} files INVALID`;
}

/** The per-file lines and summary of `aws cloudtrail validate-logs`, every field made terminal-safe. */
function tableLines(report: TrailReport, verbose: boolean): string[] {
  const lines: string[] = [];
  for (const d of report.digests) {
    if (d.status === 'valid' && !verbose) continue;
    const verdict = d.status === 'valid' ? 'valid' : `INVALID (${d.status}): ${terminalSafe(d.reason ?? '')}`;
    lines.push(`Digest file\t${where(d.bucket, d.key)}\t${verdict}`);
  }
  for (const l of report.logFiles) {
    if (l.status === 'valid' && !verbose) continue;
    const verdict = l.status === 'valid' ? 'valid' : `INVALID (${l.status}): ${terminalSafe(l.reason ?? '')}`;
    lines.push(`Log file\t${where(l.bucket, l.key)}\t${verdict}`);
  }
  for (const g of report.gaps)
    lines.push(
      `No log files were delivered by CloudTrail between ${terminalSafe(g.from ?? '?')} and ${terminalSafe(g.to)} (chain restarts)`,
    );
  for (const u of report.unreferenced)
    lines.push(
      `Warning: log file ${terminalSafe(u.file)} is listed by no digest in range: added, or its digest is invalid`,
    );
  if (lines.length) lines.push('');
  const { start, end } = report.requested;
  lines.push(`Results requested for ${start ?? 'the first digest'} to ${end ?? 'the last digest'}`);
  if (report.digests.length === 0) {
    lines.push('No digests found');
    return lines;
  }
  lines.push(
    report.found
      ? `Results found for ${terminalSafe(report.found.start)} to ${terminalSafe(report.found.end)}:`
      : 'No valid digests found in range',
  );
  lines.push('');
  const digestsValid = report.digests.filter((d) => d.status === 'valid').length;
  const logsValid = report.logFiles.filter((l) => l.status === 'valid').length;
  lines.push(ratio(digestsValid, report.digests.length, 'digest'));
  if (report.logFiles.length) lines.push(ratio(logsValid, report.logFiles.length, 'log'));
  if (report.unreferenced.length)
    lines.push(`${report.unreferenced.length} log files not listed by any digest (warning)`);
  return lines;
}

function readKeys(files: string[]): TrailPublicKey[] {
  const keys: TrailPublicKey[] = [];
  for (const file of files) {
    try {
      keys.push(...parsePublicKeys(readFileSync(file, 'utf8')));
    } catch (err) {
      const reason = err instanceof TrailKeyError ? err.message : (err as Error).message;
      throw new UsageError(`--public-keys ${file}: ${reason}`);
    }
  }
  if (!keys.length) throw new UsageError('the public keys files list no key');
  return keys;
}

async function verify(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: toParseArgsOptions(FLAGS),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) {
    io.stdout.write(`${TRAIL_USAGE}\n`);
    return TRAIL_EXIT.OK;
  }
  if (parsed.positionals.length !== 1)
    throw new UsageError('give one PATH: the folder the bucket was synced to');
  const root = parsed.positionals[0]!;
  if (/^s3:\/\//i.test(root))
    throw new UsageError(
      'PATH is a local folder: sync the bucket first (aws s3 sync s3://BUCKET/AWSLogs ./AWSLogs)',
    );
  const keyFiles = (values['public-keys'] as string[] | undefined) ?? [];
  if (!keyFiles.length)
    throw new UsageError('--public-keys FILE is required (aws cloudtrail list-public-keys > FILE)');
  const format = (values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`unknown --format "${format}": use table or json`);
  const time = (flag: string) => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return undefined;
    try {
      return parseTime(text, io.now());
    } catch (err) {
      throw new UsageError(`--${flag}: ${(err as Error).message}`);
    }
  };
  const startTime = time('start-time');
  const endTime = time('end-time');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime)
    throw new UsageError('--start-time must not be after --end-time');

  const publicKeys = readKeys(keyFiles);
  let report: TrailReport;
  try {
    report = await verifyTrail({
      root,
      publicKeys,
      ...(startTime !== undefined ? { startTime } : {}),
      ...(endTime !== undefined ? { endTime } : {}),
    });
  } catch (err) {
    if (err instanceof TrailLayoutError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      complain(io, (err as Error).message);
      return TRAIL_EXIT.USAGE;
    }
    throw err;
  }
  if (format === 'json') io.stdout.write(`${safeJson(report)}\n`);
  else io.stdout.write(`${tableLines(report, values.verbose === true).join('\n')}\n`);
  if (report.digests.length === 0)
    complain(io, `no digest files in range under ${root}: nothing vouches for these logs`);
  return report.ok ? TRAIL_EXIT.OK : TRAIL_EXIT.INVALID;
}

/** `vigil trail verify`. */
export async function trailCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
      io.stdout.write(`${TRAIL_USAGE}\n`);
      return sub === undefined ? TRAIL_EXIT.USAGE : TRAIL_EXIT.OK;
    }
    if (sub === 'verify') return await verify(rest, io);
    throw new UsageError(`unknown trail command "${sub}": use verify`);
  } catch (err) {
    if (err instanceof UsageError) {
      complain(io, `${err.message} (see vigil trail --help)`);
      return TRAIL_EXIT.USAGE;
    }
    throw err;
  }
}
