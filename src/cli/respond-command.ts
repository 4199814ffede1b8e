import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { auditLogFile, openAuditLog } from '../audit/index.js';
import { ConfigError, loadConfig } from '../config/load.js';
import type { VigilConfig } from '../config/schema.js';
import { terminalSafe } from '../core/text.js';
import { createSecretResolver } from '../notify/secrets.js';
import {
  actionRegistry,
  ALL_ACTIONS,
  compilePlaybooks,
  createResponseSystem,
  ResponseError,
  type Playbook,
  type RunView,
} from '../respond/index.js';
import type { ActionRow, RunStatus } from '../respond/store.js';
import type { ClientFactory } from '../respond/types.js';
import { openFindingStore } from '../store/index.js';
import { flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';

/**
 * `vigil respond`'s exit codes. A script that runs a playbook must tell "it ran" (0) from "it did not
 * change what it should have" (1) and from "a person has to approve it first" (4).
 */
export const RESPOND_EXIT = { OK: EXIT.OK, FAILED: EXIT.ERROR, USAGE: 2, AWAITING_APPROVAL: 4 } as const;

/** What the command takes from outside besides its I/O (tests: mocked AWS clients). */
export interface RespondDeps {
  /** AWS clients for the actions; default: local credentials, AssumeRole for `respond.accounts`. */
  clients?: ClientFactory;
  /** For the `webhook` action; default: the global fetch. */
  fetch?: typeof fetch;
  /** How long to wait for a run another process (`vigil serve`) is working; default 2 minutes. */
  settleMs?: number;
}

const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  type: 'string',
  short: 'c',
  value: 'FILE',
  help: 'vigil.yaml of `vigil serve` (its findings, responses and audit databases) [env VIGIL_CONFIG]',
};
const FORMAT_FLAG: FlagSpec = {
  name: 'format',
  type: 'string',
  short: 'f',
  value: 'F',
  help: 'table (default) or json',
};
const HELP_FLAG: FlagSpec = { name: 'help', type: 'boolean', short: 'h', help: 'show this help' };

const RUN_FLAGS: FlagSpec[] = [
  {
    name: 'finding',
    type: 'string',
    value: 'ID',
    help: 'the finding to respond to (from the findings store)',
  },
  { name: 'dry-run', type: 'boolean', help: 'plan only, change nothing (wins over --live and the playbook)' },
  { name: 'live', type: 'boolean', help: 'act in AWS even if the playbook says dryRun (the default)' },
  { name: 'approve', type: 'boolean', help: 'approve, as yourself, the steps that need an approval' },
  CONFIG_FLAG,
  FORMAT_FLAG,
  HELP_FLAG,
];
const DECIDE_FLAGS: FlagSpec[] = [
  { name: 'reason', type: 'string', value: 'TEXT', help: 'reject: why (recorded in the audit log)' },
  CONFIG_FLAG,
  FORMAT_FLAG,
  HELP_FLAG,
];
const LIST_FLAGS: FlagSpec[] = [
  { name: 'runs', type: 'boolean', help: 'recent runs with their actions (the default)' },
  { name: 'playbooks', type: 'boolean', help: 'the configured playbooks: trigger, mode, steps' },
  { name: 'actions', type: 'boolean', help: 'the action catalogue with the IAM permissions each needs' },
  { name: 'status', type: 'string', value: 'S', help: 'runs: only those in this status' },
  { name: 'limit', type: 'string', short: 'n', value: 'N', help: 'runs: the newest N (default 20)' },
  CONFIG_FLAG,
  FORMAT_FLAG,
  HELP_FLAG,
];
const PLAIN_FLAGS: FlagSpec[] = [CONFIG_FLAG, FORMAT_FLAG, HELP_FLAG];

