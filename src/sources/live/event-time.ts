/**
 * The time of a raw record for lag: its `eventTime` when that parses and is not in the future (every field
 * is attacker-controlled: a far-future time must not hide a real lag), else undefined.
 */
export function usableEventTime(record: Record<string, unknown>, now: number): number | undefined {
  const t = record.eventTime;
  if (typeof t !== 'string') return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) && ms <= now ? ms : undefined;
}
