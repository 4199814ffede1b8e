import type { Check, CheckResult, PostureSnapshot, Severity } from './types.js';

/**
 * A check's result as a run reports it: the check's own PASS / FAIL / UNKNOWN, or ERROR when the check
 * threw. A throwing check must be visible — never a silent pass — and must not stop the other checks.
 */
export interface PostureResult extends Omit<CheckResult, 'status'> {
  status: CheckResult['status'] | 'ERROR';
}

/** The account id an ERROR result carries: the check failed for the whole snapshot, not one account. */
export const ALL_ACCOUNTS = '*';

const SEVERITY_ORDER: Record<Severity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

export function severityAtLeast(severity: Severity, min: Severity): boolean {
  return SEVERITY_ORDER[severity] >= SEVERITY_ORDER[min];
}

export function isSeverity(text: string): text is Severity {
  return Object.hasOwn(SEVERITY_ORDER, text);
}

/**
 * Runs every check over the snapshot, in order. A check that throws, or returns something that is not a
 * list of results for itself, yields one ERROR result naming the check and the error; the others go on.
 */
export function runChecks(snapshot: PostureSnapshot, checks: readonly Check[]): PostureResult[] {
  const out: PostureResult[] = [];
  for (const check of checks) {
    let results: CheckResult[];
    try {
      results = check.run(snapshot);
      if (!Array.isArray(results)) throw new Error('run() did not return a list of results');
    } catch (err) {
      out.push(errorResult(check, err));
      continue;
    }
    for (const r of results) out.push({ ...r, checkId: check.id });
  }
  return out;
}

function errorResult(check: Check, err: unknown): PostureResult {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    checkId: check.id,
    status: 'ERROR',
    accountId: ALL_ACCOUNTS,
    resource: { type: 'Check', id: check.id },
    message: `Check ${check.id} failed to run: ${reason}`,
  };
}

/** Counts by status, for summaries. */
export function countStatuses(results: readonly PostureResult[]) {
  const counts = { PASS: 0, FAIL: 0, UNKNOWN: 0, ERROR: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
