import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * CloudTrail's public keys as `aws cloudtrail list-public-keys --start-time … --end-time …` prints them
 * (one region: CloudTrail signs each region's digests with that region's keys):
 *
 *   {"PublicKeyList": [{"Value": "<base64 DER>", "ValidityStartTime": 1453076702.0,
 *                       "ValidityEndTime": 1455668702.0, "Fingerprint": "7f3f4014…"}]}
 *
 * A multi-region trail needs one such file per region. Times may be epoch seconds (the CLI's JSON output)
 * or ISO strings (SDK output, `--cli-timestamp-format iso8601`).
 */
export interface TrailPublicKey {
  fingerprint: string;
  key: KeyObject;
  validFrom: number;
  validTo: number;
}

export class TrailKeyError extends Error {}

function keyTime(value: unknown, field: string, index: number): number {
  const t =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t))
    throw new TrailKeyError(`PublicKeyList[${index}].${field} is not a time (epoch seconds or ISO 8601)`);
  return t;
}

/**
 * The Value is DER: CloudTrail's are PKCS#1 RSAPublicKey (`MIIBCgKCAQEA…`), but a SubjectPublicKeyInfo
 * (`MIIBIjANBg…`) is accepted too, so keys exported by other tools load.
 */
function loadKey(der: Buffer, index: number): KeyObject {
  for (const type of ['pkcs1', 'spki'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // try the other encoding
    }
  }
  throw new TrailKeyError(`PublicKeyList[${index}].Value is not a DER-encoded RSA public key`);
}

/** Parses the text of a public keys file; throws TrailKeyError naming the first problem. */
export function parsePublicKeys(text: string): TrailPublicKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TrailKeyError(`not JSON: ${(err as Error).message}`);
  }
  const list = (doc as { PublicKeyList?: unknown } | null)?.PublicKeyList;
  if (!Array.isArray(list))
    throw new TrailKeyError(
      'expected {"PublicKeyList": [...]}, the output of aws cloudtrail list-public-keys',
    );
  return list.map((entry: unknown, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.Value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(e.Value))
      throw new TrailKeyError(`PublicKeyList[${i}].Value must be base64`);
    const der = Buffer.from(e.Value, 'base64');
    const key = loadKey(der, i);
    // AWS gives the fingerprint; when a hand-made file lacks it, the MD5 of the DER is what it is.
    const fingerprint =
      typeof e.Fingerprint === 'string' && e.Fingerprint !== ''
        ? e.Fingerprint.toLowerCase()
        : createHash('md5').update(der).digest('hex');
    return {
      fingerprint,
      key,
      validFrom: keyTime(e.ValidityStartTime, 'ValidityStartTime', i),
      validTo: keyTime(e.ValidityEndTime, 'ValidityEndTime', i),
    };
  });
}
