import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InputProblem } from '../core/errors.js';
import {
  DNS_LINES,
  FLOW_V2_HEADER,
  FLOW_V2_LINES,
  FLOW_V5_HEADER,
  FLOW_V5_LINES,
  S3_ACCESS_LINES,
} from '../sources/network-samples.js';
import { runScan } from './scan.js';

function rule(id: string, source: string, selection: string, dedup: string): string {
  return `title: ${id}
type: Test:Network/${id}
severity: 5
maturity: stable
source: ${source}
description: "{{vigil.sourceIp}} {{vigil.eventName}}"
detection:
  selection:
${selection}
  condition: selection
dedupKey:
  - ${dedup}
mitre:
  tactics:
    - TA0007
  techniques:
    - T1046
remediation: none
falsepositives:
  - none
tests: []
`;
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vigil-netscan-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, data: string | Buffer): void {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

describe('vigil scan over CloudTrail, flow, DNS and S3 access logs', () => {
  it('reads every format in one folder, runs each detection on its own source and reports bad lines', async () => {
    const logs = 'logs/AWSLogs/123456789012';
    put(
      `${logs}/CloudTrail/us-east-1/2024/05/18/123456789012_CloudTrail_us-east-1_20240518T0245Z_a.json.gz`,
      gzipSync(
        JSON.stringify({
          Records: [
            {
              eventVersion: '1.08',
              eventTime: '2024-05-18T02:41:00Z',
              eventSource: 's3.amazonaws.com',
              eventName: 'ListBuckets',
              awsRegion: 'us-east-1',
              sourceIPAddress: '203.0.113.12',
              userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice' },
              eventID: 'ct-1',
            },
          ],
        }),
      ),
    );
    put(
      `${logs}/vpcflowlogs/eu-west-1/2024/05/18/123456789012_vpcflowlogs_eu-west-1_fl-0a1b_20240518T0240Z_0a1b2c3d.log.gz`,
      gzipSync([FLOW_V2_HEADER, FLOW_V2_LINES[0], '2 garbage', ...FLOW_V2_LINES.slice(1)].join('\n')),
    );
    put(
      `${logs}/vpcflowlogs/us-east-2/2024/05/18/custom.log`,
      `${FLOW_V5_HEADER}\n${FLOW_V5_LINES.join('\n')}\n`,
    );
    put(
      `${logs}/vpcdnsquerylogs/vpc-0a1b2c3d/2024/05/18/vpc-0a1b2c3d_vpcdnsquerylogs_123456789012_20240518T0245Z_9f8e.log.gz`,
      gzipSync(DNS_LINES.join('\n')),
    );
    put('logs/s3-access/2019-02-06-00-00-38-5A1B2C3D4E5F6A7B', S3_ACCESS_LINES.join('\n'));
    put('logs/README.txt', 'not a log');
    put(
      'rules/flow-ssh-reject.yml',
      rule('flow-ssh-reject', 'vpcflow', '    action: REJECT\n    dstport: 22', 'vigil.sourceIp'),
    );
    put('rules/dns-nxdomain.yml', rule('dns-nxdomain', 'dns', '    rcode: NXDOMAIN', 'vigil.principal'));
    put(
      'rules/s3-denied.yml',
      rule('s3-denied', 's3access', '    error_code: AccessDenied', 'vigil.principal'),
    );
    put('rules/ct-list.yml', rule('ct-list', 'cloudtrail', '    eventName: ListBuckets', 'vigil.principal'));
    // A flow-log rule on a field CloudTrail lacks must not see the CloudTrail event from the same address.
    put(
      'rules/flow-from-ip.yml',
      rule('flow-from-ip', 'vpcflow', "    srcaddr: '203.0.113.12'", 'vigil.sourceIp'),
    );

    const problems: InputProblem[] = [];
    const result = await runScan(
      {
        paths: [join(root, 'logs')],
        ruleDirs: [join(root, 'rules')],
        builtin: false,
        experimental: false,
        threatIntel: [],
        workers: 0,
      },
      { onProblem: (p) => problems.push(p) },
    );
    expect(result.context.ruleProblems).toEqual([]);
    expect(problems).toEqual([
      expect.objectContaining({
        line: 3,
        code: 'VIGIL_INPUT_BAD_RECORD',
        file: expect.stringMatching(/fl-0a1b/),
      }),
    ]);
    expect(result.progress.filesDone).toBe(5);
    expect(result.filesSkipped).toBe(1);
    // CloudTrail 1, flow 2 + 2, DNS 2, S3 access 2; NODATA and SKIPDATA counted apart.
    expect(result.progress.records).toBe(9);
    expect(result.noData).toBe(2);
    const byDetector = Object.fromEntries(result.findings.map((f) => [f.detector, f]));
    expect(Object.keys(byDetector).sort()).toEqual([
      'ct-list',
      'dns-nxdomain',
      'flow-from-ip',
      'flow-ssh-reject',
      's3-denied',
    ]);
    expect(byDetector['flow-ssh-reject']!.actor.ip).toBe('203.0.113.12');
    expect(byDetector['flow-ssh-reject']!.region).toBe('eu-west-1');
    expect(byDetector['flow-from-ip']!.count).toBe(1);
    expect(byDetector['s3-denied']!.actor.principal).toBe('arn:aws:iam::123456789012:user/alice');
  });
});
