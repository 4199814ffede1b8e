import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { terminalSafe } from '../core/text.js';
import {
  EvidenceFileError,
  isExpired,
  loadEvidence,
  newEvidenceId,
  parseExpiry,
  saveEvidence,
  type EvidenceNote,
} from '../posture/evidence.js';
import {
  builtinFrameworksDir,
  evaluate,
  FRAMEWORK_IDS,
  FrameworkFileError,
  isFrameworkId,
  loadBuiltinFramework,
  type FrameworkEvaluation,
  type FrameworkId,
} from '../posture/frameworks.js';
import {
  buildReport,
  renderChecksHtml,
  renderFrameworkHtml,
  renderJson,
  type PostureReport,
} from '../posture/report/index.js';
import { isSeverity, runChecks, severityAtLeast } from '../posture/run.js';
import { loadSnapshot, SnapshotError } from '../posture/snapshot.js';
import type { Check, PostureSnapshot } from '../posture/types.js';
import { flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';

/**
 * `vigil posture check` exit codes: 0 nothing failed, 3 some check failed on some resource (as `vigil scan`
 * uses 3 for findings), 1 an error — including a check that threw, because then the verdict is incomplete
 * and must not read as clean or as an ordinary failure — and 2 a wrong command line.
 */
export const POSTURE_EXIT = { OK: EXIT.OK, ERROR: EXIT.ERROR, USAGE: 2, FAIL: EXIT.FINDINGS } as const;

export interface PostureCheckDeps {
  /** The checks to run (the lead wires ALL_CHECKS; tests pass fixtures). */
  checks: readonly Check[];
  loadSnapshot?: (path: string) => Promise<PostureSnapshot>;
  /** Where the framework mapping files are (default: the repository's `frameworks/`). */
  frameworksDir?: string;
}

const CHECK_FLAGS: FlagSpec[] = [
  {
    name: 'framework',
    type: 'string',
    value: 'F',
    help: `evaluate a framework: ${FRAMEWORK_IDS.join(', ')} or all (comma-separated for several)`,
  },
  { name: 'format', type: 'string', short: 'f', value: 'F', help: 'table (default), json or html' },
  {
    name: 'out',
    type: 'string',
    short: 'o',
    value: 'PATH',
    help: 'write to a file (a folder for html with several frameworks) instead of stdout',
  },
  {
    name: 'evidence',
    type: 'string',
    value: 'FILE',
    help: 'evidence notes for manual controls (see posture evidence)',
  },
  {
    name: 'checks',
    type: 'string',
    multiple: true,
    value: 'IDS',
    help: 'run only these checks (comma-separated)',
  },
  {
    name: 'severity',
    type: 'string',
    value: 'L',
    help: 'run only checks at or above LOW, MEDIUM, HIGH or CRITICAL',
  },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const POSTURE_CHECK_USAGE = `Usage: vigil posture check SNAPSHOT [--framework ID|all] [--format table|json|html] [--out PATH]
                           [--evidence FILE] [--checks IDS] [--severity LEVEL]

Runs the posture checks over a snapshot written by \`vigil posture collect\`. With --framework, each
control of the framework is reported as PASS, FAIL, PARTIAL (automated checks pass; remaining evidence
needed), UNKNOWN (no data), or MANUAL awaiting / with evidence. A control without a check is never
reported as compliant.

Options:
${flagHelp(CHECK_FLAGS)}

Exit codes: 0 no check failed, 3 a check failed, 1 an error (a check that could not run included),
2 usage error.`;

function parse(flags: FlagSpec[], argv: string[], positionals: boolean) {
  try {
    return parseArgs({
      args: argv,
      options: toParseArgsOptions(flags),
      allowPositionals: positionals,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function splitList(values: unknown): string[] {
  const list = Array.isArray(values) ? values : values === undefined ? [] : [values];
  return list
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

function frameworksOf(value: string | undefined): FrameworkId[] {
  if (value === undefined) return [];
  const ids = splitList(value);
  if (ids.includes('all')) return [...FRAMEWORK_IDS];
  for (const id of ids)
    if (!isFrameworkId(id))
      throw new UsageError(`unknown --framework "${id}": use ${FRAMEWORK_IDS.join(', ')} or all`);
  return [...new Set(ids as FrameworkId[])];
}

function selectChecks(all: readonly Check[], ids: string[], severity: string | undefined): Check[] {
  const known = new Set(all.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`unknown check id(s) in --checks: ${unknown.join(', ')}`);
  if (severity !== undefined && !isSeverity(severity.toUpperCase()))
    throw new UsageError(`--severity must be LOW, MEDIUM, HIGH or CRITICAL, not "${severity}"`);
  const min = severity?.toUpperCase();
  return all.filter(
    (c) =>
      (!ids.length || ids.includes(c.id)) &&
      (min === undefined || severityAtLeast(c.severity, min as Check['severity'])),
  );
}

/** `vigil posture check`: returns the exit code; never throws for expected problems. */
export async function postureCheckCommand(
  argv: string[],
  io: CliIO,
  deps: PostureCheckDeps,
): Promise<number> {
  try {
    return await check(argv, io, deps);
  } catch (err) {
    if (err instanceof UsageError) {
      complain(io, `${err.message} (see vigil posture check --help)`);
      return POSTURE_EXIT.USAGE;
    }
    if (
      err instanceof SnapshotError ||
      err instanceof FrameworkFileError ||
      err instanceof EvidenceFileError
    ) {
      complain(io, err.message);
      return POSTURE_EXIT.ERROR;
    }
    complain(io, `error: ${err instanceof Error ? err.message : String(err)}`);
    return POSTURE_EXIT.ERROR;
  }
}

async function check(argv: string[], io: CliIO, deps: PostureCheckDeps): Promise<number> {
  const { values: v, positionals } = parse(CHECK_FLAGS, argv, true);
  if (v.help) {
    io.stdout.write(`${POSTURE_CHECK_USAGE}\n`);
    return POSTURE_EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one SNAPSHOT file');
  const format = (v.format as string | undefined) ?? 'table';
  if (!['table', 'json', 'html'].includes(format))
    throw new UsageError(`unknown --format "${format}": use table, json or html`);
  const frameworks = frameworksOf(v.framework as string | undefined);
  const checks = selectChecks(deps.checks, splitList(v.checks), v.severity as string | undefined);
  const out = v.out as string | undefined;
  if (format === 'html' && frameworks.length > 1 && (out === undefined || out === '-'))
    throw new UsageError('html for several frameworks writes one page each: give --out FOLDER');

  const snapshot = await (deps.loadSnapshot ?? loadSnapshot)(positionals[0]!);
  const evidence = v.evidence === undefined ? [] : loadEvidence(v.evidence as string);
  const dir = deps.frameworksDir ?? builtinFrameworksDir();
  const now = io.now();

  const results = runChecks(snapshot, checks);
  const ran = checks.map((c) => c.id);
  const evaluations: FrameworkEvaluation[] = frameworks.map((id) =>
    evaluate(loadBuiltinFramework(id, dir), results, evidence, now, { checksRun: ran }),
  );
  const report = buildReport({ snapshot, checks, results, evaluations, now });
  for (const w of report.warnings) complain(io, `warning: ${w}`);
  for (const r of results.filter((x) => x.status === 'ERROR')) complain(io, r.message);

  if (format === 'json') write(io, out, 'posture-report.json', renderJson(report));
  else if (format === 'html') writeHtml(io, out, report, frameworks);
  else write(io, out, 'posture-report.txt', tableText(report, frameworks.length > 0));

  if (report.checks.summary.ERROR > 0) return POSTURE_EXIT.ERROR;
  return report.checks.summary.FAIL > 0 ? POSTURE_EXIT.FAIL : POSTURE_EXIT.OK;
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** To stdout, to `out`, or into `out` when it is a folder (then under `name`). */
function write(io: CliIO, out: string | undefined, name: string, text: string): void {
  if (out === undefined || out === '-') {
    io.stdout.write(text);
    return;
  }
  writeFileSync(isDir(out) ? join(out, name) : out, text, 'utf8');
}

function writeHtml(
  io: CliIO,
  out: string | undefined,
  report: PostureReport,
  frameworks: FrameworkId[],
): void {
  if (frameworks.length <= 1) {
    const page = frameworks.length ? renderFrameworkHtml(report, frameworks[0]!) : renderChecksHtml(report);
    write(io, out, frameworks.length ? `posture-${frameworks[0]!}.html` : 'posture-checks.html', page);
    return;
  }
  mkdirSync(out!, { recursive: true });
  writeFileSync(join(out!, 'posture-checks.html'), renderChecksHtml(report), 'utf8');
  for (const id of frameworks)
    writeFileSync(join(out!, `posture-${id}.html`), renderFrameworkHtml(report, id), 'utf8');
  io.stderr.write(`wrote ${frameworks.length + 1} reports to ${terminalSafe(out!)}\n`);
}

const CELL = 72;
function cell(text: string, width = CELL): string {
  const safe = terminalSafe(text);
  return safe.length <= width ? safe : `${safe.slice(0, width - 1)}…`;
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The table: everything printed passes through terminalSafe (resource names come from AWS). */
export function tableText(report: PostureReport, withFrameworks: boolean): string {
  const lines: string[] = [];
  const s = report.checks.summary;
  if (!withFrameworks) {
    const rows = [['STATUS', 'SEVERITY', 'CHECK', 'PASS', 'FAIL', 'TITLE']];
    for (const c of report.checks.items)
      rows.push([c.status, c.severity, c.id, String(c.counts.PASS), String(c.counts.FAIL), cell(c.title)]);
    lines.push(columns(rows), '');
    for (const c of report.checks.items) {
      for (const r of c.results.filter((x) => x.status !== 'PASS'))
        lines.push(`${r.status} ${c.id} ${cell(r.accountId, 20)} ${cell(r.message, 200)}`);
    }
  }
  for (const fw of report.frameworks) {
    const sum = fw.summary;
    lines.push(
      `${cell(fw.framework.name)} (${cell(fw.framework.version)}): ${sum.controls} controls, ${sum.automated} with automated checks ` +
        `(${Math.round(sum.coverage * 100)}%); FAIL ${sum.statuses.FAIL}, PASS ${sum.statuses.PASS}, ` +
        `PARTIAL ${sum.statuses.PARTIAL}, UNKNOWN ${sum.statuses.UNKNOWN}, ` +
        `MANUAL-AWAITING ${sum.statuses['MANUAL-AWAITING']}, MANUAL-EVIDENCED ${sum.statuses['MANUAL-EVIDENCED']}`,
    );
    const rows = [['CONTROL', 'STATUS', 'COVERAGE', 'TITLE']];
    for (const c of fw.controls) rows.push([cell(c.id, 24), c.status, c.coverage, cell(c.title)]);
    lines.push(columns(rows));
    for (const c of fw.controls.filter((x) => x.status === 'FAIL')) {
      for (const r of c.failing) lines.push(`  ${cell(c.id, 24)} ${r.checkId}: ${cell(r.message, 200)}`);
    }
    lines.push('');
  }
  lines.push(
    `${s.checks} checks, ${s.results} results: ${s.FAIL} fail, ${s.PASS} pass, ${s.UNKNOWN} unknown, ${s.ERROR} error`,
  );
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// vigil posture evidence add|list|remove

const FILE_FLAG: FlagSpec = {
  name: 'evidence',
  type: 'string',
  value: 'FILE',
  help: 'the evidence file (default: $VIGIL_POSTURE_EVIDENCE or posture-evidence.json)',
};
const ADD_FLAGS: FlagSpec[] = [
  FILE_FLAG,
  { name: 'framework', type: 'string', value: 'F', help: `framework id: ${FRAMEWORK_IDS.join(', ')}` },
  {
    name: 'control',
    type: 'string',
    value: 'C',
    help: 'control id as in the framework file (e.g. CC6.1, A.5.1)',
  },
  { name: 'note', type: 'string', value: 'TEXT', help: 'what the evidence is and where it is kept' },
  { name: 'by', type: 'string', value: 'NAME', help: 'who vouches for it (default: $USER)' },
  {
    name: 'expires',
    type: 'string',
    value: 'DATE',
    help: 'when it stops counting: YYYY-MM-DD or an ISO time',
  },
  { name: 'attachment', type: 'string', value: 'NAME', help: 'name of the supporting document' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];
const LIST_FLAGS: FlagSpec[] = [
  FILE_FLAG,
  { name: 'framework', type: 'string', value: 'F', help: 'only notes for this framework' },
  { name: 'format', type: 'string', short: 'f', value: 'F', help: 'table (default) or json' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];
const REMOVE_FLAGS: FlagSpec[] = [
  FILE_FLAG,
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const POSTURE_EVIDENCE_USAGE = `Usage: vigil posture evidence add --framework F --control C --note TEXT --expires DATE [--by NAME]
                                  [--attachment NAME] [--evidence FILE]
       vigil posture evidence list [--framework F] [--format table|json] [--evidence FILE]
       vigil posture evidence remove ID [--evidence FILE]

Evidence notes let a person vouch for a control no check can decide. Expired notes are ignored (with a
warning) by \`vigil posture check --evidence FILE\`.

add options:
${flagHelp(ADD_FLAGS)}

list options:
${flagHelp(LIST_FLAGS)}

Exit codes: 0 done, 1 error, 2 usage error.`;

function evidenceFile(value: unknown, io: CliIO): string {
  return (value as string | undefined) ?? io.env.VIGIL_POSTURE_EVIDENCE ?? 'posture-evidence.json';
}

export interface PostureEvidenceDeps {
  frameworksDir?: string;
}

export async function postureEvidenceCommand(
  argv: string[],
  io: CliIO,
  deps: PostureEvidenceDeps = {},
): Promise<number> {
  try {
    return evidence(argv, io, deps);
  } catch (err) {
    if (err instanceof UsageError) {
      complain(io, `${err.message} (see vigil posture evidence --help)`);
      return POSTURE_EXIT.USAGE;
    }
    complain(io, err instanceof Error ? err.message : String(err));
    return POSTURE_EXIT.ERROR;
  }
}

function evidence(argv: string[], io: CliIO, deps: PostureEvidenceDeps): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(`${POSTURE_EVIDENCE_USAGE}\n`);
    return sub === undefined ? POSTURE_EXIT.USAGE : POSTURE_EXIT.OK;
  }
  if (sub === 'add') return add(rest, io, deps);
  if (sub === 'list') return list(rest, io);
  if (sub === 'remove') return remove(rest, io);
  throw new UsageError(`unknown evidence command "${sub}": use add, list or remove`);
}

function add(argv: string[], io: CliIO, deps: PostureEvidenceDeps): number {
  const { values: v } = parse(ADD_FLAGS, argv, false);
  if (v.help) {
    io.stdout.write(`${POSTURE_EVIDENCE_USAGE}\n`);
    return POSTURE_EXIT.OK;
  }
  const need = (name: string) => {
    const value = (v as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value.trim() === '')
      throw new UsageError(`evidence add needs --${name}`);
    return value.trim();
  };
  const framework = need('framework');
  if (!isFrameworkId(framework))
    throw new UsageError(`unknown --framework "${framework}": use ${FRAMEWORK_IDS.join(', ')}`);
  const control = need('control');
  const note = need('note');
  const expiresText = need('expires');
  const expires = parseExpiry(expiresText);
  if (!expires) throw new UsageError(`--expires must be YYYY-MM-DD or an ISO time, not "${expiresText}"`);
  const by = (v.by as string | undefined)?.trim() || io.env.USER;
  if (!by) throw new UsageError('evidence add needs --by (no $USER to default to)');
  const now = io.now();
  if (Date.parse(expires) <= now) throw new UsageError(`--expires ${expiresText} is already past`);
  const fw = loadBuiltinFramework(framework, deps.frameworksDir);
  if (!fw.controls.some((c) => c.id === control))
    throw new UsageError(`${framework} has no control "${control}" (see frameworks/${framework}.yaml)`);

  const file = evidenceFile(v.evidence, io);
  const notes = loadEvidence(file, { missingOk: true });
  const entry: EvidenceNote = {
    id: newEvidenceId(),
    framework,
    control,
    note,
    by,
    addedAt: new Date(now).toISOString(),
    expires,
    ...(typeof v.attachment === 'string' && v.attachment.trim() ? { attachment: v.attachment.trim() } : {}),
  };
  saveEvidence(file, [...notes, entry]);
  io.stdout.write(`${entry.id}\n`);
  return POSTURE_EXIT.OK;
}

function list(argv: string[], io: CliIO): number {
  const { values: v } = parse(LIST_FLAGS, argv, false);
  if (v.help) {
    io.stdout.write(`${POSTURE_EVIDENCE_USAGE}\n`);
    return POSTURE_EXIT.OK;
  }
  const format = (v.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`unknown --format "${format}": use table or json`);
  const framework = v.framework as string | undefined;
  const notes = loadEvidence(evidenceFile(v.evidence, io), { missingOk: true }).filter(
    (n) => framework === undefined || n.framework === framework,
  );
  const now = io.now();
  if (format === 'json') {
    io.stdout.write(
      `${JSON.stringify(
        notes.map((n) => ({ ...n, expired: isExpired(n, now) })),
        null,
        2,
      )}\n`,
    );
    return POSTURE_EXIT.OK;
  }
  const rows = [['ID', 'FRAMEWORK', 'CONTROL', 'BY', 'EXPIRES', 'NOTE']];
  for (const n of notes)
    rows.push([
      n.id,
      cell(n.framework, 16),
      cell(n.control, 24),
      cell(n.by, 24),
      `${n.expires}${isExpired(n, now) ? ' (expired)' : ''}`,
      cell(n.attachment ? `${n.note} [${n.attachment}]` : n.note),
    ]);
  io.stdout.write(`${columns(rows)}\n`);
  return POSTURE_EXIT.OK;
}

function remove(argv: string[], io: CliIO): number {
  const { values: v, positionals } = parse(REMOVE_FLAGS, argv, true);
  if (v.help) {
    io.stdout.write(`${POSTURE_EVIDENCE_USAGE}\n`);
    return POSTURE_EXIT.OK;
  }
  if (positionals.length !== 1) throw new UsageError('evidence remove needs exactly one ID');
  const file = evidenceFile(v.evidence, io);
  const notes = loadEvidence(file);
  const kept = notes.filter((n) => n.id !== positionals[0]);
  if (kept.length === notes.length) {
    complain(io, `${file}: no evidence note with id ${positionals[0]!}`);
    return POSTURE_EXIT.ERROR;
  }
  saveEvidence(file, kept);
  return POSTURE_EXIT.OK;
}
