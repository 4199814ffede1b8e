import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { detectFormat, loadIntelList, parseIntelList } from './load.js';
import { patternValues } from './stix.js';

const NOW = Date.parse('2025-06-01T00:00:00Z');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-intel-lists-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TXT = [
  '# Acme SOC blocklist — generated 2025-05-30',
  '198.51.100.23',
  '',
  '203.0.113.0/24   # scanner range',
  'c2.evil-updates.example',
  '*.mining-pool.example',
  'not a host name',
  '2001:db8:bad::/48',
  '10.0.0.1/40',
  '\u001b[31mevil',
  '   ',
].join('\n');

const STIX = JSON.stringify({
  type: 'bundle',
  id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
  objects: [
    {
      type: 'identity',
      spec_version: '2.1',
      id: 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff',
      name: 'Acme CERT',
      identity_class: 'organization',
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--a932fcc6-e032-476c-826f-cb970a5a1ade',
      created: '2025-05-01T12:00:00.000Z',
      modified: '2025-05-01T12:00:00.000Z',
      name: 'C2 servers',
      indicator_types: ['malicious-activity'],
      pattern: "[ipv4-addr:value = '198.51.100.7'] OR [ipv4-addr:value = '192.0.2.0/25']",
      pattern_type: 'stix',
      valid_from: '2025-05-01T12:00:00Z',
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2025-05-02T00:00:00.000Z',
      modified: '2025-05-02T00:00:00.000Z',
      pattern: "[domain-name:value = 'Stratum.Pool-Evil.example' OR ipv6-addr:value = '2001:db8:c2::1']",
      pattern_type: 'stix',
      valid_from: '2025-05-02T00:00:00Z',
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--1f0b7e5c-03b7-4f7c-9d1e-2d3e4f5a6b7c',
      created: '2025-05-03T00:00:00.000Z',
      modified: '2025-05-03T00:00:00.000Z',
      pattern: "[url:value = 'http://dl.payload-host.example:8080/stage2.bin']",
      pattern_type: 'stix',
      valid_from: '2025-05-03T00:00:00Z',
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      created: '2024-01-01T00:00:00.000Z',
      modified: '2024-01-01T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '198.51.100.99']",
      pattern_type: 'stix',
      valid_from: '2024-01-01T00:00:00Z',
      valid_until: '2024-06-01T00:00:00Z',
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--c6b8f1a2-2d3e-4f5a-8b6c-7d8e9f0a1b2c',
      created: '2025-05-03T00:00:00.000Z',
      modified: '2025-05-03T00:00:00.000Z',
      pattern: "[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
      pattern_type: 'stix',
      valid_from: '2025-05-03T00:00:00Z',
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--d7c9a2b3-3e4f-4a6b-9c7d-8e9f0a1b2c3d',
      created: '2025-05-03T00:00:00.000Z',
      modified: '2025-05-03T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '203.0.113.5' AND network-traffic:dst_port = 4444]",
      pattern_type: 'stix',
      valid_from: '2025-05-03T00:00:00Z',
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--e8d0b3c4-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
      created: '2025-05-03T00:00:00.000Z',
      modified: '2025-05-03T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '999.1.2.3']",
      pattern_type: 'stix',
      valid_from: '2025-05-03T00:00:00Z',
    },
    {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad',
      relationship_type: 'indicates',
      source_ref: 'indicator--a932fcc6-e032-476c-826f-cb970a5a1ade',
      target_ref: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
    },
  ],
});

const OTX = [
  'Indicator type,Indicator,Description',
  'IPv4,45.137.21.9,"Cobalt Strike team server, seen 2025-05"',
  'domain,update-check.bad-cdn.example,',
  'hostname,beacon.ops.bad-cdn.example,"multi-line',
  'description"',
  'URL,https://files.bad-cdn.example/a/b.exe,dropper',
  'FileHash-SHA256,4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877,payload',
  'email,ops@bad-cdn.example,',
  'CIDR,185.220.100.0/22,hosting range',
  'IPv4,45.137.21.300,typo in the pulse',
].join('\r\n');

