import { describe, it, expect } from 'vitest';
import { createFieldGetter, registerDerivedFields } from './fields/index.js';
import { cloudTrailRecord } from './test-records.js';
import { TEST_LISTED_DOMAIN, TEST_LISTED_IP, TEST_THREAT_LIST, TEST_TOR_EXIT } from './test-lookups.js';
import { runDetectionTests } from './test-runner.js';
import type { Detection, DetectionTest } from './types.js';

function detection(
  id: string,
  block: Record<string, unknown>,
  tests: DetectionTest[],
  extra: Partial<Detection> = {},
): Detection {
  return {
    id,
    title: id,
    type: 'Test:IAMUser/Example',
    severity: 5,
    maturity: 'stable',
    source: 'cloudtrail',
    description: '{{eventName}}',
    mitre: { tactics: [], techniques: [] },
    detection: block,
    dedupKey: ['vigil.accountId'],
    resources: [],
    remediation: 'r',
    references: [],
    falsepositives: ['f'],
    tests,
    origin: 'user',
    file: `${id}.yml`,
    ...extra,
  };
}

const createUser = { selection: { eventName: 'CreateUser' }, condition: 'selection' };
const yes = (name: string, eventName = 'CreateUser'): DetectionTest => ({
  name,
  match: true,
  event: cloudTrailRecord({ eventName }),
});
const no = (name: string, eventName = 'DeleteUser'): DetectionTest => ({
  name,
  match: false,
  event: cloudTrailRecord({ eventName }),
});

