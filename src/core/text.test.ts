import { describe, expect, it } from 'vitest';
import { terminalSafe } from './text.js';

describe('terminalSafe', () => {
  it('neutralises escape sequences, carriage returns and bidi overrides', () => {
    const hostile = 'alice\u001b[2J\u001b]0;pwned\u0007\rroot\u202Egnp.exe\nnext';
    const safe = terminalSafe(hostile);
    // eslint-disable-next-line no-control-regex
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(safe).toBe('alice\\x1b[2J\\x1b]0;pwned\\x07\\rroot\\u202egnp.exe\\nnext');
  });

  it('leaves ordinary text, including non-Latin scripts, alone', () => {
    expect(terminalSafe('arn:aws:iam::123456789012:user/zoë-日本')).toBe(
      'arn:aws:iam::123456789012:user/zoë-日本',
    );
  });
});
