#!/usr/bin/env node
// Generates a synthetic but realistic CloudTrail corpus in the layout AWS writes to S3:
//   AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<random16>.json.gz
// Each file is one ~5-minute delivery of 500–2,000 records for one account and region.
// Deterministic (seeded PRNG) and streaming: one file is in memory at a time.
//
//   node bench/generate-corpus.mjs [--records N] [--out DIR] [--seed S]

import { mkdir, rename, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { createPrng } from './corpus/prng.mjs';
import { createIdentityPool } from './corpus/identities.mjs';
import { createRecordBuilder } from './corpus/records.mjs';

const gzipAsync = promisify(gzip);

export const CORPUS_VERSION = 1;
const ACCOUNTS = ['123456789012', '210987654321', '345678901234'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const START_MS = Date.UTC(2026, 10, 18, 0, 0, 0);
const WINDOW_MS = 5 * 60_000;

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** The S3 key AWS would give a delivery of `region` finishing at `deliveredMs`. */
export function logFileKey(accountId, region, deliveredMs, random16) {
  const d = new Date(deliveredMs);
  const y = d.getUTCFullYear();
  const m = pad(d.getUTCMonth() + 1);
  const day = pad(d.getUTCDate());
  const stamp = `${y}${m}${day}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  return `AWSLogs/${accountId}/CloudTrail/${region}/${y}/${m}/${day}/${accountId}_CloudTrail_${region}_${stamp}_${random16}.json.gz`;
}

/**
 * Writes `records` records under `outDir` (created; must not exist yet unless `overwrite`).
 * Writes into a temporary sibling folder and renames it when complete, so an interrupted run
 * never leaves a half corpus that looks reusable. Returns the manifest (also `outDir/manifest.json`).
 *
 * @param {{ records: number, outDir: string, seed?: string, log?: (msg: string) => void }} opts
 */
export async function generateCorpus({ records, outDir, seed = 'vigil-bench-1', log = () => {} }) {
  if (!Number.isInteger(records) || records <= 0)
    throw new Error(`records must be a positive integer, got ${records}`);
  const target = resolve(outDir);
  const work = `${target}.partial-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });

  const rng = createPrng(seed);
  const builder = createRecordBuilder({ rng });
  const streams = [];
  for (const accountId of ACCOUNTS) {
    const pool = createIdentityPool({ accountId, rng, baseMs: START_MS });
    for (const region of REGIONS) {
      streams.push({ accountId, region, pool, clock: START_MS, keyId: rng.uuid(), detectorId: rng.hex(32) });
    }
  }
  // us-east-1 carries the global services, so it gets more deliveries.
  const pickStream = rng.weighted(streams.map((s) => [s, s.region === 'us-east-1' ? 2 : 1]));

  const manifest = {
    version: CORPUS_VERSION,
    seed,
    records: 0,
    files: 0,
    compressedBytes: 0,
    uncompressedBytes: 0,
    eventNames: {},
  };
  const pending = new Set();
  const started = Date.now();
  let nextLog = 0;

  while (manifest.records < records) {
    const stream = pickStream();
    const left = records - manifest.records;
    const count = Math.min(left, rng.range(500, 2000));
    const windowStart = stream.clock;
    stream.clock += WINDOW_MS;
    const times = Array.from({ length: count }, () => windowStart + rng.int(WINDOW_MS)).sort((a, b) => a - b);
    const parts = new Array(count);
    for (let i = 0; i < count; i++) {
      const caller = stream.pool.pick();
      const rec = builder.build(caller, {
        accountId: stream.accountId,
        region: stream.region,
        ms: times[i],
        keyId: stream.keyId,
        detectorId: stream.detectorId,
      });
      manifest.eventNames[rec.eventName] = (manifest.eventNames[rec.eventName] ?? 0) + 1;
      parts[i] = JSON.stringify(rec);
    }
    const body = `{"Records":[${parts.join(',')}]}`;
    const key = logFileKey(
      stream.accountId,
      stream.region,
      stream.clock + rng.range(60_000, 240_000),
      rng.alnum(16),
    );
    manifest.records += count;
    manifest.files += 1;
    manifest.uncompressedBytes += Buffer.byteLength(body);

    const job = (async () => {
      const gz = await gzipAsync(body);
      const file = join(work, key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, gz);
      manifest.compressedBytes += gz.length;
    })();
    pending.add(job);
    job.finally(() => pending.delete(job));
    if (pending.size >= 3) await Promise.race(pending);

    if (manifest.records >= nextLog) {
      log(
        `  generated ${manifest.records.toLocaleString('en-US')} / ${records.toLocaleString('en-US')} records (${manifest.files} files, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
      nextLog += 250_000;
    }
  }
  await Promise.all(pending);
  await writeFile(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(target, { recursive: true, force: true });
  await rename(work, target);
  return manifest;
}

/** Returns the manifest of a complete corpus at `dir`, or undefined when there is none. */
export async function readCorpusManifest(dir) {
  try {
    await stat(join(dir, 'manifest.json'));
  } catch {
    return undefined;
  }
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  return manifest.version === CORPUS_VERSION ? manifest : undefined;
}

function parseArgs(argv) {
  const opts = { records: 1_000_000, out: undefined, seed: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--records') opts.records = Number(argv[++i]);
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--seed') opts.seed = argv[++i];
    else throw new Error(`unknown argument ${a} (expected --records N, --out DIR, --seed S)`);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  const out = opts.out ?? join(dirname(fileURLToPath(import.meta.url)), 'out', `corpus-${opts.records}`);
  const manifest = await generateCorpus({
    records: opts.records,
    outDir: out,
    seed: opts.seed,
    log: (m) => console.error(m),
  });
  console.log(
    `${manifest.records} records in ${manifest.files} files, ${(manifest.compressedBytes / 1e6).toFixed(1)} MB gz, ${(manifest.uncompressedBytes / 1e6).toFixed(1)} MB JSON -> ${out}`,
  );
}