export const RESPOND_USAGE = `Usage: vigil respond run PLAYBOOK --finding ID [--dry-run | --live] [--approve]
       vigil respond approve ACTION_ID
       vigil respond reject ACTION_ID [--reason TEXT]
       vigil respond undo ACTION_ID
       vigil respond list [--runs | --playbooks | --actions] [--status S] [--limit N]
       vigil respond kill-switch [on|off]
Every command takes --config FILE (the vigil.yaml of \`vigil serve\`: the same findings, responses and
audit databases) and --format table|json.

run: runs a playbook for a stored finding now, as a dry run (its plan) unless the playbook says
dryRun: false or --live is given; --dry-run always wins. Steps that need an approval stop the run as
awaiting-approval: approve them with --approve, with \`vigil respond approve\`, or in the dashboard. Runs
and decisions are recorded under your OS user name as cli:<user>, every action in the audit log.
\`notify\` steps need the outbox of \`vigil serve\`: they fail when a run is worked here.

run options:
${flagHelp(RUN_FLAGS)}

approve: approves a step awaiting approval and works its run at once; reject: refuses it.
undo: runs the recorded undo of a succeeded action (reactivates the key, detaches the policy, ...).
list options:
${flagHelp(LIST_FLAGS.slice(0, 5))}
kill-switch: shows it, or turns it on (no live action runs, here or in \`vigil serve\`) or off.

Exit codes: 0 done (run: succeeded or planned), 1 failed, blocked, rejected, expired or rate-limited,
2 usage error or bad config, 4 a step awaits approval.`;

const RUN_STATUSES: readonly RunStatus[] = [
  'planned',
  'queued',
  'running',
  'awaiting-approval',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'rate-limited',
  'blocked',
];

/** Who decides from this shell: `cli:` and the OS user (the audit log's actor). */
export function cliUser(env: NodeJS.ProcessEnv): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (containers): the login variables are all there is.
  }
  return `cli:${name || env.USER || env.LOGNAME || 'unknown'}`;
}

