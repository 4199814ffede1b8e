import { CHECK_IDS } from '../check-ids.js';
import type { Check } from '../types.js';
import { iamAccountChecks } from './iam-account.js';
import { iamPolicyChecks } from './iam-policies.js';
import { iamUserChecks } from './iam-users.js';

/**
 * The IAM checks of the catalogue (CIS AWS Foundations v3.0.0 section 1 and the FSBP IAM controls, plus
 * least-privilege analysis), in catalogue order. Their ids are fixed: framework mappings refer to them.
 */

const byId = new Map([...iamAccountChecks, ...iamUserChecks, ...iamPolicyChecks].map((c) => [c.id, c]));

/** Catalogue order: the IAM ids of CHECK_IDS. */
const ORDER = CHECK_IDS.filter((id) => id.startsWith('iam-'));

export const iamChecks: Check[] = ORDER.map((id) => {
  const check = byId.get(id);
  if (!check) throw new Error(`IAM check ${id} is missing`);
  return check;
});
