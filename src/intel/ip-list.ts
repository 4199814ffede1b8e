import { readTextFile } from './read-text.js';
import type { InputProblem } from '../core/errors.js';
import { createIpSetBuilder, type IpSet } from './ip-set.js';

/** Bad lines reported one by one; past this, a single summary problem says how many more there were. */
export const MAX_LIST_PROBLEMS = 1000;

export interface LoadedIpList {
  set: IpSet;
  problems: InputProblem[];
  /** Entries loaded (before merging). */
  entries: number;
}

/** Shows attacker-controlled text in a message: quoted, escaped, cut to 80 characters. */
function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? text.slice(0, 80) + '…' : text);
}

/**
 * Parses a GuardDuty TXT ThreatIntelSet / trusted IP list: one IPv4 or IPv6 address or CIDR block per
 * line. Blank lines and `#` comments (whole-line or trailing) are ignored, CRLF and a UTF-8 BOM are
 * accepted. A bad line is reported with file:line (VIGIL_INTEL_INVALID) and the rest still loads.
 */
export function parseIpList(text: string, file: string): LoadedIpList {
  const builder = createIpSetBuilder();
  const problems: InputProblem[] = [];
  let bad = 0;
  let entries = 0;
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
    if (line === '') continue;
    if (builder.addText(line)) {
      entries++;
      continue;
    }
    bad++;
    if (problems.length < MAX_LIST_PROBLEMS) {
      problems.push({
        file,
        line: lineNo,
        code: 'VIGIL_INTEL_INVALID',
        message: `${shown(line)} is not an IP address or CIDR block`,
      });
    }
  }
  if (bad > problems.length) {
    problems.push({
      file,
      code: 'VIGIL_INTEL_INVALID',
      message: `${bad - problems.length} more bad line(s) not listed (${bad} in all)`,
    });
  }
  return { set: builder.build(), problems, entries };
}

/** Reads and parses an IP list file (see parseIpList). An unreadable file throws VIGIL_INPUT_UNREADABLE. */
export function loadIpList(file: string): LoadedIpList {
  const text = readTextFile(file, 'the IP list');
  return parseIpList(text, file);
}
