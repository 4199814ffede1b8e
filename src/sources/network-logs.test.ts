import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InputProblem } from '../core/errors.js';
import { normalizeRecord, readRecords, type RawRecord } from './index.js';
import { deliveryOrderKey, dateFromS3Key } from './cloudtrail/s3-key.js';
import { flowLogRegion } from './aws-log-keys.js';
import {
  DNS_LINES,
  FLOW_V2_HEADER,
  FLOW_V2_LINES,
  FLOW_V5_HEADER,
  FLOW_V5_LINES,
  S3_ACCESS_LINES,
} from './network-samples.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-netlogs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, data: string | Buffer, options: { wholeFileMaxBytes?: number } = {}) {
  const path = join(dir, name);
  writeFileSync(path, data);
  const problems: InputProblem[] = [];
  const records: RawRecord[] = [];
  let noData = 0;
  for await (const r of readRecords(
    { path },
    { onProblem: (p) => problems.push(p), onNoData: () => noData++, ...options },
  )) {
    records.push(r);
  }
  return { path, records, problems, noData };
}

const FLOW_NAME = '123456789012_vpcflowlogs_eu-west-1_fl-0123456789abcdef0_20240518T0240Z_0a1b2c3d.log.gz';

describe('VPC Flow Logs', () => {
  for (const mode of ['whole', 'streamed'] as const) {
    it(`reads a gzip v2 file with its header, counting NODATA/SKIPDATA (${mode})`, async () => {
      const text = [FLOW_V2_HEADER, ...FLOW_V2_LINES].join('\n') + '\n';
      const { records, problems, noData } = await read(FLOW_NAME, gzipSync(text), {
        wholeFileMaxBytes: mode === 'whole' ? undefined : 10,
      });
      expect(problems).toEqual([]);
      expect(noData).toBe(2);
      expect(records.map((r) => r.format)).toEqual(['vpcflow', 'vpcflow']);
      expect(records[0]!.region).toBe('eu-west-1');
      expect(records[0]!.record).toEqual({
        version: 2,
        'account-id': '123456789012',
        'interface-id': 'eni-0a1b2c3d4e5f60718',
        srcaddr: '203.0.113.12',
        dstaddr: '172.31.16.139',
        srcport: 49761,
        dstport: 22,
        protocol: 6,
        packets: 20,
        bytes: 4249,
        start: 1716000000,
        end: 1716000060,
        action: 'REJECT',
        'log-status': 'OK',
      });
      const e = normalizeRecord(records[0]!.record, 'vpcflow', { region: records[0]!.region });
      expect(e).toMatchObject({
        source: 'vpcflow',
        time: '2024-05-18T02:40:00Z',
        ts: 1716000000000,
        accountId: '123456789012',
        region: 'eu-west-1',
        eventName: 'REJECT',
        eventSource: 'vpcflowlogs',
        principal: 'eni-0a1b2c3d4e5f60718',
        principalType: 'Unknown',
        sourceIp: '203.0.113.12',
      });
      expect(e.eventId).toMatch(/^[0-9a-f]{32}$/);
    });
  }

  it('reads the default format without a header (CloudWatch Logs export) and a v5 custom format with IPv6', async () => {
    const v2 = await read('export.txt', FLOW_V2_LINES.join('\r\n'));
    expect(v2.problems).toEqual([]);
    expect(v2.records).toHaveLength(2);
    expect(v2.noData).toBe(2);

    const v5 = await read('custom.log', `${FLOW_V5_HEADER}\n${FLOW_V5_LINES.join('\n')}\n`);
    expect(v5.problems).toEqual([]);
    const [a, b] = v5.records.map((r) => normalizeRecord(r.record, r.format));
    expect(a).toMatchObject({
      region: 'us-east-2',
      principal: 'i-0123456789abcdef0',
      sourceIp: '2001:db8:1234:a100::11',
      eventName: 'ACCEPT',
    });
    expect(a!.raw).toMatchObject({
      'tcp-flags': 19,
      'traffic-path': 8,
      'pkt-dst-aws-service': 'S3',
      type: 'IPv6',
    });
    expect(a!.raw).not.toHaveProperty('sublocation-id');
    expect(b).toMatchObject({ principal: 'eni-0123456789abcdef0', eventName: 'REJECT' });
    expect(b!.raw).not.toHaveProperty('traffic-path');
  });

  it('reports malformed lines by file and line, and reads the good lines around them', async () => {
    const [good1, good2] = FLOW_V2_LINES;
    const lines = [
      FLOW_V2_HEADER,
      good1,
      '2 123456789012 eni-0a1b2c3d4e5f60718 203.0.113.12 172.31.16.139 49761 22 6 20', // cut short
      good1!.replace(' 22 6 ', ' ssh 6 '),
      good1!.replace('203.0.113.12', '203.0.113.999'),
      good1!.replace('1716000000', '99999999999999'),
      good2,
    ];
    const { path, records, problems } = await read('flow.log', lines.join('\n'));
    expect(records.map((r) => r.record.srcaddr)).toEqual(['203.0.113.12', '172.31.16.139']);
    expect(problems.map((p) => [p.file, p.line, p.code])).toEqual([
      [path, 3, 'VIGIL_INPUT_BAD_RECORD'],
      [path, 4, 'VIGIL_INPUT_BAD_RECORD'],
      [path, 5, 'VIGIL_INPUT_BAD_RECORD'],
      [path, 6, 'VIGIL_INPUT_BAD_RECORD'],
    ]);
    expect(problems[0]!.message).toMatch(/has 9 fields, the format has 14/);
    expect(problems[1]!.message).toMatch(/dstport is not a number: "ssh"/);
    expect(problems[2]!.message).toMatch(/srcaddr is not an IP address/);
    expect(problems[3]!.message).toMatch(/start is not a time/);
  });

  it('gives the same event id to the same record in any file', async () => {
    const a = await read('a.log', `${FLOW_V2_HEADER}\n${FLOW_V2_LINES[0]}\n`);
    const b = await read('b.log', `${FLOW_V2_LINES[1]}\n${FLOW_V2_LINES[0]}\n`);
    const id = (r: RawRecord) => normalizeRecord(r.record, r.format).eventId;
    expect(id(a.records[0]!)).toBe(id(b.records[1]!));
    expect(id(b.records[0]!)).not.toBe(id(b.records[1]!));
  });

  it('orders, dates and locates files by the S3 layout', () => {
    const key = `AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/05/18/${FLOW_NAME}`;
    expect(deliveryOrderKey(key)).toBe('20240518T0240');
    expect(dateFromS3Key(key)).toBe('2024-05-18');
    expect(flowLogRegion(key)).toBe('eu-west-1');
    expect(flowLogRegion('AWSLogs/123456789012/vpcflowlogs/us-east-2/2024/05/18/x.log')).toBe('us-east-2');
    const dns =
      'AWSLogs/123456789012/vpcdnsquerylogs/vpc-0a1b2c3d/2024/05/18/vpc-0a1b2c3d_vpcdnsquerylogs_123456789012_20240518T0245Z_9f8e7d6c.log.gz';
    expect(deliveryOrderKey(dns)).toBe('20240518T0245');
    expect(deliveryOrderKey('logs/2019-02-06-00-00-38-5A1B2C3D4E5F6A7B')).toBe('20190206T0000');
  });
});

