import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt cost: N (memory/CPU, a power of two), r (block size), p (parallelism). Memory is 128·N·r bytes. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 64 MiB and roughly 0.1–0.3 s per hash: memory-hard enough to make offline guessing expensive. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 16, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Stored parameters are read back from the database; bounds keep a damaged row from exhausting memory. */
const MAX_N = 2 ** 20;

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 1024;

/** Why a new password is not acceptable, or undefined when it is. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD) return `password must have at least ${MIN_PASSWORD} characters`;
  if (password.length > MAX_PASSWORD) return `password must have at most ${MAX_PASSWORD} characters`;
  return undefined;
}

/** A strong random password (144 bits, URL-safe), for the first admin when none is configured. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

function options(params: ScryptParams) {
  return { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
}

function encode(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function decode(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const powerOfTwo = Number.isInteger(N) && N >= 2 && N <= MAX_N && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16)
    return undefined;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { params: { N, r, p }, salt, key };
}

export interface Hasher {
  hash(password: string): Promise<string>;
  hashSync(password: string): string;
  /** True when `password` matches `stored`; compares in constant time with the parameters stored. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Spends the same time as a real verification, for logins of unknown users. Always false. */
  verifyNobody(password: string): Promise<boolean>;
}

/**
 * Password hashing with scrypt, a per-password random salt and the parameters stored beside the hash
 * (`scrypt$N$r$p$salt$key`), so they can be raised later without breaking existing passwords. At most
 * `concurrency` hashes run at once: each holds 128·N·r bytes, and logins must not exhaust memory.
 */
export function createHasher(params: ScryptParams = DEFAULT_SCRYPT, concurrency = 2): Hasher {
  let running = 0;
  const waiting: (() => void)[] = [];
  async function derive(password: string, salt: Buffer, p: ScryptParams, len: number): Promise<Buffer> {
    // A finishing hash hands its slot straight to the next waiter, so `running` never exceeds the cap.
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize('NFC'), salt, len, options(p), (err, key) =>
          err ? reject(err) : resolve(key),
        ),
      );
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }
  let nobody: string | undefined;
  const hasher: Hasher = {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      return encode(params, salt, await derive(password, salt, params, KEY_BYTES));
    },
    hashSync(password) {
      const salt = randomBytes(SALT_BYTES);
      return encode(params, salt, scryptSync(password.normalize('NFC'), salt, KEY_BYTES, options(params)));
    },
    async verify(password, stored) {
      const parsed = decode(stored);
      if (!parsed) return false;
      const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
      return timingSafeEqual(key, parsed.key);
    },
    async verifyNobody(password) {
      nobody ??= hasher.hashSync(generatePassword());
      await hasher.verify(password, nobody);
      return false;
    },
  };
  return hasher;
}
