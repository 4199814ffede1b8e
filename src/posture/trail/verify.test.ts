import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parsePublicKeys, TrailKeyError } from './keys.js';
import {
  FIRST_START,
  logKey,
  logRecords,
  makeKeyPair,
  makeTrail,
  publicKeysJson,
  type TrailFixture,
} from './testing.js';
import { TrailLayoutError, verifyTrail, type VerifyTrailOptions } from './verify.js';

const HOUR = 3_600_000;

function verify(t: TrailFixture, options: Partial<VerifyTrailOptions> = {}) {
  return verifyTrail({
    root: t.root,
    publicKeys: parsePublicKeys(readFileSync(t.keysFile, 'utf8')),
    ...options,
  });
}

const statuses = (items: { status: string }[]) => items.map((i) => i.status);

describe('verifyTrail', () => {
  it('validates an intact chain of three digests and their six log files', async () => {
    const t = makeTrail();
    const r = await verify(t);
    expect(statuses(r.digests)).toEqual(['valid', 'valid', 'valid']);
    expect(r.digests.map((d) => d.key)).toEqual(t.digests.map((d) => d.key));
    expect(r.digests[0]!.bucket).toBe('org-trail-bucket');
    expect(statuses(r.logFiles)).toEqual(Array(6).fill('valid'));
    expect(r.unreferenced).toEqual([]);
    expect(r.gaps).toEqual([]);
    expect(r.found).toEqual({ start: '2025-03-04T01:01:31Z', end: '2025-03-04T04:01:31Z' });
    expect(r.ok).toBe(true);
  });

  it('reports a log file whose content changed after delivery', async () => {
    const t = makeTrail();
    const log = t.logs[3]!;
    const records = JSON.parse(gunzipSync(readFileSync(log.path)).toString()) as { Records: object[] };
    records.Records.pop(); // an attacker removes the record of what they did
    writeFileSync(log.path, gzipSync(JSON.stringify(records)));
    const r = await verify(t);
    expect(statuses(r.digests)).toEqual(['valid', 'valid', 'valid']);
    const bad = r.logFiles.filter((l) => l.status !== 'valid');
    expect(bad).toEqual([
      expect.objectContaining({ status: 'modified', key: log.key, reason: "hash value doesn't match" }),
    ]);
    expect(r.ok).toBe(false);
  });

  it('reports a log file replaced by something that is not gzip', async () => {
    const t = makeTrail();
    writeFileSync(t.logs[0]!.path, '{"Records":[]}');
    const r = await verify(t);
    expect(r.logFiles[0]).toMatchObject({
      status: 'modified',
      reason: expect.stringMatching(/not a gzip file/),
    });
  });

  it('reports a deleted log file', async () => {
    const t = makeTrail();
    rmSync(t.logs[5]!.path);
    const r = await verify(t);
    expect(r.logFiles.filter((l) => l.status !== 'valid')).toEqual([
      expect.objectContaining({ status: 'deleted', key: t.logs[5]!.key, digest: t.digests[2]!.key }),
    ]);
    expect(r.ok).toBe(false);
  });

  it('detects a deleted digest in the middle of the chain, and the log files it vouched for', async () => {
    const t = makeTrail();
    rmSync(t.digests[1]!.path);
    rmSync(`${t.digests[1]!.path}.metadata.json`);
    const r = await verify(t);
    expect(r.digests.map((d) => [d.key, d.status])).toEqual([
      [t.digests[0]!.key, 'valid'],
      [t.digests[1]!.key, 'missing'],
      [t.digests[2]!.key, 'valid'],
    ]);
    expect(r.digests[1]!.reason).toContain(t.digests[2]!.key);
    // Its log files are still on disk, but no verified digest vouches for them any more.
    expect(r.unreferenced.map((u) => u.key)).toEqual(t.logs.filter((l) => l.digest === 1).map((l) => l.key));
    expect(statuses(r.logFiles)).toEqual(Array(4).fill('valid'));
    expect(r.ok).toBe(false);
  });

  it('rejects a tampered digest by its signature and does not trust the log files it lists', async () => {
    const t = makeTrail();
    const d = t.digests[1]!;
    const data = JSON.parse(gunzipSync(readFileSync(d.path)).toString()) as { logFiles: unknown[] };
    data.logFiles.pop(); // hide a log file from validation
    writeFileSync(d.path, gzipSync(JSON.stringify(data)));
    const r = await verify(t);
    expect(r.digests.map((x) => [x.key, x.status])).toEqual([
      [t.digests[0]!.key, 'valid'],
      [d.key, 'invalid-signature'],
      // Its successor is authentic: the failure is the tampered file's alone.
      [t.digests[2]!.key, 'valid'],
    ]);
    expect(r.logFiles).toHaveLength(4);
    expect(r.unreferenced).toHaveLength(2);
    expect(r.ok).toBe(false);
  });

  it('detects digest files swapped in place as a broken chain', async () => {
    const t = makeTrail();
    const [a, b] = [t.digests[0]!, t.digests[1]!];
    // Move each file with its own signature, so every digest still verifies on its own.
    const tmp = join(t.root, 'swap.tmp');
    renameSync(a.path, tmp);
    renameSync(b.path, a.path);
    renameSync(tmp, b.path);
    renameSync(`${a.path}.sig`, tmp);
    renameSync(`${b.path}.metadata.json`, `${a.path}.metadata.json`);
    renameSync(tmp, `${b.path}.sig`);
    const r = await verify(t);
    expect(statuses(r.digests)).toEqual(['chain-broken', 'chain-broken', 'chain-broken']);
    expect(r.digests[0]!.reason).toMatch(/moved or reordered/);
    expect(r.digests[2]!.reason).toMatch(/previousDigestHashValue does not match/);
    expect(r.found).toBeUndefined();
    expect(r.ok).toBe(false);
  });

  it('detects a digest re-signed by someone else but linked with the old signature', async () => {
    // An attacker with their own key replaces digest 2 and lists their key: digest 3 still records the
    // original signature, so the link breaks even where the attacker's key is trusted by mistake.
    const t = makeTrail();
    const rogue = makeKeyPair();
    const forged = makeTrail({ count: 2, keys: rogue });
    renameSync(forged.digests[1]!.path, t.digests[1]!.path);
    rmSync(`${t.digests[1]!.path}.metadata.json`);
    renameSync(`${forged.digests[1]!.path}.metadata.json`, `${t.digests[1]!.path}.metadata.json`);
    const keys = [
      ...parsePublicKeys(readFileSync(t.keysFile, 'utf8')),
      ...parsePublicKeys(publicKeysJson([rogue])),
    ];
    const r = await verifyTrail({ root: t.root, publicKeys: keys });
    expect(r.digests[2]).toMatchObject({
      status: 'chain-broken',
      reason: expect.stringMatching(/does not match/),
    });
    expect(r.ok).toBe(false);
  });

  it('fails every digest against a different public key', async () => {
    const t = makeTrail();
    const other = makeKeyPair();
    // The same fingerprint with another key: the signature check itself fails.
    const sameFingerprint = parsePublicKeys(
      publicKeysJson([{ der: other.der, fingerprint: t.keys.fingerprint }]),
    );
    const r1 = await verify(t, { publicKeys: sameFingerprint });
    expect(statuses(r1.digests)).toEqual(['invalid-signature', 'invalid-signature', 'invalid-signature']);
    expect(r1.logFiles).toEqual([]);
    expect(r1.unreferenced).toHaveLength(6);
    // Another fingerprint: no key to check with.
    const r2 = await verify(t, { publicKeys: parsePublicKeys(publicKeysJson([other])) });
    expect(statuses(r2.digests)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(r2.digests[0]!.reason).toMatch(/no public key with fingerprint/);
  });

  it('rejects a digest signed by a key outside its validity window', async () => {
    const t = makeTrail();
    const expired = publicKeysJson([
      { ...t.keys, from: Date.parse('2024-01-01T00:00:00Z'), to: Date.parse('2024-12-31T00:00:00Z') },
    ]);
    const r = await verify(t, { publicKeys: parsePublicKeys(expired) });
    expect(statuses(r.digests)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(r.digests[0]!.reason).toMatch(/valid from 2024-01-01T00:00:00.000Z to 2024-12-31T00:00:00.000Z/);
    // Rotated within the hour after the digest's end, when CloudTrail signs it: still accepted.
    const rotated = publicKeysJson([{ ...t.keys, from: FIRST_START + HOUR + 30 * 60_000 }]);
    const r2 = await verify(t, { publicKeys: parsePublicKeys(rotated) });
    expect(r2.digests[0]!.status).toBe('valid');
  });

  it('marks a digest without its signature beside it invalid', async () => {
    const t = makeTrail();
    rmSync(`${t.digests[2]!.path}.sig`);
    const r = await verify(t);
    expect(r.digests[2]).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/no signature/) });
  });

  it('checks only digests in the requested range, and not missing predecessors before it', async () => {
    const t = makeTrail();
    rmSync(t.digests[0]!.path);
    const r = await verify(t, { startTime: FIRST_START + 2 * HOUR - 60_000 });
    expect(r.digests.map((d) => d.key)).toEqual([t.digests[1]!.key, t.digests[2]!.key]);
    expect(r.ok).toBe(true);
    expect(r.requested.start).toBe('2025-03-04T03:00:31Z');
    const last = await verify(t, {
      startTime: FIRST_START + 3 * HOUR - 60_000,
      endTime: FIRST_START + 3 * HOUR,
    });
    expect(last.digests.map((d) => d.key)).toEqual([t.digests[2]!.key]);
  });

  it('warns about log files no digest lists, within the span the digests cover only', async () => {
    const t = makeTrail();
    const inside = logKey(FIRST_START + 90 * 60_000, 'injectedAbc');
    const after = logKey(FIRST_START + 5 * HOUR, 'laterDeliveryXyz');
    for (const key of [inside, after]) writeFileSync(t.path(key), gzipSync(logRecords(FIRST_START, 1)));
    const r = await verify(t);
    expect(r.unreferenced.map((u) => u.key)).toEqual([inside]);
    expect(r.ok).toBe(true);
  });

  it('notes a chain that restarts (validation was off) without counting it invalid', async () => {
    const t = makeTrail({ restartAt: 2 });
    const r = await verify(t);
    expect(statuses(r.digests)).toEqual(['valid', 'valid', 'valid']);
    expect(r.gaps).toEqual([
      { from: '2025-03-04T03:01:31Z', to: '2025-03-04T05:01:31Z', digest: t.digests[2]!.key },
    ]);
    expect(r.ok).toBe(true);
  });

  it('refuses a folder without the AWSLogs layout', async () => {
    const t = makeTrail();
    await expect(verify(t, { root: join(t.root, 'AWSLogs', '111122223333', 'nowhere') })).rejects.toThrow();
    rmSync(join(t.root, 'AWSLogs'), { recursive: true });
    await expect(verify(t)).rejects.toBeInstanceOf(TrailLayoutError);
  });

  it('accepts the AWSLogs folder itself, or a parent with a key prefix, as the root', async () => {
    const t = makeTrail();
    const r = await verify(t, { root: join(t.root, 'AWSLogs') });
    expect(r.ok).toBe(true);
    expect(r.digests).toHaveLength(3);
  });
});

