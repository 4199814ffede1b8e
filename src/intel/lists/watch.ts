import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { InputProblem } from '../../core/errors.js';
import { loadIntelList, type LoadedIntelList } from './load.js';
import { loadProblem, type ThreatIntel } from './threat-intel.js';

export interface WatchIntelOptions {
  /** A new version is in place. */
  onReload?: (list: LoadedIntelList) => void;
  /** Problems of a new version (bad entries), or why it was refused and the old one kept. */
  onProblem?: (problem: InputProblem) => void;
  /** Quiet time after the last change before reading the file (editors and `cp` write in steps). */
  debounceMs?: number;
  /** Poll interval: catches what fs.watch misses (network file systems, some containers). */
  pollMs?: number;
}

export interface IntelWatcher {
  close(): void;
}

/** What tells a new version apart without reading it: size, modification time and inode. */
function fingerprint(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return 'missing';
  }
}

/**
 * Reloads each list of `intel` when its file changes, without a restart: fs.watch on the file's folder
 * (so a file replaced by rename, the safe way to publish a list, is seen) plus a poll of its size and
 * mtime as a fallback, debounced. A new version that cannot be read or parsed, or that has problems and
 * no entry at all, is refused: the old version stays loaded and the problem is reported.
 */
export function watchIntel(intel: ThreatIntel, options: WatchIntelOptions = {}): IntelWatcher {
  const { debounceMs = 300, pollMs = 5000 } = options;
  const watchers: FSWatcher[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  intel.specs.forEach((spec, index) => {
    const path = resolve(spec.path);
    let seen = fingerprint(path);
    let pending: NodeJS.Timeout | undefined;

    const reload = () => {
      pending = undefined;
      if (closed) return;
      const now = fingerprint(path);
      if (now === seen) return;
      seen = now;
      let list: LoadedIntelList;
      try {
        list = loadIntelList(spec);
      } catch (err) {
        options.onProblem?.({
          ...loadProblem(spec, err),
          message: `${(err as Error).message}; the previous version stays loaded`,
        });
        return;
      }
      if (list.entries === 0 && list.problems.some((p) => p.code === 'VIGIL_INTEL_INVALID')) {
        for (const p of list.problems) options.onProblem?.(p);
        options.onProblem?.({
          file: spec.path,
          code: 'VIGIL_INTEL_INVALID',
          message: 'the new version has no valid entry; the previous version stays loaded',
        });
        return;
      }
      intel.replace(index, list);
      for (const p of list.problems) options.onProblem?.(p);
      options.onReload?.(list);
    };
    const changed = () => {
      if (closed) return;
      if (pending) {
        clearTimeout(pending);
        timers.delete(pending);
      }
      pending = setTimeout(() => {
        timers.delete(pending!);
        reload();
      }, debounceMs);
      timers.add(pending);
    };

    try {
      const w = watch(dirname(path), (_event, file) => {
        if (file === null || file.toString() === basename(path)) changed();
      });
      w.on('error', () => w.close());
      w.unref();
      watchers.push(w);
    } catch {
      // the poll below still sees changes
    }
    const poll = setInterval(() => {
      if (fingerprint(path) !== seen) changed();
    }, pollMs);
    poll.unref();
    timers.add(poll);
  });

  return {
    close() {
      closed = true;
      for (const w of watchers) w.close();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
