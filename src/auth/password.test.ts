import { describe, expect, it } from 'vitest';
import { createHasher, DEFAULT_SCRYPT } from './password.js';

describe('scrypt hasher', () => {
  it('stores the default parameters (64 MiB) with a random salt, and verifies in both directions', async () => {
    const hasher = createHasher();
    const a = await hasher.hash('a long enough password');
    const b = await hasher.hash('a long enough password');
    expect(a.startsWith(`scrypt$${DEFAULT_SCRYPT.N}$${DEFAULT_SCRYPT.r}$${DEFAULT_SCRYPT.p}$`)).toBe(true);
    expect(DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r * 128).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(a).not.toBe(b);
    expect(await hasher.verify('a long enough password', a)).toBe(true);
    expect(await hasher.verify('a long enough passworD', a)).toBe(false);
  });

  it('verifies with the parameters stored, not the current ones', async () => {
    const old = await createHasher({ N: 1024, r: 8, p: 1 }).hash('old parameters here');
    expect(await createHasher({ N: 4096, r: 8, p: 1 }).verify('old parameters here', old)).toBe(true);
  });

  it('rejects damaged hashes and parameters that would exhaust memory', async () => {
    const hasher = createHasher({ N: 1024, r: 8, p: 1 });
    const good = await hasher.hash('some password 123');
    const parts = good.split('$');
    for (const bad of [
      'plaintext',
      [...parts.slice(0, 1), String(2 ** 24), ...parts.slice(2)].join('$'),
      [...parts.slice(0, 1), '1000', ...parts.slice(2)].join('$'),
      [...parts.slice(0, 5), 'AAAA'].join('$'),
    ])
      expect(await hasher.verify('some password 123', bad)).toBe(false);
    expect(await hasher.verifyNobody('some password 123')).toBe(false);
  });

  it('runs every hash of a burst to completion through the concurrency cap', async () => {
    const hasher = createHasher({ N: 1024, r: 8, p: 1 }, 1);
    const hashes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => hasher.hash(`password number ${i}`)),
    );
    const checks = await Promise.all(hashes.map((h, i) => hasher.verify(`password number ${i}`, h)));
    expect(checks).toEqual([true, true, true, true, true, true]);
  });
});