describe('Route 53 Resolver query logs', () => {
  it('reads JSON lines (gzip) and arrays, with answers and NXDOMAIN, reporting a damaged line', async () => {
    const text = [DNS_LINES[0], '{"query_timestamp":"2024-05-18T02:40:01Z","query_name":', DNS_LINES[1]].join(
      '\n',
    );
    const { path, records, problems } = await read('dns.log.gz', gzipSync(text));
    expect(records.map((r) => r.format)).toEqual(['dns', 'dns']);
    expect(problems).toEqual([
      expect.objectContaining({ file: path, line: 2, code: 'VIGIL_INPUT_BAD_JSON' }),
    ]);
    const [ok, nx] = records.map((r) => normalizeRecord(r.record, r.format));
    expect(ok).toMatchObject({
      source: 'dns',
      ts: Date.parse('2024-05-18T02:40:00Z'),
      accountId: '123456789012',
      region: 'us-east-1',
      eventName: 'A',
      eventSource: 'route53resolver',
      principal: 'i-0123456789abcdef0',
      sourceIp: '172.31.16.139',
      errorCode: undefined,
    });
    expect((ok!.raw.answers as unknown[])[0]).toEqual({ Rdata: '52.216.1.1', Type: 'A', Class: 'IN' });
    expect(nx).toMatchObject({ eventName: 'TXT', errorCode: 'NXDOMAIN', principal: '172.31.16.140' });

    const array = await read('dns.json', `[${DNS_LINES.join(',')}]`);
    expect(array.records.map((r) => r.format)).toEqual(['dns', 'dns']);
  });

  it('reports a Resolver record without its time as a bad record of that format', async () => {
    const broken = DNS_LINES[1]!.replace('"query_timestamp":"2024-05-18T02:40:05Z",', '');
    const { records } = await read('dns.log', `${DNS_LINES[0]}\n${broken}\n`);
    expect(records).toHaveLength(2);
    expect(() => normalizeRecord(records[1]!.record, records[1]!.format)).toThrow(
      /query_timestamp is missing/,
    );
  });
});

