import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, formatProblem } from './errors.js';

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with the same meaning, and nothing more', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `(VIGIL_[A-Z_]+)` +\| (.+?) +\|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_CODES);
  });

  it('names the file, line, record and byte offset of an input problem', () => {
    expect(
      formatProblem({
        file: 'a.json',
        record: 3,
        offset: 120,
        code: 'VIGIL_INPUT_BAD_JSON',
        message: 'unexpected }',
      }),
    ).toBe('a.json record 3 (byte 120): VIGIL_INPUT_BAD_JSON: unexpected }');
    expect(
      formatProblem({ file: 'b.jsonl', line: 7, code: 'VIGIL_INPUT_BAD_RECORD', message: 'no eventTime' }),
    ).toBe('b.jsonl:7: VIGIL_INPUT_BAD_RECORD: no eventTime');
  });
});
