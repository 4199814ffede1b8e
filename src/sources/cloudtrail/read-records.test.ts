import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { InputProblem } from '../../core/errors.js';
import { readRecords } from './read-records.js';
import { cloudTrailRecord, eventBridgeEvent } from './testing/records.js';
import type { ReadOptions } from '../types.js';

let dir: string;
let n = 0;

async function put(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, `${n++}-${name}`);
  await writeFile(path, content);
  return path;
}

async function read(path: string | '-', extra: Partial<ReadOptions> = {}) {
  const problems: InputProblem[] = [];
  const records: { record: Record<string, unknown>; file: string; index: number }[] = [];
  const input = path === '-' ? '-' : { path };
  for await (const r of readRecords(input, { onProblem: (p) => problems.push(p), ...extra })) records.push(r);
  return { records, problems, ids: records.map((r) => r.record.eventID) };
}

const recs = (count: number, from = 0) => Array.from({ length: count }, (_, i) => cloudTrailRecord(from + i));
const ids = (list: Record<string, unknown>[]) => list.map((r) => r.eventID);
const recordsFile = (list: unknown[]) => JSON.stringify({ Records: list });
const lines = (list: unknown[]) => list.map((r) => JSON.stringify(r)).join('\n') + '\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-read-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Every format is read the same through the whole-file fast path and through the streaming splitter.
const paths: [string, Partial<ReadOptions>][] = [
  ['read whole', {}],
  ['streamed', { wholeFileMaxBytes: 256 }],
];

describe.each(paths)('readRecords formats (%s)', (_name, extra) => {
  it('reads a {"Records":[…]} file with file and index on each record', async () => {
    const list = recs(5);
    const path = await put('a.json', recordsFile(list));
    const { records, problems } = await read(path, extra);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.record)).toEqual(list);
    expect(records.map((r) => [r.file, r.index])).toEqual(list.map((_, i) => [path, i]));
  });

  it('detects gzip by its magic bytes, not the name', async () => {
    const list = recs(20);
    const gz = await put('a.json.gz', gzipSync(recordsFile(list)));
    const misnamed = await put('b.json', gzipSync(recordsFile(list)));
    expect((await read(gz, extra)).ids).toEqual(ids(list));
    expect((await read(misnamed, extra)).ids).toEqual(ids(list));
  });

  it('reads JSON lines, plain and gzip, with a trailing line without newline', async () => {
    const list = recs(6);
    const text = lines(list).trimEnd();
    expect((await read(await put('a.jsonl', text), extra)).ids).toEqual(ids(list));
    expect((await read(await put('a.ndjson.gz', gzipSync(text)), extra)).ids).toEqual(ids(list));
  });

  it('reads multi-member gzip of concatenated Records files (cat a.json.gz b.json.gz)', async () => {
    const a = recs(3);
    const b = recs(4, 3);
    const gz = Buffer.concat([gzipSync(recordsFile(a)), gzipSync(recordsFile(b))]);
    const { ids: got, problems, records } = await read(await put('cat.json.gz', gz), extra);
    expect(problems).toEqual([]);
    expect(got).toEqual(ids([...a, ...b]));
    expect(records.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('reads JSON lines whose lines are whole Records files', async () => {
    const a = recs(2);
    const b = recs(3, 2);
    const text = `${recordsFile(a)}\n${recordsFile(b)}\n`;
    expect((await read(await put('records.jsonl', text), extra)).ids).toEqual(ids([...a, ...b]));
  });

  it('reads a JSON array of records and a single pretty-printed record', async () => {
    const list = recs(4);
    expect((await read(await put('arr.json', JSON.stringify(list, null, 2)), extra)).ids).toEqual(ids(list));
    const one = await read(await put('one.json', JSON.stringify(list[0], null, 2)), extra);
    expect(one.ids).toEqual(ids(list.slice(0, 1)));
  });

  it('unwraps EventBridge CloudTrail events and reports other detail-types', async () => {
    const list = recs(3);
    const events = [
      eventBridgeEvent('AWS API Call via CloudTrail', list[0]!),
      eventBridgeEvent('GuardDuty Finding', {
        schemaVersion: '2.0',
        type: 'Recon:EC2/PortProbeUnprotectedPort',
      }),
      eventBridgeEvent('AWS Console Sign In via CloudTrail', list[1]!),
      eventBridgeEvent('AWS API Call via CloudTrail', list[2]!),
    ];
    const { ids: got, problems, records } = await read(await put('eb.jsonl', lines(events)), extra);
    expect(got).toEqual(ids(list));
    expect(records.map((r) => r.index)).toEqual([0, 2, 3]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'VIGIL_INPUT_NOT_CLOUDTRAIL', record: 1 });
    expect(problems[0]!.message).toContain('"GuardDuty Finding"');
    const single = await read(await put('eb.json', JSON.stringify(events[0], null, 2)), extra);
    expect(single.ids).toEqual(ids(list.slice(0, 1)));
  });

  it('unwraps CloudTrail service events from EventBridge, and reports a non-object detail', async () => {
    const detail = {
      ...cloudTrailRecord(5),
      eventType: 'AwsServiceEvent',
      userIdentity: { type: 'AWSService', invokedBy: 'kms.amazonaws.com' },
    };
    const events = [
      eventBridgeEvent('AWS Service Event via CloudTrail', detail),
      { ...eventBridgeEvent('AWS API Call via CloudTrail', {}), detail: 'oops' },
    ];
    const { records, problems } = await read(await put('svc.json', JSON.stringify(events)), extra);
    expect(records.map((r) => r.record)).toEqual([detail]);
    expect(problems).toEqual([expect.objectContaining({ code: 'VIGIL_INPUT_BAD_RECORD', record: 1 })]);
  });

  it('reads an empty Records file, an empty file and a file with a BOM', async () => {
    expect(await read(await put('empty.json', '{"Records":[]}'), extra)).toMatchObject({
      records: [],
      problems: [],
    });
    expect(await read(await put('zero.json', ''), extra)).toMatchObject({ records: [], problems: [] });
    const list = recs(2);
    expect((await read(await put('bom.json', `\uFEFF${recordsFile(list)}`), extra)).ids).toEqual(ids(list));
  });
});

