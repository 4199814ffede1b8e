import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../aws/cost.js';
import {
  buildCdkDeploy,
  deployCommand,
  parseCount,
  REPO_ROOT,
  type CdkInvocation,
  type DeployDeps,
} from './deploy-command.js';
import type { CliIO } from './io.js';
import { main } from './main.js';

function fakeIO(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (chunk: Buffer) => into.push(chunk.toString()));
    return s;
  };
  const io: CliIO = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env, now: () => 0 };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** Deps that never reach AWS or spawn anything: they record what would have run. */
function recordingDeps(credentials: boolean) {
  const runs: CdkInvocation[] = [];
  const deps: DeployDeps = {
    checkCredentials: async () => {
      if (!credentials) throw new Error('Could not load credentials from any providers');
    },
    run: async (invocation) => {
      runs.push(invocation);
      return 0;
    },
  };
  return { deps, runs };
}

async function run(argv: string[], deps?: DeployDeps) {
  const f = fakeIO();
  const code = deps ? await deployCommand(argv, f.io, deps) : await main(['deploy', ...argv], f.io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

describe('vigil deploy --estimate', () => {
  it('prints the itemised default estimate, honest about $20', async () => {
    const r = await run(['--estimate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Workload: 1,000,000 management events/month, 1 account(s)');
    expect(r.stdout).toMatch(
      /GuardDuty\s+CloudTrail management event analysis\s+1,000,000 events\s+\$4\.00 per 1M\s+\$4\.00\n/,
    );
    expect(r.stdout).toContain('Total: $31.15 a month');
    expect(r.stdout).toContain('without them $17.85 a month');
    expect(r.stdout).toContain('under $20 without the optional parts');
    expect(r.stderr).toBe('');
  });

  it('takes --events, --accounts and the options, and --format json gives the whole model', async () => {
    const r = await run([
      '--estimate',
      '--events',
      '10M',
      '--accounts',
      '5',
      '--standards',
      'none',
      '--s3-protection',
      'off',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as ReturnType<typeof estimateCost>;
    const expected = estimateCost({
      eventsPerMonth: 10_000_000,
      accounts: 5,
      securityHubStandards: [],
      guardDutyS3Protection: false,
    });
    expect(parsed.total).toBeCloseTo(expected.total, 9);
    expect(parsed.workload.accounts).toBe(5);
    expect(parsed.items.some((i) => i.service === 'AWS Config')).toBe(false);
  });

  it('a lean deployment at the default workload is under $20', async () => {
    const r = await run(['--estimate', '--standards', 'none', '--s3-protection', 'off']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Under $20 a month.');
  });

  it.each([
    [['--estimate', '--events', 'lots'], /--events must be a number/],
    [['--estimate', '--accounts', '0'], /--accounts must be a whole number/],
    [['--estimate', '--format', 'csv'], /--format must be table or json/],
    [['--estimate', '--standards', 'pci'], /--standards takes/],
    [['--estimate', '--s3-protection', 'maybe'], /--s3-protection must be on or off/],
    [['--estimate', '--bogus'], /Unknown option/],
  ])('rejects %j with exit 1 and a reason', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('parses counts with suffixes', () => {
    expect(parseCount('events', '1000000')).toBe(1e6);
    expect(parseCount('events', '1,000,000')).toBe(1e6);
    expect(parseCount('events', '1e6')).toBe(1e6);
    expect(parseCount('events', '500k')).toBe(5e5);
    expect(parseCount('events', '2.5M')).toBe(2.5e6);
    expect(() => parseCount('events', '-1')).toThrow(/must be a number/);
  });
});

describe('vigil deploy', () => {
  it('builds npx cdk deploy in the repository root with the arguments passed through', () => {
    const inv = buildCdkDeploy(
      ['-c', 'vigil:alertEmails=a@x.com,b@y.com', '--require-approval', 'never'],
      'linux',
    );
    expect(inv.command).toBe('npx');
    expect(inv.args).toEqual([
      'cdk',
      'deploy',
      '-c',
      'vigil:alertEmails=a@x.com,b@y.com',
      '--require-approval',
      'never',
    ]);
    expect(inv.cwd).toBe(REPO_ROOT);
    expect(existsSync(join(REPO_ROOT, 'package.json'))).toBe(true);
    expect(buildCdkDeploy([], 'win32').command).toBe('npx.cmd');
  });

  it('runs cdk once credentials are found and returns its exit code', async () => {
    const { deps, runs } = recordingDeps(true);
    const r = await run(['-c', 'vigil:minSeverity=HIGH'], {
      ...deps,
      run: async (inv, env) => {
        await deps.run(inv, env);
        return 7;
      },
    });
    expect(r.code).toBe(7);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.args).toEqual(['cdk', 'deploy', '-c', 'vigil:minSeverity=HIGH']);
    expect(r.stderr).toContain('running npx cdk deploy -c vigil:minSeverity=HIGH');
  });

  it('stops with a clear message and exit 1 when there are no credentials, running nothing', async () => {
    const { deps, runs } = recordingDeps(false);
    const r = await run([], deps);
    expect(r.code).toBe(1);
    expect(runs).toHaveLength(0);
    expect(r.stderr).toMatch(/no AWS credentials found \(Could not load credentials from any providers\)/);
    expect(r.stderr).toContain('npx cdk bootstrap');
  });

  it('prints its help without touching AWS', async () => {
    const { deps, runs } = recordingDeps(false);
    const r = await run(['--help'], deps);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('vigil deploy --estimate');
    expect(runs).toHaveLength(0);
  });

  it('is listed in vigil --help', async () => {
    const r = await run([]).catch(() => undefined);
    expect(r).toBeDefined();
    const f = fakeIO();
    expect(await main(['--help'], f.io)).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.stdout()).toContain('vigil deploy [--estimate]');
  });
});
