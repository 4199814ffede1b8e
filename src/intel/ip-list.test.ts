import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { VigilError } from '../core/errors.js';
import { loadIpList, MAX_LIST_PROBLEMS, parseIpList } from './ip-list.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-intel-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('parseIpList (GuardDuty TXT format)', () => {
  it('loads addresses and CIDRs, skips blanks and comments, reports bad lines with their line numbers', () => {
    const text = [
      '# known bad infrastructure',
      '198.51.100.23',
      '',
      '203.0.113.0/24   # scanner range',
      'not-an-ip',
      '2001:db8:bad::/48',
      '10.0.0.1/40',
      '\u001b[31mevil',
      '   ',
    ].join('\n');
    const { set, problems, entries } = parseIpList(text, 'intel/bad.txt');
    expect(entries).toBe(3);
    expect(set.lookup('198.51.100.23')).toBe(true);
    expect(set.lookup('203.0.113.200')).toBe(true);
    expect(set.lookup('2001:db8:bad::1')).toBe(true);
    expect(set.lookup('198.51.100.24')).toBe(false);
    expect(problems.map((p) => [p.file, p.line, p.code])).toEqual([
      ['intel/bad.txt', 5, 'VIGIL_INTEL_INVALID'],
      ['intel/bad.txt', 7, 'VIGIL_INTEL_INVALID'],
      ['intel/bad.txt', 8, 'VIGIL_INTEL_INVALID'],
    ]);
    expect(problems[0]!.message).toContain('"not-an-ip"');
    // the escape character is shown escaped, never raw
    expect(problems[2]!.message).not.toContain('\u001b');
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    const { set, problems } = parseIpList('\ufeff192.0.2.1\r\n192.0.2.2\r\n', 'crlf.txt');
    expect(problems).toEqual([]);
    expect(set.lookup('192.0.2.1')).toBe(true);
    expect(set.lookup('192.0.2.2')).toBe(true);
  });

  it('lists at most MAX_LIST_PROBLEMS bad lines and summarises the rest', () => {
    const lines = Array.from({ length: MAX_LIST_PROBLEMS + 10 }, (_, i) => `bad-${i}`);
    const { problems } = parseIpList(lines.join('\n'), 'garbage.txt');
    expect(problems).toHaveLength(MAX_LIST_PROBLEMS + 1);
    expect(problems.at(-1)!.message).toContain(`${MAX_LIST_PROBLEMS + 10} in all`);
  });
});

describe('loadIpList', () => {
  it('reads a file', () => {
    const file = join(dir, 'list.txt');
    writeFileSync(file, '192.0.2.0/24\nbroken\n');
    const { set, problems } = loadIpList(file);
    expect(set.lookup('192.0.2.77')).toBe(true);
    expect(problems).toEqual([
      { file, line: 2, code: 'VIGIL_INTEL_INVALID', message: '"broken" is not an IP address or CIDR block' },
    ]);
  });

  it('throws VIGIL_INPUT_UNREADABLE naming a missing file', () => {
    const file = join(dir, 'missing.txt');
    expect(() => loadIpList(file)).toThrow(VigilError);
    expect(() => loadIpList(file)).toThrow(file);
  });

  it('loads a 1,000,000-line list', () => {
    const lines: string[] = [];
    for (let i = 0; i < 1_000_000; i++)
      lines.push(`${20 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.${i % 2 ? 9 : 1}`);
    const file = join(dir, 'big.txt');
    writeFileSync(file, lines.join('\n'));
    const { set, problems, entries } = loadIpList(file);
    expect(problems).toEqual([]);
    expect(entries).toBe(1_000_000);
    expect(set.lookup(lines[0]!)).toBe(true);
    expect(set.lookup(lines[999_999]!)).toBe(true);
    expect(set.lookup('20.0.0.2')).toBe(false);
  });
});
