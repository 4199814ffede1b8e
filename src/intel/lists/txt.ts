import type { Collector } from './collector.js';

/**
 * GuardDuty's plain-text lists: one IPv4/IPv6 address, CIDR block or domain name per line. Blank lines
 * and `#` comments (whole-line or trailing) are ignored; CRLF and a UTF-8 BOM are accepted. AlienVault's
 * reputation feed (`ip#reliability#risk#activity#…`) reads the same way: the fields after the address
 * are past the `#`.
 */
export function parseTxt(text: string, into: Collector): void {
  let lineNo = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    lineNo++;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line !== '') into.addOrReport(line, { line: lineNo });
  }
}
