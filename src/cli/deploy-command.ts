import { spawn as nodeSpawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  byService,
  DEFAULT_WORKLOAD,
  estimateCost,
  type CostEstimate,
  type SecurityStandard,
} from '../aws/cost.js';
import { flagHelp, toParseArgsOptions, type FlagSpec, type FlagValues } from './flags.js';
import { complain, EXIT, UsageError, type CliIO } from './io.js';

const ESTIMATE_FLAGS: FlagSpec[] = [
  { name: 'estimate', type: 'boolean', help: 'print the monthly cost estimate instead of deploying' },
  {
    name: 'events',
    type: 'string',
    value: 'N',
    help: 'CloudTrail management events a month, all accounts (default 1M)',
  },
  { name: 'accounts', type: 'string', value: 'N', help: 'accounts monitored (default 1)' },
  {
    name: 'findings',
    type: 'string',
    value: 'N',
    help: 'finding events a month reaching triage (default 2000)',
  },
  { name: 'alerts', type: 'string', value: 'N', help: 'alerts a month (default 100)' },
  {
    name: 'standards',
    type: 'string',
    value: 'LIST',
    help: 'Security Hub standards: fsbp,cis (default) or none',
  },
  { name: 's3-protection', type: 'string', value: 'on|off', help: 'GuardDuty S3 protection (default on)' },
  { name: 'format', type: 'string', short: 'f', value: 'F', help: 'table (default) or json' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show this help' },
];

export const DEPLOY_USAGE = `Usage: vigil deploy [cdk deploy options…]
       vigil deploy --estimate [--events N] [--accounts N] [--format table|json]

Deploys Vigil's AWS stack (CloudTrail, GuardDuty, Security Hub, EventBridge, Lambda, DynamoDB, SNS,
CloudWatch) with the repository's CDK app: runs \`npx cdk deploy\` with every argument passed through,
e.g. vigil deploy -c vigil:alertEmails=you@example.com --require-approval never.
Needs AWS credentials (AWS_PROFILE, environment keys, SSO…) and \`npx cdk bootstrap\` once per account
and Region. See README.md, "Deploy to AWS".

--estimate options (us-east-1 list prices; model and assumptions in docs/cost.md):
${flagHelp(ESTIMATE_FLAGS)}

N accepts 1000000, 1e6, 500k or 10M. Exit codes: 0 done, 1 usage error, missing credentials or a
failed deploy (cdk's own exit code is returned).`;

/** `10M`, `500k`, `1e6`, `1,000,000` → a non-negative number. */
export function parseCount(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([kKmM]?)$/.exec(text.replace(/[,_]/g, ''));
  if (!m) throw new UsageError(`--${flag} must be a number such as 1000000, 1e6 or 10M, not "${text}"`);
  const scale = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
  return Number(m[1]) * scale;
}

function parseStandards(text: string): SecurityStandard[] {
  if (text === 'none') return [];
  const list = text.split(',').map((s) => s.trim().toLowerCase());
  for (const s of list)
    if (s !== 'fsbp' && s !== 'cis')
      throw new UsageError(`--standards takes fsbp, cis, both (fsbp,cis) or none, not "${text}"`);
  return list as SecurityStandard[];
}

const usd = (n: number) => `$${n.toFixed(2)}`;

function unitPrice(p: number | string): string {
  if (typeof p === 'string') return p;
  if (p === 0) return 'free';
  if (p < 0.0001) return `$${(p * 1e6).toFixed(2)} per 1M`;
  return `$${p.toFixed(p >= 0.01 ? 2 : 4)}`;
}

function quantity(q: number): string {
  return q >= 100 ? Math.round(q).toLocaleString('en-US') : q.toFixed(2);
}

/** The estimate as a plain-text table (stdout), with the free tier and the optional parts summarised. */
export function renderEstimate(e: CostEstimate): string {
  const w = e.workload;
  const head = [
    `Vigil on AWS: estimated monthly cost (us-east-1 list prices checked ${e.pricesChecked}, before free tier)`,
    `Workload: ${quantity(w.eventsPerMonth)} management events/month, ${w.accounts} account(s), ` +
      `${quantity(w.findingsPerMonth)} finding events, ${quantity(w.alertsPerMonth)} alerts`,
    '',
  ];
  const rows = [['Service', 'Item', 'Quantity', 'Unit price', 'Monthly']];
  for (const i of e.items)
    rows.push([
      i.service,
      i.item,
      `${quantity(i.quantity)} ${i.unit}`,
      unitPrice(i.unitPrice),
      usd(i.monthly),
    ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  const out = [...head, ...rows.map(line)];
  out.push('', `Total: ${usd(e.total)} a month`);
  out.push(`Always-free tier (if unused elsewhere in the account) would take off ${usd(e.freeTier)}.`);
  const top = byService(e)
    .slice(0, 3)
    .map((s) => `${s.service} ${usd(s.monthly)}`)
    .join(', ');
  out.push(`Largest: ${top}.`);
  const optional = e.optional.securityHubStandards + e.optional.guardDutyS3Protection;
  if (optional > 0) {
    const parts = [];
    if (e.optional.securityHubStandards > 0)
      parts.push(
        `Security Hub standards + AWS Config ${usd(e.optional.securityHubStandards)} (--standards none)`,
      );
    if (e.optional.guardDutyS3Protection > 0)
      parts.push(`GuardDuty S3 protection ${usd(e.optional.guardDutyS3Protection)} (--s3-protection off)`);
    out.push(`Optional: ${parts.join(', ')}; without them ${usd(e.withoutOptional)} a month.`);
  }
  out.push(
    e.total <= 20
      ? 'Under $20 a month.'
      : e.withoutOptional <= 20
        ? 'Over $20 a month with every option; under $20 without the optional parts above.'
        : 'Over $20 a month even without the optional parts: GuardDuty and the log volume grow with events.',
  );
  return `${out.join('\n')}\n`;
}

function runEstimate(values: FlagValues, io: CliIO): number {
  const format = (values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`--format must be table or json, not "${format}"`);
  const s3 = (values['s3-protection'] as string | undefined) ?? 'on';
  if (s3 !== 'on' && s3 !== 'off') throw new UsageError(`--s3-protection must be on or off, not "${s3}"`);
  const count = (flag: string, fallback: number) =>
    values[flag] === undefined ? fallback : parseCount(flag, values[flag] as string);
  const accounts = count('accounts', DEFAULT_WORKLOAD.accounts);
  if (!Number.isInteger(accounts) || accounts < 1)
    throw new UsageError(`--accounts must be a whole number of at least 1, not "${String(values.accounts)}"`);
  const estimate = estimateCost({
    eventsPerMonth: count('events', DEFAULT_WORKLOAD.eventsPerMonth),
    accounts,
    findingsPerMonth: count('findings', DEFAULT_WORKLOAD.findingsPerMonth),
    alertsPerMonth: count('alerts', DEFAULT_WORKLOAD.alertsPerMonth),
    guardDutyS3Protection: s3 === 'on',
    securityHubStandards:
      values.standards === undefined
        ? DEFAULT_WORKLOAD.securityHubStandards
        : parseStandards(values.standards as string),
  });
  io.stdout.write(format === 'json' ? `${JSON.stringify(estimate, null, 2)}\n` : renderEstimate(estimate));
  return EXIT.OK;
}

/** The repository root (cdk.json lives there), from src/cli or dist/cli alike. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CdkInvocation {
  command: string;
  args: string[];
  cwd: string;
}

/** `npx cdk deploy …` in the repository root, every user argument passed through unchanged. */
export function buildCdkDeploy(args: string[], platform: NodeJS.Platform = process.platform): CdkInvocation {
  return {
    command: platform === 'win32' ? 'npx.cmd' : 'npx',
    args: ['cdk', 'deploy', ...args],
    cwd: REPO_ROOT,
  };
}

export interface DeployDeps {
  /** Resolves when AWS credentials are available, rejects with the reason otherwise. */
  checkCredentials: (env: NodeJS.ProcessEnv) => Promise<void>;
  /** Runs the command with inherited stdio and resolves with its exit code. */
  run: (invocation: CdkInvocation, env: NodeJS.ProcessEnv) => Promise<number>;
}

/** The SDK's default chain (environment, profile, SSO, container and instance roles), no AWS call made. */
async function sdkCredentials(env: NodeJS.ProcessEnv): Promise<void> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  const client = new STSClient({ region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1' });
  try {
    const creds = await client.config.credentials();
    if (!creds.accessKeyId) throw new Error('no access key');
  } finally {
    client.destroy();
  }
}

function spawnInherited(invocation: CdkInvocation, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = nodeSpawn(invocation.command, invocation.args, {
      cwd: invocation.cwd,
      env,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : EXIT.ERROR)));
  });
}

const DEFAULT_DEPS: DeployDeps = { checkCredentials: sdkCredentials, run: spawnInherited };

/** `vigil deploy`: the estimate, or `cdk deploy` of the repository's app once credentials are found. */
export async function deployCommand(
  argv: string[],
  io: CliIO,
  deps: DeployDeps = DEFAULT_DEPS,
): Promise<number> {
  if (argv.includes('--estimate')) {
    const parsed = parseArgs({ args: argv, options: toParseArgsOptions(ESTIMATE_FLAGS), strict: true });
    if (parsed.values.help) {
      io.stdout.write(`${DEPLOY_USAGE}\n`);
      return EXIT.OK;
    }
    return runEstimate(parsed.values, io);
  }
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')) {
    io.stdout.write(`${DEPLOY_USAGE}\n`);
    return EXIT.OK;
  }
  try {
    await deps.checkCredentials(io.env);
  } catch (err) {
    complain(
      io,
      `no AWS credentials found (${(err as Error).message}): set AWS_PROFILE (after \`aws sso login\` or ` +
        '`aws configure`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then run `npx cdk bootstrap` once per ' +
        'account and Region before the first deploy',
    );
    return EXIT.ERROR;
  }
  const invocation = buildCdkDeploy(argv);
  io.stderr.write(
    `vigil: running ${[invocation.command, ...invocation.args].join(' ')} in ${invocation.cwd}\n`,
  );
  return deps.run(invocation, io.env);
}
