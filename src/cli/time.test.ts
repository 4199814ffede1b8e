import { describe, expect, it } from 'vitest';
import { parseTime } from './time.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('parseTime', () => {
  it('reads ISO dates and times as UTC unless a zone is given', () => {
    expect(parseTime('2026-11-20', NOW)).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(parseTime('2026-11-20T10:30:00', NOW)).toBe(Date.parse('2026-11-20T10:30:00Z'));
    expect(parseTime('2026-11-20T10:30:00+02:00', NOW)).toBe(Date.parse('2026-11-20T08:30:00Z'));
  });

  it('reads durations as that long before now', () => {
    expect(parseTime('24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseTime('30m', NOW)).toBe(NOW - 1_800_000);
    expect(parseTime('7d', NOW)).toBe(NOW - 7 * 86_400_000);
  });

  it('rejects anything else with a message that says what is accepted', () => {
    expect(() => parseTime('yesterday', NOW)).toThrow(/ISO date/);
    expect(() => parseTime('2026-13-45', NOW)).toThrow(/not a time/);
  });
});
