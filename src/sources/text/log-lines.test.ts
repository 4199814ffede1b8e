import { describe, expect, it } from 'vitest';
import {
  DNS_LINES,
  FLOW_V2_LINES,
  FLOW_V5_HEADER,
  FLOW_V5_LINES,
  S3_ACCESS_LINES,
} from '../network-samples.js';
import { parseFlowLogFormat } from '../vpcflow/fields.js';
import { createLogLineReader, type LogLine } from './log-lines.js';
import { linesOf } from './lines.js';

function readAll(text: string, flowFields?: readonly string[]): LogLine[] {
  const reader = createLogLineReader(flowFields ? { flowFields } : {});
  return [...linesOf(text)].map((l) => reader.line(l));
}

describe('createLogLineReader', () => {
  it('reads default-format flow lines without a header, skipping records without traffic', () => {
    const out = readAll(FLOW_V2_LINES.join('\n'));
    expect(out.map((r) => r.kind)).toEqual(['text', 'text', 'skipped', 'skipped']);
    expect(out[0]).toMatchObject({
      kind: 'text',
      format: 'vpcflow',
      record: { srcaddr: '203.0.113.12', dstport: 22, action: 'REJECT', start: 1716000000 },
    });
    expect(out[2]).toEqual({ kind: 'skipped', why: 'no-data' });
  });

  it('takes the fields from a header line and names the field of a damaged line', () => {
    const bad = FLOW_V5_LINES[0]!.replace(' 34892 ', ' port ');
    const out = readAll([FLOW_V5_HEADER, FLOW_V5_LINES[0], bad, '', FLOW_V5_LINES[1]].join('\n'));
    expect(out.map((r) => r.kind)).toEqual(['skipped', 'text', 'bad', 'skipped', 'text']);
    expect(out[1]).toMatchObject({ record: { 'flow-direction': 'egress', 'pkt-dst-aws-service': 'S3' } });
    expect(out[2]).toEqual({ kind: 'bad', error: 'flow log record srcport is not a number: "port"' });
  });

  it('reads header-less lines in the configured custom format', () => {
    const format = parseFlowLogFormat(`\${${FLOW_V5_HEADER.split(' ').join('} ${')}}`);
    expect('fields' in format && format.fields.length).toBe(29);
    const fields = 'fields' in format ? format.fields : [];
    const [first] = readAll(FLOW_V5_LINES[1]!, fields);
    expect(first).toMatchObject({ kind: 'text', record: { dstport: 3389, 'vpc-id': 'vpc-0a1b2c3d' } });
    // The same line against the default fields is a clear mismatch, not a silent misreading.
    expect(readAll(FLOW_V5_LINES[1]!)[0]).toEqual({
      kind: 'bad',
      error: 'flow log record has 29 fields, the format has 14',
    });
  });

  it('tags Resolver query logs among JSON lines and leaves other JSON to the caller', () => {
    const ct = '{"eventVersion":"1.08","eventName":"CreateUser","eventSource":"iam.amazonaws.com"}';
    const out = readAll([DNS_LINES[0], ct, `[${DNS_LINES[1]}]`, '{broken'].join('\n'));
    expect(out[0]).toMatchObject({ kind: 'json', values: [{ format: 'dns' }] });
    expect(out[1]).toEqual({ kind: 'json', values: [{ value: JSON.parse(ct) as unknown }] });
    expect(out[2]).toMatchObject({ kind: 'json', values: [{ format: 'dns', value: { rcode: 'NXDOMAIN' } }] });
    expect(out[3]).toMatchObject({
      kind: 'bad',
      error: expect.stringMatching(/^not valid JSON: /) as unknown,
    });
  });

  it('reads S3 server access log lines and rejects text of no known format', () => {
    const out = readAll(['hello world', S3_ACCESS_LINES[0]].join('\n'));
    expect(out[0]).toMatchObject({
      kind: 'bad',
      error: expect.stringMatching(/^not a VPC flow log line/) as unknown,
    });
    expect(out[1]).toMatchObject({ kind: 'text', format: 's3access' });
  });
});

describe('parseFlowLogFormat', () => {
  it('reads the ${field} list AWS takes, and says what is wrong with a bad one', () => {
    expect(parseFlowLogFormat('${version} ${srcaddr}  ${dstaddr}')).toEqual({
      fields: ['version', 'srcaddr', 'dstaddr'],
    });
    expect(parseFlowLogFormat('${srcaddr} ${Bad}')).toEqual({
      error: '"${Bad}" is not a flow log field such as ${srcaddr}',
    });
    expect(parseFlowLogFormat('${srcaddr} ${srcaddr}')).toEqual({ error: 'field "srcaddr" appears twice' });
    expect(parseFlowLogFormat('${foo} ${bar}')).toMatchObject({
      error: expect.stringMatching(/at least two/) as unknown,
    });
  });
});
