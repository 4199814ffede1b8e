import { describe, it, expect } from 'vitest';
import { normalizeVpcFlow } from '../../sources/vpcflow/normalize.js';
import { normalizeS3Access } from '../../sources/s3access/normalize.js';
import { createFieldGetter } from './index.js';

function flow(extra: Record<string, unknown>) {
  return normalizeVpcFlow({
    version: 2,
    'account-id': '111122223333',
    'interface-id': 'eni-0aa11bb22cc33dd44',
    srcaddr: '10.0.1.50',
    dstaddr: '192.0.2.10',
    srcport: 40000,
    dstport: 443,
    protocol: 6,
    start: 1795168800,
    end: 1795168860,
    action: 'ACCEPT',
    'log-status': 'OK',
    ...extra,
  });
}

describe('flow fields', () => {
  const get = createFieldGetter();

  it('gives the mean packet size of a flow, rounded down', () => {
    expect(get(flow({ packets: 3, bytes: 180 }), 'vigil.flow.packetSize')).toBe(60);
    expect(get(flow({ packets: 4, bytes: 5999 }), 'vigil.flow.packetSize')).toBe(1499);
  });

  it('is absent when the record has no packet count, or zero packets', () => {
    expect(get(flow({}), 'vigil.flow.packetSize')).toBeUndefined();
    expect(get(flow({ packets: 0, bytes: 0 }), 'vigil.flow.packetSize')).toBeUndefined();
  });

  it('is absent for records of other sources', () => {
    const s3 = normalizeS3Access({ time: '2026-11-20T10:00:00Z', bytes_sent: 100, packets: 2, bytes: 100 });
    expect(get(s3, 'vigil.flow.packetSize')).toBeUndefined();
  });
});
