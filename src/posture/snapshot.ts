import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type PostureSnapshot } from './types.js';

/** A snapshot file that cannot be used, with a message naming the file and what is wrong. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/*
 * Light structure only: what every reader relies on (identifiers, the lists it iterates, `null` versus
 * absent) is checked; AWS's own fields pass through untouched, so a snapshot from a newer collector that
 * adds fields still loads, and checks meet AWS data exactly as the SDK returned it.
 */
const policy = z
  .object({ Statement: z.union([z.object({}).passthrough(), z.array(z.object({}).passthrough())]) })
  .passthrough();
const list = <T extends z.ZodTypeAny>(item: T) => z.array(item);
const named = (key: string) => z.object({ [key]: z.string() }).passthrough();

const bucket = z
  .object({
    Name: z.string(),
    Region: z.string(),
    Policy: policy.nullable().optional(),
    Acl: z
      .object({ Grants: list(z.object({}).passthrough()) })
      .passthrough()
      .optional(),
    OwnershipControls: z.object({}).passthrough().nullable().optional(),
    PublicAccessBlock: z.object({}).passthrough().nullable().optional(),
    Encryption: z
      .object({ Rules: list(z.object({}).passthrough()) })
      .passthrough()
      .nullable()
      .optional(),
    Logging: z.object({ TargetBucket: z.string() }).passthrough().nullable().optional(),
    Tags: z.record(z.string()).optional(),
  })
  .passthrough();

const region = z
  .object({
    region: z.string(),
    cloudtrail: z
      .object({ trails: list(named('TrailARN').and(named('Name'))) })
      .passthrough()
      .optional(),
    guardduty: z
      .object({ detectors: list(named('DetectorId')) })
      .passthrough()
      .optional(),
    securityhub: z.object({ enabled: z.boolean() }).passthrough().optional(),
    kms: z
      .object({ keys: list(named('KeyId')) })
      .passthrough()
      .optional(),
    ec2: z
      .object({
        securityGroups: list(named('GroupId')),
        instances: list(named('InstanceId')),
        vpcs: list(named('VpcId')),
        flowLogs: list(named('FlowLogId')),
      })
      .passthrough()
      .optional(),
    config: z
      .object({ recorders: list(named('name')), status: list(named('name')) })
      .passthrough()
      .optional(),
  })
  .passthrough();

const account = z
  .object({
    accountId: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
    alias: z.string().optional(),
    iam: z
      .object({
        authorizationDetails: z
          .object({
            UserDetailList: list(named('Arn')),
            RoleDetailList: list(named('Arn')),
            GroupDetailList: list(named('Arn')),
            Policies: list(named('Arn')),
          })
          .passthrough()
          .optional(),
        credentialReport: list(z.record(z.string())).optional(),
        passwordPolicy: z.object({}).passthrough().nullable().optional(),
        accountSummary: z.record(z.number()).optional(),
      })
      .passthrough()
      .optional(),
    s3: z
      .object({
        accountPublicAccessBlock: z.object({}).passthrough().nullable().optional(),
        buckets: list(bucket),
      })
      .passthrough()
      .optional(),
    regions: list(region),
  })
  .passthrough();

const snapshotSchema = z
  .object({
    format: z.literal(SNAPSHOT_FORMAT),
    version: z.literal(SNAPSHOT_VERSION),
    collectedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date'),
    collector: z.string(),
    accounts: list(account),
    errors: list(
      z
        .object({
          accountId: z.string(),
          service: z.string(),
          api: z.string(),
          code: z.string(),
          message: z.string(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

function where(path: (string | number)[]): string {
  return path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p),
    '',
  );
}

/**
 * Checks a snapshot read from `name` (a file path, for messages) and returns it. Refused, each with a
 * message naming the file: text that is not JSON, another format, a version newer than this Vigil
 * reads, no `accounts`, or a structure that does not match (the first few problems with their paths).
 */
export function parseSnapshot(json: string, name: string): PostureSnapshot {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new SnapshotError(`${name}: not JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new SnapshotError(`${name}: not a Vigil posture snapshot (expected a JSON object)`);
  const head = data as { format?: unknown; version?: unknown; accounts?: unknown };
  if (head.format !== SNAPSHOT_FORMAT)
    throw new SnapshotError(
      `${name}: not a Vigil posture snapshot (format ${JSON.stringify(head.format) ?? 'missing'}, expected "${SNAPSHOT_FORMAT}"); write one with \`vigil posture collect\``,
    );
  if (typeof head.version !== 'number' || !Number.isInteger(head.version) || head.version < 1)
    throw new SnapshotError(
      `${name}: snapshot version ${JSON.stringify(head.version) ?? 'missing'} is not valid`,
    );
  if (head.version > SNAPSHOT_VERSION)
    throw new SnapshotError(
      `${name}: snapshot version ${head.version} is newer than this Vigil reads (up to ${SNAPSHOT_VERSION}); upgrade Vigil`,
    );
  if (!Array.isArray(head.accounts)) throw new SnapshotError(`${name}: the snapshot has no "accounts" list`);
  const parsed = snapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues
      .slice(0, 5)
      .map((i) => `${where(i.path) || '(top)'}: ${i.message}`)
      .join('; ');
    throw new SnapshotError(
      `${name}: the snapshot is malformed: ${shown}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`,
    );
  }
  return parsed.data as unknown as PostureSnapshot;
}

/** Reads and checks a snapshot file (see `parseSnapshot`). */
export async function loadSnapshot(path: string): Promise<PostureSnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SnapshotError(`${path}: cannot read the snapshot (${(err as Error).message})`);
  }
  return parseSnapshot(text, path);
}

/**
 * Writes a snapshot as indented JSON, through a temporary file renamed into place, so a reader never
 * sees half a snapshot and an interrupted collection leaves the previous file intact.
 */
export async function writeSnapshot(path: string, snapshot: PostureSnapshot): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(snapshot, null, 2)}\n`, 'utf8');
  await rename(tmp, path);
}