describe('runDetectionTests', () => {
  it('passes cases that behave as declared and fails the others with a reason', () => {
    const results = runDetectionTests([
      detection('create-user', createUser, [
        yes('creates'),
        no('deletes'),
        yes('wrongly expected', 'GetUser'),
        no('wrongly not', 'CreateUser'),
      ]),
    ]);
    expect(results.map((r) => [r.name, r.ok, r.message])).toEqual([
      ['creates', true, 'matched, as expected'],
      ['deletes', true, 'did not match, as expected'],
      ['wrongly expected', false, 'expected a match, got none'],
      ['wrongly not', false, 'expected no match, but it matched'],
    ]);
    expect(results.every((r) => r.id === 'create-user')).toBe(true);
  });

  it('runs stateful cases in order and counts findings, each on a fresh engine', () => {
    const burst = (n: number): DetectionTest['events'] =>
      Array.from({ length: n }, (_, i) =>
        cloudTrailRecord({ eventName: 'GetUser', at: i, errorCode: 'AccessDenied' }),
      );
    const d = detection(
      'denied-burst',
      { selection: { errorCode: 'AccessDenied' }, condition: 'selection' },
      [
        { name: 'three denied', events: burst(3), findings: 1 },
        { name: 'two denied', events: burst(2), findings: 0 },
        { name: 'miscounted', events: burst(3), findings: 2 },
      ],
      { aggregate: { kind: 'count', groupBy: ['vigil.principal'], window: 600_000, threshold: 3 } },
    );
    expect(runDetectionTests([d]).map((r) => [r.name, r.ok, r.message])).toEqual([
      ['three denied', true, '1 finding(s), as expected'],
      ['two denied', true, '0 finding(s), as expected'],
      ['miscounted', false, 'expected 2 finding(s), got 1'],
    ]);
  });

  it('fails a detection without both a positive and a negative case', () => {
    const onlyPositive = runDetectionTests([detection('only-yes', createUser, [yes('a')])]);
    expect(onlyPositive[0]).toEqual({
      id: 'only-yes',
      name: 'coverage',
      ok: false,
      message: 'needs at least one negative test case',
    });
    const none = runDetectionTests([detection('none', createUser, [])]);
    expect(none[0]!.message).toBe('needs at least one positive and negative test case');
  });

  it('a detection that throws fails its case, and so does a record that cannot be normalized', () => {
    registerDerivedFields({
      runnerTestBroken: () => {
        throw new Error('derived field failed');
      },
    });
    const broken = detection('broken', { s: { 'vigil.runnerTestBroken': 'x' }, condition: 's' }, [
      yes('a'),
      no('b'),
    ]);
    expect(runDetectionTests([broken]).map((r) => r.message)).toEqual([
      'the detection threw: derived field failed',
      'the detection threw: derived field failed',
    ]);
    const { eventTime: _t, ...noTime } = cloudTrailRecord({ eventName: 'CreateUser' });
    const bad = detection('bad-record', createUser, [
      { name: 'no time', match: true, event: noTime },
      no('b'),
    ]);
    const [first] = runDetectionTests([bad]);
    expect(first!.ok).toBe(false);
    expect(first!.message).toMatch(/eventTime/);
  });

  it('uses the fixed test lookups unless given a field getter', () => {
    const d = detection('listed', { s: { 'vigil.threatIntel': 'test-threat-list' }, condition: 's' }, [
      {
        name: 'listed',
        match: true,
        event: cloudTrailRecord({ eventName: 'CreateUser', ip: TEST_LISTED_IP }),
      },
      {
        name: 'not listed',
        match: false,
        event: cloudTrailRecord({ eventName: 'CreateUser', ip: '198.51.100.20' }),
      },
    ]);
    expect(runDetectionTests([d]).every((r) => r.ok)).toBe(true);
    expect(runDetectionTests([d], createFieldGetter()).map((r) => r.ok)).toEqual([false, true]);
  });
  it('normalizes the records of flow-log and DNS detections as their source does', () => {
    const flow = (dstport: number) => ({
      version: 2,
      'account-id': '111122223333',
      'interface-id': 'eni-0a1b2c3d4e5f60718',
      srcaddr: '10.0.1.50',
      dstaddr: '192.0.2.10',
      srcport: 44321,
      dstport,
      protocol: 6,
      packets: 10,
      bytes: 840,
      start: 1795168800,
      end: 1795168860,
      action: 'ACCEPT',
      'log-status': 'OK',
    });
    const dns = (name: string) => ({
      version: '1.100000',
      account_id: '111122223333',
      region: 'us-east-1',
      query_timestamp: '2026-11-20T10:00:00Z',
      query_name: name,
      query_type: 'A',
      rcode: 'NOERROR',
      answers: [],
      srcaddr: '10.0.1.50',
    });
    const onFlow = detection(
      'flow-853',
      { s: { dstport: 853 }, condition: 's' },
      [
        { name: 'DoT', match: true, event: flow(853) },
        { name: 'HTTPS', match: false, event: flow(443) },
      ],
      { source: 'vpcflow' },
    );
    const onDns = detection(
      'dns-domain',
      { s: { 'vigil.dns.domain': 'example.co.uk' }, condition: 's' },
      [
        { name: 'under it', match: true, event: dns('www.example.co.uk.') },
        { name: 'elsewhere', match: false, event: dns('example.com.') },
      ],
      { source: 'dns' },
    );
    expect(runDetectionTests([onFlow, onDns]).map((r) => [r.name, r.ok])).toEqual([
      ['DoT', true],
      ['HTTPS', true],
      ['under it', true],
      ['elsewhere', true],
    ]);
  });

  it('normalizes S3 access log records, and lists a threat domain in the test lookups', () => {
    const access = (remoteIp: string) => ({
      bucket: 'acme-data',
      time: '2026-11-20T10:00:00Z',
      remote_ip: remoteIp,
      operation: 'REST.GET.OBJECT',
      key: 'a.csv',
      http_status: 200,
    });
    const onS3 = detection(
      's3-tor',
      { s: { 'vigil.tor.src': true, 'vigil.eventName': 'REST.GET.OBJECT' }, condition: 's' },
      [
        { name: 'from Tor', match: true, event: access(TEST_TOR_EXIT) },
        { name: 'elsewhere', match: false, event: access('198.51.100.20') },
      ],
      { source: 's3access' },
    );
    const query = (name: string) => ({
      version: '1.100000',
      query_timestamp: '2026-11-20T10:00:00Z',
      query_name: name,
      query_type: 'A',
      rcode: 'NOERROR',
      srcaddr: '10.0.1.50',
    });
    const onDomain = detection(
      'dns-listed',
      { s: { 'vigil.threatIntel.domain': TEST_THREAT_LIST }, condition: 's' },
      [
        { name: 'a subdomain of the listed domain', match: true, event: query(`x.${TEST_LISTED_DOMAIN}.`) },
        { name: 'a look-alike name', match: false, event: query(`x${TEST_LISTED_DOMAIN}.`) },
      ],
      { source: 'dns' },
    );
    expect(runDetectionTests([onS3, onDomain]).map((r) => [r.name, r.ok])).toEqual([
      ['from Tor', true],
      ['elsewhere', true],
      ['a subdomain of the listed domain', true],
      ['a look-alike name', true],
    ]);
  });
});
