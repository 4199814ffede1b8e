/**
 * Test support for the channel tests: realistic and hostile alerts, and a real local HTTP server that
 * records what it receives and answers with the statuses a test queues.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Finding } from '../core/finding.js';
import { findingEvent } from '../router/routed-event.js';
import type { Alert } from './types.js';

export function testFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'f-3b1c9e0a7d',
    type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
    detector: 'cloudtrail-logging-stopped',
    title: 'CloudTrail logging was stopped',
    description: 'StopLogging was called on trail management-events by alice.',
    severity: 7.5,
    severityLabel: 'HIGH',
    status: 'NEW',
    accountId: '123456789012',
    region: 'us-east-1',
    firstSeen: '2026-11-20T10:00:00Z',
    lastSeen: '2026-11-20T10:05:00Z',
    count: 3,
    actor: {
      principal: 'arn:aws:iam::123456789012:user/alice',
      principalType: 'IAMUser',
      accessKeyId: 'AKIAEXAMPLEKEY000001',
      ip: '203.0.113.7',
      userAgent: 'aws-cli/2.15.0 Python/3.11',
      geo: { country: 'NL', asn: 64500 },
    },
    resources: [
      { type: 'AwsCloudTrailTrail', id: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events' },
    ],
    evidence: { eventIds: ['e1', 'e2', 'e3'], eventNames: ['StopLogging'] },
    mitre: { tactics: ['TA0005'], techniques: ['T1562.008'] },
    remediation: 'Restart logging with StartLogging.\nReview what alice did while the trail was off.',
    references: ['https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html'],
    ...overrides,
  };
}

export function testAlert(
  overrides: Partial<Finding> = {},
  extra: Partial<Omit<Alert, 'finding'>> = {},
): Alert {
  const finding = testFinding(overrides);
  return { finding, event: findingEvent(finding), reason: 'new', ...extra };
}

export const HOSTILE_UA = '<script>alert(1)</script>';
export const HOSTILE_ARN = 'arn:aws:s3:::bucket"><img src=x onerror=alert(document.cookie)>';

/** A finding whose attacker-controlled fields try every injection the channels must neutralise. */
export function hostileAlert(): Alert {
  return testAlert({
    title: '<!channel> [click me](http://evil.example) **urgent** # heading',
    description:
      'Ping <!here> and <@U123> <http://evil.example|click> & [link](javascript:alert(1)) {{DATE(2017-02-14T06:08:39Z, SHORT)}}\n- fake item\n# fake heading\r\nSubject: injected',
    actor: {
      principal: 'arn:aws:iam::123456789012:user/<@U999>',
      principalType: 'IAMUser',
      ip: '198.51.100.9',
      userAgent: HOSTILE_UA,
      geo: { country: '<b>XX</b>' },
    },
    resources: [{ type: 'AwsS3Bucket', id: HOSTILE_ARN }],
    remediation: '_italic_ *bold* `code` ~strike~ > quote\n1. step',
  });
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  requests: ReceivedRequest[];
  /** Queues the next responses (status, body); after the queue the server answers `fallback`. */
  respond(...responses: { status: number; body?: string; headers?: Record<string, string> }[]): void;
  /** Makes the server hold requests without answering (timeouts), until closed. */
  hang(): void;
  close(): Promise<void>;
}

export async function startServer(fallback = { status: 200, body: 'ok' }): Promise<TestServer> {
  const queue: { status: number; body?: string; headers?: Record<string, string> }[] = [];
  const requests: ReceivedRequest[] = [];
  let hanging = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (hanging) return;
      const next = queue.shift() ?? fallback;
      res.writeHead(next.status, {
        'content-type': 'application/json',
        ...('headers' in next ? next.headers : {}),
      });
      res.end(next.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (...responses) => void queue.push(...responses),
    hang: () => {
      hanging = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A signal that never aborts, for sends a test does not cancel. */
export const noAbort = (): AbortSignal => new AbortController().signal;