describe.each(paths)('readRecords bad input (%s)', (_name, extra) => {
  it('keeps the records before and after a malformed record in a Records file', async () => {
    const list = recs(4);
    const text = `{"Records":[${JSON.stringify(list[0])},${JSON.stringify(list[1])},{"eventName": tru},${JSON.stringify(list[2])},${JSON.stringify(list[3])}]}`;
    const path = await put('bad.json', text);
    const { ids: got, problems, records } = await read(path, extra);
    expect(got).toEqual(ids(list));
    expect(records.map((r) => r.index)).toEqual([0, 1, 3, 4]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: path, record: 2, code: 'VIGIL_INPUT_BAD_JSON' });
    expect(problems[0]!.offset).toBe(text.indexOf('{"eventName": tru}'));
  });

  it('resynchronises at the next record when a record lost its closing brace', async () => {
    const list = recs(4);
    const broken = JSON.stringify(cloudTrailRecord(90)).slice(0, -1);
    const parts = [list[0], broken, list[1], list[2], list[3]].map((r) =>
      typeof r === 'string' ? r : JSON.stringify(r),
    );
    const text = `{"Records":[${parts.join(',')}]}`;
    const { ids: got, problems, records } = await read(await put('brace.json', text), extra);
    expect(got).toEqual(ids(list));
    expect(records.map((r) => r.index)).toEqual([0, 2, 3, 4]);
    expect(problems).toEqual([
      expect.objectContaining({ code: 'VIGIL_INPUT_BAD_JSON', record: 1, offset: text.indexOf(broken) }),
    ]);
    expect(problems[0]!.message).toContain(`byte ${text.indexOf(parts[2]!)}`);
  });

  it('recovers the records after a record that lost a quote', async () => {
    const list = recs(8);
    const broken = JSON.stringify(cloudTrailRecord(91)).replace('"PutObject"', '"PutObject');
    const parts = [JSON.stringify(list[0]), broken, ...list.slice(1).map((r) => JSON.stringify(r))];
    const { ids: got, problems } = await read(
      await put('quote.json', `{"Records":[${parts.join(',')}]}`),
      extra,
    );
    expect(got).toEqual(ids(list));
    expect(problems).toEqual([expect.objectContaining({ code: 'VIGIL_INPUT_BAD_JSON', record: 1 })]);
  });

  it('keeps the lines around a malformed JSON line and names its line', async () => {
    const list = recs(3);
    const text = `${JSON.stringify(list[0])}\n{"eventName": "broken", "x": [1,\n${JSON.stringify(list[1])}\n\n${JSON.stringify(list[2])}\n`;
    const { ids: got, problems } = await read(await put('bad.jsonl', text), extra);
    expect(got).toEqual(ids(list));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'VIGIL_INPUT_BAD_JSON', line: 2, record: 1 });
  });

  it('reports a record that is not an object and goes on', async () => {
    const list = recs(2);
    const { ids: got, problems } = await read(
      await put('prim.json', recordsFile([list[0], 'hello', null, list[1]])),
      extra,
    );
    expect(got).toEqual(ids(list));
    expect(problems.map((p) => [p.code, p.record, p.message])).toEqual([
      ['VIGIL_INPUT_BAD_RECORD', 1, 'record is a string, expected an object'],
      ['VIGIL_INPUT_BAD_RECORD', 2, 'record is null, expected an object'],
    ]);
  });

  it('reports JSON that is not CloudTrail once and stops', async () => {
    const path = await put(
      'pkg.json',
      JSON.stringify({ name: 'left-pad', version: '1.3.0', dependencies: {} }, null, 2),
    );
    const { records, problems } = await read(path, extra);
    expect(records).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: path, code: 'VIGIL_INPUT_NOT_CLOUDTRAIL' });
    expect(problems[0]!.message).toContain('"name"');
    const flow = await read(
      await put('flow.jsonl', lines([{ version: 2, action: 'ACCEPT' }, { version: 2 }])),
      extra,
    );
    expect(flow.problems.map((p) => p.code)).toEqual(['VIGIL_INPUT_NOT_CLOUDTRAIL']);
    const scalar = await read(await put('n.json', '42'), extra);
    expect(scalar.problems.map((p) => p.code)).toEqual(['VIGIL_INPUT_NOT_CLOUDTRAIL']);
  });

  it('reports a Records value that is not an array', async () => {
    const { problems } = await read(await put('r.json', '{"Records": {"eventName": "x"}}'), extra);
    expect(problems.map((p) => p.code)).toEqual(['VIGIL_INPUT_NOT_CLOUDTRAIL']);
  });

  it('reports binary data from its first bytes, compressed or not', async () => {
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 131 + 7) % 256));
    const utf8Broken = Buffer.concat([
      Buffer.from('{"Records":[{"eventName":"'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
    ]);
    for (const content of [garbage, gzipSync(garbage), utf8Broken]) {
      const path = await put('bin.dat', content);
      const { records, problems } = await read(path, extra);
      expect(records).toEqual([]);
      expect(problems).toEqual([
        expect.objectContaining({ file: path, code: 'VIGIL_INPUT_BINARY', offset: 0 }),
      ]);
    }
  });

  it('yields what was decoded before a gzip truncation, then one problem with the byte offset', async () => {
    const list = recs(2000);
    const gz = gzipSync(recordsFile(list));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const path = await put('cut.json.gz', cut);
    const { ids: got, problems } = await read(path, extra);
    expect(got.length).toBeGreaterThan(100);
    expect(got.length).toBeLessThan(list.length);
    expect(got).toEqual(ids(list.slice(0, got.length)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: path, code: 'VIGIL_INPUT_BAD_GZIP', offset: cut.length });
  });

  it('reports a corrupt gzip stream', async () => {
    // Records with unique noise, so the compressed stream is a few hundred KiB; damage it at 150 000.
    let seed = 7;
    const noise = () => (seed = (seed * 1103515245 + 12345) % 2147483648).toString(36);
    const list = recs(6000).map((r) => ({ ...r, requestID: noise() + noise() + noise() }));
    const gz = Buffer.from(gzipSync(recordsFile(list)));
    expect(gz.length).toBeGreaterThan(200_000);
    for (let i = 150_000; i < 150_100; i++) gz[i] = gz[i]! ^ 0x5a;
    const { problems, ids: got } = await read(await put('bad.gz', gz), extra);
    // Damaged deflate data may decode to garbage (reported as bad JSON) before zlib notices.
    const last = problems[problems.length - 1]!;
    expect(last.code).toBe('VIGIL_INPUT_BAD_GZIP');
    expect(last.offset).toBeGreaterThan(64 * 1024);
    expect(last.offset).toBeLessThanOrEqual(150_000 + 64 * 1024);
    expect(problems.filter((p) => p.code === 'VIGIL_INPUT_BAD_GZIP')).toHaveLength(1);
    expect(got.length).toBeGreaterThan(1000);
    expect(got.slice(0, 1000)).toEqual(ids(list.slice(0, 1000)));
  });

  it('reports a file cut off in the middle of a record', async () => {
    const list = recs(3);
    const text = recordsFile(list);
    const cutAt = text.indexOf(JSON.stringify(list[2])) + 50;
    const { ids: got, problems } = await read(await put('cut.json', text.slice(0, cutAt)), extra);
    expect(got).toEqual(ids(list.slice(0, 2)));
    expect(problems).toEqual([expect.objectContaining({ code: 'VIGIL_INPUT_BAD_JSON', record: 2 })]);
    expect(problems[0]!.message).toContain('cut off');
  });

  it('reports unreadable paths: a directory and a dangling symbolic link', async () => {
    const sub = join(dir, `${n++}-folder.json`);
    await mkdir(sub);
    const link = join(dir, `${n++}-dangling.json`);
    await symlink(join(dir, 'does-not-exist'), link);
    for (const path of [sub, link]) {
      const { records, problems } = await read(path, extra);
      expect(records).toEqual([]);
      expect(problems).toEqual([expect.objectContaining({ file: path, code: 'VIGIL_INPUT_UNREADABLE' })]);
    }
  });
});

