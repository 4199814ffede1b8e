import { afterEach, describe, expect, it } from 'vitest';
import { isWantedKey, listCandidates, partitionOf, startAfterFor } from './s3-listing.js';
import { ctKey, ctLog, startTestBucket, type TestBucket } from './s3-testing.js';

describe('s3 listing', () => {
  let bucket: TestBucket | undefined;
  afterEach(async () => {
    await bucket?.close();
    bucket = undefined;
  });

  it('finds the CloudTrail partition of a key and where its listing may start', () => {
    const key = ctKey('eu-west-1', '20260301T0005Z', 'a');
    expect(partitionOf(key)).toBe('AWSLogs/123456789012/CloudTrail/eu-west-1/');
    expect(partitionOf(`trails/o-abc123/${key}`)).toBe(
      'trails/o-abc123/AWSLogs/123456789012/CloudTrail/eu-west-1/',
    );
    expect(partitionOf('logs/file.json')).toBeUndefined();
    // The day before, across a month end.
    expect(startAfterFor(key)).toBe('AWSLogs/123456789012/CloudTrail/eu-west-1/2026/02/28/');
    expect(startAfterFor('logs/file.json')).toBe('logs/file.json');
    expect(startAfterFor(undefined)).toBeUndefined();
    expect(isWantedKey(key)).toBe(true);
    expect(isWantedKey('AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/x.json.gz')).toBe(false);
    expect(isWantedKey('AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20/x.log.gz')).toBe(
      false,
    );
    expect(isWantedKey('AWSLogs/README.txt')).toBe(false);
  });

  it('lists each partition from its own start, jumping over other services and keeping keys outside the layout', async () => {
    bucket = await startTestBucket();
    const old = ctKey('us-east-1', '20261101T0000Z', 'old');
    const keys = [
      old,
      ctKey('us-east-1', '20261119T2355Z', 'late'),
      ctKey('us-east-1', '20261120T0100Z', 'new'),
      ctKey('us-west-2', '20261101T0000Z', 'w'),
      ctKey('ap-south-1', '20261120T0100Z', 'ap', '210987654321'),
    ];
    for (const k of keys) await bucket.put(k, ctLog(['x']));
    await bucket.put(
      'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20/elb.log.gz',
      ctLog(['f']),
    );
    await bucket.put('AWSLogs/extra.json', ctLog(['e']));
    const s3 = bucket.client();
    const newest = new Map([
      ['AWSLogs/123456789012/CloudTrail/us-east-1/', ctKey('us-east-1', '20261120T0000Z', 'done')],
    ]);
    const listed = await listCandidates(s3, bucket.bucket, 'AWSLogs/', (p) => startAfterFor(newest.get(p)));
    expect(listed.map((o) => o.key)).toEqual([
      ctKey('us-east-1', '20261119T2355Z', 'late'),
      ctKey('us-east-1', '20261120T0100Z', 'new'),
      ctKey('us-west-2', '20261101T0000Z', 'w'),
      ctKey('ap-south-1', '20261120T0100Z', 'ap', '210987654321'),
      'AWSLogs/extra.json',
    ]);
    expect(listed.every((o) => o.size > 0 && o.lastModifiedMs !== undefined)).toBe(true);
    // A prefix inside one partition.
    const inside = await listCandidates(
      s3,
      bucket.bucket,
      'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/01/',
      () => undefined,
    );
    expect(inside.map((o) => o.key)).toEqual([old]);
  });
});
