import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { parseDuration } from '../detect/duration.js';
import { formatProblem } from '../core/errors.js';
import { parseSeverity } from '../core/severity.js';
import { terminalSafe } from '../core/text.js';
import type { Finding } from '../core/finding.js';
import { runScan } from '../scan/scan.js';
import { buildContext } from '../scan/context.js';
import { FINDING_FORMATS, writeFindings, type FindingFormat } from '../findings/index.js';
import { openFindingStore, type FindingStore } from '../store/index.js';
import { existsSync, statSync } from 'node:fs';
import { applyEnv, flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, openOutput, UsageError, type CliIO } from './io.js';
import { createProgress } from './progress.js';
import { parseTime } from './time.js';

/** Problem lines printed per input file; the rest are counted. */
const PROBLEMS_SHOWN_PER_FILE = 10;

export const SCAN_FLAGS: FlagSpec[] = [
  {
    name: 'rules',
    type: 'string',
    multiple: true,
    value: 'DIR',
    help: 'also load detections or Sigma rules from DIR (repeatable)',
    env: true,
  },
  { name: 'no-builtin', type: 'boolean', help: 'do not load the built-in detections' },
  { name: 'experimental', type: 'boolean', help: 'also run detections marked experimental', env: true },
  {
    name: 'threat-intel',
    type: 'string',
    multiple: true,
    value: 'FILE',
    help: 'threat list of IPs, CIDRs and domains: TXT, STIX 2.x JSON or CSV (repeatable)',
    env: true,
  },
  {
    name: 'trusted-ips',
    type: 'string',
    multiple: true,
    value: 'FILE',
    help: 'trusted IP list: its addresses never match a threat list (repeatable)',
    env: true,
  },
  {
    name: 'aws-ip-ranges',
    type: 'string',
    value: 'FILE',
    help: 'AWS ip-ranges.json (default: the shipped snapshot)',
    env: true,
  },
  {
    name: 'geo-db',
    type: 'string',
    value: 'FILE',
    help: 'MaxMind country or city database, e.g. GeoLite2-City.mmdb (default: bundled DB-IP Lite)',
    env: true,
  },
  {
    name: 'asn-db',
    type: 'string',
    value: 'FILE',
    help: 'MaxMind ASN database, e.g. GeoLite2-ASN.mmdb (default: bundled ip-location-db table)',
    env: true,
  },
  {
    name: 'tor-exits',
    type: 'string',
    value: 'FILE',
    help: 'Tor exit list: the bulk exit list or one address per line',
    env: true,
  },
  {
    name: 'baselines',
    type: 'boolean',
    help: "learn each principal's normal behaviour and report AnomalousBehavior (needs days of history)",
    env: true,
  },
  {
    name: 'no-sequences',
    type: 'boolean',
    help: 'do not chain findings of one actor into AttackSequence findings',
  },
  {
    name: 'sequence-window',
    type: 'string',
    value: 'D',
    help: 'span of one attack sequence, by event time (default 24h)',
  },
  {
    name: 'baseline-learning-days',
    type: 'string',
    value: 'N',
    help: 'days a principal is only learned from before its baseline can fire (default 7)',
    env: true,
  },
  {
    name: 'baseline-sensitivity',
    type: 'string',
    value: 'S',
    help: 'from 0 (fewest AnomalousBehavior findings) to 1 (most); default 0.5',
    env: true,
  },
  {
    name: 'since',
    type: 'string',
    value: 'T',
    help: 'only events at or after T (ISO time, or 24h, 7d before now)',
  },
  { name: 'until', type: 'string', value: 'T', help: 'only events before T' },
  {
    name: 'min-severity',
    type: 'string',
    value: 'L',
    help: 'report findings at or above L (low, medium, high, critical or 1-10)',
    env: true,
  },
  {
    name: 'format',
    type: 'string',
    short: 'f',
    value: 'F',
    help: `output format: ${FINDING_FORMATS.join('|')} (default table)`,
    env: true,
  },
  {
    name: 'aws-account',
    type: 'string',
    value: 'ID',
    help: 'asff: the account to import into, for findings without one',
    env: true,
  },
  { name: 'out', type: 'string', short: 'o', value: 'FILE', help: 'write results to FILE instead of stdout' },
  {
    name: 'db',
    type: 'string',
    value: 'FILE',
    help: 'also store findings in this SQLite file (idempotent)',
    env: true,
  },
  {
    name: 'fail-on',
    type: 'string',
    value: 'L',
    help: 'exit 3 when a finding at or above L is reported',
    env: true,
  },
  {
    name: 'workers',
    type: 'string',
    value: 'N',
    help: 'threads that read and evaluate, the main thread included (default: one per core; 0 or 1 = main thread only)',
    env: true,
  },
  {
    name: 'quiet',
    type: 'boolean',
    short: 'q',
    help: 'no progress on stderr (errors and the summary still print)',
  },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const SCAN_USAGE = `Usage: vigil scan PATH... [options]

Hunts through CloudTrail logs: files ({"Records":[...]}, .json.gz, .jsonl/.ndjson, EventBridge events),
folders in AWS's S3 layout, or - for standard input. Results go to stdout, progress and errors to stderr.

Options:
${flagHelp(SCAN_FLAGS)}

Exit codes: 0 done (no finding at or above --fail-on), 1 error, 3 findings at or above --fail-on.`;

function parseWorkers(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64)
    throw new UsageError(`--workers must be a whole number from 0 to 64, not "${value}"`);
  return n;
}

