import type { Finding } from '../core/finding.js';

/**
 * Whether a finding deserves an alert, given what was last alerted about it: yes for a new finding
 * (no previous record), a severity rise, a known finding never alerted, or a recurrence (`lastSeen`
 * after the last alert) at least `windowMs` after the last alert; no otherwise, so a finding that keeps
 * firing alerts at most once per window. Times are the finding's event times, so a batch scan of old
 * logs decides the same way as live monitoring. An unreadable time alerts rather than stays silent.
 */
export function shouldAlert(
  previous: { severity: number; lastAlertAt?: string } | undefined,
  finding: Finding,
  windowMs: number,
): boolean {
  if (previous === undefined) return true;
  if (finding.severity > previous.severity) return true;
  if (previous.lastAlertAt === undefined) return true;
  const alertedAt = Date.parse(previous.lastAlertAt);
  const seenAt = Date.parse(finding.lastSeen);
  if (!Number.isFinite(alertedAt) || !Number.isFinite(seenAt)) return true;
  return seenAt > alertedAt && seenAt - alertedAt >= windowMs;
}
