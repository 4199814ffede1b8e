import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

// The demo story's attack raises one attack sequence; the flags turn it off or change its window.
describe('vigil scan attack-sequence flags', () => {
  const types = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type);

  it('chains the demo attack into one sequence, none with --no-sequences, and checks --sequence-window', async () => {
    const on = await runCli(['scan', 'demo/cloudtrail', '--format', 'jsonl']);
    expect(on.code).toBe(0);
    expect(types(on.stdout).filter((t) => t.startsWith('AttackSequence:'))).toHaveLength(1);

    const off = await runCli(['scan', 'demo/cloudtrail', '--format', 'jsonl', '--no-sequences']);
    expect(types(off.stdout).filter((t) => t.startsWith('AttackSequence:'))).toEqual([]);
    expect(types(off.stdout)).toEqual(types(on.stdout).filter((t) => !t.startsWith('AttackSequence:')));

    // The story's stages span about an hour: a one-minute window holds far fewer of its findings.
    const members = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; count: number })
        .filter((f) => f.type.startsWith('AttackSequence:'))
        .reduce((n, f) => Math.max(n, f.count), 0);
    const short = await runCli(['scan', 'demo/cloudtrail', '--format', 'jsonl', '--sequence-window', '1m']);
    expect(short.code).toBe(0);
    expect(members(short.stdout)).toBeLessThan(members(on.stdout) / 2);

    const bad = await runCli(['scan', 'demo/cloudtrail', '--sequence-window', '2x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--sequence-window must be a duration/);
  });
});
