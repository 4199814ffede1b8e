import { describe, it, expect } from 'vitest';
import { VigilError } from '../core/errors.js';
import { defaultAwsIpRangesPath, loadAwsIpRanges, parseAwsIpRanges } from './aws-ranges.js';

const doc = {
  syncToken: '1700000000',
  createDate: '2023-11-14-22-13-20',
  prefixes: [
    { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'AMAZON' },
    { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'S3' },
    { ip_prefix: '3.5.142.0/24', region: 'ap-northeast-2', service: 'EC2' },
    { ip_prefix: 'bogus', region: 'x', service: 'AMAZON' },
    { ip_prefix: '2600:1f18::/33', region: 'us-east-1', service: 'AMAZON' },
  ],
  ipv6_prefixes: [{ ipv6_prefix: '2600:1f18::/33', region: 'us-east-1', service: 'EC2' }],
};

describe('parseAwsIpRanges', () => {
  it('answers membership and tells which services and regions an address belongs to', () => {
    const r = parseAwsIpRanges(doc, 'ip-ranges.json');
    expect(r.syncToken).toBe('1700000000');
    expect(r.prefixCount).toBe(4);
    expect(r.contains('3.5.143.255')).toBe(true);
    expect(r.contains('3.5.144.0')).toBe(false);
    expect(r.describe('3.5.142.10')).toEqual([
      { prefix: '3.5.142.0/24', region: 'ap-northeast-2', service: 'EC2' },
      { prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'AMAZON' },
      { prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'S3' },
    ]);
    expect(r.describe('2600:1f18:1234::1')).toEqual([
      { prefix: '2600:1f18::/33', region: 'us-east-1', service: 'EC2' },
    ]);
    expect(r.describe('8.8.8.8')).toEqual([]);
    expect(r.describe('nonsense')).toEqual([]);
  });

  it('reports malformed and wrong-family entries with their index and loads the rest', () => {
    const r = parseAwsIpRanges(doc, 'ip-ranges.json');
    expect(r.problems.map((p) => [p.record, p.code])).toEqual([
      [3, 'VIGIL_INTEL_INVALID'],
      [4, 'VIGIL_INTEL_INVALID'],
    ]);
    expect(r.problems[0]!.message).toContain('prefixes[3]');
  });

  it('refuses a document that is not ip-ranges.json', () => {
    expect(() => parseAwsIpRanges({ hello: 1 }, 'x.json')).toThrow(VigilError);
  });
});

describe('the shipped snapshot (data/aws-ip-ranges.json)', () => {
  const r = loadAwsIpRanges(defaultAwsIpRangesPath());

  it('loads without problems and keeps the source syncToken', () => {
    expect(r.problems).toEqual([]);
    expect(r.syncToken).toMatch(/^\d+$/);
    expect(r.prefixCount).toBeGreaterThan(1000);
  });

  it('knows long-standing EC2 ranges in IPv4 and IPv6', () => {
    expect(r.contains('54.239.28.85')).toBe(true);
    expect(r.describe('52.95.245.10').map((p) => p.service)).toEqual(['AMAZON', 'EC2']);
    expect(r.describe('52.95.245.10')[0]!.region).toBe('us-east-1');
    expect(r.contains('2600:1f18::1')).toBe(true);
    expect(r.contains('8.8.8.8')).toBe(false);
  });
});
