import { parseArgs } from 'node:util';
import {
  AuditLogError,
  auditLogFile,
  openAuditLog,
  type AuditRecord,
  type AuditVerifyOptions,
} from '../audit/index.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { terminalSafe } from '../core/text.js';
import { flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';

/**
 * `vigil audit`'s exit codes. Scripts read verify's code as a verdict, so "could not check" (a wrong
 * command line, no audit database) is 2 and never reads as "the chain is broken" (1).
 */
export const AUDIT_EXIT = { OK: EXIT.OK, BROKEN: EXIT.ERROR, USAGE: 2 } as const;

const SOURCE_FLAGS: FlagSpec[] = [
  { name: 'db', type: 'string', value: 'FILE', help: 'the audit database (default: beside the findings db)' },
  {
    name: 'config',
    type: 'string',
    short: 'c',
    value: 'FILE',
    help: 'vigil.yaml of `vigil serve`: its audit database is <store.sqlite base>-audit.db',
  },
];

const VERIFY_FLAGS: FlagSpec[] = [
  ...SOURCE_FLAGS,
  {
    name: 'expect-hash',
    type: 'string',
    value: 'A',
    help: 'an anchor printed by an earlier verify: SEQ:HEX (that row must still carry HEX) or HEX (the last hash)',
  },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

const LIST_FLAGS: FlagSpec[] = [
  ...SOURCE_FLAGS,
  { name: 'limit', type: 'string', short: 'n', value: 'N', help: 'the newest N rows (default 50, 0: all)' },
  { name: 'kind', type: 'string', value: 'K', help: 'only rows of this kind (e.g. response.action)' },
  { name: 'subject', type: 'string', value: 'S', help: 'only rows about this subject (a run, finding, …)' },
  { name: 'format', type: 'string', short: 'f', value: 'F', help: 'table (default) or jsonl' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const AUDIT_USAGE = `Usage: vigil audit verify [--db FILE | --config FILE] [--expect-hash SEQ:HEX]
       vigil audit list [--db FILE | --config FILE] [--limit N] [--kind K] [--format table|jsonl]

The audit log records every response action and user action, each row hash-chained to the one before.
verify walks the whole chain and names the first row that was changed, deleted, inserted or reordered.
Rows cut from the end leave a shorter valid chain: record the anchor verify prints somewhere else and
pass it back with --expect-hash to detect that too.

verify options:
${flagHelp(VERIFY_FLAGS)}

list options:
${flagHelp(LIST_FLAGS)}

Exit codes: 0 the chain verifies, 1 it is broken (the row is named on stderr), 2 usage error or no audit log.`;

/** The audit database: --db as given, else the one `vigil serve` keeps beside its findings database. */
function auditFile(values: { db?: string; config?: string }, io: CliIO): string {
  if (values.db !== undefined && values.config !== undefined)
    throw new UsageError('give either --db or --config, not both');
  if (values.db !== undefined) return values.db;
  return auditLogFile(loadConfig(values.config ?? io.env.VIGIL_CONFIG, io.env).store.sqlite);
}

function parseAnchor(text: string): AuditVerifyOptions {
  const m = /^(?:(\d+):)?([0-9a-fA-F]{64})$/.exec(text);
  if (!m || m[1] === '0')
    throw new UsageError(`--expect-hash must be SEQ:HEX or HEX (64 hexadecimal digits), not "${text}"`);
  return m[1] === undefined
    ? { expectLastHash: m[2]! }
    : { anchor: { seq: Number.parseInt(m[1], 10), hash: m[2]! } };
}

/** JSON with the characters that could drive a terminal escaped too, as \\u escapes (still valid JSON). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
function jsonLine(record: AuditRecord): string {
  return JSON.stringify(record).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const DATA_WIDTH = 160;
function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function tableLines(records: AuditRecord[]): string[] {
  const header = ['SEQ', 'TIME', 'KIND', 'ACTOR', 'SUBJECT', 'DATA'];
  const rows = records.map((r) => [
    String(r.seq),
    r.ts,
    r.kind,
    r.actor,
    r.subject ?? '-',
    JSON.stringify(r.data),
  ]);
  // Escaped first, so widths are those of what is printed.
  const cells = [header, ...rows].map((row) =>
    row.map((c, i) => fit(terminalSafe(c), i === 5 ? DATA_WIDTH : 64)),
  );
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function parse(flags: FlagSpec[], argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: toParseArgsOptions(flags),
      allowPositionals: false,
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function verify(argv: string[], io: CliIO): number {
  const values = parse(VERIFY_FLAGS, argv);
  if (values.help) {
    io.stdout.write(`${AUDIT_USAGE}\n`);
    return AUDIT_EXIT.OK;
  }
  const expect = values['expect-hash'] as string | undefined;
  const options = expect === undefined ? {} : parseAnchor(expect);
  const file = auditFile(values as { db?: string; config?: string }, io);
  const log = openAuditLog(file, { readonly: true });
  try {
    const result = log.verify(options);
    if (!result.ok) {
      const p = result.problem!;
      complain(io, `audit row ${p.seq}: ${p.reason}`);
      complain(io, `${file}: the audit chain does not verify`);
      return AUDIT_EXIT.BROKEN;
    }
    if (result.rows === 0) {
      io.stdout.write(`audit log ok: ${file} is empty\n`);
      return AUDIT_EXIT.OK;
    }
    const anchor = `${result.lastSeq}:${result.lastHash}`;
    io.stdout.write(`audit log ok: ${result.rows} rows, anchor ${anchor}\n`);
    complain(
      io,
      `record the anchor outside this machine; --expect-hash ${anchor} later detects rows cut from the end`,
    );
    return AUDIT_EXIT.OK;
  } finally {
    log.close();
  }
}

function list(argv: string[], io: CliIO): number {
  const values = parse(LIST_FLAGS, argv);
  if (values.help) {
    io.stdout.write(`${AUDIT_USAGE}\n`);
    return AUDIT_EXIT.OK;
  }
  const format = (values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'jsonl')
    throw new UsageError(`unknown --format "${format}": use table or jsonl`);
  const limitText = (values.limit as string | undefined) ?? '50';
  if (!/^\d{1,9}$/.test(limitText))
    throw new UsageError(`--limit must be a whole number (0: all), not "${limitText}"`);
  const limit = Number(limitText);
  const file = auditFile(values as { db?: string; config?: string }, io);
  const log = openAuditLog(file, { readonly: true });
  try {
    const filter = {
      ...(values.kind !== undefined ? { kind: values.kind as string } : {}),
      ...(values.subject !== undefined ? { subject: values.subject as string } : {}),
    };
    // The newest `limit` rows, printed oldest first; or every row, page by page.
    let records: AuditRecord[];
    if (limit > 0) {
      records = [];
      let before: number | undefined;
      while (records.length < limit) {
        const page = log.list({
          ...filter,
          order: 'desc',
          limit: Math.min(limit - records.length, 1000),
          ...(before ? { before } : {}),
        });
        records.push(...page);
        if (page.length === 0) break;
        before = page[page.length - 1]!.seq;
      }
      records.reverse();
    } else {
      records = [];
      for (let after = 0; ;) {
        const page = log.list({ ...filter, after, limit: 1000 });
        if (page.length === 0) break;
        records.push(...page);
        after = page[page.length - 1]!.seq;
      }
    }
    const lines = format === 'jsonl' ? records.map(jsonLine) : records.length ? tableLines(records) : [];
    if (lines.length) io.stdout.write(`${lines.join('\n')}\n`);
    return AUDIT_EXIT.OK;
  } finally {
    log.close();
  }
}

/** `vigil audit verify|list`. Usage errors and a missing audit log end with 2, a broken chain with 1. */
export async function auditCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
      io.stdout.write(`${AUDIT_USAGE}\n`);
      return sub === undefined ? AUDIT_EXIT.USAGE : AUDIT_EXIT.OK;
    }
    if (sub === 'verify') return verify(rest, io);
    if (sub === 'list') return list(rest, io);
    throw new UsageError(`unknown audit command "${sub}": use verify or list`);
  } catch (err) {
    if (err instanceof UsageError) {
      complain(io, `${err.message} (see vigil audit --help)`);
      return AUDIT_EXIT.USAGE;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`vigil: ${terminalSafe(err.message).replace(/\\n/g, '\n')}\n`);
      return AUDIT_EXIT.USAGE;
    }
    if (err instanceof AuditLogError) {
      complain(io, err.message);
      return AUDIT_EXIT.USAGE;
    }
    throw err;
  }
}
