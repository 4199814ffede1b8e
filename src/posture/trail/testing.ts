import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { signingString, type DigestData } from './digest.js';

/**
 * A realistic CloudTrail bucket synced to disk, for the trail verification tests: a chain of hourly
 * digests, each listing gzipped log files, signed with an RSA key pair made here the way CloudTrail
 * signs (the signature beside each digest, as `vigil trail verify` reads it).
 */

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const BUCKET = 'org-trail-bucket';
export const TRAIL = 'main-trail';
export const FIRST_START = Date.parse('2025-03-04T01:01:31Z');
const HOUR = 3_600_000;

export interface TrailKeyPair {
  privateKey: KeyObject;
  der: Buffer;
  fingerprint: string;
}

export function makeKeyPair(): TrailKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ format: 'der', type: 'pkcs1' });
  return { privateKey, der, fingerprint: createHash('md5').update(der).digest('hex') };
}

/** `aws cloudtrail list-public-keys` output for these keys (epoch seconds, as the CLI prints). */
export function publicKeysJson(
  keys: { der: Buffer; fingerprint: string; from?: number; to?: number }[],
): string {
  return JSON.stringify({
    PublicKeyList: keys.map((k) => ({
      Value: k.der.toString('base64'),
      ValidityStartTime: (k.from ?? Date.parse('2025-01-01T00:00:00Z')) / 1000,
      ValidityEndTime: (k.to ?? Date.parse('2025-06-01T00:00:00Z')) / 1000,
      Fingerprint: k.fingerprint,
    })),
  });
}

const compact = (ms: number, seconds: boolean) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/(T\d{4})\d{2}Z$/, seconds ? '$&' : '$1Z');
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/');
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function digestKey(end: number): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/${ymd(end)}/${ACCOUNT}_CloudTrail-Digest_${REGION}_${TRAIL}_${REGION}_${compact(end, true)}.json.gz`;
}

export function logKey(at: number, unique: string): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${ymd(at)}/${ACCOUNT}_CloudTrail_${REGION}_${compact(at, false)}_${unique}.json.gz`;
}

export function logRecords(at: number, n: number): string {
  const records = Array.from({ length: n }, (_, i) => ({
    eventVersion: '1.09',
    eventTime: isoSeconds(at - i * 1000),
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: REGION,
    sourceIPAddress: '203.0.113.7',
    recipientAccountId: ACCOUNT,
  }));
  return JSON.stringify({ Records: records });
}

export interface TrailFixture {
  /** The bucket folder (holds AWSLogs/). */
  root: string;
  keys: TrailKeyPair;
  keysFile: string;
  digests: { key: string; path: string; signature: string }[];
  logs: { key: string; path: string; digest: number }[];
  path: (key: string) => string;
}

export interface TrailOptions {
  count?: number;
  logsPerDigest?: number;
  keys?: TrailKeyPair;
  /** This digest starts a new chain two hours after the previous one ended (validation was off). */
  restartAt?: number;
}

/**
 * Writes `count` digests (the first a starting digest), each covering one hour with `logsPerDigest` log
 * files. Digests alternate between a `.sig` sidecar and `aws s3api head-object` JSON beside the file.
 */
export function makeTrail(options: TrailOptions = {}): TrailFixture {
  const { count = 3, logsPerDigest = 2, keys = makeKeyPair(), restartAt } = options;
  const root = mkdtempSync(join(tmpdir(), 'vigil-trail-'));
  const path = (key: string) => join(root, ...key.split('/'));
  const write = (key: string, body: Buffer | string) => {
    mkdirSync(dirname(path(key)), { recursive: true });
    writeFileSync(path(key), body);
  };
  const fixture: TrailFixture = {
    root,
    keys,
    keysFile: join(root, 'public-keys.json'),
    digests: [],
    logs: [],
    path,
  };
  writeFileSync(fixture.keysFile, publicKeysJson([keys]));
  let previous: { key: string; sha256: string; signature: string } | undefined;
  for (let i = 0; i < count; i++) {
    if (i === restartAt) previous = undefined;
    const start = FIRST_START + (restartAt !== undefined && i >= restartAt ? i + 2 : i) * HOUR;
    const logFiles = [];
    for (let j = 0; j < logsPerDigest; j++) {
      const at = start + (5 + j * 30) * 60_000;
      const key = logKey(at, `u${i}x${j}AbCd`);
      const body = logRecords(at, 3 + j);
      write(key, gzipSync(body));
      fixture.logs.push({ key, path: path(key), digest: i });
      logFiles.push({
        s3Bucket: BUCKET,
        s3Object: key,
        hashValue: createHash('sha256').update(body).digest('hex'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: isoSeconds(at),
        oldestEventTime: isoSeconds(at - 60_000),
      });
    }
    const key = digestKey(start + HOUR);
    const data: DigestData & Record<string, unknown> = {
      awsAccountId: ACCOUNT,
      digestStartTime: isoSeconds(start),
      digestEndTime: isoSeconds(start + HOUR),
      digestS3Bucket: BUCKET,
      digestS3Object: key,
      digestPublicKeyFingerprint: keys.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: isoSeconds(start + HOUR - 60_000),
      oldestEventTime: isoSeconds(start),
      previousDigestS3Bucket: previous ? BUCKET : null,
      previousDigestS3Object: previous?.key ?? null,
      previousDigestHashValue: previous?.sha256 ?? null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles,
    };
    const raw = Buffer.from(JSON.stringify(data));
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const signature = sign('sha256', Buffer.from(signingString(data, sha256)), keys.privateKey).toString(
      'hex',
    );
    write(key, gzipSync(raw));
    if (i % 2 === 0) writeFileSync(`${path(key)}.sig`, `${signature}\n`);
    else
      writeFileSync(
        `${path(key)}.metadata.json`,
        JSON.stringify({
          ContentType: 'application/x-gzip',
          Metadata: { signature, 'signature-algorithm': 'SHA256withRSA' },
        }),
      );
    fixture.digests.push({ key, path: path(key), signature });
    previous = { key, sha256, signature };
  }
  return fixture;
}
