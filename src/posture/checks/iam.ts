import type { Check } from '../types.js';
import { iamAccountChecks } from './iam-account.js';
import { iamPolicyChecks } from './iam-policies.js';
import { iamUserChecks } from './iam-users.js';

/**
 * The IAM checks of the catalogue (CIS AWS Foundations v3.0.0 section 1 and the FSBP IAM controls, plus
 * least-privilege analysis), in catalogue order. Their ids are fixed: framework mappings refer to them.
 */

const byId = new Map([...iamAccountChecks, ...iamUserChecks, ...iamPolicyChecks].map((c) => [c.id, c]));

const ORDER = [
  'iam-root-access-keys',
  'iam-root-mfa',
  'iam-root-hardware-mfa',
  'iam-root-recent-use',
  'iam-password-length',
  'iam-password-reuse',
  'iam-user-console-mfa',
  'iam-unused-credentials-45',
  'iam-unused-credentials-90',
  'iam-one-active-key',
  'iam-key-rotation',
  'iam-user-direct-policies',
  'iam-full-admin-policy',
  'iam-support-role',
  'iam-access-analyzer',
  'iam-cloudshell-full-access',
  'iam-wildcard-service-actions',
  'iam-wildcard-resources',
  'iam-admin-equivalent',
  'iam-privilege-escalation',
  'iam-role-trust-wildcard',
] as const;

export const iamChecks: Check[] = ORDER.map((id) => {
  const check = byId.get(id);
  if (!check) throw new Error(`IAM check ${id} is missing`);
  return check;
});
