import { isIpLiteral } from '../cloudtrail/ip-literal.js';

/**
 * S3 server access log lines
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html): space-separated fields, the time
 * in brackets, the request URI, referer and user agent in double quotes. Fields AWS adds later are
 * appended at the end, so older lines stop after `user_agent` or `version_id` and unknown trailing fields
 * are ignored.
 */
export const S3_ACCESS_FIELDS: readonly string[] = [
  'bucket_owner',
  'bucket',
  'time',
  'remote_ip',
  'requester',
  'request_id',
  'operation',
  'key',
  'request_uri',
  'http_status',
  'error_code',
  'bytes_sent',
  'object_size',
  'total_time',
  'turn_around_time',
  'referer',
  'user_agent',
  'version_id',
  'host_id',
  'signature_version',
  'cipher_suite',
  'authentication_type',
  'host_header',
  'tls_version',
  'access_point_arn',
  'acl_required',
];

/** Fields kept as JSON numbers. */
const NUMERIC: ReadonlySet<string> = new Set([
  'http_status',
  'bytes_sent',
  'object_size',
  'total_time',
  'turn_around_time',
]);

/** Through `user_agent`: the oldest lines AWS writes have at least these. */
const MIN_FIELDS = 17;

/** `bucket_owner bucket [06/Feb/2019:00:00:38 +0000] …`: how a line of this format starts. */
const LINE_START = /^\S+ \S+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] /;

/** True when a first line has the shape of an S3 server access log line. */
export function isS3AccessLine(line: string): boolean {
  return LINE_START.test(line);
}

export type S3AccessLineResult = { record: Record<string, unknown> } | { error: string };

function quote(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

/**
 * Splits a line into its fields: `[…]` and `"…"` are one field each (a quote inside a quoted field is
 * written `\"`, a backslash `\\`), anything else ends at a space. Undefined when a bracket or quote is not
 * closed.
 */
export function splitS3AccessLine(line: string): string[] | undefined {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32) {
      i++;
      continue;
    }
    if (c === 34 /* " */) {
      let value = '';
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = line.charCodeAt(j);
        if (d === 92 /* \ */ && j + 1 < n) {
          value += line[j + 1];
          j += 2;
        } else if (d === 34) {
          closed = true;
          j++;
          break;
        } else {
          value += line[j];
          j++;
        }
      }
      if (!closed) return undefined;
      out.push(value);
      i = j;
    } else if (c === 91 /* [ */) {
      const end = line.indexOf(']', i + 1);
      if (end < 0) return undefined;
      out.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = line.indexOf(' ', i);
      if (end < 0) end = n;
      out.push(line.slice(i, end));
      i = end;
    }
  }
  return out;
}

const MONTHS: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

const TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** `06/Feb/2019:00:00:38 +0000` as ISO-8601 UTC (`2019-02-06T00:00:38Z`), or undefined. */
export function parseS3AccessTime(s: string): string | undefined {
  const m = TIME.exec(s);
  const month = m ? MONTHS[m[2]!] : undefined;
  if (!m || month === undefined) return undefined;
  const local = Date.parse(`${m[3]}-${month}-${m[1]}T${m[4]}:${m[5]}:${m[6]}Z`);
  if (!Number.isFinite(local) || Number(m[1]) > 31 || Number(m[4]) > 23) return undefined;
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '-' ? -1 : 1);
  return new Date(local - offset).toISOString().replace('.000Z', 'Z');
}

/** One line as a record keyed by AWS's field names; `-` leaves the key out. */
export function parseS3AccessLine(line: string): S3AccessLineResult {
  const values = splitS3AccessLine(line);
  if (values === undefined) return { error: 'a quoted or bracketed field is not closed' };
  if (values.length < MIN_FIELDS) {
    return { error: `has ${values.length} fields, an S3 server access log line has at least ${MIN_FIELDS}` };
  }
  const record: Record<string, unknown> = {};
  const count = Math.min(values.length, S3_ACCESS_FIELDS.length);
  for (let i = 0; i < count; i++) {
    const name = S3_ACCESS_FIELDS[i]!;
    const v = values[i]!;
    if (v === '-' || v === '') continue;
    if (name === 'time') {
      const iso = parseS3AccessTime(v);
      if (iso === undefined) return { error: `time is not a time: ${quote(v)}` };
      record.time = iso;
    } else if (NUMERIC.has(name)) {
      if (!/^\d{1,18}$/.test(v)) return { error: `${name} is not a number: ${quote(v)}` };
      record[name] = Number(v);
    } else if (name === 'remote_ip') {
      if (!isIpLiteral(v)) return { error: `remote_ip is not an IP address: ${quote(v)}` };
      record[name] = v;
    } else {
      record[name] = v;
    }
  }
  if (record.time === undefined) return { error: 'time is missing' };
  return { record };
}
