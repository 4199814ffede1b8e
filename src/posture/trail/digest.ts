import { createHash, verify as verifySignature } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { TrailPublicKey } from './keys.js';
import type { LocalFile } from './layout.js';

const gunzipAsync = promisify(gunzip);

/** A CloudTrail digest file's fields that validation reads (AWS: "CloudTrail digest file structure"). */
export interface DigestData {
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
}

/** A digest file read from disk: its uncompressed bytes' SHA-256, its fields, and its signature. */
export interface LoadedDigest {
  file: LocalFile;
  sha256?: string;
  data?: DigestData;
  /** Hex, lower case, from the sidecar beside the file. */
  signature?: string;
  /** Why the file cannot be checked at all (not gzip, not JSON, fields missing, no signature). */
  problem?: string;
}

const REQUIRED_STRINGS = [
  'digestStartTime',
  'digestEndTime',
  'digestS3Bucket',
  'digestS3Object',
  'digestPublicKeyFingerprint',
] as const;

function digestData(doc: unknown): DigestData | string {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'not a JSON object';
  const d = doc as Record<string, unknown>;
  for (const field of REQUIRED_STRINGS)
    if (typeof d[field] !== 'string' || d[field] === '') return `${field} is missing`;
  // A starting digest has null previous* fields; any other type is a malformed file.
  if (!('previousDigestSignature' in d)) return 'previousDigestSignature is missing';
  for (const field of ['previousDigestS3Bucket', 'previousDigestS3Object', 'previousDigestHashValue'])
    if (d[field] !== undefined && d[field] !== null && typeof d[field] !== 'string')
      return `${field} is not text`;
  if (d.previousDigestSignature !== null && typeof d.previousDigestSignature !== 'string')
    return 'previousDigestSignature is not text';
  if (!Array.isArray(d.logFiles)) return 'logFiles is not a list';
  for (const [i, log] of (d.logFiles as unknown[]).entries()) {
    const l = (log ?? {}) as Record<string, unknown>;
    for (const field of ['s3Bucket', 's3Object', 'hashValue'])
      if (typeof l[field] !== 'string') return `logFiles[${i}].${field} is missing`;
  }
  const logFiles = (d.logFiles as Record<string, unknown>[]).map((l) => ({
    s3Bucket: l.s3Bucket as string,
    s3Object: l.s3Object as string,
    hashValue: l.hashValue as string,
    hashAlgorithm: typeof l.hashAlgorithm === 'string' ? l.hashAlgorithm : 'SHA-256',
  }));
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    digestStartTime: d.digestStartTime as string,
    digestEndTime: d.digestEndTime as string,
    digestS3Bucket: d.digestS3Bucket as string,
    digestS3Object: d.digestS3Object as string,
    digestPublicKeyFingerprint: d.digestPublicKeyFingerprint as string,
    digestSignatureAlgorithm:
      typeof d.digestSignatureAlgorithm === 'string' ? d.digestSignatureAlgorithm : '',
    previousDigestS3Bucket: text(d.previousDigestS3Bucket),
    previousDigestS3Object: text(d.previousDigestS3Object),
    previousDigestHashValue: text(d.previousDigestHashValue),
    previousDigestSignature: text(d.previousDigestSignature),
    logFiles,
  };
}

/**
 * The signature CloudTrail keeps in the digest object's S3 metadata (`x-amz-meta-signature`), which a
 * sync to disk loses. It is read from beside the file: `<digest>.sig` holding the hex signature, or
 * `<digest>.metadata.json` holding `aws s3api head-object` output (`{"Metadata": {"signature": …}}`) or
 * just its `Metadata` map (`--query Metadata`).
 */
async function readSignature(path: string): Promise<{ signature?: string; algorithm?: string } | undefined> {
  const sig = await readFile(`${path}.sig`, 'utf8').catch(() => undefined);
  if (sig !== undefined) return { signature: sig.trim() };
  const meta = await readFile(`${path}.metadata.json`, 'utf8').catch(() => undefined);
  if (meta === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(meta);
  } catch {
    return {};
  }
  const outer = (doc ?? {}) as Record<string, unknown>;
  const map = (
    typeof outer.Metadata === 'object' && outer.Metadata !== null ? outer.Metadata : outer
  ) as Record<string, unknown>;
  const pick = (name: string) => {
    for (const [k, v] of Object.entries(map)) {
      const bare = k.toLowerCase().replace(/^x-amz-meta-/, '');
      if (bare === name && typeof v === 'string') return v.trim();
    }
    return undefined;
  };
  const signature = pick('signature');
  const algorithm = pick('signature-algorithm');
  return {
    ...(signature !== undefined ? { signature } : {}),
    ...(algorithm !== undefined ? { algorithm } : {}),
  };
}