describe('format detection', () => {
  it('reads the format off the content', () => {
    expect(detectFormat(TXT)).toBe('txt');
    expect(detectFormat(STIX)).toBe('stix');
    expect(detectFormat(OTX)).toBe('otx_csv');
    expect(detectFormat('ip,category,score\n1.2.3.4,5,80\n')).toBe('csv');
    expect(detectFormat('# comment, with a comma\n192.0.2.1\n')).toBe('txt');
    expect(detectFormat('1.2.3.4#4#2#Malicious Host#CN#Beijing#39.9,116.3#11\n')).toBe('txt');
  });
});

describe('TXT lists', () => {
  it('loads IPs, CIDRs and domains, skipping comments and blanks, reporting bad lines by line', () => {
    const list = parseIntelList(TXT, { path: 'intel/soc.txt' }, NOW);
    expect(list.format).toBe('txt');
    expect(list.name).toBe('soc.txt');
    expect(list.entries).toBe(5);
    expect(list.ips.lookup('198.51.100.23')).toBe(true);
    expect(list.ips.lookup('203.0.113.200')).toBe(true);
    expect(list.ips.lookup('2001:db8:bad::1')).toBe(true);
    expect(list.domains.match('c2.evil-updates.example')).toBe('c2.evil-updates.example');
    expect(list.domains.match('eu.mining-pool.example.')).toBe('mining-pool.example');
    expect(list.problems.map((p) => [p.file, p.line, p.code])).toEqual([
      ['intel/soc.txt', 7, 'VIGIL_INTEL_INVALID'],
      ['intel/soc.txt', 9, 'VIGIL_INTEL_INVALID'],
      ['intel/soc.txt', 10, 'VIGIL_INTEL_INVALID'],
    ]);
    expect(list.problems[2]!.message).not.toContain('\u001b');
  });

  it('reads an AlienVault reputation feed (fields after the address follow a #)', () => {
    const feed =
      '45.137.21.9#4#2#Malicious Host#RU#Moscow#55.75,37.61#11\n185.220.101.4#3#3#Scanning Host#DE##51.3,9.49#3\n';
    const list = parseIntelList(feed, { path: 'reputation.data', format: 'alien_vault' }, NOW);
    expect(list.problems).toEqual([]);
    expect(list.ips.lookup('185.220.101.4')).toBe(true);
  });
});

describe('STIX 2.x bundles', () => {
  it('takes IPs, CIDRs, IPv6, domains and URL hosts out of indicator patterns', () => {
    const list = parseIntelList(STIX, { path: 'feeds/acme.json', name: 'acme-cert' }, NOW);
    expect(list.format).toBe('stix');
    expect(list.name).toBe('acme-cert');
    expect(list.ips.lookup('198.51.100.7')).toBe(true);
    expect(list.ips.lookup('192.0.2.100')).toBe(true);
    expect(list.ips.lookup('192.0.2.200')).toBe(false);
    expect(list.ips.lookup('2001:db8:c2::1')).toBe(true);
    expect(list.domains.match('stratum.pool-evil.example')).toBe('stratum.pool-evil.example');
    expect(list.domains.match('dl.payload-host.example')).toBe('dl.payload-host.example');
    // expired (valid_until in the past), and the AND pattern: not loaded
    expect(list.ips.lookup('198.51.100.99')).toBe(false);
    expect(list.ips.lookup('203.0.113.5')).toBe(false);
    expect(list.skipped).toEqual({ unsupported: 2, expired: 1 });
    expect(list.problems.map((p) => [p.record, p.code])).toEqual([
      [7, 'VIGIL_INTEL_INVALID'],
      [undefined, 'VIGIL_INTEL_SKIPPED'],
    ]);
    expect(list.problems[0]!.message).toContain('"999.1.2.3"');
  });

  it('keeps an indicator whose valid_until is still ahead', () => {
    const doc = {
      type: 'bundle',
      objects: [
        {
          type: 'indicator',
          pattern: "[ipv4-addr:value = '198.51.100.99']",
          pattern_type: 'stix',
          valid_until: '2025-12-31T00:00:00Z',
        },
      ],
    };
    expect(parseIntelList(JSON.stringify(doc), { path: 'b.json' }, NOW).ips.lookup('198.51.100.99')).toBe(
      true,
    );
  });

  it('splits disjunctions, reads IN sets and escaped quotes, refuses conjunctions', () => {
    expect(patternValues("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]").values).toEqual([
      { kind: 'ip', value: '192.0.2.1' },
      { kind: 'ip', value: '192.0.2.2' },
    ]);
    expect(patternValues("[domain-name:value = 'a\\'b.example']").values).toEqual([
      { kind: 'domain', value: "a'b.example" },
    ]);
    expect(
      patternValues("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.2']"),
    ).toEqual({
      values: [],
      unsupported: 1,
    });
    // AND inside a value is not the operator
    expect(patternValues("[domain-name:value = 'AND.example']").values).toHaveLength(1);
  });

  it('throws VIGIL_INTEL_INVALID for JSON that is not a bundle or is broken', () => {
    expect(() => parseIntelList('{"type":"bundle"', { path: 'x.json' })).toThrow(VigilError);
    expect(() => parseIntelList('{"hello":1}', { path: 'x.json' })).toThrow(/not a STIX bundle/);
  });
});

