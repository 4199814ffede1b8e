import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../core/event.js';
import { createFieldGetter } from '../detect/fields/index.js';
import { loadAwsIpRanges } from '../intel/aws-ranges.js';
import { createAwsServiceLookup, describeAwsService } from './aws-service.js';
import { createEnrichment } from './index.js';
import { loadTorExitList, parseTorExitList } from './tor.js';
import { runScan } from '../scan/scan.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-enrich-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BULK = `ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E
Published 2026-11-19 21:13:15
LastStatus 2026-11-20 01:00:00
ExitAddress 198.51.100.23 2026-11-20 00:14:37
ExitNode 0091174DE56EB8B7CC1B6E5A3E7E1B0DAF1EA2E3
Published 2026-11-19 18:01:44
LastStatus 2026-11-19 23:00:00
ExitAddress 2001:db8::9 2026-11-19 22:52:11
`;

describe('Tor exit lists', () => {
  it('reads the bulk exit list (ExitAddress lines only) and plain one-address lists', () => {
    const bulk = parseTorExitList(BULK);
    expect(bulk.count).toBe(2);
    expect(bulk.set.lookup('198.51.100.23')).toBe(true);
    expect(bulk.set.lookup('2001:db8::9')).toBe(true);
    expect(bulk.set.lookup('2026.11.20')).toBe(false);
    const plain = parseTorExitList(
      '# torbulkexitlist\n203.0.113.5\r\n\n  203.0.113.6  \nnot-an-ip\n2001:db8::1 x\n',
    );
    expect(plain.count).toBe(2);
    expect(plain.set.lookup('203.0.113.6')).toBe(true);
    expect(plain.set.lookup('2001:db8::1')).toBe(false);
  });

  it('reloads the file when it changes, checking at most once per interval', () => {
    const file = join(dir, 'exits.txt');
    writeFileSync(file, '203.0.113.5\n');
    let now = 1_000_000;
    const tor = loadTorExitList(file, { checkEveryMs: 30_000, now: () => now });
    expect(tor.isTorExit('203.0.113.5')).toBe(true);
    expect(tor.isTorExit('203.0.113.9')).toBe(false);
    writeFileSync(file, BULK + 'ExitAddress 203.0.113.9 2026-11-20 02:00:00\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    now += 10_000;
    expect(tor.isTorExit('203.0.113.9')).toBe(false); // not checked yet
    now += 30_000;
    expect(tor.isTorExit('203.0.113.9')).toBe(true);
    expect(tor.isTorExit('203.0.113.5')).toBe(false);
    expect(tor.loads).toBe(2);
    expect(() => loadTorExitList(join(dir, 'missing.txt'))).toThrow();
  });
});

describe('AWS services', () => {
  const lookup = createAwsServiceLookup(loadAwsIpRanges());
  it('names the service using an address rather than AMAZON, with its region', () => {
    expect(lookup('18.200.1.2')).toEqual({ service: 'EC2', region: 'eu-west-1' });
    expect(describeAwsService(lookup('18.200.1.2')!)).toBe('EC2 in eu-west-1');
    expect(lookup('2a01:578:3::1')).toEqual({ service: 'EC2', region: 'eu-west-1' });
    expect(lookup('8.8.8.8')).toBeUndefined();
    expect(lookup('10.0.0.1')).toBeUndefined();
  });
});

function event(over: Partial<VigilEvent>): VigilEvent {
  return { source: 'cloudtrail', ts: 0, time: '', raw: {}, principalType: 'Unknown', ...over } as VigilEvent;
}

describe('vigil.* enrichment fields', () => {
  const torFile = () => {
    const f = join(dir, 'fields-exits.txt');
    writeFileSync(f, '203.0.113.66\n');
    return f;
  };

  it('reads geo, Tor and AWS service of the source, and Tor of a flow destination', () => {
    const enrich = createEnrichment({ torExits: torFile() });
    const get = createFieldGetter(enrich.lookups);
    const e = event({ sourceIp: '8.8.8.8' });
    expect(get(e, 'vigil.geo.country')).toBe('US');
    expect(get(e, 'vigil.geo.asn')).toBe(15169);
    expect(get(e, 'vigil.geo.org')).toBe('Google LLC');
    expect(get(e, 'vigil.tor.src')).toBe(false);
    expect(get(event({ sourceIp: '203.0.113.66' }), 'vigil.tor.src')).toBe(true);
    expect(get(event({ sourceIp: '18.200.1.2' }), 'vigil.awsService.src')).toBe('EC2');
    const flow = event({ source: 'vpcflow', sourceIp: '10.0.0.5', raw: { dstaddr: '203.0.113.66' } });
    expect(get(flow, 'vigil.tor.dst')).toBe(true);
    expect(get(flow, 'vigil.geo.country')).toBeUndefined();
    // A service name as source is not an address.
    const svc = event({ sourceIp: 'ec2.amazonaws.com', sourceIsService: true });
    expect(get(svc, 'vigil.geo.asn')).toBeUndefined();
    expect(get(svc, 'vigil.awsService.src')).toBeUndefined();
    expect(enrich.actorGeo('8.8.8.8')).toEqual({ country: 'US', asn: 15169, org: 'Google LLC' });
    expect(enrich.actorGeo('192.168.0.1')).toBeUndefined();
  });

  it('are undefined when not configured', () => {
    const get = createFieldGetter(createEnrichment({ geo: false }).lookups);
    expect(get(event({ sourceIp: '8.8.8.8' }), 'vigil.geo.country')).toBeUndefined();
    expect(get(event({ sourceIp: '8.8.8.8' }), 'vigil.tor.src')).toBeUndefined();
  });
});

describe('vigil scan', () => {
  it("fills the finding actor's geo from the source IP, and none for a private IP", async () => {
    const root = join(dir, 'trail');
    mkdirSync(root);
    const stop = (time: string, ip: string, trail: string) => ({
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEALICE00001',
        arn: 'arn:aws:iam::123456789012:user/alice',
        accountId: '123456789012',
        userName: 'alice',
      },
      eventTime: time,
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'us-east-1',
      sourceIPAddress: ip,
      userAgent: 'aws-cli/2.15.0',
      requestParameters: { name: `arn:aws:cloudtrail:us-east-1:123456789012:trail/${trail}` },
      responseElements: null,
      readOnly: false,
      eventID: `00000000-0000-4000-8000-${time.replace(/\D/g, '').slice(0, 12)}`,
      eventType: 'AwsApiCall',
      recipientAccountId: '123456789012',
    });
    writeFileSync(
      join(root, '123456789012_CloudTrail_us-east-1_20261120T1010Z_enrich.json'),
      JSON.stringify({
        Records: [
          stop('2026-11-20T10:05:00Z', '193.0.6.139', 'org-trail'),
          stop('2026-11-20T10:06:00Z', '10.1.2.3', 'other'),
        ],
      }),
    );
    const result = await runScan({
      paths: [root],
      ruleDirs: [],
      builtin: true,
      experimental: false,
      threatIntel: [],
      workers: 0,
    });
    const stops = result.findings.filter((f) => f.detector === 'cloudtrail-logging-stopped');
    const byIp = new Map(stops.map((f) => [f.actor.ip, f]));
    expect(byIp.get('193.0.6.139')?.actor.geo).toEqual({
      country: 'NL',
      asn: 3333,
      org: 'Reseaux IP Europeens Network Coordination Centre (RIPE NCC)',
    });
    expect(byIp.get('10.1.2.3')).toBeDefined();
    expect(byIp.get('10.1.2.3')?.actor.geo).toBeUndefined();
  });
});
