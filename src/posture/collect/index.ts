import { DescribeRegionsCommand, EC2Client, type DescribeRegionsResult } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient, type GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import { createClientFactory, type AccountAccess } from '../../respond/clients.js';
import { awsErrorInfo } from '../../respond/context.js';
import { ActionError, type ClientFactory } from '../../respond/types.js';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type AccountSnapshot,
  type CollectionError,
  type PostureSnapshot,
  type RegionSnapshot,
} from '../types.js';
import { createCaller, type Caller, type CallerOptions } from './call.js';
import { collectCloudTrail } from './cloudtrail.js';
import { collectConfig } from './config.js';
import type { AccountContext, RegionContext } from './context.js';
import { collectGuardDuty, collectSecurityHub } from './detectors.js';
import { collectEc2 } from './ec2.js';
import { collectIam } from './iam.js';
import { collectKms } from './kms.js';
import { collectS3 } from './s3.js';

/** An account to read: the credentials' own (no role), or one reached by assuming `roleArn`. */
export interface CollectTarget {
  accountId?: string;
  roleArn?: string;
  externalId?: string;
}

/** One step of collection finished (a service of an account, or of a region). */
export interface CollectProgress {
  accountId: string;
  region?: string;
  service: string;
  /** Steps finished and planned so far for this account. */
  done: number;
  total: number;
  /** AWS calls made and errors recorded so far, over all accounts. */
  calls: number;
  errors: number;
}

export interface CollectOptions extends CallerOptions {
  accounts: CollectTarget[];
  /** Regions to read, or every region enabled in each account (EC2 DescribeRegions). */
  regions: string[] | 'all-enabled';
  /** SDK clients per account and region; `clientFactoryFor(accounts)` builds the usual one. */
  clients: ClientFactory;
  now?: () => Date;
  vigilVersion: string;
  onProgress?: (progress: CollectProgress) => void;
  /** Region for the global APIs and DescribeRegions (default: the first region given, else us-east-1). */
  globalRegion?: string;
}

/** Stands for "the credentials' own account" until STS says which one it is. */
const HOME = 'home';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/.+$/;

/** The account a role ARN belongs to. */
export function roleAccount(roleArn: string): string {
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new Error(`"${roleArn}" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`);
  return m[1]!;
}

/** The client factory for these targets: default credentials for the own account, AssumeRole for the others. */
export function clientFactoryFor(targets: CollectTarget[]): ClientFactory {
  const accounts: Record<string, AccountAccess> = {};
  for (const t of targets) {
    if (!t.roleArn) continue;
    accounts[t.accountId ?? roleAccount(t.roleArn)] = {
      roleArn: t.roleArn,
      ...(t.externalId ? { externalId: t.externalId } : {}),
      sessionName: 'vigil-posture',
    };
  }
  return createClientFactory({ accounts });
}

/**
 * Reads a posture snapshot of every target account with read-only calls. Nothing here throws for an AWS
 * failure: a call that fails (access denied, a region not enabled, throttling that outlasted the retries,
 * a role that cannot be assumed) is recorded in `errors` and the rest is collected, so one missing
 * permission costs one check its data, not the whole snapshot.
 */
export async function collectSnapshot(options: CollectOptions): Promise<PostureSnapshot> {
  const caller = createCaller(options);
  const now = options.now ?? (() => new Date());
  const collectedAt = now().toISOString();
  const globalRegion =
    options.globalRegion ?? (Array.isArray(options.regions) ? options.regions[0] : undefined) ?? 'us-east-1';
  const accounts: AccountSnapshot[] = [];
  for (const target of options.accounts) {
    const account = await collectAccount(target, { ...options, globalRegion }, caller);
    if (account) accounts.push(account);
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    collectedAt,
    collector: `vigil ${options.vigilVersion}`,
    accounts,
    errors: [...caller.errors].sort(compareErrors),
  };
}

function compareErrors(a: CollectionError, b: CollectionError): number {
  const key = (e: CollectionError) => [e.accountId, e.region ?? '', e.service, e.api, e.resource ?? ''];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) {
    const c = ka[i]!.localeCompare(kb[i]!);
    if (c) return c;
  }
  return 0;
}

/** An unexpected failure (a client that could not be built, a role that cannot be assumed) as a collection error. */
function failure(err: unknown, accountId: string, service: string, api: string, region?: string) {
  const info = awsErrorInfo(err);
  return {
    accountId,
    ...(region ? { region } : {}),
    service,
    api,
    code: err instanceof ActionError ? (err.awsCode ?? err.kind) : info.code,
    message: info.message,
  };
}

