import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSnapshot, parseSnapshot, SnapshotError, writeSnapshot } from './snapshot.js';
import type { PostureSnapshot } from './types.js';

const DEMO = new URL('../../demo/posture/snapshot.json', import.meta.url).pathname;

const minimal = (): PostureSnapshot => ({
  format: 'vigil-posture-snapshot',
  version: 1,
  collectedAt: '2026-11-25T12:00:00.000Z',
  collector: 'vigil 0.1.0',
  accounts: [{ accountId: '111122223333', regions: [{ region: 'us-east-1' }] }],
  errors: [],
});

const refused = (json: string) => {
  try {
    parseSnapshot(json, 'snap.json');
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('parseSnapshot', () => {
  it('refuses text that is not JSON, naming the file', () => {
    expect(refused('{"format": ')).toMatch(/^snap\.json: not JSON/);
  });

  it('refuses another format', () => {
    expect(refused(JSON.stringify({ Records: [] }))).toMatch(
      /^snap\.json: not a Vigil posture snapshot \(format missing/,
    );
    expect(refused(JSON.stringify({ ...minimal(), format: 'prowler' }))).toMatch(/format "prowler"/);
  });

  it('refuses a version newer than it reads, and a nonsense version', () => {
    expect(refused(JSON.stringify({ ...minimal(), version: 2 }))).toMatch(
      /version 2 is newer than this Vigil reads \(up to 1\); upgrade Vigil/,
    );
    expect(refused(JSON.stringify({ ...minimal(), version: '1' }))).toMatch(/version "1" is not valid/);
  });

  it('refuses a snapshot without accounts', () => {
    const { accounts: _, ...rest } = minimal();
    expect(refused(JSON.stringify(rest))).toMatch(/has no "accounts" list/);
  });

  it('names where the structure is wrong', () => {
    const snap = minimal() as unknown as { accounts: { accountId: string; s3?: unknown }[] };
    snap.accounts[0]!.accountId = '1234';
    snap.accounts[0]!.s3 = { buckets: [{ Name: 'b' }] };
    const message = refused(JSON.stringify(snap));
    expect(message).toMatch(/accounts\[0\]\.accountId: expected a 12-digit AWS account id/);
    expect(message).toMatch(/accounts\[0\]\.s3\.buckets\[0\]\.Region: Required/);
  });

  it('keeps AWS fields it does not know, and null apart from absent', () => {
    const snap = minimal();
    snap.accounts[0]!.s3 = {
      accountPublicAccessBlock: null,
      buckets: [{ Name: 'b', Region: 'us-east-1', Policy: null, NewAwsField: { x: 1 } } as never],
    };
    const back = parseSnapshot(JSON.stringify(snap), 'snap.json');
    expect(back.accounts[0]!.s3!.accountPublicAccessBlock).toBeNull();
    expect(back.accounts[0]!.s3!.buckets[0]).toEqual({
      Name: 'b',
      Region: 'us-east-1',
      Policy: null,
      NewAwsField: { x: 1 },
    });
    expect(back.accounts[0]!.iam).toBeUndefined();
  });
});

describe('loadSnapshot / writeSnapshot', () => {
  it('writes a snapshot that loads back identical, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-snap-'));
    const file = join(dir, 'snapshot.json');
    await writeSnapshot(file, minimal());
    expect(await loadSnapshot(file)).toEqual(minimal());
    expect(readdirSync(dir)).toEqual(['snapshot.json']);
  });

  it('says which file cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-snap-'));
    await expect(loadSnapshot(join(dir, 'missing.json'))).rejects.toThrow(
      /missing\.json: cannot read the snapshot/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, 'not json');
    await expect(loadSnapshot(bad)).rejects.toThrow(`${bad}: not JSON`);
  });
});

describe('the demo snapshot', () => {
  it('loads, and holds the cases the README describes', async () => {
    const snap = await loadSnapshot(DEMO);
    const account = snap.accounts[0]!;
    expect(account).toMatchObject({ accountId: '123456789012', alias: 'acme-prod' });
    expect(account.regions.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(account.s3!.buckets).toHaveLength(10);
    expect(account.iam!.credentialReport!.map((r) => r.user)).toEqual([
      '<root_account>',
      ...account.iam!.authorizationDetails!.UserDetailList.map((u) => u.UserName),
    ]);
    // Every bucket named in the errors exists, and an error's data is absent rather than null.
    const exports = account.s3!.buckets.find((b) => b.Name === 'acme-data-exports')!;
    expect(snap.errors.some((e) => e.resource === 'acme-data-exports' && e.code === 'AccessDenied')).toBe(
      true,
    );
    expect(exports).not.toHaveProperty('Policy');
    // Dates stay before the collection time.
    const collected = Date.parse(snap.collectedAt);
    const dates = readFileSync(DEMO, 'utf8').match(/20\d\d-\d\d-\d\dT[\d:.]+(Z|\+00:00)/g)!;
    const future = dates.filter((d) => Date.parse(d) > collected && !d.startsWith('2026-12-02'));
    expect(future).toEqual([]);
  });
});
