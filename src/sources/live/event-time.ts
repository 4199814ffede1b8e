import type { RecordFormat } from '../types.js';

/**
 * The time of a raw record for lag: its `eventTime` (DNS: `query_timestamp`, S3 access: `time`, flow: `start`
 * seconds) when that parses and is not in the future (every field is attacker-controlled: a far-future time
 * must not hide a real lag), else undefined.
 */
export function usableEventTime(
  record: Record<string, unknown>,
  now: number,
  format?: RecordFormat,
): number | undefined {
  if (format === 'vpcflow') {
    const s = record.start;
    return typeof s === 'number' && s * 1000 <= now ? s * 1000 : undefined;
  }
  const t =
    format === 'dns' ? record.query_timestamp : format === 's3access' ? record.time : record.eventTime;
  if (typeof t !== 'string') return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) && ms <= now ? ms : undefined;
}
