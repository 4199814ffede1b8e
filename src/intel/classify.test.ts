import { describe, it, expect } from 'vitest';
import { parseAwsIpRanges } from './aws-ranges.js';
import { createIpClassifier } from './classify.js';
import { ipSetOf } from './ip-set.js';

const aws = parseAwsIpRanges(
  {
    syncToken: '1',
    createDate: 'x',
    prefixes: [{ ip_prefix: '52.94.0.0/22', region: 'us-east-1', service: 'AMAZON' }],
    ipv6_prefixes: [{ ipv6_prefix: '2600:1f18::/33', region: 'us-east-1', service: 'AMAZON' }],
  },
  't.json',
);
const classify = createIpClassifier(aws);

describe('createIpClassifier', () => {
  it.each([
    ['52.94.0.1', 'aws'],
    ['52.94.3.255', 'aws'],
    ['52.94.4.0', 'public'],
    ['2600:1f18::abcd', 'aws'],
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'],
    ['127.0.0.1', 'private'],
    ['169.254.169.254', 'private'],
    ['100.64.0.1', 'private'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'private'],
    ['224.0.0.1', 'private'],
    ['255.255.255.255', 'private'],
    ['::1', 'private'],
    ['fe80::1%eth0', 'private'],
    ['fd00::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:52.94.0.9', 'aws'],
    ['192.0.2.1', 'public'],
    ['198.51.100.23', 'public'],
    ['203.0.113.7', 'public'],
    ['2001:db8::1', 'public'],
    ['ec2.amazonaws.com', 'invalid'],
    ['AWS Internal', 'invalid'],
    ['', 'invalid'],
    ['1.2.3.4/32', 'invalid'],
    ['999.1.1.1', 'invalid'],
  ])('%s is %s', (ip, expected) => expect(classify(ip)).toBe(expected));

  it('works without AWS ranges, or with a plain IpSet', () => {
    expect(createIpClassifier()('52.94.0.1')).toBe('public');
    expect(createIpClassifier(ipSetOf(['8.8.8.0/24']))('8.8.8.8')).toBe('aws');
  });
});
