import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../core/event.js';
import { createFieldGetter } from '../../detect/fields/index.js';
import { createDomainSet, normalizeDomain } from './domain-set.js';
import { parseIntelList } from './load.js';
import { createThreatIntel, loadThreatIntel } from './threat-intel.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-intel-lookups-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('domain indicators', () => {
  it('match the name and every name below it, not look-alikes', () => {
    const set = createDomainSet(new Set(['evil.com', 'pool.mine.example']));
    expect(set.match('evil.com')).toBe('evil.com');
    expect(set.match('a.b.evil.com')).toBe('evil.com');
    expect(set.match('A.B.EVIL.COM.')).toBe('evil.com');
    expect(set.match('notevil.com')).toBeUndefined();
    expect(set.match('evil.com.au')).toBeUndefined();
    expect(set.match('mine.example')).toBeUndefined();
    expect(set.match('eu1.pool.mine.example')).toBe('pool.mine.example');
    expect(set.match(undefined as unknown as string)).toBeUndefined();
  });

  it('normalize to lower case without root dot or wildcard; refuse single labels and junk', () => {
    expect(normalizeDomain(' *.Evil.COM. ')).toBe('evil.com');
    for (const bad of ['com', 'localhost', 'a..b', '-x.example', 'x y.example', '1.2.3.4', '']) {
      expect(normalizeDomain(bad), bad).toBeUndefined();
    }
  });
});

function lists() {
  const threatA = parseIntelList('198.51.100.0/24\n2001:db8:bad::/48\nc2.evil.example\n', {
    path: 'a.txt',
    name: 'feed-a',
  });
  const threatB = parseIntelList('198.51.100.77\n203.0.113.9\nevil.example\n', {
    path: 'b.txt',
    name: 'feed-b',
  });
  const trusted = parseIntelList('198.51.100.77\n2001:db8:bad:1::/64\nscanner.evil.example\n', {
    path: 'office.txt',
    name: 'office',
    kind: 'trusted',
  });
  return createThreatIntel([], [threatA, threatB, trusted]);
}

describe('threat and trusted lookups', () => {
  it('names the first threat list that matches, for IPv4, IPv6 and domains', () => {
    const intel = lists();
    expect(intel.threatIntel('198.51.100.5')).toBe('feed-a');
    expect(intel.threatIntel('203.0.113.9')).toBe('feed-b');
    expect(intel.threatIntel('2001:db8:bad:2::1')).toBe('feed-a');
    expect(intel.threatIntel('192.0.2.1')).toBeUndefined();
    expect(intel.threatDomain('x.c2.evil.example')).toBe('feed-a');
    expect(intel.threatDomain('www.evil.example')).toBe('feed-b');
    expect(intel.threatDomain('example')).toBeUndefined();
  });

  it('lets a trusted list win over every threat list', () => {
    const intel = lists();
    expect(intel.threatIntel('198.51.100.77')).toBeUndefined();
    expect(intel.trusted('198.51.100.77')).toBe('office');
    expect(intel.threatIntel('2001:db8:bad:1::9')).toBeUndefined();
    expect(intel.trusted('2001:db8:bad:1::9')).toBe('office');
    expect(intel.trusted('198.51.100.5')).toBeUndefined();
    expect(intel.threatDomain('a.scanner.evil.example')).toBeUndefined();
  });

  it('answers from the new version after replace (caches cleared)', () => {
    const intel = lists();
    expect(intel.threatIntel('192.0.2.1')).toBeUndefined();
    intel.replace(1, parseIntelList('192.0.2.1\n', { path: 'b.txt', name: 'feed-b' }));
    expect(intel.threatIntel('192.0.2.1')).toBe('feed-b');
    expect(intel.threatIntel('203.0.113.9')).toBeUndefined();
  });

  it('loads plain paths and specs together', () => {
    writeFileSync(join(dir, 'bad.txt'), '203.0.113.50\n');
    writeFileSync(join(dir, 'ok.txt'), '203.0.113.50\n');
    const { intel, problems } = loadThreatIntel([
      join(dir, 'bad.txt'),
      { path: join(dir, 'ok.txt'), kind: 'trusted' },
    ]);
    expect(problems).toEqual([]);
    expect(intel.threatIntel('203.0.113.50')).toBeUndefined();
    expect(intel.trusted('203.0.113.50')).toBe('ok.txt');
  });
});

function event(over: Partial<VigilEvent>): VigilEvent {
  return {
    source: 'cloudtrail',
    ts: 0,
    time: '1970-01-01T00:00:00Z',
    eventId: 'e1',
    eventName: 'X',
    eventSource: 'x',
    principalType: 'Unknown',
    raw: {},
    ...over,
  } as VigilEvent;
}

describe('derived fields', () => {
  it('expose source, destination, DNS query name and trusted matches by list name', () => {
    const getField = createFieldGetter(lists());
    const flow = event({
      source: 'vpcflow',
      sourceIp: '10.0.1.5',
      raw: { srcaddr: '10.0.1.5', dstaddr: '198.51.100.20', dstport: 443 },
    });
    expect(getField(flow, 'vigil.threatIntel.dst')).toBe('feed-a');
    expect(getField(flow, 'vigil.threatIntel.src')).toBeUndefined();
    expect(getField(flow, 'vigil.threatIntel.domain')).toBeUndefined();

    const inbound = event({ source: 'vpcflow', sourceIp: '203.0.113.9', raw: { dstaddr: '10.0.1.5' } });
    expect(getField(inbound, 'vigil.threatIntel.src')).toBe('feed-b');
    expect(getField(inbound, 'vigil.threatIntel')).toBe('feed-b');

    const dns = event({
      source: 'dns',
      sourceIp: '10.0.1.5',
      raw: { query_name: 'beacon.c2.evil.example.' },
    });
    expect(getField(dns, 'vigil.threatIntel.domain')).toBe('feed-a');

    const office = event({ sourceIp: '198.51.100.77' });
    expect(getField(office, 'vigil.trusted.src')).toBe('office');
    expect(getField(office, 'vigil.threatIntel.src')).toBeUndefined();
  });
});

describe('scale', () => {
  it('loads 1,000,000 mixed indicators from one TXT file and finds them', () => {
    const lines: string[] = [];
    for (let i = 0; i < 600_000; i++)
      lines.push(`${20 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.${i % 2 ? 9 : 1}`);
    for (let i = 0; i < 100_000; i++)
      lines.push(`2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`);
    for (let i = 0; i < 300_000; i++) lines.push(`h${i.toString(36)}.bad${i % 997}.example`);
    const file = join(dir, 'big.txt');
    writeFileSync(file, lines.join('\n'));
    const { intel, problems } = loadThreatIntel([file]);
    expect(problems).toEqual([]);
    expect(intel.lists()[0]!.entries).toBe(1_000_000);
    expect(intel.threatIntel('20.0.0.1')).toBe('big.txt');
    expect(intel.threatIntel('20.0.0.2')).toBeUndefined();
    expect(intel.threatIntel(lines[599_999]!)).toBe('big.txt');
    expect(intel.threatIntel('2001:db8:1:869f::42')).toBe('big.txt');
    expect(intel.threatIntel('2001:db8:2:0::42')).toBeUndefined();
    expect(intel.threatDomain(`x.${lines[999_999]!}`)).toBe('big.txt');
    expect(intel.threatDomain('x.bad1.example')).toBeUndefined();
  });
});
