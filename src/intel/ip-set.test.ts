import { describe, it, expect } from 'vitest';
import { parseCidr, parseIp, parseIPv4 } from './ip-parse.js';
import { createIpSetBuilder, ipSetOf } from './ip-set.js';

describe('parseIPv4 / parseIp / parseCidr', () => {
  it('reads strict dotted quads only', () => {
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of [
      '256.1.1.1',
      '1.2.3',
      '127.1',
      '01.2.3.4',
      '1.2.3.4.5',
      ' 1.2.3.4',
      '1.2.3.-4',
      '0x7f.0.0.1',
      '',
    ]) {
      expect(parseIPv4(bad), bad).toBeUndefined();
    }
  });

  it('reads IPv6, drops zones and maps IPv4-mapped addresses to IPv4', () => {
    expect(parseIp('2001:db8::1')).toEqual({ v: 6, hi: 0x20010db800000000n, lo: 1n });
    expect(parseIp('fe80::1%eth0')).toEqual({ v: 6, hi: 0xfe80000000000000n, lo: 1n });
    expect(parseIp('::ffff:10.1.2.3')).toEqual({ v: 4, n: parseIPv4('10.1.2.3') });
    for (const bad of [
      '2001:db8::g',
      ':::',
      'example.com',
      'ec2.amazonaws.com',
      'AWS Internal',
      '1.2.3.4/32',
    ]) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });

  it('turns CIDR blocks into inclusive ranges, clearing host bits', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ v: 4, start: 0x0a000000, end: 0x0affffff });
    expect(parseCidr('10.1.2.3/8')).toEqual({ v: 4, start: 0x0a000000, end: 0x0affffff });
    expect(parseCidr('0.0.0.0/0')).toEqual({ v: 4, start: 0, end: 0xffffffff });
    expect(parseCidr('1.2.3.4')).toEqual({ v: 4, start: 0x01020304, end: 0x01020304 });
    expect(parseCidr('2001:db8::/32')).toEqual({
      v: 6,
      startHi: 0x20010db800000000n,
      startLo: 0n,
      endHi: 0x20010db8ffffffffn,
      endLo: 0xffffffffffffffffn,
    });
    expect(parseCidr('2001:db8::/96')).toMatchObject({ startLo: 0n, endLo: 0xffffffffn });
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '2001:db8::/129', 'x/8', '10.0.0.0/8/8']) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
});

describe('IpSet', () => {
  it('finds addresses exactly at range edges and not one past them', () => {
    const set = ipSetOf(['10.0.0.0/24', '192.168.1.7', '203.0.113.128/25']);
    expect(set.lookup('10.0.0.0')).toBe(true);
    expect(set.lookup('10.0.0.255')).toBe(true);
    expect(set.lookup('9.255.255.255')).toBe(false);
    expect(set.lookup('10.0.1.0')).toBe(false);
    expect(set.lookup('192.168.1.7')).toBe(true);
    expect(set.lookup('192.168.1.6')).toBe(false);
    expect(set.lookup('192.168.1.8')).toBe(false);
    expect(set.lookup('203.0.113.127')).toBe(false);
    expect(set.lookup('203.0.113.128')).toBe(true);
    expect(set.lookup('203.0.113.255')).toBe(true);
  });

  it('merges overlapping, nested and adjacent ranges', () => {
    const set = ipSetOf([
      '10.0.0.0/25',
      '10.0.0.128/25',
      '10.0.0.5',
      '10.0.0.0/16',
      '172.16.0.0/12',
      '172.16.5.0/24',
    ]);
    expect(set.size).toBe(2);
    expect(set.lookup('10.0.200.1')).toBe(true);
    expect(set.lookup('172.31.255.255')).toBe(true);
    expect(set.lookup('172.32.0.0')).toBe(false);
  });

  it('covers the whole IPv4 space edges', () => {
    const set = ipSetOf(['0.0.0.0/32', '255.255.255.255']);
    expect(set.lookup('0.0.0.0')).toBe(true);
    expect(set.lookup('255.255.255.255')).toBe(true);
    expect(set.lookup('255.255.255.254')).toBe(false);
    expect(ipSetOf(['0.0.0.0/0']).lookup('128.0.0.1')).toBe(true);
  });

  it('handles IPv6 ranges, edges across the 64-bit halves, and mapped IPv4', () => {
    const set = ipSetOf([
      '2001:db8::/64',
      '2600:1f18::/33',
      '::ffff:0:0/96',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '1.2.3.4',
    ]);
    expect(set.lookup('2001:db8::')).toBe(true);
    expect(set.lookup('2001:db8::ffff:ffff:ffff:ffff')).toBe(true);
    expect(set.lookup('2001:db8:0:1::')).toBe(false);
    expect(set.lookup('2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
    expect(set.lookup('2600:1f18:7fff:ffff::1')).toBe(true);
    expect(set.lookup('2600:1f18:8000::')).toBe(false);
    expect(set.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(set.lookup('::ffff:1.2.3.4')).toBe(true);
    expect(set.lookup('1.2.3.5')).toBe(false);
  });

  it('merges adjacent IPv6 ranges across a carry into the high half', () => {
    const b = createIpSetBuilder();
    b.addText('2001:db8:0:0:ffff:ffff:ffff:ffff');
    b.addText('2001:db8:0:1::/64');
    const set = b.build();
    expect(set.size).toBe(1);
    expect(set.lookup('2001:db8:0:1::5')).toBe(true);
  });

  it('answers false for invalid input instead of throwing', () => {
    const set = ipSetOf(['0.0.0.0/0', '::/0']);
    for (const bad of [
      '',
      'not an ip',
      'ec2.amazonaws.com',
      '1.2.3.4/8',
      '999.1.1.1',
      undefined as unknown as string,
    ]) {
      expect(set.lookup(bad)).toBe(false);
    }
  });

  it('holds 1,000,000 entries in typed arrays and looks them up', () => {
    const b = createIpSetBuilder();
    // every other /32 in 16.0.0.0/12 (1,048,576 addresses -> 1,000,000 non-adjacent entries)
    const base = 16 * 2 ** 24;
    for (let i = 0; i < 1_000_000; i++) b.add({ v: 4, start: base + 2 * i, end: base + 2 * i });
    const set = b.build();
    expect(set.size).toBe(1_000_000);
    const ip = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    expect(set.lookup(ip(base))).toBe(true);
    expect(set.lookup(ip(base + 1))).toBe(false);
    expect(set.lookup(ip(base + 2 * 999_999))).toBe(true);
    expect(set.lookup(ip(base + 2 * 999_999 + 1))).toBe(false);
    expect(set.lookup(ip(base + 2 * 500_000))).toBe(true);
  });
});
