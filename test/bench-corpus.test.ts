import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
// @ts-expect-error -- plain ESM JavaScript benchmark module without type declarations
import { generateCorpus, readCorpusManifest } from '../bench/generate-corpus.mjs';
// @ts-expect-error -- plain ESM JavaScript benchmark module without type declarations
import { listLogFiles } from '../bench/corpus/files.mjs';

type CloudTrailRecord = Record<string, unknown> & { userIdentity: Record<string, unknown> };

const RECORDS = 2_000;
const KEY =
  /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z]{2}-[a-z]+-\d)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail_\2_(\d{4})(\d{2})(\d{2})T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;

let root: string;
let first: string;
let second: string;
let manifest: {
  records: number;
  files: number;
  compressedBytes: number;
  uncompressedBytes: number;
  eventNames: Record<string, number>;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vigil-bench-corpus-'));
  first = join(root, 'a');
  second = join(root, 'b');
  manifest = await generateCorpus({ records: RECORDS, outDir: first });
  await generateCorpus({ records: RECORDS, outDir: second });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readAll(
  dir: string,
): Promise<Array<{ key: string; gz: Buffer; records: CloudTrailRecord[] }>> {
  const out = [];
  for (const file of listLogFiles(dir) as string[]) {
    const gz = await readFile(file);
    const doc = JSON.parse(gunzipSync(gz).toString('utf8')) as { Records: CloudTrailRecord[] };
    out.push({ key: relative(dir, file).split(sep).join('/'), gz, records: doc.Records });
  }
  return out;
}

describe('bench corpus generator', () => {
  it('writes gzip files in the S3 layout CloudTrail uses, with a manifest that matches them', async () => {
    const files = await readAll(first);
    expect(files.length).toBe(manifest.files);
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const m = KEY.exec(f.key);
      expect(m, f.key).not.toBeNull();
      // The folder date is the delivery date written in the file name.
      expect(`${m![3]}${m![4]}${m![5]}`).toBe(`${m![6]}${m![7]}${m![8]}`);
      expect(f.gz[0]).toBe(0x1f);
      expect(f.gz[1]).toBe(0x8b);
      // Every record of a file belongs to the file's account and region.
      for (const r of f.records) {
        expect(r.recipientAccountId).toBe(m![1]);
        expect(r.awsRegion).toBe(m![2]);
      }
    }
    const total = files.reduce((n, f) => n + f.records.length, 0);
    expect(total).toBe(RECORDS);
    expect(manifest.records).toBe(RECORDS);
    expect(manifest.compressedBytes).toBe(files.reduce((n, f) => n + f.gz.length, 0));
    const counted = Object.values(manifest.eventNames).reduce((a, b) => a + b, 0);
    expect(counted).toBe(RECORDS);
    // Files hold 500–2,000 records like real 5-minute deliveries (only the last one may be short).
    const sizes = files.map((f) => f.records.length);
    expect(sizes.filter((n) => n < 500 || n > 2_000).length).toBeLessThanOrEqual(1);
    expect(await readCorpusManifest(first)).toEqual(manifest);
  });

  it('writes complete CloudTrail records with unique event ids', async () => {
    const records = (await readAll(first)).flatMap((f) => f.records);
    const ids = new Set(records.map((r) => r.eventID));
    expect(ids.size).toBe(records.length);
    const types = new Set<string>();
    for (const r of records) {
      for (const field of [
        'eventVersion',
        'userIdentity',
        'eventTime',
        'eventSource',
        'eventName',
        'awsRegion',
        'sourceIPAddress',
        'userAgent',
        'eventID',
        'eventType',
        'recipientAccountId',
        'eventCategory',
      ]) {
        expect(r[field], `${String(r.eventID)} ${field}`).toBeDefined();
      }
      expect(typeof r.readOnly).toBe('boolean');
      expect(typeof r.managementEvent).toBe('boolean');
      expect(r).toHaveProperty('requestParameters');
      expect(String(r.eventTime)).toMatch(/^2026-11-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(String(r.eventSource)).toMatch(/\.amazonaws\.com$/);
      types.add(String(r.userIdentity.type));
    }
    expect(types).toContain('AssumedRole');
    expect(types).toContain('IAMUser');
    expect(types).toContain('AWSService');
    const names = new Set(records.map((r) => r.eventName));
    expect(names.size).toBeGreaterThan(60);
    // Mostly read-only traffic, like real accounts.
    const readOnly = records.filter((r) => r.readOnly === true).length;
    expect(readOnly / records.length).toBeGreaterThan(0.6);
    const bytesPerRecord = manifest.uncompressedBytes / RECORDS;
    expect(bytesPerRecord).toBeGreaterThan(900);
    expect(bytesPerRecord).toBeLessThan(2_200);
  });

  it('is deterministic: the same seed gives byte-identical files', async () => {
    const a = await readAll(first);
    const b = await readAll(second);
    expect(b.map((f) => f.key)).toEqual(a.map((f) => f.key));
    for (let i = 0; i < a.length; i++) expect(b[i]!.gz.equals(a[i]!.gz)).toBe(true);
  });

  it('rejects a record count that is not a positive integer', async () => {
    await expect(generateCorpus({ records: 0, outDir: join(root, 'c') })).rejects.toThrow(/positive integer/);
  });
});