describe('CSV lists', () => {
  it('reads an OTX pulse export by indicator type, skipping hashes and e-mail addresses', () => {
    const list = parseIntelList(OTX, { path: 'otx/pulse.csv' }, NOW);
    expect(list.format).toBe('otx_csv');
    expect(list.ips.lookup('45.137.21.9')).toBe(true);
    expect(list.ips.lookup('185.220.103.255')).toBe(true);
    expect(list.domains.match('update-check.bad-cdn.example')).toBeDefined();
    expect(list.domains.match('x.beacon.ops.bad-cdn.example')).toBe('beacon.ops.bad-cdn.example');
    expect(list.domains.match('files.bad-cdn.example')).toBe('files.bad-cdn.example');
    // not a suffix match on the parent
    expect(list.domains.match('bad-cdn.example')).toBeUndefined();
    expect(list.skipped.unsupported).toBe(2);
    // lines count the physical lines: the quoted two-line description puts the last row on line 10
    expect(list.problems.map((p) => [p.line, p.code])).toEqual([
      [10, 'VIGIL_INTEL_INVALID'],
      [undefined, 'VIGIL_INTEL_SKIPPED'],
    ]);
  });

  it('reads a CSV whose header names the indicator column (Proofpoint ET reputation layout)', () => {
    const ips = parseIntelList(
      'ip,category,score,first_seen,last_seen,ports\n203.0.113.9,5,127,2025-01-02,2025-05-30,22|443\n',
      {
        path: 'et-ip.csv',
        format: 'proof_point',
      },
    );
    expect(ips.ips.lookup('203.0.113.9')).toBe(true);
    const domains = parseIntelList('domain,category,score\nmalware-drop.example,4,90\n', {
      path: 'et-domain.csv',
    });
    expect(domains.domains.match('cdn.malware-drop.example')).toBe('malware-drop.example');
    const headerless = parseIntelList('198.51.100.44,1,127\nnope,2,3\n', { path: 'iprep.csv' });
    expect(headerless.ips.lookup('198.51.100.44')).toBe(true);
    expect(headerless.problems.map((p) => p.line)).toEqual([2]);
  });
});

describe('loadIntelList', () => {
  it('reads a file, honours an explicit format, and throws naming an unreadable file', () => {
    const file = join(dir, 'list.txt');
    writeFileSync(file, '192.0.2.0/24\n');
    expect(loadIntelList({ path: file, format: 'txt', kind: 'trusted' }).kind).toBe('trusted');
    expect(() => loadIntelList(join(dir, 'missing.txt'))).toThrow(/missing\.txt/);
  });
});
