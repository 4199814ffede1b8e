import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FLOW_FIELDS_V2, FLOW_FIELDS_V5 } from './output.js';
import { simulate, type Labels } from './simulate.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(seed: string): { root: string; labels: Labels } {
  const root = mkdtempSync(join(tmpdir(), 'vigil-sim-'));
  dirs.push(root);
  return { root, labels: simulate({ out: root, days: 2, seed, scale: 'small' }).labels };
}

function files(root: string): string[] {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

const digest = (root: string) => {
  const h = createHash('sha256');
  for (const f of files(root)) h.update(f).update(readFileSync(join(root, f)));
  return h.digest('hex');
};

describe('vigil simulate', () => {
  const a = run('same');

  it('is deterministic: the same seed writes byte-identical files, another seed does not', () => {
    expect(digest(run('same').root)).toBe(digest(a.root));
    expect(digest(run('other').root)).not.toBe(digest(a.root));
  });

  it("writes AWS's S3 layouts: CloudTrail JSON, flow logs with a header (v2 and v5), Resolver JSON lines", () => {
    const all = files(a.root);
    const ct = all.filter((f) => f.includes('/CloudTrail/'));
    const flow = all.filter((f) => f.includes('/vpcflowlogs/'));
    const dns = all.filter((f) => f.includes('/vpcdnsquerylogs/'));
    expect(
      ct.every((f) =>
        /^AWSLogs\/123456789012\/CloudTrail\/[a-z0-9-]+\/\d{4}\/\d\d\/\d\d\/123456789012_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/.test(
          f,
        ),
      ),
    ).toBe(true);
    expect(
      flow.every((f) =>
        /^AWSLogs\/123456789012\/vpcflowlogs\/[a-z0-9-]+\/\d{4}\/\d\d\/\d\d\/123456789012_vpcflowlogs_[a-z0-9-]+_fl-[0-9a-f]+_\d{8}T\d{4}Z_[0-9a-f]{8}\.log\.gz$/.test(
          f,
        ),
      ),
    ).toBe(true);
    expect(
      dns.every((f) =>
        /^AWSLogs\/123456789012\/vpcdnsquerylogs\/vpc-[0-9a-f]+\/\d{4}\/\d\d\/\d\d\/.+\.log\.gz$/.test(f),
      ),
    ).toBe(true);
    expect(ct.length && flow.length && dns.length).toBeGreaterThan(0);

    const headers = new Set(
      flow.map(
        (f) =>
          gunzipSync(readFileSync(join(a.root, f)))
            .toString()
            .split('\n')[0],
      ),
    );
    expect([...headers].sort()).toEqual([FLOW_FIELDS_V2.join(' '), FLOW_FIELDS_V5.join(' ')].sort());
    const line = gunzipSync(readFileSync(join(a.root, dns[0]!)))
      .toString()
      .split('\n')[0]!;
    expect(JSON.parse(line)).toMatchObject({
      account_id: '123456789012',
      query_class: 'IN',
      srcids: { instance: expect.stringMatching(/^i-/) },
    });
    const records = JSON.parse(gunzipSync(readFileSync(join(a.root, ct[0]!))).toString()).Records;
    expect(records[0]).toMatchObject({ eventVersion: '1.09', recipientAccountId: '123456789012' });
  });

  it('labels every scenario with records that are in the files, and counts benign records', () => {
    const { labels } = a;
    expect(labels.scenarios.map((s) => s.kind)).toEqual(
      expect.arrayContaining([
        'reconnaissance',
        'crypto-mining',
        'exfiltration',
        'privilege-escalation',
        'network-intrusion',
        'defense-evasion',
        'credential-misuse',
      ]),
    );
    const ctIds = new Set<string>();
    const flowLines = new Set<string>();
    const dnsLines = new Set<string>();
    for (const f of files(a.root)) {
      if (!f.endsWith('.gz')) continue;
      const text = gunzipSync(readFileSync(join(a.root, f))).toString();
      if (f.includes('/CloudTrail/')) for (const r of JSON.parse(text).Records) ctIds.add(r.eventID);
      else if (f.includes('/vpcflowlogs/'))
        text
          .split('\n')
          .slice(1)
          .forEach((l) => flowLines.add(l));
      else text.split('\n').forEach((l) => dnsLines.add(l));
    }
    expect(labels.totals.records).toBe(ctIds.size + flowLines.size - 1 + dnsLines.size - 1);
    expect(labels.totals.benign).toBe(labels.totals.records - labels.totals.malicious);
    for (const s of labels.scenarios) {
      const n = s.records.cloudtrail.length + s.records.vpcflow.length + s.records.dns.length;
      expect(n, s.id).toBeGreaterThan(0);
      expect(s.actors.length, s.id).toBeGreaterThan(0);
      expect(Date.parse(s.start)).toBeLessThanOrEqual(Date.parse(s.end));
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(Date.parse(labels.generator.start));
      expect(Date.parse(s.end)).toBeLessThanOrEqual(Date.parse(labels.generator.end));
      for (const id of s.records.cloudtrail) expect(ctIds.has(id), id).toBe(true);
      for (const r of s.records.vpcflow) {
        const fields = r.version === 2 ? FLOW_FIELDS_V2 : FLOW_FIELDS_V5;
        expect(flowLines.has(fields.map((k) => (r[k] === undefined ? '-' : String(r[k]))).join(' '))).toBe(
          true,
        );
      }
      for (const r of s.records.dns) expect(dnsLines.has(JSON.stringify(r))).toBe(true);
    }
    const threat = readFileSync(join(a.root, labels.files.threatList), 'utf8');
    expect(threat).toContain('45.137.21.9');
  });
});
