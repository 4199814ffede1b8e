import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAsnBinary, writeAsnBinary } from './asn-binary.js';
import { buildAsnCache, loadBundledAsn } from './asn-cache.js';
import { asnTableOf, loadAsnTable, parseAsnTables } from './asn-table.js';
import { bundledGeoFiles, createGeo } from './geo.js';
import { openMmdb, readMmdbRecord } from './mmdb.js';
import { parseIp } from '../intel/ip-parse.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-geo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundled databases', () => {
  // One Geo for the block: loading the bundled tables takes a few hundred milliseconds.
  const geo = createGeo();

  it('loads nothing until the first lookup, then reports its cost', () => {
    expect(geo.stats()).toEqual({});
    geo.lookup('8.8.8.8');
    const s = geo.stats();
    expect(s.country?.source).toMatch(/dbip-country\.mmdb$/);
    // The prebuilt binary when `npm run build` wrote it, else the CSV.
    expect(s.asn?.source).toMatch(/asn-ipv4-num\.csv|asn-ipv4\.bin/);
    expect(s.country!.loadMs).toBeGreaterThan(0);
    expect(s.asn!.loadMs).toBeGreaterThan(0);
    console.log(
      `geo load: country ${s.country!.loadMs.toFixed(0)} ms, +${(s.country!.rssDeltaBytes / 2 ** 20).toFixed(1)} MiB RSS; ` +
        `asn ${s.asn!.loadMs.toFixed(0)} ms, +${(s.asn!.rssDeltaBytes / 2 ** 20).toFixed(1)} MiB RSS`,
    );
  });

  it('locates well-known resolvers (values checked in the shipped data)', () => {
    expect(geo.lookup('8.8.8.8')).toEqual({
      country: 'US',
      countryName: 'United States',
      asn: 15169,
      org: 'Google LLC',
    });
    // A quoted organisation with a comma in the CSV.
    expect(geo.lookup('1.1.1.1')).toMatchObject({ country: 'AU', asn: 13335, org: 'Cloudflare, Inc.' });
    expect(geo.lookup('193.0.6.139')).toMatchObject({ country: 'NL', countryName: 'Netherlands', asn: 3333 });
    expect(geo.lookup('9.9.9.9')).toMatchObject({ asn: 19281, org: 'Quad9' });
  });

  it('locates IPv6 addresses and IPv4-mapped IPv6 as their IPv4 address', () => {
    expect(geo.lookup('2606:4700:4700::1111')).toMatchObject({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(geo.lookup('2620:fe::fe')).toMatchObject({ asn: 19281 });
    expect(geo.lookup('2001:4860:4860::8888')).toMatchObject({ asn: 15169 });
    expect(geo.lookup('::ffff:8.8.8.8')).toEqual(geo.lookup('8.8.8.8'));
  });

  it('gives nothing for private, reserved and non-addresses', () => {
    for (const ip of [
      '10.0.0.1',
      '192.168.1.1',
      '172.16.5.4',
      '127.0.0.1',
      '100.64.0.1',
      '169.254.169.254',
      'fd00::1',
      'fe80::1',
      '::1',
      'ec2.amazonaws.com',
      '',
      '8.8.8',
    ]) {
      expect(geo.lookup(ip), ip).toBeUndefined();
    }
  });
});

describe('ASN table', () => {
  it('reads quoted names, skips malformed lines, sorts unsorted input and finds range edges only', () => {
    const v4 = join(dir, 'v4.csv');
    const v6 = join(dir, 'v6.csv');
    writeFileSync(
      v4,
      [
        '3232235776,3232236031,64501,"Example ""Quoted"", Ltd"',
        '16777216,16777471,13335,"Cloudflare, Inc."',
        'not,a,line',
        '16777472,16777215,1,backwards range',
        '',
      ].join('\r\n'),
    );
    writeFileSync(
      v6,
      '42540766411282592856903984951653826560,42540766490510755371168322545197776895,64502,Doc Net\n',
    );
    const t = loadAsnTable({ v4, v6 });
    expect(t.ranges).toEqual({ v4: 2, v6: 1 });
    expect(t.lookup(parseIp('1.0.0.0')!)).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(t.lookup(parseIp('1.0.0.255')!)).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(t.lookup(parseIp('1.0.1.0')!)).toBeUndefined();
    expect(t.lookup(parseIp('0.255.255.255')!)).toBeUndefined();
    expect(t.lookup(parseIp('192.168.1.7')!)).toEqual({ asn: 64501, org: 'Example "Quoted", Ltd' });
    // 2001:db8::/32 as decimal bounds.
    expect(t.lookup(parseIp('2001:db8:ffff::1')!)).toEqual({ asn: 64502, org: 'Doc Net' });
    expect(t.lookup(parseIp('2001:db9::')!)).toBeUndefined();
  });
});

describe('binary ASN table (built by npm run build)', () => {
  const v4 = () => join(dir, 'b4.csv');
  const v6 = () => join(dir, 'b6.csv');
  beforeAll(() => {
    writeFileSync(
      v4(),
      '16777216,16777471,13335,"Cloudflare, Inc."\n3232235776,3232236031,64501,Zürich Ünïcode AG\n16777472,16777727,7,\n',
    );
    writeFileSync(
      v6(),
      '42540766411282592856903984951653826560,42540766490510755371168322545197776895,64502,Doc Net\n',
    );
  });

  it('answers exactly as the CSV it was built from, names decoded on lookup', () => {
    const csv = asnTableOf(parseAsnTables({ v4: v4(), v6: v6() }));
    const file = join(dir, 'both.bin');
    writeAsnBinary(parseAsnTables({ v4: v4(), v6: v6() }), file, 'stamp-1');
    const bin = asnTableOf(readAsnBinary(file, 'stamp-1')!);
    for (const ip of [
      '1.0.0.0',
      '1.0.0.255',
      '1.0.1.9',
      '1.0.2.0',
      '192.168.1.7',
      '2001:db8::1',
      '2001:db9::',
      '8.8.8.8',
    ])
      expect(bin.lookup(parseIp(ip)!), ip).toEqual(csv.lookup(parseIp(ip)!));
    expect(bin.lookup(parseIp('192.168.1.7')!)).toEqual({ asn: 64501, org: 'Zürich Ünïcode AG' });
    expect(bin.lookup(parseIp('1.0.1.9')!)).toEqual({ asn: 7 });
    expect(bin.ranges).toEqual({ v4: 3, v6: 1 });
  });

  it('is ignored when stale, of another source, truncated or not a table', () => {
    const file = join(dir, 'stale.bin');
    writeAsnBinary(parseAsnTables({ v4: v4() }), file, 'stamp-1');
    expect(readAsnBinary(file, 'stamp-2')).toBeUndefined();
    truncateSync(file, readFileSync(file).length - 3);
    expect(readAsnBinary(file, 'stamp-1')).toBeUndefined();
    writeFileSync(file, 'VASN garbage');
    expect(readAsnBinary(file, 'stamp-1')).toBeUndefined();
    expect(readAsnBinary(join(dir, 'absent.bin'), 'stamp-1')).toBeUndefined();
  });

  it('is rebuilt when the CSV changes and used by loadBundledAsn; the CSV is the fallback', () => {
    const cache = join(dir, 'cache');
    expect(loadBundledAsn(v4(), 4, cache).source).toBe(v4());
    expect(buildAsnCache({ v4: v4(), v6: v6() }, cache)).toHaveLength(2);
    expect(buildAsnCache({ v4: v4(), v6: v6() }, cache)).toHaveLength(0);
    const loaded = loadBundledAsn(v4(), 4, cache);
    expect(loaded.source).toBe(join(cache, 'asn-ipv4.bin'));
    expect(loaded.table.lookup(parseIp('1.0.0.1')!)).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    writeFileSync(v4(), '16777216,16777471,64999,Changed\n');
    utimesSync(v4(), new Date(), new Date(Date.now() + 5000));
    const after = loadBundledAsn(v4(), 4, cache);
    expect(after.source).toBe(v4());
    expect(after.table.lookup(parseIp('1.0.0.1')!)).toEqual({ asn: 64999, org: 'Changed' });
    expect(buildAsnCache({ v4: v4(), v6: v6() }, cache)).toEqual([join(cache, 'asn-ipv4.bin')]);
  });
});

describe('user MaxMind files', () => {
  it('read GeoLite2 Country/City and ASN record layouts', () => {
    expect(
      readMmdbRecord({
        country: { iso_code: 'DE', names: { en: 'Germany', de: 'Deutschland' } },
        registered_country: { iso_code: 'FR' },
      }),
    ).toEqual({ countryCode: 'DE', countryName: 'Germany' });
    expect(readMmdbRecord({ registered_country: { iso_code: 'fr', names: { en: 'France' } } })).toEqual({
      countryCode: 'FR',
      countryName: 'France',
    });
    expect(
      readMmdbRecord({ autonomous_system_number: 15169, autonomous_system_organization: 'GOOGLE' }),
    ).toEqual({ asn: 15169, org: 'GOOGLE' });
    expect(readMmdbRecord({ country_code: 'US' })).toEqual({ countryCode: 'US' });
    expect(readMmdbRecord({ country: { iso_code: '<b>' } })).toEqual({});
  });

  it('override the bundled ones: a user country file is used, and a bad file is refused at start', () => {
    // The bundled IPv4-only DB-IP file stands in for a user's database (writing an .mmdb needs a writer
    // library): it answers for IPv4, and for IPv6 the bundled dual-stack file would have answered.
    const own = join(dir, 'own-country.mmdb');
    copyFileSync(join(bundledGeoFiles().countryDb, '..', 'dbip-country-ipv4.mmdb'), own);
    const geo = createGeo({ countryDb: own, asnDb: own });
    expect(geo.lookup('8.8.8.8')).toEqual({ country: 'US', countryName: 'United States' });
    // An IPv4-only database is not asked about IPv6 (its tree would answer with an IPv4 network's record).
    expect(geo.lookup('2001:4860:4860::8888')).toBeUndefined();
    expect(createGeo().lookup('2001:4860:4860::8888')?.country).toBeDefined();
    expect(geo.stats().country?.source).toBe(own);
    expect(geo.stats().asn?.source).toBe(own);
    expect(openMmdb(own).databaseType).toBe('country ipv4');

    expect(() => createGeo({ countryDb: join(dir, 'missing.mmdb') })).toThrow(
      /VIGIL_INPUT_UNREADABLE|cannot read/,
    );
    const junk = join(dir, 'junk.mmdb');
    writeFileSync(junk, 'not a database');
    expect(() => openMmdb(junk)).toThrow(/not a MaxMind database/);
  });
});