async function collectAccount(
  target: CollectTarget,
  options: CollectOptions & { globalRegion: string },
  caller: Caller,
): Promise<AccountSnapshot | undefined> {
  const { clients, globalRegion } = options;
  const declared = target.accountId ?? (target.roleArn ? roleAccount(target.roleArn) : undefined);
  const probeId = declared ?? HOME;
  // GetCallerIdentity needs no permission: it names the home account and proves an assumed role works.
  let identity: GetCallerIdentityResponse | null | undefined;
  try {
    const sts = await clients.get(STSClient, { accountId: probeId, region: globalRegion });
    identity = await caller.call<GetCallerIdentityResponse>(
      sts,
      new GetCallerIdentityCommand({}),
      'sts:GetCallerIdentity',
      { accountId: probeId, service: 'sts' },
    );
  } catch (err) {
    caller.record(failure(err, probeId, 'sts', target.roleArn ? 'sts:AssumeRole' : 'sts:GetCallerIdentity'));
  }
  const accountId = declared ?? identity?.Account;
  if (!accountId || !identity) {
    // An account known by its id stays in the snapshot, empty, so checks say UNKNOWN for it; the
    // credentials' own account, unidentified, can only appear in the errors.
    for (const e of caller.errors) if (e.accountId === HOME) e.accountId = accountId ?? 'unknown';
    return accountId ? { accountId, regions: [] } : undefined;
  }

  const ctx: AccountContext = { accountId, clients, caller, globalRegion };
  let regions: string[];
  try {
    regions = await regionsOf(ctx, options.regions);
  } catch (err) {
    caller.record(failure(err, accountId, 'ec2', 'ec2:DescribeRegions'));
    regions = [globalRegion];
  }
  const total = 2 + regions.length * REGIONAL.length;
  let done = 0;
  const step = async <T>(service: string, run: () => Promise<T>, region?: string): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      caller.record(failure(err, accountId, service, `${service}:*`, region));
      return undefined;
    } finally {
      done++;
      options.onProgress?.({
        accountId,
        ...(region ? { region } : {}),
        service,
        done,
        total,
        calls: caller.stats.calls,
        errors: caller.errors.length,
      });
    }
  };

  const [iam, s3, regional] = await Promise.all([
    step('iam', () => collectIam(ctx)),
    step('s3', () => collectS3(ctx)),
    Promise.all(
      regions.map(async (region): Promise<RegionSnapshot> => {
        const rctx: RegionContext = { ...ctx, region };
        const snap: RegionSnapshot = { region };
        await Promise.all(
          REGIONAL.map(async ([key, collect]) => {
            const value = await step(key, () => collect(rctx), region);
            if (value !== undefined) (snap as unknown as Record<string, unknown>)[key] = value;
          }),
        );
        return snap;
      }),
    ),
  ]);
  return {
    accountId,
    ...(iam?.alias ? { alias: iam.alias } : {}),
    ...(iam ? { iam: iam.iam } : {}),
    ...(s3 ? { s3 } : {}),
    regions: regional,
  };
}

/** The regional collectors, by the snapshot key they fill. */
const REGIONAL: [keyof Omit<RegionSnapshot, 'region'>, (ctx: RegionContext) => Promise<unknown>][] = [
  ['cloudtrail', collectCloudTrail],
  ['guardduty', collectGuardDuty],
  ['securityhub', collectSecurityHub],
  ['kms', collectKms],
  ['ec2', collectEc2],
  ['config', collectConfig],
];

/** The regions to read in an account; if the enabled ones cannot be listed, the global region alone. */
async function regionsOf(ctx: AccountContext, regions: string[] | 'all-enabled'): Promise<string[]> {
  if (regions !== 'all-enabled') return regions;
  const ec2 = await ctx.clients.get(EC2Client, { accountId: ctx.accountId, region: ctx.globalRegion });
  const out = await ctx.caller.call<DescribeRegionsResult>(
    ec2,
    new DescribeRegionsCommand({ AllRegions: false }),
    'ec2:DescribeRegions',
    { accountId: ctx.accountId, service: 'ec2' },
  );
  const names = (out?.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
  return names.length ? names : [ctx.globalRegion];
}
