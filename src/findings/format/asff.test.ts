import { describe, it, expect } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { sampleFindings } from '../testing.js';
import { asffType, toAsff, writeAsff } from './asff.js';
import { collectText } from './sink.js';

describe('asffType', () => {
  it('maps GuardDuty threat purposes to ASFF namespace/category and keeps our type as classifier', () => {
    expect(asffType('Stealth:IAMUser/CloudTrailLoggingDisabled')).toBe(
      'TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled',
    );
    expect(asffType('CryptoCurrency:EC2/BitcoinTool.B!DNS')).toBe(
      'Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B!DNS',
    );
    expect(asffType('Exfiltration:S3/ObjectRead.Unusual')).toBe(
      'Effects/Data Exfiltration/Exfiltration:S3-ObjectRead.Unusual',
    );
    expect(asffType('Policy:IAMUser/RootCredentialUsage')).toBe(
      'Software and Configuration Checks/AWS Security Best Practices/Policy:IAMUser-RootCredentialUsage',
    );
    expect(asffType('Behavior:EC2/NetworkPortUnusual')).toBe(
      'Unusual Behaviors/VM/Behavior:EC2-NetworkPortUnusual',
    );
  });
});

describe('toAsff', () => {
  it('fills the required attributes from the finding', () => {
    const [f] = sampleFindings();
    const a = toAsff(f!);
    expect(a).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: f!.id,
      ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
      GeneratorId: 'vigil/cloudtrail-logging-stopped',
      AwsAccountId: '123456789012',
      Types: ['TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled'],
      CreatedAt: '2026-11-20T10:01:00Z',
      UpdatedAt: '2026-11-20T10:03:00Z',
      FirstObservedAt: '2026-11-20T10:01:00Z',
      LastObservedAt: '2026-11-20T10:03:00Z',
      Severity: { Label: 'HIGH', Normalized: 75, Original: '7.5' },
      Resources: [{ Type: 'AwsCloudTrailTrail', Partition: 'aws', Region: 'us-east-1' }],
      Remediation: {
        Recommendation: {
          Url: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html',
        },
      },
    });
    expect(a.ProductFields['vigil/count']).toBe('3');
  });

  it('uses the account as the resource when the finding names none, and CRITICAL bands to 90+', () => {
    const root = sampleFindings().find((f) => f.detector === 'root-console-login')!;
    const a = toAsff(root);
    expect(a.Resources).toEqual([
      { Type: 'AwsAccount', Id: 'AWS::::Account:123456789012', Partition: 'aws', Region: 'us-east-1' },
    ]);
    expect(a.Severity).toEqual({ Label: 'CRITICAL', Normalized: 92, Original: '9.2' });
  });

  it('needs an account: from the finding, else from options, else a clear error', () => {
    const f = { ...sampleFindings()[0]!, accountId: '-', region: '-' };
    expect(() => toAsff(f)).toThrow(VigilError);
    const a = toAsff(f, { accountId: '210987654321', region: 'eu-west-1' });
    expect(a.AwsAccountId).toBe('210987654321');
    expect(a.ProductArn).toBe('arn:aws:securityhub:eu-west-1:210987654321:product/210987654321/default');
  });
});

describe('writeAsff', () => {
  it('writes a BatchImportFindings body', async () => {
    const out = collectText();
    await writeAsff(sampleFindings(), out);
    const body = JSON.parse(out.text()) as { Findings: unknown[] };
    expect(body.Findings).toHaveLength(3);
    const empty = collectText();
    await writeAsff([], empty);
    expect(JSON.parse(empty.text())).toEqual({ Findings: [] });
  });
});
