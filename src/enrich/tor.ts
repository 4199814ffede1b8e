import { statSync } from 'node:fs';
import { readTextFile } from '../intel/read-text.js';
import { parseIp } from '../intel/ip-parse.js';
import { createIpSetBuilder, type IpSet } from '../intel/ip-set.js';

/**
 * Addresses of a Tor exit list. Reads the Tor Project's bulk exit list format (`ExitNode`,
 * `Published`, `LastStatus` and `ExitAddress <ip> <date> <time>` lines: only `ExitAddress` lines carry
 * exits) and plain lists of one address per line (as torbulkexitlist serves); `#` comments and blank
 * lines are skipped, as is anything that is not an address.
 */
export function parseTorExitList(text: string): { set: IpSet; count: number } {
  const builder = createIpSetBuilder();
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const candidate = fields[0] === 'ExitAddress' ? fields[1] : fields.length === 1 ? fields[0] : undefined;
    if (!candidate || !parseIp(candidate)) continue;
    if (builder.addText(candidate)) count++;
  }
  return { set: builder.build(), count };
}

export interface TorExitList {
  isTorExit(ip: string): boolean;
  /** Exit addresses in the list as last loaded. */
  readonly count: number;
  /** Times the file was (re)loaded. */
  readonly loads: number;
}

export interface TorExitListOptions {
  /** How often, at most, the file's modification time is checked on lookup (default 60 s). */
  checkEveryMs?: number;
  now?: () => number;
  /** A reload that failed: the previous list stays in use. */
  onReloadError?: (err: Error) => void;
}

/**
 * A Tor exit list file, reloaded when it changes: on a lookup at least `checkEveryMs` after the last
 * check, the file's mtime and size are compared with the loaded copy's (one stat call, no watcher
 * threads). The first load happens here, so a missing file is reported at start.
 */
export function loadTorExitList(file: string, options: TorExitListOptions = {}): TorExitList {
  const every = options.checkEveryMs ?? 60_000;
  const now = options.now ?? Date.now;
  let set: IpSet;
  let count = 0;
  let loads = 0;
  let stamp = '';
  let checkedAt = now();
  const load = () => {
    const st = statSync(file);
    const parsed = parseTorExitList(readTextFile(file, 'Tor exit list'));
    set = parsed.set;
    count = parsed.count;
    stamp = `${st.mtimeMs}:${st.size}`;
    loads++;
  };
  load();
  return {
    isTorExit(ip) {
      const t = now();
      if (t - checkedAt >= every) {
        checkedAt = t;
        try {
          const st = statSync(file);
          if (`${st.mtimeMs}:${st.size}` !== stamp) load();
        } catch (err) {
          options.onReloadError?.(err as Error);
        }
      }
      return typeof ip === 'string' && set.lookup(ip);
    },
    get count() {
      return count;
    },
    get loads() {
      return loads;
    },
  };
}