describe('parsePublicKeys', () => {
  it('reads list-public-keys output with epoch seconds or ISO times, PKCS#1 or SPKI keys', () => {
    const pair = makeKeyPair();
    const spki = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const keys = parsePublicKeys(
      JSON.stringify({
        PublicKeyList: [
          {
            Value: pair.der.toString('base64'),
            ValidityStartTime: 1735689600,
            ValidityEndTime: 1738368000,
            Fingerprint: pair.fingerprint.toUpperCase(),
          },
          {
            Value: spki.toString('base64'),
            ValidityStartTime: '2025-01-01T00:00:00+00:00',
            ValidityEndTime: '2025-02-01T00:00:00Z',
          },
        ],
      }),
    );
    expect(keys[0]).toMatchObject({
      fingerprint: pair.fingerprint,
      validFrom: Date.parse('2025-01-01T00:00:00Z'),
    });
    expect(keys[1]!.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]!.validTo).toBe(Date.parse('2025-02-01T00:00:00Z'));
  });

  it('names what is wrong with a file that is not list-public-keys output', () => {
    expect(() => parsePublicKeys('nope')).toThrow(TrailKeyError);
    expect(() => parsePublicKeys('{"Keys": []}')).toThrow(/PublicKeyList/);
    expect(() =>
      parsePublicKeys('{"PublicKeyList": [{"Value": "AAAA", "ValidityStartTime": 1, "ValidityEndTime": 2}]}'),
    ).toThrow(/PublicKeyList\[0\]\.Value is not a DER-encoded RSA public key/);
    const pair = makeKeyPair();
    expect(() =>
      parsePublicKeys(
        JSON.stringify({
          PublicKeyList: [{ Value: pair.der.toString('base64'), ValidityStartTime: 'soon' }],
        }),
      ),
    ).toThrow(/ValidityStartTime is not a time/);
  });
});
