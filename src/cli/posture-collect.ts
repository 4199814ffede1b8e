import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  clientFactoryFor,
  collectSnapshot,
  roleAccount,
  type CollectProgress,
  type CollectTarget,
} from '../posture/collect/index.js';
import { writeSnapshot } from '../posture/snapshot.js';
import type { PostureSnapshot } from '../posture/types.js';
import type { ClientFactory } from '../respond/types.js';
import { terminalSafe } from '../core/text.js';
import { flagHelp, toParseArgsOptions, type FlagSpec } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';

/** What the command takes from outside besides its I/O (tests: mocked AWS clients, instant waits). */
export interface PostureCollectDeps {
  /** SDK clients for the targets; default: local credentials, AssumeRole for accounts given by role. */
  clients?: (targets: CollectTarget[]) => ClientFactory;
  /** Vigil's version, recorded in the snapshot; default: package.json's. */
  version?: string;
  sleep?: (ms: number) => Promise<void>;
}

const FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', short: 'o', value: 'FILE', help: 'write the snapshot here (- : stdout)' },
  {
    name: 'regions',
    type: 'string',
    value: 'LIST',
    help: 'regions to read, comma-separated, or all (default: every region enabled in the account)',
  },
  {
    name: 'role-arn',
    type: 'string',
    multiple: true,
    value: 'ARN',
    help: 'read the account of this role by assuming it (repeatable)',
  },
  {
    name: 'external-id',
    type: 'string',
    multiple: true,
    value: 'ID',
    help: 'external ID for AssumeRole: one for every --role-arn, or one per --role-arn in order',
  },
  {
    name: 'accounts-file',
    type: 'string',
    value: 'FILE',
    help: 'YAML/JSON list of {accountId, roleArn, externalId} to read',
  },
  {
    name: 'self',
    type: 'boolean',
    help: "also read the credentials' own account (the default when no role is given)",
  },
  { name: 'concurrency', type: 'string', value: 'N', help: 'AWS calls in flight at once (default 8)' },
  { name: 'quiet', type: 'boolean', short: 'q', help: 'no progress on stderr' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const POSTURE_COLLECT_USAGE = `Usage: vigil posture collect --out FILE [--regions eu-west-1,us-east-1|all]
       [--role-arn ARN [--external-id ID]]... [--accounts-file FILE] [--self]

Reads a posture snapshot of AWS accounts with read-only calls (S3, IAM, CloudTrail, GuardDuty, Security
Hub, KMS, EC2/VPC, Config) and writes it as versioned JSON for \`vigil posture check\`. Without a role it
reads the account of the current AWS credentials; with --role-arn or --accounts-file it assumes each role
(with its external ID). The AWS managed policy SecurityAudit grants every permission it needs.
A call that fails (access denied, a region not enabled) is recorded in the snapshot's errors and the
collection goes on; the summary counts them by code.

Options:
${flagHelp(FLAGS)}

Exit codes: 0 written (possibly with collection errors), 1 nothing could be read or a usage error.`;

const accountsFileSchema = z.array(
  z
    .object({
      accountId: z
        .string()
        .regex(/^\d{12}$/, 'expected a 12-digit account id')
        .optional(),
      roleArn: z.string().optional(),
      externalId: z.string().min(2).optional(),
    })
    .strict(),
);

async function readAccountsFile(path: string): Promise<CollectTarget[]> {
  let data: unknown;
  try {
    data = parseYaml(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--accounts-file ${path}: ${(err as Error).message}`);
  }
  const list = (data as { accounts?: unknown })?.accounts ?? data;
  const parsed = accountsFileSchema.safeParse(list);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`--accounts-file ${path}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return parsed.data.map((t) => ({
    ...(t.accountId ? { accountId: t.accountId } : {}),
    ...(t.roleArn ? { roleArn: t.roleArn } : {}),
    ...(t.externalId ? { externalId: t.externalId } : {}),
  }));
}

/** The accounts to read, from --role-arn/--external-id, --accounts-file and --self; checked for sense. */
async function targetsOf(v: Record<string, unknown>): Promise<CollectTarget[]> {
  const roles = (v['role-arn'] as string[] | undefined) ?? [];
  const ids = (v['external-id'] as string[] | undefined) ?? [];
  if (ids.length && !roles.length) throw new UsageError('--external-id needs --role-arn');
  if (ids.length > 1 && ids.length !== roles.length)
    throw new UsageError(
      `give one --external-id for all roles or one per --role-arn (${roles.length} roles, ${ids.length} external IDs)`,
    );
  const targets: CollectTarget[] = roles.map((roleArn, i) => {
    const externalId = ids.length === 1 ? ids[0] : ids[i];
    return { roleArn, ...(externalId ? { externalId } : {}) };
  });
  if (typeof v['accounts-file'] === 'string') targets.push(...(await readAccountsFile(v['accounts-file'])));
  if (v.self || targets.length === 0) targets.unshift({});
  const seen = new Set<string>();
  for (const t of targets) {
    if (t.roleArn) {
      let owner: string;
      try {
        owner = roleAccount(t.roleArn);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (t.accountId && t.accountId !== owner)
        throw new UsageError(`role ${t.roleArn} belongs to account ${owner}, not ${t.accountId}`);
      t.accountId = owner;
    }
    const key = t.accountId ?? 'self';
    if (seen.has(key)) throw new UsageError(`account ${key} is listed twice`);
    seen.add(key);
  }
  return targets;
}

function regionsOf(text: string | undefined): string[] | 'all-enabled' {
  if (text === undefined || text === 'all') return 'all-enabled';
  const regions = text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = regions.find((r) => !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r));
  if (bad !== undefined || regions.length === 0)
    throw new UsageError(`--regions takes region names like eu-west-1,us-east-1 or all, not "${text}"`);
  return [...new Set(regions)];
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Resources read, by kind, for the summary. */
export function countResources(snapshot: PostureSnapshot): number {
  let n = 0;
  for (const a of snapshot.accounts) {
    const d = a.iam?.authorizationDetails;
    n += (d?.UserDetailList.length ?? 0) + (d?.RoleDetailList.length ?? 0) + (d?.GroupDetailList.length ?? 0);
    n += d?.Policies.filter((p) => !p.Arn.startsWith('arn:aws:iam::aws:')).length ?? 0;
    n += a.s3?.buckets.length ?? 0;
    for (const r of a.regions) {
      n += r.cloudtrail?.trails.length ?? 0;
      n += r.guardduty?.detectors.length ?? 0;
      n += r.kms?.keys.filter((k) => k.KeyManager === 'CUSTOMER').length ?? 0;
      n += (r.ec2?.securityGroups.length ?? 0) + (r.ec2?.instances.length ?? 0) + (r.ec2?.vpcs.length ?? 0);
      n += r.config?.recorders.length ?? 0;
    }
  }
  return n;
}

/** The closing summary: accounts, regions, resources, and collection errors by code. */
export function summarize(snapshot: PostureSnapshot): string {
  const regions = new Set(snapshot.accounts.flatMap((a) => a.regions.map((r) => r.region)));
  const byCode = new Map<string, number>();
  for (const e of snapshot.errors) byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
  const accounts = snapshot.accounts.map((a) => (a.alias ? `${a.accountId} (${a.alias})` : a.accountId));
  const lines = [
    `accounts: ${snapshot.accounts.length} (${accounts.join(', ')})`,
    `regions: ${regions.size}${regions.size ? ` (${[...regions].sort().join(', ')})` : ''}`,
    `resources: ${countResources(snapshot)}`,
    `errors: ${snapshot.errors.length}${
      byCode.size
        ? ` (${[...byCode]
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .map(([code, n]) => `${code} ${n}`)
            .join(', ')})`
        : ''
    }`,
  ];
  return lines.map((l) => terminalSafe(l)).join('\n');
}

/** Progress on stderr: a redrawn line on a terminal, otherwise a line every 10 steps and at each account's end. */
function progressPrinter(io: CliIO, quiet: boolean) {
  const tty = Boolean(io.stderr.isTTY);
  let drawn = false;
  return {
    update(p: CollectProgress) {
      if (quiet) return;
      const where = p.region ? `${p.region} ${p.service}` : p.service;
      const text = `vigil: ${p.accountId}: ${p.done}/${p.total} steps, ${p.calls} calls, ${p.errors} errors (${where})`;
      if (tty) {
        io.stderr.write(`\r\u001b[K${terminalSafe(text)}`);
        drawn = true;
      } else if (p.done % 10 === 0 || p.done === p.total) io.stderr.write(`${terminalSafe(text)}\n`);
    },
    done() {
      if (drawn) io.stderr.write('\r\u001b[K');
      drawn = false;
    },
  };
}

/** `vigil posture collect`: reads the accounts and writes the snapshot. */
export async function postureCollectCommand(
  argv: string[],
  io: CliIO,
  deps: PostureCollectDeps = {},
): Promise<number> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: toParseArgsOptions(FLAGS),
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    io.stdout.write(`${POSTURE_COLLECT_USAGE}\n`);
    return EXIT.OK;
  }
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('posture collect needs --out FILE');
  const regions = regionsOf(values.regions as string | undefined);
  const concurrency = Number((values.concurrency as string | undefined) ?? 8);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError(
      `--concurrency must be a whole number from 1 to 64, not "${String(values.concurrency)}"`,
    );
  const targets = await targetsOf(values);

  const progress = progressPrinter(io, Boolean(values.quiet));
  let snapshot: PostureSnapshot;
  try {
    snapshot = await collectSnapshot({
      accounts: targets,
      regions,
      clients: (deps.clients ?? clientFactoryFor)(targets),
      now: () => new Date(io.now()),
      vigilVersion: deps.version ?? packageVersion(),
      onProgress: (p) => progress.update(p),
      concurrency,
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
  } finally {
    progress.done();
  }

  // Nothing read at all (every account unreachable) is a failure and writes nothing; missing pieces are
  // reported in the snapshot, not fatal.
  const readSomething = snapshot.accounts.some(
    (a) => a.iam || a.s3 || a.regions.some((r) => Object.keys(r).length > 1),
  );
  if (!readSomething) {
    io.stderr.write(`${summarize(snapshot)}\n`);
    for (const e of snapshot.errors.slice(0, 5))
      complain(io, `${e.accountId}: ${e.api}: ${e.code}: ${e.message}`);
    complain(io, 'nothing could be read: no snapshot written (check the AWS credentials and roles)');
    return EXIT.ERROR;
  }
  if (out === '-') io.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
  else await writeSnapshot(out, snapshot);
  const summary = `${summarize(snapshot)}\n${out === '-' ? '' : `snapshot written to ${terminalSafe(out)}\n`}`;
  (out === '-' ? io.stderr : io.stdout).write(summary);
  return EXIT.OK;
}
