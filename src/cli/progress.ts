import type { ScanProgress } from '../scan/scan.js';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressReporter {
  update(progress: ScanProgress): void;
  /** Prints a line (an error, say) without tearing the live bar. */
  line(text: string): void;
  done(): void;
}

function rate(records: number, ms: number): string {
  const perSecond = ms > 0 ? (records * 1000) / ms : 0;
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k/s` : `${Math.round(perSecond)}/s`;
}

export function describeProgress(p: ScanProgress, elapsedMs: number): string {
  const f = p.findings;
  return (
    `files ${p.filesDone}/${p.filesTotal}  records ${p.records.toLocaleString('en-US')}` +
    (p.skipped ? ` (${p.skipped} skipped)` : '') +
    `  ${rate(p.records, elapsedMs)}  findings C${f.CRITICAL} H${f.HIGH} M${f.MEDIUM} L${f.LOW}`
  );
}

/**
 * Progress on stderr: on a terminal, one live line redrawn at most five times a second; otherwise a plain
 * line every `plainEveryMs` so logs stay readable.
 */
export function createProgress(
  out: ProgressOutput,
  options: { quiet?: boolean; now?: () => number; plainEveryMs?: number } = {},
): ProgressReporter {
  const now = options.now ?? Date.now;
  const started = now();
  const tty = Boolean(out.isTTY);
  const every = tty ? 200 : (options.plainEveryMs ?? 10_000);
  let last = started;
  let drawn = false;
  let latest: ScanProgress | undefined;
  const clear = () => {
    if (drawn) out.write('\r\u001b[K');
    drawn = false;
  };
  return {
    update(progress) {
      latest = progress;
      if (options.quiet) return;
      const t = now();
      if (t - last < every) return;
      last = t;
      if (tty) {
        out.write(`\r\u001b[K${describeProgress(progress, t - started)}`);
        drawn = true;
      } else {
        out.write(`vigil: ${describeProgress(progress, t - started)}\n`);
      }
    },
    line(text) {
      clear();
      out.write(`${text}\n`);
    },
    done() {
      clear();
      if (latest && !options.quiet) out.write(`vigil: ${describeProgress(latest, now() - started)}\n`);
    },
  };
}