function numberFlag(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${flag} must be a number from ${min} to ${max}, not "${value}"`);
  return n;
}

function parseFormat(value: string | undefined): FindingFormat {
  const format = value ?? 'table';
  if (!(FINDING_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown --format "${format}": use one of ${FINDING_FORMATS.join(', ')}`);
  }
  return format as FindingFormat;
}

function severityFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSeverity(value);
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`);
  }
}

function timeFlag(flag: string, value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTime(value, now);
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`);
  }
}

export async function scanCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs({
    args: argv,
    options: toParseArgsOptions(SCAN_FLAGS),
    allowPositionals: true,
    strict: true,
  });
  if (parsed.values.help) {
    io.stdout.write(`${SCAN_USAGE}\n`);
    return EXIT.OK;
  }
  const v = applyEnv(SCAN_FLAGS, parsed.values, io.env);
  const paths = parsed.positionals;
  if (!paths.length)
    throw new UsageError('scan needs at least one PATH (a file, a folder, or - for standard input)');
  const now = io.now();
  const format = parseFormat(v.format as string | undefined);
  const minSeverity = severityFlag('min-severity', v['min-severity'] as string | undefined) ?? 0;
  const failOn = severityFlag('fail-on', v['fail-on'] as string | undefined);
  const since = timeFlag('since', v.since as string | undefined, now);
  const until = timeFlag('until', v.until as string | undefined, now);
  if (since !== undefined && until !== undefined && since >= until)
    throw new UsageError('--since must be before --until');
  const workers = parseWorkers(v.workers as string | undefined);
  const learningDays = numberFlag(
    'baseline-learning-days',
    v['baseline-learning-days'] as string | undefined,
    0,
    365,
  );
  const sensitivity = numberFlag(
    'baseline-sensitivity',
    v['baseline-sensitivity'] as string | undefined,
    0,
    1,
  );
  if (!v.baselines && (learningDays !== undefined || sensitivity !== undefined))
    throw new UsageError('--baseline-learning-days and --baseline-sensitivity need --baselines');
  const sequenceWindow = v['sequence-window'] as string | undefined;
  const sequenceWindowMs = sequenceWindow === undefined ? undefined : parseDuration(sequenceWindow);
  if (sequenceWindow !== undefined && (sequenceWindowMs === undefined || sequenceWindowMs <= 0))
    throw new UsageError(`--sequence-window must be a duration such as 12h or 2d, not "${sequenceWindow}"`);
  if (v['no-sequences'] && sequenceWindow !== undefined)
    throw new UsageError('--sequence-window and --no-sequences cannot be used together');
  const awsAccount = v['aws-account'] as string | undefined;
  if (awsAccount !== undefined && !/^\d{12}$/.test(awsAccount)) {
    throw new UsageError(`--aws-account must be a 12-digit AWS account id, not "${awsAccount}"`);
  }

  // What the user named must exist: a mistyped --rules folder or PATH is an error (exit 1), not a
  // quiet scan of nothing. The other paths are still scanned.
  const ruleDirs = (v.rules as string[] | undefined) ?? [];
  for (const dir of ruleDirs) {
    if (!isDirectory(dir)) throw new UsageError(`--rules ${dir}: no such folder`);
  }
  const missing = paths.filter((p) => p !== '-' && !existsSync(p));
  for (const p of missing) complain(io, `${p}: VIGIL_INPUT_UNREADABLE: no such file or folder`);
  if (missing.length === paths.length) return EXIT.ERROR;

  // The store is opened before the scan so a bad --db fails at once, not after a long scan.
  let store: FindingStore | undefined;
  if (v.db) {
    try {
      store = openFindingStore(v.db as string);
    } catch (err) {
      complain(io, `cannot open --db ${String(v.db)}: ${(err as Error).message}`);
      return EXIT.ERROR;
    }
  }
  try {
    return await scanAndReport();
  } finally {
    store?.close();
  }

  async function scanAndReport(): Promise<number> {
    const output = openOutput(io, v.out as string | undefined);
    if ('opened' in output) {
      try {
        await output.opened;
      } catch (err) {
        complain(io, `cannot write --out ${String(v.out)}: ${(err as Error).message}`);
        return EXIT.ERROR;
      }
    }
    // Rules first: their problems are reported before a long scan starts, and a scan with nothing to run
    // does not start at all.
    const scanOptions = {
      paths: paths.filter((p) => !missing.includes(p)),
      ruleDirs,
      builtin: !v['no-builtin'],
      experimental: Boolean(v.experimental),
      threatIntel: [
        ...((v['threat-intel'] as string[] | undefined) ?? []),
        ...((v['trusted-ips'] as string[] | undefined) ?? []).map((path) => ({
          path,
          kind: 'trusted' as const,
        })),
      ],
      awsIpRanges: v['aws-ip-ranges'] as string | undefined,
      geo: { countryDb: v['geo-db'] as string | undefined, asnDb: v['asn-db'] as string | undefined },
      torExits: v['tor-exits'] as string | undefined,
      since,
      until,
      workers,
      sequences: v['no-sequences']
        ? (false as const)
        : sequenceWindowMs !== undefined
          ? { windowMs: sequenceWindowMs }
          : undefined,
      baselines: v.baselines
        ? {
            ...(learningDays !== undefined ? { learningDays } : {}),
            ...(sensitivity !== undefined ? { sensitivity } : {}),
          }
        : (false as const),
    };
    const context = buildContext(scanOptions);
    for (const p of context.ruleProblems) complain(io, `rule not loaded: ${p.file}: ${p.reason}`);
    for (const p of context.intelProblems) complain(io, formatProblem(p));
    if (context.detections.length === 0) {
      complain(io, 'no detections loaded: nothing to scan for');
      await output.close();
      return EXIT.ERROR;
    }
    const problemsPerFile = new Map<string, number>();
    const progress = createProgress(io.stderr, { quiet: Boolean(v.quiet), now: io.now });
    const result = await runScan(
      scanOptions,
      {
        onProblem: (p) => {
          // A file that is not a log at all would print a line per line of it: the first few are enough.
          const n = (problemsPerFile.get(p.file) ?? 0) + 1;
          problemsPerFile.set(p.file, n);
          if (n <= PROBLEMS_SHOWN_PER_FILE) progress.line(`vigil: ${terminalSafe(formatProblem(p))}`);
        },
        onDetectionError: (e) =>
          progress.line(
            `vigil: detection ${e.detectionId} failed on event ${e.eventId ?? '-'}: ${terminalSafe(e.message)}`,
          ),
        onProgress: (p) => progress.update(p),
      },
      { stdin: io.stdin, context },
    );
    progress.done();
    for (const [file, n] of problemsPerFile) {
      if (n > PROBLEMS_SHOWN_PER_FILE)
        complain(io, `${file}: ${n - PROBLEMS_SHOWN_PER_FILE} more problem(s) in this file not shown`);
    }

    const reported = result.findings.filter((f) => f.severity >= minSeverity).sort(bySeverityThenTime);
    if (format === 'asff' && !awsAccount && reported.some((f) => !/^\d{12}$/.test(f.accountId))) {
      complain(io, 'some findings have no AWS account id and ASFF requires one: give --aws-account ID');
      await output.close();
      return EXIT.ERROR;
    }
    await writeFindings(format, reported, output.stream, {
      ...(awsAccount ? { accountId: awsAccount } : {}),
      color: format === 'table' && Boolean(io.stdout.isTTY) && !v.out && !io.env.NO_COLOR,
    });
    await output.close();

    store?.upsertMany(reported.map((f) => ({ finding: f, eventIds: f.evidence.eventIds })));

    const p = result.progress;
    complain(
      io,
      `scanned ${p.filesDone} file(s), ${p.records} record(s); skipped ${p.skipped} bad record(s)` +
        (result.filesSkipped ? `, ${result.filesSkipped} file(s) that are not CloudTrail logs` : '') +
        (result.filtered ? `, ${result.filtered} outside --since/--until` : '') +
        (result.noData ? `, ${result.noData} flow log record(s) without data (NODATA/SKIPDATA)` : '') +
        `; ${result.problems} input problem(s); ${context.detections.length} detection(s) run` +
        (context.ruleProblems.length ? `, ${context.ruleProblems.length} rule(s) not loaded` : '') +
        (result.baselinePrincipals !== undefined
          ? `; baselines for ${result.baselinePrincipals} principal(s)`
          : '') +
        `; ${reported.length} finding(s)` +
        (Object.keys(result.detectionErrors).length
          ? `; detection errors: ${Object.entries(result.detectionErrors)
              .map(([id, n]) => `${id} ${n}`)
              .join(', ')}`
          : ''),
    );
    if (missing.length) return EXIT.ERROR;
    if (failOn !== undefined && result.findings.some((f) => f.severity >= failOn)) return EXIT.FINDINGS;
    return EXIT.OK;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function bySeverityThenTime(a: Finding, b: Finding): number {
  return b.severity - a.severity || a.firstSeen.localeCompare(b.firstSeen) || a.id.localeCompare(b.id);
}
