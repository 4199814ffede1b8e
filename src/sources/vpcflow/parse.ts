import { isIpLiteral } from '../cloudtrail/ip-literal.js';
import { IP_FIELDS, NUMERIC_FIELDS } from './fields.js';

/** A parsed line, or what is wrong with it (a sentence naming the field; values shortened and quoted). */
export type FlowLineResult = { record: Record<string, unknown> } | { error: string };

function quote(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

/** Largest flow start/end accepted (seconds): year 2100. Anything beyond is a bad time, not a flow. */
const MAX_EPOCH_SECONDS = 4_102_444_800;

/**
 * One flow record line in the format `fields` names: space-separated values, `-` for "no data" (the key is
 * left out), numeric fields as numbers, address fields checked to be IP literals, `start`/`end` checked to
 * be plausible epoch seconds.
 */
export function parseFlowLine(line: string, fields: readonly string[]): FlowLineResult {
  const values = line.split(' ');
  if (values.length !== fields.length) {
    return { error: `has ${values.length} fields, the format has ${fields.length}` };
  }
  const record: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]!;
    const v = values[i]!;
    if (v === '-') continue;
    if (v === '') return { error: `field ${i + 1} (${name}) is empty (two spaces in a row?)` };
    if (NUMERIC_FIELDS.has(name)) {
      if (!isUnsignedInteger(v)) return { error: `${name} is not a number: ${quote(v)}` };
      const n = Number(v);
      if ((name === 'start' || name === 'end') && n > MAX_EPOCH_SECONDS) {
        return { error: `${name} is not a time in epoch seconds: ${quote(v)}` };
      }
      record[name] = n;
    } else if (IP_FIELDS.has(name)) {
      if (!isIpLiteral(v)) return { error: `${name} is not an IP address: ${quote(v)}` };
      record[name] = v;
    } else {
      record[name] = v;
    }
  }
  return { record };
}

function isUnsignedInteger(s: string): boolean {
  if (s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
