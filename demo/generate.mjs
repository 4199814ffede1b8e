#!/usr/bin/env node
// Writes the demo CloudTrail logs (demo/cloudtrail/) exactly as CloudTrail delivers them to S3:
// one gzip'd {"Records":[…]} file per region per ~5-minute delivery, under
//   AWSLogs/123456789012/CloudTrail/<region>/YYYY/MM/DD/123456789012_CloudTrail_<region>_YYYYMMDDTHHMMZ_<random16>.json.gz
// plus one hourly digest file under CloudTrail-Digest/ (readers must skip it).
// Deterministic: fixed seed and dates, so re-running it reproduces the committed files byte for byte.
//
//   node demo/generate.mjs

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createPrng } from '../bench/corpus/prng.mjs';
import { ACCOUNT, createRecordFactory, iso } from './lib/record.mjs';
import { attackRecords, GUARDDUTY_DELETED } from './lib/attack.mjs';
import { backgroundRecords } from './lib/background.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), 'cloudtrail');
const LOG_BUCKET = 'acme-security-audit-logs';
const TRAIL = 'security-audit';
const WINDOW_MS = 5 * 60_000;
const pad = (n) => String(n).padStart(2, '0');

function stamp(ms, withSeconds = false) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${withSeconds ? pad(d.getUTCSeconds()) : ''}Z`;
}

function datePath(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

function main() {
  const rng = createPrng('vigil-demo-2026-11-20');
  const record = createRecordFactory(rng);
  const records = [...backgroundRecords({ rng, record, guardDutyDeletedMs: GUARDDUTY_DELETED }), ...attackRecords({ rng, record })];
  records.sort((a, b) => a.eventTime.localeCompare(b.eventTime));

  // Group into deliveries: one file per region per 5-minute window that has events.
  const deliveries = new Map();
  for (const r of records) {
    const window = Math.floor(Date.parse(r.eventTime) / WINDOW_MS) * WINDOW_MS;
    const key = `${r.awsRegion}|${window}`;
    if (!deliveries.has(key)) deliveries.set(key, { region: r.awsRegion, window, records: [] });
    deliveries.get(key).records.push(r);
  }

  rmSync(join(ROOT, 'AWSLogs'), { recursive: true, force: true });
  const written = [];
  for (const { region, window, records: recs } of [...deliveries.values()].sort((a, b) => a.window - b.window || a.region.localeCompare(b.region))) {
    const deliveredMs = window + WINDOW_MS + 60_000 + rng.int(4 * 60_000);
    const rel = `AWSLogs/${ACCOUNT}/CloudTrail/${region}/${datePath(deliveredMs)}/${ACCOUNT}_CloudTrail_${region}_${stamp(deliveredMs)}_${rng.alnum(16)}.json.gz`;
    const json = JSON.stringify({ Records: recs });
    const file = join(ROOT, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(json));
    written.push({ rel, region, deliveredMs, json, recs });
  }

  // One digest: us-east-1 log files delivered between 02:00 and 03:00 on 2026-11-20 (the attack hour).
  const start = Date.UTC(2026, 10, 20, 2, 0, 0);
  const end = start + 3_600_000;
  const covered = written.filter((w) => w.region === 'us-east-1' && w.deliveredMs >= start && w.deliveredMs < end);
  const times = covered.flatMap((w) => w.recs.map((r) => r.eventTime)).sort();
  const digestRel = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/${datePath(end)}/${ACCOUNT}_CloudTrail-Digest_us-east-1_${TRAIL}_us-east-1_${stamp(end, true)}.json.gz`;
  const digest = {
    awsAccountId: ACCOUNT,
    digestStartTime: iso(start),
    digestEndTime: iso(end),
    digestS3Bucket: LOG_BUCKET,
    digestS3Object: digestRel,
    digestPublicKeyFingerprint: rng.hex(32),
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: times.at(-1),
    oldestEventTime: times[0],
    previousDigestS3Bucket: LOG_BUCKET,
    previousDigestS3Object: `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/${datePath(start)}/${ACCOUNT}_CloudTrail-Digest_us-east-1_${TRAIL}_us-east-1_${stamp(start, true)}.json.gz`,
    previousDigestHashValue: rng.hex(64),
    previousDigestHashAlgorithm: 'SHA-256',
    previousDigestSignature: rng.hex(512),
    logFiles: covered.map((w) => {
      const ts = w.recs.map((r) => r.eventTime).sort();
      return { s3Bucket: LOG_BUCKET, s3Object: w.rel, hashValue: createHash('sha256').update(w.json).digest('hex'), hashAlgorithm: 'SHA-256', newestEventTime: ts.at(-1), oldestEventTime: ts[0] };
    }),
  };
  const digestFile = join(ROOT, digestRel);
  mkdirSync(dirname(digestFile), { recursive: true });
  writeFileSync(digestFile, gzipSync(JSON.stringify(digest)));

  const regions = [...new Set(records.map((r) => r.awsRegion))].sort();
  console.log(`${records.length} records in ${written.length} log files (${regions.join(', ')}) + 1 digest -> ${ROOT}`);
}

main();
