import { describe, it, expect } from 'vitest';
import { isIpLiteral } from './ip-literal.js';

describe('isIpLiteral', () => {
  it.each(['203.0.113.7', '10.0.0.1', '0.0.0.0', '255.255.255.255'])('accepts IPv4 %s', (ip) => {
    expect(isIpLiteral(ip)).toBe(true);
  });

  it.each([
    '2001:db8::1',
    '::1',
    '::',
    'fe80::1ff:fe23:4567:890a',
    '2001:0db8:0000:0000:0000:ff00:0042:8329',
    '::ffff:192.0.2.1',
  ])('accepts IPv6 %s', (ip) => {
    expect(isIpLiteral(ip)).toBe(true);
  });

  it.each([
    'ec2.amazonaws.com',
    'AWS Internal',
    'cloudtrail.amazonaws.com',
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1..2.3',
    '2001:db8:::1',
    '1:2:3:4:5:6:7:8:9',
    '2001:db8::1::2',
    'gggg::1',
    '2001:db8:',
  ])('rejects %j', (s) => {
    expect(isIpLiteral(s)).toBe(false);
  });
});
