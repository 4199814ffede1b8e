import { describe, it, expect } from 'vitest';
import type { VigilEvent } from '../../core/event.js';
import { normalizeDns } from '../../sources/dns/normalize.js';
import { createFieldGetter } from './index.js';
import { nameFacts, shannonEntropy } from './dns.js';

function query(name: string): VigilEvent {
  return normalizeDns({
    version: '1.100000',
    account_id: '111122223333',
    region: 'us-east-1',
    vpc_id: 'vpc-0a1b2c3d4e5f60718',
    query_timestamp: '2026-11-20T10:00:00Z',
    query_name: name,
    query_type: 'A',
    query_class: 'IN',
    rcode: 'NOERROR',
    answers: [],
    srcaddr: '10.0.1.23',
    srcport: '40000',
    transport: 'UDP',
    srcids: { instance: 'i-0abc1234def567890' },
  });
}

describe('DNS name fields', () => {
  const get = createFieldGetter();

  it('splits a name into registered domain and subdomain under ICANN suffixes', () => {
    const e = query('WWW.Example.CO.UK.');
    expect(get(e, 'vigil.dns.name')).toBe('www.example.co.uk');
    expect(get(e, 'vigil.dns.domain')).toBe('example.co.uk');
    expect(get(e, 'vigil.dns.subdomain')).toBe('www');
    expect(get(e, 'vigil.dns.longestLabel')).toBe(7);
  });

  it('keeps CDN and platform hashes under the platform domain, and scores the platform', () => {
    const e = query('d1a2b3c4e5f6g7.cloudfront.net.');
    expect(get(e, 'vigil.dns.domain')).toBe('cloudfront.net');
    expect(get(e, 'vigil.dns.subdomain')).toBe('d1a2b3c4e5f6g7');
    expect(get(e, 'vigil.dns.dgaScore')).toBeLessThan(0.3);
    expect(nameFacts('my-app-8f3a.herokuapp.com').domain).toBe('herokuapp.com');
  });

  it('gives internal names no DGA score and groups reverse lookups', () => {
    expect(get(query('ip-10-0-1-23.ec2.internal.'), 'vigil.dns.dgaScore')).toBe(0);
    expect(nameFacts('23.1.0.10.in-addr.arpa').domain).toBe('in-addr.arpa');
    expect(nameFacts('23.1.0.10.in-addr.arpa').subdomain).toBe('23.1.0.10');
    expect(nameFacts('instance-data').domain).toBe('instance-data');
  });

  it('measures the entropy of the subdomain, not of the domain', () => {
    expect(get(query('example.com.'), 'vigil.dns.entropy')).toBe(0);
    expect(get(query('aaaaaaaaaaaaaaaaaaaaaaaa.example.com.'), 'vigil.dns.entropy')).toBe(0);
    const encoded = get(query('mzxw6ytboi2dsnzqgu3tqojqgeydcmrtgq2tmnzy.example.com.'), 'vigil.dns.entropy');
    expect(encoded).toBeGreaterThan(3.5);
    expect(shannonEntropy('ab')).toBe(1);
  });

  it('scores random registered domains and random subdomain labels high, words low', () => {
    expect(get(query('qxvtbzkmwplrhj.com.'), 'vigil.dns.dgaScore')).toBeGreaterThan(0.9);
    expect(get(query('mail.google.com.'), 'vigil.dns.dgaScore')).toBeLessThan(0.3);
    expect(
      get(query('mzxw6ytboi2dsnzqgu3tqojqgeydcmrtgq2tmnzy.example.com.'), 'vigil.dns.labelScore'),
    ).toBeGreaterThan(0.9);
    expect(get(query('this-is-a-long-service-name.example.com.'), 'vigil.dns.labelScore')).toBeLessThan(0.5);
  });

  it('is undefined for events of other sources', () => {
    const e = { ...query('example.com.'), source: 'vpcflow' as const };
    expect(get(e, 'vigil.dns.domain')).toBeUndefined();
  });
});
