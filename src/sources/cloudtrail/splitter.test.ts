import { describe, it, expect } from 'vitest';
import { JsonSplitter, type SplitItem } from './splitter.js';

type Plain =
  | { kind: 'value'; text: string; index: number; line: number; offset: number; inRecords: boolean }
  | { kind: 'too-large'; size: number; index: number; line: number; offset: number }
  | { kind: 'bad'; message: string; index: number; line: number; offset: number };

function plain(item: SplitItem): Plain[] {
  if (item.kind === 'parsed') {
    // The fast path: one item for a run of records; spread it so it compares with the scanner's output.
    return item.values.map((v, k) => ({
      kind: 'value' as const,
      text: JSON.stringify(v),
      index: item.index + k,
      line: -1,
      offset: -1,
      inRecords: true,
    }));
  }
  if (item.kind === 'value') {
    const { kind, bytes, index, line, offset, inRecords } = item;
    return [{ kind, text: bytes.toString('utf8'), index, line, offset, inRecords }];
  }
  if (item.kind === 'too-large') {
    const { kind, size, index, line, offset } = item;
    return [{ kind, size, index, line, offset }];
  }
  const { kind, message, index, line, offset } = item;
  return [{ kind, message, index, line, offset }];
}

/** Splits `text` fed in chunks of `size` bytes. */
function split(text: string | Buffer, size: number, maxRecordBytes = 1 << 20, fastRecords = false): Plain[] {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const s = new JsonSplitter({ maxRecordBytes, fastRecords });
  const out: Plain[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(...s.push(buf.subarray(i, i + size)).flatMap(plain));
  out.push(...s.finish().flatMap(plain));
  return out;
}

/** Without position details: what the fast path must agree with the scanner on. */
const essence = (items: Plain[]) =>
  items.map((it) => ({ kind: it.kind, index: it.index, text: it.kind === 'value' ? it.text : undefined }));

/**
 * The same result whatever the chunk boundaries (every chunk size from 1 byte to the whole input), and the
 * same records, in the same order, with the fast path on.
 */
function splitAll(text: string, maxRecordBytes?: number): Plain[] {
  const whole = split(text, Buffer.byteLength(text) || 1, maxRecordBytes);
  for (const size of [1, 2, 3, 5, 7, 16, 64, 300]) {
    expect(split(text, size, maxRecordBytes)).toEqual(whole);
    expect(essence(split(text, size, maxRecordBytes, true))).toEqual(essence(whole));
  }
  return whole;
}

const rec = (i: number) =>
  JSON.stringify({
    eventVersion: '1.09',
    eventTime: `2024-05-14T09:21:0${i}Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    requestParameters: { key: `a "quoted" \\ key ${i} }]{[`, list: [1, 2, { x: null }] },
    note: 'ünïcødé ✓',
  });

const texts = (items: Plain[]) => items.map((it) => (it.kind === 'value' ? it.text : it.kind));

describe('JsonSplitter: Records files', () => {
  it('cuts each element of the Records array, whatever the chunking, with strings full of brackets', () => {
    const text = `{"Records":[${rec(0)},${rec(1)},${rec(2)}]}`;
    const items = splitAll(text);
    expect(texts(items)).toEqual([rec(0), rec(1), rec(2)]);
    expect(items.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(items[1]).toMatchObject({ inRecords: true, offset: Buffer.byteLength(`{"Records":[${rec(0)},`) });
  });

  it('finds Records after other keys and in pretty-printed files', () => {
    const text = `{\n  "meta": {"Records": 1, "x": ["Records"]},\n  "Records" :\n  [\n    ${rec(0)},\n    ${rec(1)}\n  ],\n  "tail": true\n}\n`;
    const items = splitAll(text);
    expect(texts(items)).toEqual([rec(0), rec(1)]);
    expect(items[1]!.line).toBe(6);
  });

  it('handles concatenated Records files (cat a.json b.json)', () => {
    const text = `{"Records":[${rec(0)}]}\n{"Records":[${rec(1)},${rec(2)}]}`;
    expect(texts(splitAll(text))).toEqual([rec(0), rec(1), rec(2)]);
  });

  it('slices non-object elements so they can be reported', () => {
    const text = `{"Records":[${rec(0)}, 42, "str\\"ing", null, [1,2], ${rec(1)}]}`;
    expect(texts(splitAll(text))).toEqual([rec(0), '42', '"str\\"ing"', 'null', '[1,2]', rec(1)]);
  });

  it('an empty Records array gives nothing', () => {
    expect(splitAll('{"Records":[]}\n')).toEqual([]);
  });

  it('reports input that stops inside a record, after the complete ones', () => {
    const text = `{"Records":[${rec(0)},${rec(1).slice(0, 40)}`;
    const items = splitAll(text);
    expect(texts(items)).toEqual([rec(0), 'bad']);
    expect(items[1]).toMatchObject({ index: 1, message: 'input ends early: record 1 is cut off' });
  });
});

describe('JsonSplitter: arrays and JSON lines', () => {
  it('cuts a top-level array of records', () => {
    const text = `[\n${rec(0)},\n${rec(1)}\n]\n`;
    const items = splitAll(text);
    expect(texts(items)).toEqual([rec(0), rec(1)]);
    expect(items[0]).toMatchObject({ inRecords: false, line: 2 });
  });

  it('cuts JSON lines, skipping blank lines and keeping line numbers', () => {
    const text = `${rec(0)}\n\n${rec(1)}\r\n${rec(2)}`;
    const items = splitAll(text);
    expect(texts(items).map((t) => t.trim())).toEqual([rec(0), rec(1), rec(2)]);
    expect(items.map((i) => i.line)).toEqual([1, 3, 4]);
    expect(items.map((i) => i.index)).toEqual([0, 1, 2]);
  });

  it('resynchronises at the next line after a line with broken quotes and brackets', () => {
    const text = `${rec(0)}\n{"eventName": "oops, [ {\n${rec(2)}\n`;
    const items = splitAll(text);
    expect(texts(items)).toEqual([rec(0), '{"eventName": "oops, [ {', rec(2)]);
    expect(items[1]!.line).toBe(2);
  });

  it('reads pretty-printed values one after another (not as lines)', () => {
    const a = JSON.stringify(JSON.parse(rec(0)), null, 2);
    const b = JSON.stringify(JSON.parse(rec(1)), null, 2);
    expect(texts(splitAll(`${a}\n${b}\n`))).toEqual([a, b]);
  });

  it('reports text that cannot start a value and resumes at the next line', () => {
    const items = splitAll(`garbage here\n${rec(0)}\n`);
    expect(items[0]).toMatchObject({ kind: 'bad', line: 1, offset: 0 });
    expect(texts(items).slice(1)).toEqual([rec(0)]);
  });
});

describe('JsonSplitter: fast path', () => {
  const compact = (count: number) =>
    `{"Records":[${Array.from({ length: count }, (_, i) => rec(i)).join(',')}]}`;

  it('parses whole runs of records at once and scans only the record across chunks', () => {
    const text = compact(50);
    const s = new JsonSplitter({ maxRecordBytes: 1 << 20 });
    const buf = Buffer.from(text);
    const kinds: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < buf.length; i += 1000) {
      for (const item of s.push(buf.subarray(i, i + 1000))) {
        kinds.push(item.kind);
        for (const p of plain(item)) if (p.kind === 'value') values.push(p.text);
      }
    }
    expect(s.finish()).toEqual([]);
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => rec(i)));
    expect(kinds).toContain('parsed');
  });

  it('falls back to scanning when a run does not parse, and keeps the good records', () => {
    const good = Array.from({ length: 6 }, (_, i) => rec(i));
    const text = `{"Records":[${good[0]},${good[1]},{"eventVersion":"1.09","eventName": tru},${good[2]},${good[3]}]}`;
    const out = split(text, 64, 1 << 20, true);
    expect(
      out
        .filter((p) => p.kind === 'value')
        .map((p) => (p.kind === 'value' ? p.text : ''))
        .filter((t) => t !== '{"eventVersion":"1.09","eventName": tru}'),
    ).toEqual(good.slice(0, 4));
  });

  it('does not take the fast path past the record size limit', () => {
    const big = JSON.stringify({ eventVersion: '1.09', blob: 'q'.repeat(3000) });
    const text = `{"Records":[${rec(0)},${big},${rec(1)},${rec(2)}]}`;
    const out = split(text, Buffer.byteLength(text), 1000, true);
    expect(out.map((p) => p.kind)).toEqual(['value', 'too-large', 'value', 'value']);
  });
});

