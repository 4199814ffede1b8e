import { describe, expect, it } from 'vitest';
import { parseSeverity, severityLabel } from './severity.js';

describe('severity', () => {
  it('labels the GuardDuty bands at their edges', () => {
    expect([1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityLabel)).toEqual([
      'LOW',
      'LOW',
      'MEDIUM',
      'MEDIUM',
      'HIGH',
      'HIGH',
      'CRITICAL',
      'CRITICAL',
    ]);
  });

  it('parses labels in any case and numbers on the scale', () => {
    expect(parseSeverity('high')).toBe(7);
    expect(parseSeverity('Critical')).toBe(9);
    expect(parseSeverity('5.5')).toBe(5.5);
    expect(() => parseSeverity('severe')).toThrow(/unknown severity/);
    expect(() => parseSeverity('11')).toThrow(/unknown severity/);
    expect(() => parseSeverity('')).toThrow(/unknown severity/);
  });
});
