import { readdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

/**
 * Where CloudTrail files sit in a bucket synced to disk. A local file and the S3 key a digest names are
 * matched on the part from the `AWSLogs` folder on, so the bucket root, an optional key prefix or the
 * `AWSLogs` folder itself may be given as the root.
 */

/** The key from the last `AWSLogs` segment on (`AWSLogs/111122223333/CloudTrail/...`), or undefined. */
export function awsLogsKey(key: string, separator = '/'): string | undefined {
  const parts = key.split(separator);
  const at = parts.lastIndexOf('AWSLogs');
  return at < 0 || at === parts.length - 1 ? undefined : parts.slice(at).join('/');
}

/** `<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<yyyymmddThhmmssZ>[_backfill].json.gz` */
const DIGEST_NAME =
  /^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z0-9-]+)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$/;
/** `<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<unique>.json.gz` */
const LOG_NAME = /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$/;

export interface DigestName {
  account: string;
  region: string;
  trail: string;
  homeRegion: string;
  /** The digest end time in the name, epoch milliseconds. */
  time: number;
  backfill: boolean;
}

/** `20150817T150131Z` or `20150817T1445Z` → epoch milliseconds. */
function compactTime(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z$/.exec(text)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
}

export function parseDigestName(fileName: string): DigestName | undefined {
  const m = DIGEST_NAME.exec(fileName);
  if (!m) return undefined;
  return {
    account: m[1]!,
    region: m[2]!,
    trail: m[3]!,
    homeRegion: m[4]!,
    time: compactTime(m[5]!),
    backfill: m[6] !== undefined,
  };
}

/** The time stamp in a log file's name (its newest event), epoch milliseconds. */
export function logNameTime(fileName: string): number | undefined {
  const m = LOG_NAME.exec(fileName);
  return m ? compactTime(m[3]!) : undefined;
}

/**
 * The folder that holds an account's digests and logs of one region, the same string for both
 * (`AWSLogs/[o-id/]111122223333/*\/us-east-1`): a log file is expected in a digest of its own scope.
 */
export function scopeOf(key: string): string | undefined {
  const m = /^(AWSLogs\/(?:[^/]+\/)?\d{12})\/(?:CloudTrail|CloudTrail-Digest)\/([^/]+)\//.exec(key);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

export interface LocalFile {
  /** The key from `AWSLogs/` on. */
  key: string;
  path: string;
  name: string;
}

export interface TrailTree {
  digests: Map<string, LocalFile>;
  logs: Map<string, LocalFile>;
  /** Whether the root is in or holds an `AWSLogs` folder: if not, the path is probably wrong. */
  awsLogs: boolean;
}

/**
 * Lists the digest files (under `CloudTrail-Digest/`) and log files (under `CloudTrail/`) below `root`,
 * keyed by their `AWSLogs/...` key. Sidecar files and everything else are ignored.
 */
export async function readTrailTree(root: string): Promise<TrailTree> {
  const tree: TrailTree = { digests: new Map(), logs: new Map(), awsLogs: false };
  const base = resolve(root);
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'AWSLogs') tree.awsLogs = true;
        await walk(path);
        continue;
      }
      if (!entry.isFile() || !entry.name.endsWith('.json.gz')) continue;
      const key = awsLogsKey(path, sep);
      if (!key) continue;
      const folder = key.split('/').slice(1, -1);
      const file = { key, path, name: entry.name };
      if (folder.includes('CloudTrail-Digest') && parseDigestName(entry.name)) tree.digests.set(key, file);
      else if (folder.includes('CloudTrail') && logNameTime(entry.name) !== undefined)
        tree.logs.set(key, file);
    }
  };
  tree.awsLogs = base.split(sep).includes('AWSLogs');
  await walk(base);
  return tree;
}
