/** The mark left where text was cut. */
export const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `max` UTF-16 units after escaping, never inside an escape sequence and never
 * between the halves of a surrogate pair: code points are escaped one at a time and added while they fit,
 * so the result is always a whole escaped prefix of the input followed by `…` when it was cut.
 */
export function truncateEscaped(text: string, max: number, escape: (codePoint: string) => string): string {
  const whole = Array.from(text, escape).join('');
  if (whole.length <= max) return whole;
  if (max < ELLIPSIS.length) return '';
  let out = '';
  for (const cp of text) {
    const piece = escape(cp);
    if (out.length + piece.length + ELLIPSIS.length > max) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

const identity = (cp: string): string => cp;

/** Cuts plain text to at most `max` UTF-16 units, on a code-point boundary, ending in `…` when cut. */
export function truncateText(text: string, max: number): string {
  return truncateEscaped(text, max, identity);
}

/** Cuts text so that its UTF-8 encoding is at most `maxBytes` bytes, on a code-point boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  if (budget < 0) return '';
  let out = '';
  let bytes = 0;
  for (const cp of text) {
    const size = Buffer.byteLength(cp, 'utf8');
    if (bytes + size > budget) break;
    out += cp;
    bytes += size;
  }
  return out + ELLIPSIS;
}

/** Replaces line breaks and other control characters by spaces and folds runs of whitespace: one line. */
// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function oneLine(text: string): string {
  return text
    .replace(LINE_BREAKING, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}