describe('JsonSplitter: size limit', () => {
  it('skips a record over the limit, reports its size, and reads the next one', () => {
    const big = JSON.stringify({ eventName: 'Big', blob: 'x'.repeat(5000) });
    const text = `{"Records":[${rec(0)},${big},${rec(1)}]}`;
    const items = splitAll(text, 1000);
    expect(items.map((i) => i.kind)).toEqual(['value', 'too-large', 'value']);
    expect(items[1]).toMatchObject({ index: 1, size: big.length });
    expect(texts(items)).toEqual([rec(0), 'too-large', rec(1)]);
  });

  it('skips an over-long line', () => {
    const big = JSON.stringify({ eventName: 'Big', blob: 'y'.repeat(3000) });
    const items = splitAll(`${rec(0)}\n${big}\n${rec(1)}\n`, 1000);
    expect(items.map((i) => [i.kind, i.line])).toEqual([
      ['value', 1],
      ['too-large', 2],
      ['value', 3],
    ]);
  });

  it('does not hold more than the limit while skipping a huge record', () => {
    const limit = 64 * 1024;
    const s = new JsonSplitter({ maxRecordBytes: limit, fastRecords: false });
    const chunk = Buffer.alloc(16 * 1024, 'a');
    let peak = 0;
    s.push(Buffer.from(`{"Records":[${rec(0)},{"eventName":"Huge","blob":"`));
    for (let i = 0; i < 640; i++) {
      s.push(chunk); // 10 MiB of one string
      peak = Math.max(peak, s.bufferedBytes);
    }
    const tail = s.push(Buffer.from(`"},${rec(1)}]}`));
    expect(peak).toBeLessThanOrEqual(limit);
    expect(tail.map((i) => i.kind)).toEqual(['too-large', 'value']);
    expect(s.finish()).toEqual([]);
  });
});