describe('readRecords: size limits and memory', () => {
  it('skips a 50 MB record with VIGIL_INPUT_TOO_LARGE and reads the records after it', async () => {
    const list = recs(3);
    const huge = { ...cloudTrailRecord(99), requestParameters: { policy: 'A'.repeat(50 * 1024 * 1024) } };
    const text = recordsFile([list[0], huge, list[1], list[2]]);
    const path = await put('huge.json', text);
    const { ids: got, problems } = await read(path);
    expect(got).toEqual(ids(list));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: path, record: 1, code: 'VIGIL_INPUT_TOO_LARGE' });
    expect(problems[0]!.message).toContain(`limit of ${8 * 1024 * 1024} bytes`);
  });

  it('applies maxRecordBytes to JSON lines read from a large gzip', async () => {
    const list = recs(3);
    const big = { ...cloudTrailRecord(50), blob: 'z'.repeat(4000) };
    const gz = gzipSync(lines([list[0], big, list[1], list[2]]));
    const { ids: got, problems } = await read(await put('big.jsonl.gz', gz), {
      maxRecordBytes: 3000,
      wholeFileMaxBytes: 100,
    });
    expect(got).toEqual(ids(list));
    expect(problems).toEqual([
      expect.objectContaining({ code: 'VIGIL_INPUT_TOO_LARGE', line: 2, record: 1 }),
    ]);
  });

  it('streams a gzip whose decompressed size is over the whole-file threshold', async () => {
    const list = recs(300);
    const gz = gzipSync(recordsFile(list));
    const { ids: got, problems } = await read(await put('many.json.gz', gz), {
      wholeFileMaxBytes: gz.length + 10,
    });
    expect(problems).toEqual([]);
    expect(got).toEqual(ids(list));
  });
});

describe('readRecords: standard input', () => {
  const stdinOf = (content: Buffer, chunk: number) =>
    Readable.from(
      Array.from({ length: Math.ceil(content.length / chunk) }, (_, i) =>
        content.subarray(i * chunk, (i + 1) * chunk),
      ),
    );

  it('reads "-" from the given stream, plain or gzip, in small chunks', async () => {
    const list = recs(30);
    for (const content of [Buffer.from(recordsFile(list)), gzipSync(lines(list))]) {
      const { records, problems } = await read('-', { stdin: stdinOf(content, 7) });
      expect(problems).toEqual([]);
      expect(ids(records.map((r) => r.record))).toEqual(ids(list));
      expect(records[0]!.file).toBe('-');
    }
  });

  it('reports a stream error as unreadable after the records already read', async () => {
    const list = recs(2);
    const stdin = Readable.from(
      (async function* () {
        yield Buffer.from(lines(list));
        throw new Error('EIO: i/o error, read');
      })(),
    );
    const { ids: got, problems } = await read('-', { stdin });
    expect(got).toEqual(ids(list));
    expect(problems).toEqual([expect.objectContaining({ file: '-', code: 'VIGIL_INPUT_UNREADABLE' })]);
  });
});
