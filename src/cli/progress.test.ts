import { describe, expect, it } from 'vitest';
import type { ScanProgress } from '../scan/scan.js';
import { createProgress } from './progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (t: string) => chunks.push(t) }, chunks };
}

const progress = (records: number): ScanProgress => ({
  filesTotal: 10,
  filesDone: 3,
  records,
  skipped: 2,
  findings: { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 0 },
});

describe('progress on stderr', () => {
  it('redraws one live line on a terminal, at most five times a second, and clears it for messages', () => {
    let now = 0;
    const { out, chunks } = sink(true);
    const p = createProgress(out, { now: () => now });
    now = 100;
    p.update(progress(10)); // too soon after start
    now = 250;
    p.update(progress(20));
    now = 300;
    p.update(progress(30)); // throttled
    p.line('vigil: a.json: VIGIL_INPUT_BAD_JSON: oops');
    now = 1000;
    p.done();
    expect(chunks[0]).toBe('\r\u001b[Kfiles 3/10  records 20 (2 skipped)  80/s  findings C0 H3 M2 L1');
    expect(chunks[1]).toBe('\r\u001b[K');
    expect(chunks[2]).toBe('vigil: a.json: VIGIL_INPUT_BAD_JSON: oops\n');
    expect(chunks[3]).toBe('vigil: files 3/10  records 30 (2 skipped)  30/s  findings C0 H3 M2 L1\n');
    expect(chunks).toHaveLength(4);
  });

  it('writes plain lines at an interval when stderr is not a terminal, and nothing when quiet', () => {
    let now = 0;
    const plain = sink(false);
    const p = createProgress(plain.out, { now: () => now, plainEveryMs: 1000 });
    now = 500;
    p.update(progress(5));
    now = 1500;
    p.update(progress(15_000));
    expect(plain.chunks).toEqual([
      'vigil: files 3/10  records 15,000 (2 skipped)  10.0k/s  findings C0 H3 M2 L1\n',
    ]);

    const quiet = sink(false);
    const q = createProgress(quiet.out, { now: () => now, quiet: true });
    now = 5000;
    q.update(progress(1));
    q.done();
    q.line('vigil: an error still prints');
    expect(quiet.chunks).toEqual(['vigil: an error still prints\n']);
  });
});
