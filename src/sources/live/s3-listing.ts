import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { LOG_NAME, isOtherServiceLog } from '../cloudtrail/discover.js';
import { isDigestPath } from '../cloudtrail/s3-key.js';
import { NETWORK_LOG_SERVICES, isS3AccessLogName } from '../aws-log-keys.js';

export interface S3Object {
  key: string;
  etag: string;
  size: number;
  lastModifiedMs: number | undefined;
}

/**
 * True for a key the S3 source reads (the rule `discoverInputs` applies when walking a folder): a log
 * that is not a digest nor the log of a service Vigil does not read.
 */
export function isWantedKey(key: string): boolean {
  return (
    !key.endsWith('/') &&
    (LOG_NAME.test(key) || isS3AccessLogName(key)) &&
    !isDigestPath(key) &&
    !isOtherServiceLog(key)
  );
}

/**
 * The CloudTrail partition of a key or folder: everything up to `CloudTrail/<region>/`, within which keys
 * sort in delivery order (`YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_…`); undefined outside
 * that layout.
 */
export function partitionOf(key: string): string | undefined {
  const m = /^((?:.*\/)?CloudTrail\/[^/]+\/)/.exec(key);
  return m?.[1];
}

/**
 * Where listing a partition may start given the newest done key in it: the day folder before that key's
 * day (so a file delivered late, up to a day behind, is still listed; done keys are skipped by their
 * checkpoint), or the key itself outside the date layout.
 */
export function startAfterFor(newestDone: string | undefined): string | undefined {
  if (newestDone === undefined) return undefined;
  const m = /^(.*\/CloudTrail\/[^/]+\/)(\d{4})\/(\d{2})\/(\d{2})\//.exec(newestDone);
  if (!m) return newestDone;
  const day = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]));
  if (!Number.isFinite(day)) return newestDone;
  const before = new Date(day - 86_400_000).toISOString().slice(0, 10).replace(/-/g, '/');
  return `${m[1]}${before}/`;
}

/** Sorts after every key that starts with a given folder (StartAfter compares UTF-8 bytes). */
const PAST = '\u{10FFFF}';

/** `…AWSLogs/[o-org/]<account>/<service>/` for a key under a service Vigil does not read (digests included). */
function otherServiceFolder(key: string): string | undefined {
  const m = /^((?:.*\/)?AWSLogs\/(?:o-[^/]+\/)?\d{12}\/([^/]+)\/)/.exec(key);
  return m && m[2] !== 'CloudTrail' && !NETWORK_LOG_SERVICES.has(m[2]!) ? m[1] : undefined;
}

async function listPage(
  s3: S3Client,
  params: { Bucket: string; Prefix: string; StartAfter?: string; ContinuationToken?: string },
  signal: AbortSignal | undefined,
): Promise<{ objects: S3Object[]; next: string | undefined }> {
  const out = await s3.send(new ListObjectsV2Command(params), signal ? { abortSignal: signal } : {});
  const objects: S3Object[] = [];
  for (const o of out.Contents ?? []) {
    if (o.Key === undefined) continue;
    objects.push({
      key: o.Key,
      etag: o.ETag ?? '',
      size: o.Size ?? 0,
      lastModifiedMs: o.LastModified?.getTime(),
    });
  }
  return { objects, next: out.IsTruncated ? out.NextContinuationToken : undefined };
}

/**
 * Lists the objects under `prefix` that the source may read, without a delimiter: the keys are scanned in
 * order, and on meeting a CloudTrail partition (`…/CloudTrail/<region>/`) the scan lists that partition
 * in full from `startAfter(partition)` and then jumps past it (`StartAfter`); other services' folders under
 * `AWSLogs/<account>/` (digests included) are jumped over unread. One `StartAfter` per partition, because
 * keys of different regions and accounts do not sort in delivery order against each other. A poll costs
 * about two requests per partition, whatever the bucket's history.
 */
export async function listCandidates(
  s3: S3Client,
  bucket: string,
  prefix: string,
  startAfter: (partition: string) => string | undefined,
  signal?: AbortSignal,
): Promise<S3Object[]> {
  const found: S3Object[] = [];
  const keep = (o: S3Object) => {
    if (o.key.startsWith(prefix) && isWantedKey(o.key)) found.push(o);
  };
  let cursor: string | undefined;
  for (;;) {
    const page = await listPage(
      s3,
      { Bucket: bucket, Prefix: prefix, ...(cursor ? { StartAfter: cursor } : {}) },
      signal,
    );
    if (page.objects.length === 0) return found;
    let jumped = false;
    for (const o of page.objects) {
      const part = partitionOf(o.key);
      const skip = part === undefined ? otherServiceFolder(o.key) : undefined;
      if (part !== undefined) {
        const within = part.length >= prefix.length ? part : prefix;
        const after = startAfter(part);
        let token: string | undefined;
        do {
          const p = await listPage(
            s3,
            {
              Bucket: bucket,
              Prefix: within,
              ...(token
                ? { ContinuationToken: token }
                : after && after > within
                  ? { StartAfter: after }
                  : {}),
            },
            signal,
          );
          p.objects.forEach(keep);
          token = p.next;
        } while (token !== undefined);
      }
      const past = part ?? skip;
      if (past !== undefined) {
        // Jump past the folder; always forward, so the scan ends.
        const to = past + PAST;
        cursor = to > o.key ? to : o.key;
        jumped = true;
        break;
      }
      keep(o);
      cursor = o.key;
    }
    if (!jumped && page.next === undefined) return found;
  }
}