describe('S3 server access logs', () => {
  it('reads quoted fields with spaces and escaped quotes, `-` as absent, hostile keys and extra fields', async () => {
    const name = '2019-02-06-00-00-38-5A1B2C3D4E5F6A7B';
    const bad = S3_ACCESS_LINES[0]!.replace(
      '[06/Feb/2019:00:00:38 +0000]',
      '[06/Feb/2019:00:00:38 +0000] "unclosed',
    );
    const badTime = S3_ACCESS_LINES[0]!.replace('06/Feb/2019:00:00:38', '06/Feb/2019:25:00:38');
    const { path, records, problems } = await read(
      name,
      [S3_ACCESS_LINES[0], bad, badTime, S3_ACCESS_LINES[1]].join('\n'),
    );
    expect(problems.map((p) => [p.file, p.line, p.code])).toEqual([
      [path, 2, 'VIGIL_INPUT_BAD_RECORD'],
      [path, 3, 'VIGIL_INPUT_BAD_RECORD'],
    ]);
    expect(records.map((r) => r.format)).toEqual(['s3access', 's3access']);
    const [console, cli] = records.map((r) => normalizeRecord(r.record, r.format));
    expect(console!.raw).toMatchObject({
      bucket: 'awsexamplebucket1',
      time: '2019-02-06T00:00:38Z',
      http_status: 200,
      bytes_sent: 113,
      total_time: 7,
      user_agent: 'S3Console/0.4',
      acl_required: 'Yes',
    });
    expect(console!.raw).not.toHaveProperty('key');
    expect(console!.raw).not.toHaveProperty('referer');
    expect(cli).toMatchObject({
      source: 's3access',
      time: '2019-02-06T00:02:03Z',
      eventName: 'REST.GET.OBJECT',
      eventSource: 's3.amazonaws.com',
      principal: 'arn:aws:iam::123456789012:user/alice',
      accountId: '123456789012',
      sourceIp: '203.0.113.9',
      errorCode: 'AccessDenied',
      userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 "quoted"',
    });
    expect(cli!.raw.key).toBe('payroll/"><svg/onload=alert(1)>.csv');
    expect(cli!.raw.tls_version).toBe('TLSv1.3');
    expect(cli!.raw).not.toHaveProperty('access_point_arn');
  });

  it('never reads a CloudTrail file or other text as a network log', async () => {
    const ct = await read(
      'ct.json',
      JSON.stringify({
        Records: [
          {
            eventVersion: '1.08',
            eventTime: '2024-05-18T02:40:00Z',
            eventName: 'ListBuckets',
            eventSource: 's3.amazonaws.com',
          },
        ],
      }),
    );
    expect(ct.records.map((r) => r.format)).toEqual([undefined]);
    const notes = await read('notes.log', 'version 2 of the runbook\nsee srcaddr below\n');
    expect(notes.records).toEqual([]);
    expect(notes.problems[0]!.code).toBe('VIGIL_INPUT_BAD_JSON');
  });
});
