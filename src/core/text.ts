/**
 * Makes attacker-controlled text safe to print on a terminal: C0/C1 control characters (ESC, BEL, CR,
 * backspace…), DEL and Unicode bidi overrides are replaced by visible escapes, so a log field cannot move
 * the cursor, recolour the screen, rewrite earlier lines or reorder what the reader sees.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
