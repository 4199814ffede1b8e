import { describe, it, expect } from 'vitest';
import { detectionTestLookups, TEST_LISTED_IP, TEST_THREAT_LIST } from './test-lookups.js';

describe('detectionTestLookups', () => {
  const lookups = detectionTestLookups();

  it('lists exactly the test address', () => {
    expect(lookups.threatIntel!(TEST_LISTED_IP)).toBe(TEST_THREAT_LIST);
    expect(lookups.threatIntel!('198.51.100.20')).toBeUndefined();
  });

  it('classifies addresses with the shipped AWS ranges', () => {
    expect(lookups.ipClass!('34.201.10.5')).toBe('aws');
    expect(lookups.ipClass!('10.0.12.34')).toBe('private');
    expect(lookups.ipClass!('::ffff:192.168.1.1')).toBe('private');
    expect(lookups.ipClass!('203.0.113.7')).toBe('public');
    expect(lookups.ipClass!('2001:db8::1')).toBe('public');
    expect(lookups.ipClass!('not-an-ip')).toBe('invalid');
  });
});
