import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import type { InputProblem } from '../../core/errors.js';
import type { InputFile, SkipReason } from '../types.js';
import { describeFsError } from './fs-error.js';
import { isDigestPath } from './s3-key.js';
import { NETWORK_LOG_SERVICES, isS3AccessLogName } from '../aws-log-keys.js';

export interface DiscoverOptions {
  /** Called for each file recognised and left out (CloudTrail digest files). */
  onSkipped?(path: string, reason: SkipReason): void;
}

/**
 * Expands paths into the inputs to read: files as given, folders walked recursively with entries sorted by
 * name (so an S3 layout `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…` comes out in time order), `-` as
 * standard input. Hidden entries (`.name`) in folders and digest files are left out. A path that cannot be
 * read is reported as VIGIL_INPUT_UNREADABLE and the rest goes on.
 */
export async function* discoverInputs(
  paths: string[],
  onProblem: (p: InputProblem) => void,
  options: DiscoverOptions = {},
): AsyncGenerator<InputFile> {
  const seenDirs = new Set<string>();
  const unreadable = (file: string, err: unknown) =>
    onProblem({ file, code: 'VIGIL_INPUT_UNREADABLE', message: describeFsError(err) });

  async function* visit(path: string, st: Stats, named: boolean): AsyncGenerator<InputFile> {
    if (st.isDirectory()) {
      const id = `${st.dev}:${st.ino}`;
      if (seenDirs.has(id)) return; // a symbolic link loop, or the same folder given twice
      seenDirs.add(id);
      let names: string[];
      try {
        names = await readdir(path);
      } catch (err) {
        unreadable(path, err);
        return;
      }
      names.sort(compareCodeUnits);
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const child = join(path, name);
        let childStat: Stats;
        try {
          childStat = await stat(child);
        } catch (err) {
          unreadable(child, err);
          continue;
        }
        yield* visit(child, childStat, false);
      }
      return;
    }
    if (isDigestPath(path)) {
      options.onSkipped?.(path, 'digest');
      return;
    }
    if (!named) {
      // Walking a folder (an `aws s3 sync` of a whole log bucket, say): read what can be a log Vigil reads.
      if (isOtherServiceLog(path)) {
        options.onSkipped?.(path, 'other-service');
        return;
      }
      if (!LOG_NAME.test(path) && !isS3AccessLogName(path)) {
        options.onSkipped?.(path, 'not-json');
        return;
      }
    }
    if (st.isFile()) yield { path, size: st.size };
    else if (st.isFIFO() || st.isCharacterDevice()) yield { path };
    else onProblem({ file: path, code: 'VIGIL_INPUT_UNREADABLE', message: 'not a file, folder or pipe' });
  }

  for (const path of paths) {
    if (path === '-') {
      yield { path: '-' };
      continue;
    }
    let st: Stats;
    try {
      st = await stat(path);
    } catch (err) {
      unreadable(path, err);
      continue;
    }
    yield* visit(path, st, true);
  }
}

/**
 * Names of logs, plain or gzip: what CloudTrail, EventBridge archives and exports are called (JSON), and
 * flow and Resolver query logs (`.log`). S3 access log objects have no extension (`isS3AccessLogName`).
 */
export const LOG_NAME = /\.(json|jsonl|ndjson|log)(\.gz)?$|\.gz$/i;

/**
 * True for files under `AWSLogs/[o-org/]<account>/<service>/` where the service is not one Vigil reads
 * (CloudTrail, VPC Flow Logs, Resolver query logs).
 */
export function isOtherServiceLog(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf('AWSLogs');
  if (at < 0) return false;
  let i = at + 1;
  if (parts[i]?.startsWith('o-')) i++;
  if (!/^\d{12}$/.test(parts[i] ?? '')) return false;
  const service = parts[i + 1];
  return (
    service !== undefined &&
    i + 2 < parts.length &&
    service !== 'CloudTrail' &&
    !NETWORK_LOG_SERVICES.has(service)
  );
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
