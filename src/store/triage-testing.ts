import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import { severityLabel } from '../core/severity.js';

/** A complete finding for the triage tests: `key` makes its id, everything else can be overridden. */
export function makeFinding(key: string, overrides: Partial<Finding> = {}): Finding {
  const severity = overrides.severity ?? 5;
  return {
    id: createHash('sha256').update(key).digest('hex').slice(0, 32),
    type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
    detector: 'cloudtrail-logging-stopped',
    title: 'CloudTrail logging stopped',
    description: `arn:aws:iam::123456789012:user/alice stopped trail ${key}`,
    severity,
    severityLabel: severityLabel(severity),
    status: 'NEW',
    accountId: '123456789012',
    region: 'us-east-1',
    firstSeen: '2026-11-20T10:00:00.000Z',
    lastSeen: '2026-11-20T10:00:00.000Z',
    count: 1,
    actor: { principal: 'arn:aws:iam::123456789012:user/alice', ip: '203.0.113.7' },
    resources: [{ type: 'AwsCloudTrailTrail', id: `arn:aws:cloudtrail:us-east-1:123456789012:trail/${key}` }],
    evidence: { eventIds: [`${key}-event`], eventNames: ['StopLogging'] },
    mitre: { tactics: ['TA0005'], techniques: ['T1562.008'] },
    remediation: 'Start logging again.',
    references: [],
    ...overrides,
  };
}
