/**
 * Facts read from where AWS delivers VPC Flow Logs, Route 53 Resolver query logs and S3 server access logs:
 * `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<flow-log-id>_YYYYMMDDTHHmmZ_<hash>.log.gz`,
 * `AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/YYYY/MM/DD/…_vpcdnsquerylogs_…_YYYYMMDDTHHmmZ_<hash>.log.gz`, and
 * S3 access log objects named `YYYY-MM-DD-HH-MM-SS-<16 hex>`. Names only order and date files; what a file
 * holds is always read from its content.
 */

/** Services under `AWSLogs/<account>/` whose logs Vigil reads besides CloudTrail. */
export const NETWORK_LOG_SERVICES: ReadonlySet<string> = new Set(['vpcflowlogs', 'vpcdnsquerylogs']);

function splitPath(path: string): string[] {
  return path.indexOf('\\') >= 0 ? path.split(/[\\/]/) : path.split('/');
}

const FLOW_NAME = /_vpcflowlogs_([a-z0-9-]+)_/;
const STAMPED_NAME = /_(?:vpcflowlogs|vpcdnsquerylogs)_.*?_(\d{8})T(\d{4})Z_/;
const S3_ACCESS_NAME = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-\d{2}-[0-9A-F]{16}$/;

/** The region of a flow log file: from `<account>_vpcflowlogs_<region>_…` or `vpcflowlogs/<region>/`. */
export function flowLogRegion(path: string): string | undefined {
  const parts = splitPath(path);
  const m = FLOW_NAME.exec(parts[parts.length - 1] ?? '');
  if (m) return m[1];
  const at = parts.lastIndexOf('vpcflowlogs');
  const region = at >= 0 && at + 2 < parts.length ? parts[at + 1] : undefined;
  return region !== undefined && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}

/** The delivery stamp `YYYYMMDDTHHmm` in a flow log, DNS log or S3 access log file name, if any. */
export function networkLogStamp(path: string): string | undefined {
  const parts = splitPath(path);
  const name = parts[parts.length - 1] ?? '';
  const m = STAMPED_NAME.exec(name);
  if (m) return `${m[1]}T${m[2]}`;
  const s = S3_ACCESS_NAME.exec(name);
  return s ? `${s[1]}${s[2]}${s[3]}T${s[4]}${s[5]}` : undefined;
}

/** True for the name of an S3 server access log object (`YYYY-MM-DD-HH-MM-SS-<16 hex>`). */
export function isS3AccessLogName(path: string): boolean {
  const parts = splitPath(path);
  return S3_ACCESS_NAME.test(parts[parts.length - 1] ?? '');
}
