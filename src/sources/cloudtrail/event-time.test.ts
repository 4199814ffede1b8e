import { describe, it, expect } from 'vitest';
import { parseEventTime } from './event-time.js';

describe('parseEventTime', () => {
  it('reads the CloudTrail shape exactly', () => {
    expect(parseEventTime('2024-02-29T23:59:59Z')).toBe(Date.parse('2024-02-29T23:59:59Z'));
    expect(parseEventTime('1999-12-31T00:00:00Z')).toBe(Date.UTC(1999, 11, 31));
  });

  it('agrees with Date.parse on every day from 1899 to 2101', () => {
    for (let t = Date.UTC(1899, 0, 1); t < Date.UTC(2101, 0, 1); t += 86_400_000 + 3_723_000) {
      const iso = new Date(t).toISOString().slice(0, 19) + 'Z';
      expect(parseEventTime(iso)).toBe(Date.parse(iso));
    }
  });

  it('accepts other ISO-8601 forms through Date.parse', () => {
    expect(parseEventTime('2024-01-02T03:04:05.678Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(parseEventTime('2024-01-02T03:04:05+01:00')).toBe(Date.UTC(2024, 0, 2, 2, 4, 5));
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01X00:00:00Z',
    'yesterday',
    '',
  ])('rejects %j', (s) => {
    expect(parseEventTime(s)).toBeNaN();
  });
});
