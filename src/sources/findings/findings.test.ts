import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../testing/shared-data.js';
import { findingsFromEvent, fromGuardDuty, fromSecurityHub } from './index.js';

const SHARED = sharedDir();
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(
  JSON.parse(readFileSync(new URL('../../../schema/finding.schema.json', import.meta.url), 'utf8')),
);

function valid(f: unknown): void {
  expect(validate(f), JSON.stringify(validate.errors)).toBe(true);
}

const wrap = (detailType: string, detail: unknown) => ({
  version: '0',
  id: 'c8c4daa7-a20c-2f03-0070-b7393dd542ad',
  'detail-type': detailType,
  source: detailType.startsWith('GuardDuty') ? 'aws.guardduty' : 'aws.securityhub',
  account: '123456789012',
  time: '2026-11-20T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

describe.runIf(SHARED)('GuardDuty findings (the shared samples)', () => {
  const sample = (name: string) =>
    JSON.parse(readFileSync(join(SHARED!, 'samples', 'guardduty', name), 'utf8')) as Record<string, unknown>;

  it('keeps type, severity, times, count, actor and resources, and meets the Finding schema', () => {
    const [f] = findingsFromEvent(wrap('GuardDuty Finding', sample('guardduty_iam_event.json')))!;
    valid(f);
    expect(f).toMatchObject({
      type: 'Recon:IAMUser/MaliciousIPCaller.Custom',
      detector: 'guardduty',
      severity: 5,
      severityLabel: 'MEDIUM',
      accountId: '123456789012',
      region: 'us-east-1',
      actor: { accessKeyId: 'GeneratedFindingAccessKeyId', ip: '198.51.100.0' },
      resources: [{ type: 'AwsIamAccessKey', id: 'GeneratedFindingAccessKeyId' }],
      mitre: { tactics: ['TA0043'] },
    });
  });

  it('maps instance and S3 bucket resources', () => {
    const ec2 = fromGuardDuty(sample('guardduty_ec2_event.json'));
    valid(ec2);
    expect(ec2.resources[0]?.type).toBe('AwsEc2Instance');
    const s3 = fromGuardDuty(sample('guardduty_s3_event.json'));
    valid(s3);
    expect(s3).toMatchObject({
      type: 'PenTest:S3/ParrotLinux',
      resources: [{ type: 'AwsS3Bucket', id: 'arn:aws:s3:::bucketName' }],
    });
  });

  it('gives the same GuardDuty finding the same id, so updates aggregate', () => {
    const a = fromGuardDuty(sample('guardduty_iam_event.json'));
    const b = fromGuardDuty({ ...sample('guardduty_iam_event.json'), updatedAt: '2026-11-21T00:00:00Z' });
    expect(a.id).toBe(b.id);
  });
});

describe('Security Hub findings (ASFF)', () => {
  const asff = {
    SchemaVersion: '2018-10-08',
    Id: 'arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.8/finding/0f1e2d3c',
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    GeneratorId: 'aws-foundational-security-best-practices/v/1.0.0/S3.8',
    AwsAccountId: '123456789012',
    Region: 'us-east-1',
    Types: [
      'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices',
    ],
    FirstObservedAt: '2026-11-20T09:00:00.000Z',
    LastObservedAt: '2026-11-20T10:00:00.000Z',
    CreatedAt: '2026-11-20T09:00:00.000Z',
    UpdatedAt: '2026-11-20T10:00:00.000Z',
    Severity: { Label: 'HIGH', Normalized: 70 },
    Title: 'S3.8 S3 general purpose buckets should block public access',
    Description:
      'This control checks whether an S3 general purpose bucket blocks public access at the bucket level.',
    Remediation: {
      Recommendation: {
        Text: 'For information on how to correct this issue, consult the documentation.',
        Url: 'https://docs.aws.amazon.com/console/securityhub/S3.8/remediation',
      },
    },
    Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::acme-customer-exports', Region: 'us-east-1' }],
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
  };

  it('keeps severity, resources and remediation, and meets the Finding schema', () => {
    const [f] = findingsFromEvent(wrap('Security Hub Findings - Imported', { findings: [asff] }))!;
    valid(f);
    expect(f).toMatchObject({
      detector: 'securityhub',
      severity: 7,
      severityLabel: 'HIGH',
      resources: [{ type: 'AwsS3Bucket', id: 'arn:aws:s3:::acme-customer-exports' }],
      references: ['https://docs.aws.amazon.com/console/securityhub/S3.8/remediation'],
    });
    expect(f!.type).toMatch(/^Software/);
  });

  it("uses GuardDuty's own type for GuardDuty findings imported into Security Hub, and workflow status", () => {
    const f = fromSecurityHub({
      ...asff,
      ProductFields: {
        'aws/guardduty/type': 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      },
      Workflow: { Status: 'RESOLVED' },
    });
    valid(f);
    expect(f).toMatchObject({
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      status: 'RESOLVED',
    });
    expect(f.mitre.tactics).toEqual(['TA0001']);
  });

  it('rejects malformed findings with a message saying what is missing, and ignores other events', () => {
    expect(() => fromSecurityHub({ Title: 'no id' })).toThrow(/has no Id/);
    expect(() => fromGuardDuty({ id: 'x' })).toThrow(/x has no type/);
    expect(() => findingsFromEvent(wrap('Security Hub Findings - Imported', { nope: 1 }))).toThrow(
      /detail\.findings/,
    );
    expect(findingsFromEvent(wrap('AWS API Call via CloudTrail', {}))).toBeUndefined();
  });
});