export async function loadDigest(file: LocalFile): Promise<LoadedDigest> {
  const out: LoadedDigest = { file };
  let raw: Buffer;
  try {
    raw = await gunzipAsync(await readFile(file.path));
  } catch (err) {
    out.problem = `not a gzip file (${(err as Error).message})`;
    return out;
  }
  out.sha256 = createHash('sha256').update(raw).digest('hex');
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    out.problem = 'invalid format: not JSON';
    return out;
  }
  const data = digestData(doc);
  if (typeof data === 'string') {
    out.problem = `invalid format: ${data}`;
    return out;
  }
  out.data = data;
  const meta = await readSignature(file.path);
  if (meta?.signature === undefined) {
    out.problem = 'no signature beside the file (<digest>.sig or <digest>.metadata.json)';
    return out;
  }
  if (meta.algorithm !== undefined && meta.algorithm !== 'SHA256withRSA') {
    out.problem = `unsupported signature algorithm ${meta.algorithm}`;
    return out;
  }
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(meta.signature)) {
    out.problem = 'the signature is not hexadecimal';
    return out;
  }
  out.signature = meta.signature.toLowerCase();
  return out;
}

/**
 * AWS's "data signing string": the digest end time, `bucket/key`, the hex SHA-256 of the uncompressed
 * digest file, and the previous digest's signature (`null` for a starting digest), joined by newlines.
 */
export function signingString(data: DigestData, sha256: string): string {
  return [
    data.digestEndTime,
    `${data.digestS3Bucket}/${data.digestS3Object}`,
    sha256,
    data.previousDigestSignature ?? 'null',
  ].join('\n');
}

/** A digest is signed at delivery, shortly after its end time: a key valid within the next hour fits. */
const SIGNING_DELAY_MS = 3_600_000;

/**
 * Checks a loaded digest's own signature: SHA256withRSA (PKCS#1 v1.5) with the public key of its
 * fingerprint, which must have been valid when the digest was signed. Returns undefined when it holds.
 */
export function signatureProblem(
  digest: LoadedDigest,
  keys: Map<string, TrailPublicKey[]>,
): { status: 'invalid' | 'invalid-signature'; reason: string } | undefined {
  if (digest.problem || !digest.data || !digest.sha256 || !digest.signature)
    return { status: 'invalid', reason: digest.problem ?? 'unreadable' };
  const data = digest.data;
  if (data.digestSignatureAlgorithm !== 'SHA256withRSA')
    return {
      status: 'invalid',
      reason: `unsupported digestSignatureAlgorithm ${data.digestSignatureAlgorithm}`,
    };
  const fingerprint = data.digestPublicKeyFingerprint.toLowerCase();
  const candidates = keys.get(fingerprint);
  if (!candidates?.length)
    return {
      status: 'invalid',
      reason: `no public key with fingerprint ${fingerprint} in the public keys file`,
    };
  const signedAt = Date.parse(data.digestEndTime);
  if (Number.isNaN(signedAt))
    return { status: 'invalid', reason: 'invalid format: digestEndTime is not a time' };
  const inWindow = candidates.filter(
    (k) => k.validFrom <= signedAt + SIGNING_DELAY_MS && k.validTo >= signedAt,
  );
  if (!inWindow.length) {
    const k = candidates[0]!;
    return {
      status: 'invalid',
      reason: `public key ${fingerprint} was valid from ${new Date(k.validFrom).toISOString()} to ${new Date(k.validTo).toISOString()}, not when this digest was signed`,
    };
  }
  const message = Buffer.from(signingString(data, digest.sha256), 'utf8');
  const signature = Buffer.from(digest.signature, 'hex');
  const ok = inWindow.some((k) => verifySignature('sha256', message, k.key, signature));
  return ok ? undefined : { status: 'invalid-signature', reason: 'signature verification failed' };
}
