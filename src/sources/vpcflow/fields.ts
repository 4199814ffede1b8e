/**
 * The fields of VPC Flow Logs records, by AWS's names
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html).
 */

/** The default (version 2) format, in order: what a file without a header line holds. */
export const DEFAULT_FIELDS: readonly string[] = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

/** Fields whose values are integers (kept as JSON numbers). */
export const NUMERIC_FIELDS: ReadonlySet<string> = new Set([
  'version',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'tcp-flags',
  'traffic-path',
]);

/** Fields whose values are IP addresses. */
export const IP_FIELDS: ReadonlySet<string> = new Set(['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr']);

/** The fields versions 3 to 5 added to the default ones, in AWS's order. */
export const LATER_FIELDS: readonly string[] = [
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
];

/** Every field name of versions 2 to 5: a header line is recognised by them. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set([...DEFAULT_FIELDS, ...LATER_FIELDS]);

/** `log-status` values of records that carry no traffic: counted, never turned into events. */
export const NO_DATA_STATUS: ReadonlySet<string> = new Set(['NODATA', 'SKIPDATA']);

const FIELD_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * The field names of a header line (`version account-id interface-id …`), or undefined when the line is
 * not one: every token must look like a field name and at least two must be fields AWS defines, so a data
 * line (numbers, addresses) is never taken for a header. Newer fields (`ecs-cluster-name`, `reject-reason`)
 * are accepted as strings.
 */
export function parseHeader(line: string): string[] | undefined {
  const names = line.trim().split(/ +/);
  if (names.length < 2 || names.length > 128) return undefined;
  let known = 0;
  const seen = new Set<string>();
  for (const n of names) {
    if (!FIELD_NAME.test(n) || seen.has(n)) return undefined;
    seen.add(n);
    if (KNOWN_FIELDS.has(n)) known++;
  }
  return known >= 2 ? names : undefined;
}

/** True for a first line in the default format without a header: 14 fields, version 2, action and status. */
export function isDefaultFormatLine(line: string): boolean {
  const t = line.trim().split(' ');
  return (
    t.length === 14 &&
    t[0] === '2' &&
    (t[12] === 'ACCEPT' || t[12] === 'REJECT' || t[12] === '-') &&
    (t[13] === 'OK' || t[13] === 'NODATA' || t[13] === 'SKIPDATA')
  );
}

/**
 * The field names of a custom flow log format as it is given to AWS (the `LogFormat` of CreateFlowLogs:
 * `${version} ${account-id} …`), or what is wrong with it. Names without `${…}`, as in a header line, are
 * accepted too. Flow logs delivered to CloudWatch Logs have no header line, so this is how their lines
 * are read when the format is not the default one.
 */
export function parseFlowLogFormat(format: string): { fields: string[] } | { error: string } {
  const tokens = format.trim().split(/\s+/);
  const names: string[] = [];
  for (const token of tokens) {
    const name = /^\$\{([^{}]*)\}$/.exec(token)?.[1] ?? token;
    if (!FIELD_NAME.test(name))
      return { error: `${JSON.stringify(token.slice(0, 40))} is not a flow log field such as \${srcaddr}` };
    if (names.includes(name)) return { error: `field ${JSON.stringify(name)} appears twice` };
    names.push(name);
  }
  const fields = parseHeader(names.join(' '));
  if (fields === undefined)
    return {
      error: 'a flow log format names at least two VPC Flow Logs fields (e.g. ${srcaddr} ${dstaddr})',
    };
  return { fields };
}
