import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { loadDigest, signatureProblem, type LoadedDigest } from './digest.js';
import type { TrailPublicKey } from './keys.js';
import {
  awsLogsKey,
  logNameTime,
  parseDigestName,
  readTrailTree,
  scopeOf,
  type LocalFile,
} from './layout.js';

/**
 * `aws cloudtrail validate-logs`, offline, over a bucket synced to disk. Every digest in range is checked
 * on its own (signature with a listed public key valid at the time, its own location) and as a link of
 * its chain (the previous digest it names is present, and its hash and signature are those recorded);
 * every log file a verified digest lists is hashed and compared. Log files no digest vouches for are
 * reported too: they may have been added.
 */

export type DigestStatus = 'valid' | 'invalid' | 'invalid-signature' | 'missing' | 'chain-broken';
export type LogStatus = 'valid' | 'modified' | 'deleted';

export interface DigestResult {
  status: DigestStatus;
  bucket?: string;
  /** The S3 key the digest names (or, unread, the `AWSLogs/...` key of the file). */
  key: string;
  file?: string;
  reason?: string;
  startTime?: string;
  endTime?: string;
}

export interface LogResult {
  status: LogStatus;
  bucket: string;
  key: string;
  file?: string;
  reason?: string;
  /** The digest that lists it. */
  digest: string;
}

export interface TrailReport {
  requested: { start?: string; end?: string };
  /** The span the valid digests cover, within the requested one. */
  found?: { start: string; end: string };
  digests: DigestResult[];
  logFiles: LogResult[];
  /** Log files in the span the digests cover that no verified digest lists. */
  unreferenced: { key: string; file: string }[];
  /** Chain restarts (validation or logging was off): no digest, so no log files, between these times. */
  gaps: { from?: string; to: string; digest: string }[];
  ok: boolean;
}

export interface VerifyTrailOptions {
  root: string;
  publicKeys: TrailPublicKey[];
  /** Epoch milliseconds; digests whose name's end time falls in [start, end + 1 h] are checked. */
  startTime?: number;
  endTime?: number;
}

export class TrailLayoutError extends Error {}

const HOUR = 3_600_000;
/**
 * A log file's name carries its newest event's time; CloudTrail delivers it minutes later, so one named
 * in the last minutes of a digest's hour may belong to the next digest, not yet written.
 */
const DELIVERY_ALLOWANCE = 15 * 60_000;

async function logHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
  return hash.digest('hex');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The chain a digest belongs to: its scope folder, trail and home region. */
function chainOf(file: LocalFile): string {
  const n = parseDigestName(file.name)!;
  return `${scopeOf(file.key) ?? ''}|${n.trail}|${n.homeRegion}`;
}

