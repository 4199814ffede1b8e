import { describe, expect, it } from 'vitest';
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
