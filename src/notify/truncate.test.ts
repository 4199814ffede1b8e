import { describe, expect, it } from 'vitest';
import { oneLine, truncateEscaped, truncateText, truncateUtf8 } from './truncate.js';

const amp = (cp: string): string => (cp === '&' ? '&amp;' : cp);

describe('truncate', () => {
  it('leaves short text alone and marks a cut with an ellipsis', () => {
    expect(truncateText('short', 10)).toBe('short');
    expect(truncateText('abcdefghij', 5)).toBe('abcd…');
    expect(truncateText('abcdefghij', 5)).toHaveLength(5);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateText('😀😀😀😀', 4);
    expect(cut).toBe('😀…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });

  it('never cuts inside an escape sequence', () => {
    for (let max = 1; max < 30; max++) {
      const cut = truncateEscaped('a&b&c&d&e&f', max, amp);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.replace(/&amp;/g, '')).not.toContain('&');
    }
  });

  it('cuts UTF-8 text by bytes on a code-point boundary', () => {
    const cut = truncateUtf8('ééééé', 7);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(7);
    expect(cut).toBe('éé…');
    expect(truncateUtf8('abc', 3)).toBe('abc');
  });

  it('makes one line of text with breaks and controls', () => {
    expect(oneLine('a\r\nb\u2028c\td\u0007')).toBe('a b c d');
  });
});