function parse(flags: FlagSpec[], argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: toParseArgsOptions(flags),
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function formatOf(values: Record<string, unknown>): 'table' | 'json' {
  const format = (values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`unknown --format "${format}": use table or json`);
  return format;
}

/** Exactly `n` positionals, named in the message when missing. */
function positionals(got: string[], names: string[], command: string): string[] {
  if (got.length !== names.length)
    throw new UsageError(
      `respond ${command} takes ${names.length ? names.join(' ') : 'no arguments'}` +
        (got.length > names.length ? `, not "${got.slice(names.length).join(' ')}"` : ''),
    );
  return got;
}

/** JSON with the characters that could drive a terminal escaped too, as \\u escapes (still valid JSON). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
function writeJson(io: CliIO, value: unknown): void {
  const text = JSON.stringify(value, null, 2).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  io.stdout.write(`${text}\n`);
}

/** Aligned columns; every cell escaped first, so widths are those of what is printed. */
function table(header: string[], rows: string[][], indent = ''): string[] {
  const cells = [header, ...rows].map((row) => row.map((c) => terminalSafe(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map(
    (row) =>
      indent +
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

/** What an action came to in one cell: its result once run, its error, else its plan. */
function resultOf(a: ActionRow): string {
  if (a.outcome) return a.outcome.summary;
  if (a.error && a.status !== 'planned') return `${a.plan} ${a.error}`.trim();
  return a.plan;
}

function actionLines(actions: ActionRow[], indent = ''): string[] {
  return table(
    ['ACTION ID', 'STEP', 'ACTION', 'STATUS', 'REQUEST IDS', 'PLAN / RESULT'],
    actions.map((a) => [
      a.id,
      a.step,
      a.action,
      a.status,
      a.calls.flatMap((c) => (c.requestId ? [c.requestId] : [])).join(',') || '-',
      resultOf(a),
    ]),
    indent,
  );
}

function runHeading(v: RunView): string {
  const by = v.requestedBy ? ` by ${v.requestedBy}` : '';
  const message = v.message ? `: ${v.message}` : '';
  return terminalSafe(
    `run ${v.id}  ${v.playbook}  finding ${v.findingId}  ${v.mode}  ${v.status}${by}  ` +
      `${new Date(v.createdAt).toISOString()}${message}`,
  );
}

function runOut(v: RunView) {
  const { finding, ...rest } = v;
  return { ...rest, findingType: finding.type, findingTitle: finding.title };
}

function printRun(io: CliIO, format: 'table' | 'json', v: RunView): void {
  if (format === 'json') return writeJson(io, runOut(v));
  io.stdout.write(`${[runHeading(v), ...actionLines(v.actions)].join('\n')}\n`);
}

function exitOf(v: RunView): number {
  if (v.status === 'succeeded' || v.status === 'planned') return RESPOND_EXIT.OK;
  if (v.status === 'awaiting-approval') return RESPOND_EXIT.AWAITING_APPROVAL;
  return RESPOND_EXIT.FAILED;
}

/** The config, with its playbooks compiled first: a broken playbook is a config problem (exit 2). */
function load(values: Record<string, unknown>, io: CliIO): { config: VigilConfig; playbooks: Playbook[] } {
  const file = (values.config as string | undefined) ?? io.env.VIGIL_CONFIG;
  const config = loadConfig(file, io.env);
  const compiled = compilePlaybooks(
    config.respond,
    actionRegistry(),
    new Set(config.routes.map((r) => r.name)),
  );
  if (compiled.problems.length)
    throw new ConfigError(
      file ?? '(defaults)',
      compiled.problems.map((p) => `respond: ${p}`),
    );
  return { config, playbooks: compiled.playbooks };
}

/**
 * The response side of `vigil serve` over the same files: `<base>-responses.db` and the audit log
 * `<base>-audit.db` beside the findings database.
 */
function openSystem(config: VigilConfig, io: CliIO, deps: RespondDeps) {
  const dbFile = config.store.sqlite;
  mkdirSync(dirname(dbFile), { recursive: true });
  const audit = openAuditLog(auditLogFile(dbFile));
  try {
    const system = createResponseSystem(config.respond, `${dbFile.replace(/\.db$/, '')}-responses.db`, {
      routeNames: new Set(config.routes.map((r) => r.name)),
      audit,
      resolveSecret: createSecretResolver({ env: io.env, readFile: (p) => readFile(p, 'utf8') }),
      fetch: deps.fetch ?? globalThis.fetch,
      ...(deps.clients ? { clients: deps.clients } : {}),
      log: (line) => io.stderr.write(`${terminalSafe(line)}\n`),
    });
    return {
      ...system,
      close(): void {
        system.close();
        audit.close();
      },
    };
  } catch (err) {
    audit.close();
    throw err;
  }
}
type System = ReturnType<typeof openSystem>;

async function withSystem<T>(
  config: VigilConfig,
  io: CliIO,
  deps: RespondDeps,
  fn: (s: System) => Promise<T>,
): Promise<T> {
  const system = openSystem(config, io, deps);
  try {
    return await fn(system);
  } finally {
    system.close();
  }
}

/**
 * Works this run (after a decision) and waits while another process — `vigil serve`'s
 * executor — holds the run, so what is printed is where the run stopped, not a moment of it.
 */
async function settle(system: System, runId: string, io: CliIO, deps: RespondDeps): Promise<RunView> {
  await system.responder.processRun(runId);
  const deadline = io.now() + (deps.settleMs ?? 120_000);
  let v = system.responder.run(runId)!;
  while ((v.status === 'queued' || v.status === 'running') && io.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await system.responder.processRun(runId);
    v = system.responder.run(runId)!;
  }
  if (v.status === 'queued' || v.status === 'running')
    complain(io, `run ${runId} is still ${v.status} (another process is working it): see vigil respond list`);
  return v;
}

async function run(argv: string[], io: CliIO, deps: RespondDeps): Promise<number> {
  const { values, positionals: args } = parse(RUN_FLAGS, argv);
  if (values.help) return help(io);
  const [playbookId] = positionals(args, ['PLAYBOOK'], 'run');
  const findingId = values.finding as string | undefined;
  if (findingId === undefined) throw new UsageError('respond run needs --finding ID');
  const format = formatOf(values);
  const { config } = load(values, io);
  const dbFile = config.store.sqlite;
  if (!existsSync(dbFile)) {
    complain(io, `no finding ${findingId}: there is no findings database at ${dbFile} yet`);
    return RESPOND_EXIT.FAILED;
  }
  const findings = openFindingStore(dbFile);
  let finding;
  try {
    finding = findings.get(findingId);
  } finally {
    findings.close();
  }
  if (!finding) {
    complain(io, `no finding ${findingId} in ${dbFile}`);
    return RESPOND_EXIT.FAILED;
  }
  const user = cliUser(io.env);
  // --dry-run wins; --live overrides a dry-run playbook; neither: the playbook decides.
  const dryRun = values['dry-run'] ? true : values.live ? false : undefined;
  return withSystem(config, io, deps, async (system) => {
    if (!system.playbooks.some((p) => p.id === playbookId)) {
      const known = system.playbooks.map((p) => p.id).join(', ') || 'none';
      complain(io, `no playbook ${playbookId} in the config (configured: ${known})`);
      return RESPOND_EXIT.FAILED;
    }
    let v = await system.responder.runPlaybook(playbookId!, finding, {
      requestedBy: user,
      ...(dryRun !== undefined ? { dryRun } : {}),
    });
    // Each approval lets the run go on to its next step, which may need one too.
    while (values.approve && v.status === 'awaiting-approval') {
      const waiting = v.actions.find((a) => a.status === 'awaiting-approval');
      if (!waiting) break;
      system.responder.approve(waiting.id, user);
      v = await settle(system, v.id, io, deps);
    }
    printRun(io, format, v);
    if (v.status === 'awaiting-approval') {
      const waiting = v.actions.find((a) => a.status === 'awaiting-approval');
      if (waiting) complain(io, `step ${waiting.step} awaits approval: vigil respond approve ${waiting.id}`);
    }
    return exitOf(v);
  });
}

async function decide(
  decision: 'approve' | 'reject',
  argv: string[],
  io: CliIO,
  deps: RespondDeps,
): Promise<number> {
  const { values, positionals: args } = parse(DECIDE_FLAGS, argv);
  if (values.help) return help(io);
  const [actionId] = positionals(args, ['ACTION_ID'], decision);
  if (decision === 'approve' && values.reason !== undefined)
    throw new UsageError('--reason is for respond reject');
  const format = formatOf(values);
  const { config } = load(values, io);
  const user = cliUser(io.env);
  return withSystem(config, io, deps, async (system) => {
    const decided =
      decision === 'approve'
        ? system.responder.approve(actionId!, user)
        : system.responder.reject(actionId!, user, values.reason as string | undefined);
    const v = await settle(system, decided.id, io, deps);
    printRun(io, format, v);
    // A rejection that was recorded is the command done; an approval is done when the run went on.
    return decision === 'reject' ? RESPOND_EXIT.OK : exitOf(v);
  });
}

async function undo(argv: string[], io: CliIO, deps: RespondDeps): Promise<number> {
  const { values, positionals: args } = parse(PLAIN_FLAGS, argv);
  if (values.help) return help(io);
  const [actionId] = positionals(args, ['ACTION_ID'], 'undo');
  const format = formatOf(values);
  const { config } = load(values, io);
  return withSystem(config, io, deps, async (system) => {
    const done = await system.responder.undo(actionId!, cliUser(io.env));
    if (format === 'json') writeJson(io, done);
    else io.stdout.write(`${actionLines([done]).join('\n')}\n`);
    return done.status === 'succeeded' ? RESPOND_EXIT.OK : RESPOND_EXIT.FAILED;
  });
}

function triggerText(p: Playbook): string {
  return 'route' in p.trigger
    ? `route ${p.trigger.route}`
    : `pattern ${typeof p.trigger.pattern === 'string' ? p.trigger.pattern : JSON.stringify(p.trigger.pattern)}`;
}

function listPlaybooks(playbooks: Playbook[], io: CliIO, format: 'table' | 'json'): number {
  if (format === 'json') {
    writeJson(
      io,
      playbooks.map((p) => ({
        id: p.id,
        description: p.description,
        dryRun: p.dryRun,
        trigger: p.trigger,
        rateLimit: p.rateLimit,
        steps: p.steps.map((s) => ({ id: s.id, action: s.action.name, approval: s.approval })),
      })),
    );
    return RESPOND_EXIT.OK;
  }
  if (!playbooks.length) {
    complain(io, 'no playbooks configured (respond.playbooks, respond.playbookFiles)');
    return RESPOND_EXIT.OK;
  }
  const lines = table(
    ['PLAYBOOK', 'MODE', 'TRIGGER', 'STEPS'],
    playbooks.map((p) => [
      p.id,
      p.dryRun ? 'dry-run' : 'live',
      triggerText(p),
      p.steps
        .map((s) => `${s.id}=${s.action.name}${s.approval === 'required' ? ' (approval)' : ''}`)
        .join(', '),
    ]),
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  return RESPOND_EXIT.OK;
}

function listActions(io: CliIO, format: 'table' | 'json'): number {
  if (format === 'json') {
    writeJson(
      io,
      ALL_ACTIONS.map((a) => ({
        name: a.name,
        title: a.title,
        description: a.description,
        destructive: a.destructive,
        reversible: a.reversible,
        permissions: a.permissions,
      })),
    );
    return RESPOND_EXIT.OK;
  }
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = table(
    ['ACTION', 'DESTRUCTIVE', 'REVERSIBLE', 'IAM PERMISSIONS'],
    ALL_ACTIONS.map((a) => [a.name, yes(a.destructive), yes(a.reversible), a.permissions.join(', ') || '-']),
  );
  io.stdout.write(`${lines.join('\n')}\n`);
  return RESPOND_EXIT.OK;
}

async function list(argv: string[], io: CliIO, deps: RespondDeps): Promise<number> {
  const { values, positionals: args } = parse(LIST_FLAGS, argv);
  if (values.help) return help(io);
  positionals(args, [], 'list');
  const format = formatOf(values);
  const what = (['runs', 'playbooks', 'actions'] as const).filter((k) => values[k]);
  if (what.length > 1) throw new UsageError('give one of --runs, --playbooks, --actions');
  const status = values.status as string | undefined;
  if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus))
    throw new UsageError(`unknown --status "${status}": use one of ${RUN_STATUSES.join(', ')}`);
  const limitText = (values.limit as string | undefined) ?? '20';
  if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000)
    throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${limitText}"`);
  if ((what[0] ?? 'runs') !== 'runs' && (status !== undefined || values.limit !== undefined))
    throw new UsageError('--status and --limit are for --runs');
  if (what[0] === 'actions') return listActions(io, format);
  const { config, playbooks } = load(values, io);
  if (what[0] === 'playbooks') return listPlaybooks(playbooks, io, format);
  return withSystem(config, io, deps, async (system) => {
    const runs: RunView[] = system.store
      .listRuns({ limit: Number(limitText), ...(status ? { status } : {}) })
      .map((r) => ({ ...r, actions: system.store.actionsOf(r.id) }));
    if (format === 'json') writeJson(io, runs.map(runOut));
    else if (runs.length)
      io.stdout.write(
        `${runs.flatMap((v) => [runHeading(v), ...actionLines(v.actions, '  ')]).join('\n')}\n`,
      );
    else complain(io, status ? `no ${status} runs` : 'no runs yet');
    return RESPOND_EXIT.OK;
  });
}

async function killSwitch(argv: string[], io: CliIO, deps: RespondDeps): Promise<number> {
  const { values, positionals: args } = parse(PLAIN_FLAGS, argv);
  if (values.help) return help(io);
  if (args.length > 1 || (args[0] !== undefined && args[0] !== 'on' && args[0] !== 'off'))
    throw new UsageError(`respond kill-switch takes on, off or nothing, not "${args.join(' ')}"`);
  const format = formatOf(values);
  const { config } = load(values, io);
  return withSystem(config, io, deps, async (system) => {
    if (args[0] !== undefined) system.responder.setKillSwitch(args[0] === 'on', cliUser(io.env));
    const s = system.responder.killSwitch();
    if (format === 'json') writeJson(io, s);
    else {
      const why = s.configured
        ? ' (respond.enabled is false in the config)'
        : s.by
          ? ` (set by ${s.by} at ${s.at})`
          : '';
      io.stdout.write(`${terminalSafe(`kill switch: ${s.on ? 'on' : 'off'}${why}`)}\n`);
    }
    if (args[0] === 'off' && s.configured) {
      complain(io, 'respond.enabled is false in the config: the kill switch stays on');
      return RESPOND_EXIT.FAILED;
    }
    return RESPOND_EXIT.OK;
  });
}

function help(io: CliIO): number {
  io.stdout.write(`${RESPOND_USAGE}\n`);
  return RESPOND_EXIT.OK;
}

/** `vigil respond run|approve|reject|undo|list|kill-switch` over the files of `vigil serve`. */
export async function respondCommand(argv: string[], io: CliIO, deps: RespondDeps = {}): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'run':
        return await run(rest, io, deps);
      case 'approve':
      case 'reject':
        return await decide(sub, rest, io, deps);
      case 'undo':
        return await undo(rest, io, deps);
      case 'list':
        return await list(rest, io, deps);
      case 'kill-switch':
        return await killSwitch(rest, io, deps);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        help(io);
        return sub === undefined ? RESPOND_EXIT.USAGE : RESPOND_EXIT.OK;
      default:
        throw new UsageError(
          `unknown respond command "${sub}": use run, approve, reject, undo, list or kill-switch`,
        );
    }
  } catch (err) {
    if (err instanceof UsageError) {
      complain(io, `${err.message} (see vigil respond --help)`);
      return RESPOND_EXIT.USAGE;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`vigil: ${terminalSafe(err.message).replace(/\\n/g, '\n')}\n`);
      return RESPOND_EXIT.USAGE;
    }
    if (err instanceof ResponseError) {
      complain(io, err.message);
      return RESPOND_EXIT.FAILED;
    }
    throw err;
  }
}
