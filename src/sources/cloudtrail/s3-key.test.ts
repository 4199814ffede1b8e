import { describe, it, expect } from 'vitest';
import { dateFromS3Key, deliveryOrderKey, isDigestPath } from './s3-key.js';

describe('dateFromS3Key', () => {
  it('reads the day of an account trail key', () => {
    expect(
      dateFromS3Key(
        'logs/AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05/14/123456789012_CloudTrail_eu-west-1_20240514T0915Z_Ab12Cd34Ef56Gh78.json.gz',
      ),
    ).toBe('2024-05-14');
  });

  it('reads the day of an organization trail key and an s3:// URI', () => {
    expect(
      dateFromS3Key(
        's3://bucket/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/us-east-1/2023/12/31/x.json.gz',
      ),
    ).toBe('2023-12-31');
  });

  it('reads Insights keys and Windows separators', () => {
    expect(
      dateFromS3Key(
        'C:\\logs\\AWSLogs\\123456789012\\CloudTrail-Insight\\us-east-1\\2024\\01\\02\\f.json.gz',
      ),
    ).toBe('2024-01-02');
  });

  it('falls back to the file name when the folders were flattened', () => {
    expect(dateFromS3Key('/tmp/123456789012_CloudTrail_us-east-1_20240302T2355Z_Xy12.json.gz')).toBe(
      '2024-03-02',
    );
  });

  it.each([
    'logs/a.json',
    'AWSLogs/123456789012/CloudTrail/us-east-1/2024/5/14/f.json.gz',
    'AWSLogs/123456789012/CloudTrail/us-east-1/2024/13/01/f.json.gz',
    'AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/f.json.gz',
    '123456789012_CloudTrail_us-east-1_2024XX02T2355Z_Xy12.json.gz',
  ])('is undefined for %s', (p) => {
    expect(dateFromS3Key(p)).toBeUndefined();
  });
});

describe('isDigestPath', () => {
  it('recognises digest folders and names', () => {
    expect(isDigestPath('AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/14/f.json.gz')).toBe(true);
    expect(
      isDigestPath('/x/123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20240514T091500Z.json.gz'),
    ).toBe(true);
    expect(isDigestPath('AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/14/f.json.gz')).toBe(false);
  });
});

describe('deliveryOrderKey', () => {
  it('orders files by their delivery stamp across regions, then by day folder, unknown first', () => {
    const files = [
      'AWSLogs/1/CloudTrail/ap-southeast-1/2026/11/20/1_CloudTrail_ap-southeast-1_20261120T0235Z_aaaa.json.gz',
      'AWSLogs/1/CloudTrail/us-east-1/2026/11/19/1_CloudTrail_us-east-1_20261119T0005Z_bbbb.json.gz',
      'AWSLogs/1/CloudTrail/us-east-1/2026/11/20/1_CloudTrail_us-east-1_20261120T0230Z_cccc.json.gz',
      'AWSLogs/1/CloudTrail/us-west-2/2026/11/18/renamed.json.gz',
      'export.jsonl',
    ];
    const sorted = [...files].sort((a, b) =>
      deliveryOrderKey(a) < deliveryOrderKey(b) ? -1 : deliveryOrderKey(a) > deliveryOrderKey(b) ? 1 : 0,
    );
    expect(sorted).toEqual([files[4], files[3], files[1], files[2], files[0]]);
    expect(deliveryOrderKey(files[0]!)).toBe('20261120T0235');
    expect(deliveryOrderKey(files[3]!)).toBe('20261118T0000');
  });
});
