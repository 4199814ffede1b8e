import { describe, it, expect } from 'vitest';
import { sampleFindings } from '../testing.js';
import { OCSF_VERSION, toOcsf, writeOcsf } from './ocsf.js';
import { collectText } from './sink.js';

describe('toOcsf', () => {
  it('maps a finding to an OCSF Detection Finding', () => {
    const [f] = sampleFindings();
    const o = toOcsf(f!, { productVersion: '0.1.0' });
    expect(o).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 2,
      type_uid: 200402,
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      time: Date.parse('2026-11-20T10:03:00Z'),
      count: 3,
      finding_info: {
        uid: f!.id,
        title: f!.title,
        types: ['Stealth:IAMUser/CloudTrailLoggingDisabled'],
        first_seen_time: Date.parse('2026-11-20T10:01:00Z'),
        last_seen_time: Date.parse('2026-11-20T10:03:00Z'),
        analytic: { uid: 'cloudtrail-logging-stopped', type_id: 1 },
      },
      cloud: { provider: 'AWS', account: { uid: '123456789012' }, region: 'us-east-1' },
      actor: {
        user: { uid: 'arn:aws:iam::123456789012:user/alice', credential_uid: 'AKIAIOSFODNN7EXAMPLE' },
      },
      attacks: [{ tactic: { uid: 'TA0005', name: 'Defense Evasion' }, technique: { uid: 'T1562.008' } }],
      metadata: { version: OCSF_VERSION, product: { name: 'Vigil', vendor_name: 'Vigil', version: '0.1.0' } },
    });
    expect((o.evidences as { src_endpoint: { ip: string } }[])[0]!.src_endpoint.ip).toBe('203.0.113.7');
  });

  it('uses Create for a finding seen once and lists several tactics apart from techniques', () => {
    const root = sampleFindings().find((f) => f.detector === 'root-console-login')!;
    const o = toOcsf(root);
    expect(o.activity_id).toBe(1);
    expect(o.type_uid).toBe(200401);
    expect(o.severity_id).toBe(5);
    expect(o.attacks).toEqual([
      { tactic: { uid: 'TA0001', name: 'Initial Access' }, version: '14' },
      { tactic: { uid: 'TA0004', name: 'Privilege Escalation' }, version: '14' },
      { technique: { uid: 'T1078.004' }, version: '14' },
    ]);
  });

  it('closes resolved findings', () => {
    const o = toOcsf({ ...sampleFindings()[0]!, status: 'RESOLVED' });
    expect([o.activity_id, o.type_uid, o.status_id]).toEqual([3, 200403, 4]);
  });
});

describe('writeOcsf', () => {
  it('writes one OCSF event per line', async () => {
    const out = collectText();
    await writeOcsf(sampleFindings(), out);
    const lines = out.text().trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).class_uid)).toEqual([2004, 2004, 2004]);
  });
});
