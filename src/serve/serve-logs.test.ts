import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { startServer, type TestServer } from '../notify/test-support.js';
import { DNS_LINES } from '../sources/network-samples.js';
import { until } from '../testing/until.js';
import { startServe, type RunningServe } from './serve.js';

// Flow logs and Resolver query logs streamed to `vigil serve` over HTTP, as AWS delivers them: a
// CloudWatch Logs subscription through Firehose, Resolver query logging to Firehose, a plain POST.

const ACCOUNT = '123456789012';
const TOKEN = 'ingest-token';
const ENI = 'eni-0a1b2c3d4e5f60718';
let dir: string;
let receiver: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-logs-'));
  receiver = await startServer();
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(name: string, flowLogFormat?: string): Promise<RunningServe> {
  const config = parseConfig(
    JSON.stringify({
      server: {
        port: 0,
        ingestToken: { env: 'TEST_INGEST_TOKEN' },
        ...(flowLogFormat ? { ingest: { flowLogFormat } } : {}),
      },
      store: { sqlite: join(dir, name, 'vigil.db') },
      channels: [
        { id: 'hook', kind: 'webhook', url: `${receiver.url}/${name}`, secret: { env: 'TEST_HOOK_SECRET' } },
      ],
      routes: [{ name: 'all', pattern: { source: ['vigil'] }, targets: ['hook'] }],
    }),
    'test.yaml',
    {},
  );
  return startServe(config, {
    env: { TEST_INGEST_TOKEN: TOKEN, TEST_HOOK_SECRET: 'hook-secret' },
    fetch: globalThis.fetch,
    log: () => undefined,
  });
}

/** The gzip'd payload a CloudWatch Logs subscription filter hands to Firehose, base64 as Firehose sends it. */
function logsPayload(logGroup: string, messages: string[], messageType = 'DATA_MESSAGE'): { data: string } {
  const payload = {
    messageType,
    owner: ACCOUNT,
    logGroup,
    logStream: `${ENI}-all`,
    subscriptionFilters: ['to-vigil'],
    logEvents: messages.map((message, i) => ({
      id: `3719566417239812831283719283719283719283719283719283${String(i).padStart(2, '0')}`,
      timestamp: 1716000000000 + i * 1000,
      message,
    })),
  };
  return { data: gzipSync(JSON.stringify(payload)).toString('base64') };
}

async function firehose(running: RunningServe, records: { data: string }[]): Promise<Response> {
  const requestId = `req-${Math.random().toString(36).slice(2)}`;
  return fetch(`${running.url}/ingest/firehose`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-amz-firehose-request-id': requestId,
      'x-amz-firehose-access-key': TOKEN,
    },
    body: JSON.stringify({ requestId, timestamp: Date.now(), records }),
  });
}

/** Finding types alerted to the receiver at `/<name>`. */
function alertedTypes(name: string): string[] {
  return receiver.requests
    .filter((r) => r.url === `/${name}`)
    .map((r) => (JSON.parse(r.body) as { event: { detail: { type: string } } }).event.detail.type);
}

describe('vigil serve: flow logs and Resolver query logs over HTTP', () => {
  it('refuses a flowLogFormat that is not a list of flow log fields when the config is read', () => {
    expect(() =>
      parseConfig(
        JSON.stringify({ server: { ingest: { flowLogFormat: '${srcaddr} $dstaddr' } } }),
        'test.yaml',
        {},
      ),
    ).toThrow(/flowLogFormat.*"\$dstaddr" is not a flow log field/s);
  });

  it('finds a port scan in flow logs from a CloudWatch Logs subscription through Firehose', async () => {
    const running = await serve('cwl');
    try {
      // An instance probing 30 ports of another host, all rejected (default v2 format, no header line).
      const probes = Array.from(
        { length: 30 },
        (_, i) =>
          `2 ${ACCOUNT} ${ENI} 10.0.1.50 10.0.2.17 ${51000 + i} ${1000 + i * 7} 6 1 44 ${1716000000 + i * 5} ${1716000060 + i * 5} REJECT OK`,
      );
      const control = logsPayload(
        'vpc-flow-logs',
        ['CWL CONTROL MESSAGE: Checking health of destination Firehose.'],
        'CONTROL_MESSAGE',
      );
      // A damaged log event in the middle: rejected alone, the others are read.
      const data = logsPayload('vpc-flow-logs', [
        ...probes.slice(0, 15),
        '2 123 eni-x 10.0.1.50',
        ...probes.slice(15),
      ]);
      const res = await firehose(running, [control, data]);
      expect(res.status).toBe(200);
      await until(() => alertedTypes('cwl').includes('Recon:EC2/Portscan'), 'the port scan alert');
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toContain('vigil_records_ingested_total{source="http:firehose"} 30');
      expect(metrics).toContain(
        'vigil_records_rejected_total{source="http:firehose",reason="bad_log_event"} 1',
      );
      // The control message is acknowledged, neither ingested nor counted as a bad record.
      expect(metrics).not.toContain('reason="bad_record"');
    } finally {
      await running.stop();
    }
  });

  it('finds a mining pool lookup in Resolver query logs delivered by Firehose', async () => {
    const running = await serve('dns');
    try {
      const lookup = {
        ...(JSON.parse(DNS_LINES[0]!) as Record<string, unknown>),
        query_name: 'pool.supportxmr.com.',
        answers: [{ Rdata: '198.51.100.80', Type: 'A', Class: 'IN' }],
      };
      // Resolver query logging to a Firehose stream: one query log per record, or newline-separated ones.
      const res = await firehose(running, [
        { data: Buffer.from(JSON.stringify(lookup)).toString('base64') },
        { data: Buffer.from(`${DNS_LINES[0]}\n${DNS_LINES[1]}\n`).toString('base64') },
      ]);
      expect(res.status).toBe(200);
      await until(
        () => alertedTypes('dns').includes('CryptoCurrency:EC2/BitcoinTool.B!DNS'),
        'the mining pool alert',
      );
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toContain('vigil_records_ingested_total{source="http:firehose"} 3');
    } finally {
      await running.stop();
    }
  });

  it('reads a custom flowLogFormat, and lists bad lines of a plain POST by number', async () => {
    const format =
      '${version} ${vpc-id} ${instance-id} ${interface-id} ${account-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}';
    const running = await serve('custom', format);
    try {
      // 25 short SSH connections from the internet to an instance: password guessing.
      const attempts = Array.from(
        { length: 25 },
        (_, i) =>
          `5 vpc-0a1b2c3d i-0123456789abcdef0 ${ENI} ${ACCOUNT} 198.51.100.23 10.0.1.15 ${40000 + i} 22 6 12 2400 ${1716000000 + i * 10} ${1716000055 + i * 10} ACCEPT OK`,
      );
      const res = await fetch(`${running.url}/ingest/logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
        body: [
          ...attempts.slice(0, 3),
          'garbage',
          attempts[3]!.replace(' 22 6 ', ' ssh 6 '),
          ...attempts.slice(3),
        ].join('\n'),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        accepted: 25,
        rejected: [
          { line: 4, error: 'line 4: flow log record has 1 fields, the format has 16' },
          { line: 5, error: 'line 5: flow log record dstport is not a number: "ssh"' },
        ],
        skipped: 0,
      });
      await until(
        () => alertedTypes('custom').includes('UnauthorizedAccess:EC2/SSHBruteForce'),
        'the SSH brute force alert',
      );
    } finally {
      await running.stop();
    }
  });
});