export async function verifyTrail(options: VerifyTrailOptions): Promise<TrailReport> {
  const tree = await readTrailTree(options.root);
  if (!tree.awsLogs)
    throw new TrailLayoutError(
      `${options.root} holds no AWSLogs folder: give the folder a bucket was synced to (…/AWSLogs/<account>/CloudTrail-Digest/…)`,
    );
  const keys = new Map<string, TrailPublicKey[]>();
  for (const k of options.publicKeys) keys.set(k.fingerprint, [...(keys.get(k.fingerprint) ?? []), k]);

  const start = options.startTime ?? -Infinity;
  const end = options.endTime === undefined ? Infinity : options.endTime + HOUR;
  const inRange = [...tree.digests.values()]
    .map((file) => ({ file, time: parseDigestName(file.name)!.time }))
    .filter((d) => d.time >= start && d.time <= end)
    .sort((a, b) => a.time - b.time || (a.file.key < b.file.key ? -1 : 1));

  const loaded = new Map<string, Promise<LoadedDigest>>();
  const load = (file: LocalFile) => {
    let p = loaded.get(file.key);
    if (!p) loaded.set(file.key, (p = loadDigest(file)));
    return p;
  };
  const ownProblem = new Map<string, ReturnType<typeof signatureProblem>>();
  const checkOwn = async (file: LocalFile) => {
    if (!ownProblem.has(file.key)) ownProblem.set(file.key, signatureProblem(await load(file), keys));
    return ownProblem.get(file.key);
  };

  const digests: DigestResult[] = [];
  const missing = new Set<string>();
  const gaps: TrailReport['gaps'] = [];
  const listed = new Map<
    string,
    { bucket: string; key: string; hash: string; algorithm: string; digest: string }
  >();
  const covered = new Map<string, { from: number; to: number }>();
  let foundStart: number | undefined;
  let foundEnd: number | undefined;

  for (const { file } of inRange) {
    const digest = await load(file);
    const own = await checkOwn(file);
    const data = digest.data;
    const result: DigestResult = {
      status: 'valid',
      key: data?.digestS3Object ?? file.key,
      file: file.path,
      ...(data
        ? { bucket: data.digestS3Bucket, startTime: data.digestStartTime, endTime: data.digestEndTime }
        : {}),
    };
    digests.push(result);
    const scope = scopeOf(file.key);
    if (data && scope) {
      const s = Date.parse(data.digestStartTime);
      const e = Date.parse(data.digestEndTime) - DELIVERY_ALLOWANCE;
      const c = covered.get(scope);
      if (!Number.isNaN(s) && !Number.isNaN(e))
        covered.set(scope, { from: Math.min(c?.from ?? s, s), to: Math.max(c?.to ?? e, e) });
    }
    if (own || !data) {
      result.status = own?.status ?? 'invalid';
      result.reason = own?.reason ?? 'unreadable';
      continue;
    }

    // A signed digest is authentic; now, is it where CloudTrail put it, and does it link to its predecessor?
    const broken: string[] = [];
    if (awsLogsKey(data.digestS3Object) !== file.key)
      broken.push(`this file holds the digest of ${data.digestS3Object}: moved or reordered`);
    const prevKey =
      data.previousDigestS3Object === null ? undefined : awsLogsKey(data.previousDigestS3Object);
    if (data.previousDigestS3Object === null) {
      const chain = chainOf(file);
      const before = [...tree.digests.values()]
        .filter((f) => f.key !== file.key && chainOf(f) === chain)
        .map((f) => parseDigestName(f.name)!.time)
        .filter((t) => t < parseDigestName(file.name)!.time);
      if (before.length)
        gaps.push({ from: iso(Math.max(...before)), to: data.digestStartTime, digest: result.key });
    } else {
      const prevFile = prevKey === undefined ? undefined : tree.digests.get(prevKey);
      const prevName = parseDigestName(data.previousDigestS3Object.split('/').pop() ?? '');
      if (!prevFile) {
        // Before the requested start, a missing predecessor is outside what was asked for.
        if ((prevName?.time ?? Infinity) >= start && !missing.has(data.previousDigestS3Object)) {
          missing.add(data.previousDigestS3Object);
          digests.push({
            status: 'missing',
            bucket: data.previousDigestS3Bucket ?? data.digestS3Bucket,
            key: data.previousDigestS3Object,
            reason: `not found (named as the previous digest by ${data.digestS3Object})`,
          });
        }
      } else if (!(await checkOwn(prevFile))) {
        // The predecessor verifies on its own: the recorded link must be exactly it. (When it does not
        // verify, it is reported itself and this digest's link says nothing more.)
        const prev = await load(prevFile);
        if ((data.previousDigestHashValue ?? '').toLowerCase() !== prev.sha256)
          broken.push(`previousDigestHashValue does not match ${prevFile.key}: replaced or reordered`);
        else if ((data.previousDigestSignature ?? '').toLowerCase() !== prev.signature)
          broken.push(`previousDigestSignature does not match the signature of ${prevFile.key}`);
      }
    }
    if (broken.length) {
      result.status = 'chain-broken';
      result.reason = broken.join('; ');
    } else {
      const s = Date.parse(data.digestStartTime);
      const e = Date.parse(data.digestEndTime);
      foundStart = Math.min(foundStart ?? s, s);
      foundEnd = Math.max(foundEnd ?? e, e);
    }
    // The digest's own content is authentic either way, so the log files it lists are checked.
    for (const log of data.logFiles) {
      const key = awsLogsKey(log.s3Object) ?? log.s3Object;
      if (!listed.has(key))
        listed.set(key, {
          bucket: log.s3Bucket,
          key: log.s3Object,
          hash: log.hashValue.toLowerCase(),
          algorithm: log.hashAlgorithm,
          digest: data.digestS3Object,
        });
    }
  }

  const logFiles: LogResult[] = [];
  for (const [localKey, log] of listed) {
    const file = tree.logs.get(localKey);
    const base = { bucket: log.bucket, key: log.key, digest: log.digest };
    if (!file) {
      logFiles.push({ ...base, status: 'deleted', reason: 'not found' });
      continue;
    }
    let status: LogStatus = 'valid';
    let reason: string | undefined;
    if (log.algorithm !== 'SHA-256') {
      status = 'modified';
      reason = `unsupported hashAlgorithm ${log.algorithm}`;
    } else {
      try {
        if ((await logHash(file.path)) !== log.hash) {
          status = 'modified';
          reason = "hash value doesn't match";
        }
      } catch (err) {
        status = 'modified';
        reason = `not a gzip file (${(err as Error).message})`;
      }
    }
    logFiles.push({ ...base, file: file.path, status, ...(reason ? { reason } : {}) });
  }

  // Present but vouched for by no digest: only within the span each scope's digests cover, since logs
  // delivered after the newest digest (or before validation was on) have no digest (yet).
  const unreferenced: TrailReport['unreferenced'] = [];
  for (const file of tree.logs.values()) {
    if (listed.has(file.key)) continue;
    const scope = scopeOf(file.key);
    const span = scope === undefined ? undefined : covered.get(scope);
    const t = logNameTime(file.name)!;
    if (span && t >= span.from && t <= span.to && t >= start && t <= end)
      unreferenced.push({ key: file.key, file: file.path });
  }
  unreferenced.sort((a, b) => (a.key < b.key ? -1 : 1));

  // Oldest first, a missing digest in its place by the time in its name.
  const nameTime = (d: DigestResult) => parseDigestName(d.key.split('/').pop() ?? '')?.time ?? 0;
  digests.sort((a, b) => nameTime(a) - nameTime(b));

  const requestedEnd = options.endTime;
  return {
    requested: {
      ...(options.startTime !== undefined ? { start: iso(options.startTime) } : {}),
      ...(requestedEnd !== undefined ? { end: iso(requestedEnd) } : {}),
    },
    ...(foundStart !== undefined && foundEnd !== undefined
      ? {
          found: {
            start: iso(Math.max(foundStart, options.startTime ?? foundStart)),
            end: iso(Math.min(foundEnd, requestedEnd ?? foundEnd)),
          },
        }
      : {}),
    digests,
    logFiles,
    unreferenced,
    gaps,
    ok:
      digests.length > 0 &&
      digests.every((d) => d.status === 'valid') &&
      logFiles.every((l) => l.status === 'valid'),
  };
}
