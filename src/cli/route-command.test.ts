import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from './io.js';
import { UsageError } from './io.js';
import { routeCommand } from './route-command.js';

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (chunk: Buffer) => into.push(chunk.toString()));
    return s;
  };
  const io: CliIO = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env: {}, now: () => 0 };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function run(argv: string[]) {
  const f = fakeIO();
  const code = await routeCommand(argv, f.io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

describe('vigil route test', () => {
  it('prints {"Result": true} for a matching event', async () => {
    const r = await run([
      'test',
      '--pattern',
      '{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",7]}]}}',
      '--event',
      '{"source":"aws.guardduty","detail":{"severity":8.0}}',
    ]);
    expect(r).toEqual({ code: 0, stdout: '{"Result":true}\n', stderr: '' });
  });

  it('prints {"Result": false} for an event that does not match', async () => {
    const r = await run([
      'test',
      '--pattern',
      '{"source":["aws.guardduty"]}',
      '--event',
      '{"source":"vigil"}',
    ]);
    expect(r).toEqual({ code: 0, stdout: '{"Result":false}\n', stderr: '' });
  });

  it('reads @file arguments, keeping duplicate keys from the text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-route-'));
    writeFileSync(join(dir, 'p.json'), '{"x":["y"],"x":["z"]}');
    writeFileSync(join(dir, 'e.json'), '{"x":"z"}');
    const r = await run([
      'test',
      '--pattern',
      `@${join(dir, 'p.json')}`,
      '--event',
      `@${join(dir, 'e.json')}`,
    ]);
    expect(r.stdout).toBe('{"Result":true}\n');
  });

  it('explains an invalid pattern on stderr and exits 1', async () => {
    const r = await run([
      'test',
      '--pattern',
      '{"a":[{"cidr":"10.0.0.0/33"}]}',
      '--event',
      '{"a":"10.0.0.1"}',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('vigil: invalid --pattern: a[0].cidr: IPv4 mask bits must be < 32\n');
  });

  it('explains an invalid event on stderr and exits 1', async () => {
    const bad = await run(['test', '--pattern', '{"a":["x"]}', '--event', '{"a": "x"']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^vigil: --event is not valid JSON: /);
    const notObject = await run(['test', '--pattern', '{"a":["x"]}', '--event', '["x"]']);
    expect(notObject.stderr).toBe('vigil: --event must be a JSON object, found a array\n');
    const missing = await run(['test', '--pattern', '{"a":["x"]}', '--event', '@/nonexistent/vigil/e.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--event: cannot read /nonexistent/vigil/e.json');
  });

  it('makes attacker-controlled text in errors terminal-safe', async () => {
    const r = await run(['test', '--pattern', '{"a\\u001b[31m":"x"}', '--event', '{}']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('\u001b');
  });

  it('rejects a missing flag or unknown subcommand as usage errors', async () => {
    await expect(run(['test', '--pattern', '{}'])).rejects.toThrow(UsageError);
    await expect(run(['check'])).rejects.toThrow(UsageError);
    expect((await run([])).code).toBe(1);
  });
});
