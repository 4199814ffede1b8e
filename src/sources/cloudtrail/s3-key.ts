import { networkLogStamp } from '../aws-log-keys.js';

/**
 * Facts read from where AWS puts CloudTrail files:
 * `AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<id>.json.gz`
 * and digests under `AWSLogs/<account>/CloudTrail-Digest/…`.
 */

function splitPath(path: string): string[] {
  return path.indexOf('\\') >= 0 ? path.split(/[\\/]/) : path.split('/');
}

/** True for CloudTrail digest files (integrity hashes, not events). */
export function isDigestPath(path: string): boolean {
  const parts = splitPath(path);
  const name = parts[parts.length - 1] ?? '';
  return name.includes('_CloudTrail-Digest_') || parts.includes('CloudTrail-Digest');
}

function isDigits(s: string | undefined, len: number): s is string {
  if (s === undefined || s.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function validDay(y: string, m: string, d: string): string | undefined {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return `${y}-${m}-${d}`;
}

/**
 * The delivery day (`YYYY-MM-DD`, UTC) of a CloudTrail file from its S3 layout
 * (`…/CloudTrail/<region>/YYYY/MM/DD/…`), or from its file name
 * (`<account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_…`) when the folders were not kept; undefined otherwise.
 */
export function dateFromS3Key(path: string): string | undefined {
  const parts = splitPath(path);
  for (let i = parts.length - 5; i >= 0; i--) {
    const seg = parts[i];
    if (
      seg !== 'CloudTrail' &&
      seg !== 'CloudTrail-Insight' &&
      seg !== 'vpcflowlogs' &&
      seg !== 'vpcdnsquerylogs'
    )
      continue;
    const [y, m, d] = [parts[i + 2], parts[i + 3], parts[i + 4]];
    if (isDigits(y, 4) && isDigits(m, 2) && isDigits(d, 2)) return validDay(y, m, d);
  }
  const name = parts[parts.length - 1] ?? '';
  const at = name.indexOf('_CloudTrail_');
  if (at < 0) return undefined;
  // After "_CloudTrail_<region>_" comes YYYYMMDDTHHmmZ.
  const regionEnd = name.indexOf('_', at + '_CloudTrail_'.length);
  if (regionEnd < 0) return undefined;
  const stamp = name.slice(regionEnd + 1, regionEnd + 9);
  if (!isDigits(stamp, 8) || name.charCodeAt(regionEnd + 9) !== 84 /* T */) return undefined;
  return validDay(stamp.slice(0, 4), stamp.slice(4, 6), stamp.slice(6, 8));
}

/**
 * A sort key that puts CloudTrail files in delivery order across regions and accounts: the file name's
 * `YYYYMMDDTHHmmZ` stamp (also in flow, Resolver query and S3 access log names), else the S3 layout's day,
 * else '' (unknown: sorts first, in path order).
 * Scanning in this order lets windows and first-seen baselines see events roughly as they happened,
 * where a plain path sort would read one region's whole history before the next region's.
 */
export function deliveryOrderKey(path: string): string {
  const parts = splitPath(path);
  const name = parts[parts.length - 1] ?? '';
  const at = name.indexOf('_CloudTrail_');
  if (at >= 0) {
    const regionEnd = name.indexOf('_', at + '_CloudTrail_'.length);
    const stamp = regionEnd < 0 ? '' : name.slice(regionEnd + 1, regionEnd + 14);
    if (isDigits(stamp.slice(0, 8), 8) && stamp[8] === 'T' && isDigits(stamp.slice(9, 13), 4)) return stamp;
  }
  const stamp = networkLogStamp(path);
  if (stamp !== undefined) return stamp;
  const day = dateFromS3Key(path);
  return day ? `${day.replace(/-/g, '')}T0000` : '';
}
