import type { Finding } from '../../core/finding.js';
import { bad, isObject } from './common.js';
import { fromGuardDuty } from './guardduty.js';
import { fromSecurityHub } from './securityhub.js';

export { fromGuardDuty } from './guardduty.js';
export { fromSecurityHub } from './securityhub.js';

/** The EventBridge detail-types that carry AWS's own findings. */
export const FINDING_DETAIL_TYPES = ['GuardDuty Finding', 'Security Hub Findings - Imported'] as const;

/**
 * The Vigil findings an EventBridge event from GuardDuty or Security Hub carries (a Security Hub event
 * holds a list), or undefined when the event is not one of those. A malformed finding throws
 * VIGIL_INPUT_BAD_RECORD saying what is wrong.
 */
export function findingsFromEvent(event: unknown): Finding[] | undefined {
  if (!isObject(event)) return undefined;
  const detail = event.detail;
  if (event['detail-type'] === 'GuardDuty Finding') return [fromGuardDuty(detail)];
  if (event['detail-type'] === 'Security Hub Findings - Imported') {
    if (!isObject(detail) || !Array.isArray(detail.findings))
      bad('Security Hub event has no detail.findings list');
    return detail.findings.map(fromSecurityHub);
  }
  return undefined;
}
