import type { Check } from '../types.js';
import { cloudtrailChecks } from './cloudtrail.js';
import { ec2Checks } from './ec2.js';
import { iamChecks } from './iam.js';
import { s3Checks } from './s3.js';
import { serviceChecks } from './services.js';

/** Every posture check (`vigil posture check`, the dashboard's posture page, posture findings). */
export const ALL_CHECKS: readonly Check[] = [
  ...iamChecks,
  ...s3Checks,
  ...cloudtrailChecks,
  ...ec2Checks,
  ...serviceChecks,
];

export function checkRegistry(checks: readonly Check[] = ALL_CHECKS): Map<string, Check> {
  const map = new Map<string, Check>();
  for (const c of checks) {
    if (map.has(c.id)) throw new Error(`two posture checks have the id ${c.id}`);
    map.set(c.id, c);
  }
  return map;
}
