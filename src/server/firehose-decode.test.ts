import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DNS_LINES, FLOW_V2_LINES } from '../sources/network-samples.js';
import { checkEnvelope, decodeFirehoseRecords } from './firehose-decode.js';

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

describe('decodeFirehoseRecords', () => {
  it('decodes base64 UTF-8 JSON records in order, keeping where each came from', () => {
    const out = decodeFirehoseRecords('r', [
      { data: b64(JSON.stringify({ eventName: 'Ünïcode' })) },
      { data: b64('{"a":1}\n\n{"b":2}\r\n') },
      { data: b64(JSON.stringify({ Records: [{ c: 3 }, { d: 4 }] })) },
    ]);
    expect(out.problems).toEqual([]);
    expect(out.items).toEqual([{ eventName: 'Ünïcode' }, { a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }]);
    expect(out.origin).toEqual([
      { record: 0 },
      { record: 1, line: 1 },
      { record: 1, line: 3 },
      { record: 2 },
      { record: 2 },
    ]);
  });

  it('lists each bad record or line and still decodes the rest', () => {
    const out = decodeFirehoseRecords('r', [
      { data: 'not base64!' },
      { nodata: true },
      'record',
      { data: b64(Buffer.from([0xff, 0xfe, 0x00])) },
      { data: b64('{"ok":1}\n{broken\n{"ok":2}') },
      { data: b64('{half') },
      { data: b64('   ') },
      { data: b64('{"good":true}') },
    ]);
    expect(out.items).toEqual([{ ok: 1 }, { ok: 2 }, { good: true }]);
    expect(out.problems.map((p) => [p.record, p.line, p.reason])).toEqual([
      [0, undefined, 'bad_base64'],
      [1, undefined, 'bad_record'],
      [2, undefined, 'bad_record'],
      [3, undefined, 'bad_utf8'],
      [4, 2, 'bad_json'],
      [5, undefined, 'bad_json'],
      [6, undefined, 'bad_json'],
    ]);
    expect(out.problems[4]?.error).toMatch(/^record 4 line 2 is not valid JSON: /);
  });
});

/** What a CloudWatch Logs subscription hands Firehose: a gzip'd JSON payload. */
function logsPayload(messages: string[], messageType = 'DATA_MESSAGE'): string {
  const payload = {
    messageType,
    owner: '123456789012',
    logGroup: 'vpc-flow-logs',
    logStream: 'eni-0a1b2c3d4e5f60718-all',
    subscriptionFilters: ['to-vigil'],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1716000000000, message })),
  };
  return gzipSync(JSON.stringify(payload)).toString('base64');
}

describe('decodeFirehoseRecords with log lines', () => {
  it('reads the log events of a gzip CloudWatch Logs payload and ignores control messages', () => {
    const out = decodeFirehoseRecords('r', [
      {
        data: logsPayload(
          ['CWL CONTROL MESSAGE: Checking health of destination Firehose.'],
          'CONTROL_MESSAGE',
        ),
      },
      {
        data: logsPayload([
          FLOW_V2_LINES[0]!,
          '2 123456789012 eni-x 10.0.0.1',
          FLOW_V2_LINES[2]!,
          FLOW_V2_LINES[1]!,
        ]),
      },
      { data: logsPayload([DNS_LINES[0]!]) },
    ]);
    expect(out.controlMessages).toBe(1);
    expect(out.formats).toEqual(['vpcflow', 'vpcflow', 'dns']);
    expect(out.origin).toEqual([
      { record: 1, logEvent: 0 },
      { record: 1, logEvent: 3 },
      { record: 2, logEvent: 0 },
    ]);
    expect(out.items[0]).toMatchObject({ srcaddr: '203.0.113.12', dstport: 22 });
    expect(out.problems).toEqual([
      {
        record: 1,
        logEvent: 1,
        reason: 'bad_log_event',
        error: 'record 1 log event 1: flow log record has 4 fields, the format has 14',
      },
    ]);
  });

  it('reads flow lines in the configured format, Resolver query logs sent directly, and corrupt gzip', () => {
    const out = decodeFirehoseRecords(
      'r',
      [
        { data: logsPayload(['10.0.0.1 10.0.0.2 22 REJECT 1716000000']) },
        { data: b64(`${DNS_LINES[0]}\n${DNS_LINES[1]}\n`) },
        { data: Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString('base64') },
      ],
      { flowFields: ['srcaddr', 'dstaddr', 'dstport', 'action', 'start'] },
    );
    expect(out.items[0]).toEqual({
      srcaddr: '10.0.0.1',
      dstaddr: '10.0.0.2',
      dstport: 22,
      action: 'REJECT',
      start: 1716000000,
    });
    expect(out.formats).toEqual(['vpcflow', 'dns', 'dns']);
    expect(out.problems.map((p) => p.reason)).toEqual(['bad_gzip']);
  });

  it('refuses a record that decompresses past the limit, and a delivery past the total', () => {
    const big = gzipSync(Buffer.alloc(4096, 32)).toString('base64');
    const one = decodeFirehoseRecords('r', [{ data: big }], { maxRecordBytes: 1024 });
    expect(one.problems.map((p) => p.reason)).toEqual(['too_large']);
    expect(() =>
      decodeFirehoseRecords('r', [{ data: big }, { data: big }], {
        maxRecordBytes: 8192,
        maxDecodedBytes: 6000,
      }),
    ).toThrow(/decompress to more than 6000 bytes/);
  });
});

describe('checkEnvelope', () => {
  it('returns the request id and records', () => {
    expect(checkEnvelope({ requestId: 'abc', timestamp: 1, records: [] }, 'abc')).toEqual({
      requestId: 'abc',
      records: [],
    });
    expect(checkEnvelope({ requestId: 'abc', records: [{ data: '' }] }, undefined).records).toHaveLength(1);
  });

  it('names what is wrong with the envelope', () => {
    expect(() => checkEnvelope([], undefined)).toThrow(/expected a Firehose delivery request/);
    expect(() => checkEnvelope({ records: [] }, undefined)).toThrow('"requestId" must be a non-empty string');
    expect(() => checkEnvelope({ requestId: 'x'.repeat(300), records: [] }, undefined)).toThrow(
      /longer than 256/,
    );
    expect(() => checkEnvelope({ requestId: 'a', records: [] }, 'b')).toThrow(
      `X-Amz-Firehose-Request-Id header "b" does not match the body's requestId "a"`,
    );
    expect(() => checkEnvelope({ requestId: 'a', records: {} }, undefined)).toThrow(
      '"records" must be an array',
    );
  });
});
