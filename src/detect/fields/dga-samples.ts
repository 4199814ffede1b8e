/**
 * Labelled domain labels for fitting and measuring the DGA model (scripts/build-dga-model.ts and
 * dga.test.ts): benign labels built from words the way people name things (words, compounds, words
 * with digits or a brand suffix, short abbreviations) and machine-made labels in the shapes DGA
 * families produce (random letters, random letters and digits, hexadecimal hashes). Seeded, so a
 * sample set is reproducible.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const SUFFIXES = [
  'ly',
  'ify',
  'hub',
  'io',
  'lab',
  'labs',
  'app',
  'ware',
  'soft',
  'net',
  'go',
  'x',
  'now',
  'hq',
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function randomString(rand: () => number, alphabet: string, min: number, max: number): string {
  const n = min + Math.floor(rand() * (max - min + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** A benign-looking label from a pool of lower-case words. */
export function benignLabel(rand: () => number, words: readonly string[]): string {
  const word = () => pick(rand, words);
  const r = rand();
  if (r < 0.3) return word();
  if (r < 0.6) return word() + word();
  if (r < 0.7) return word() + String(Math.floor(rand() * 400));
  if (r < 0.8) return `${word()}-${word()}`;
  if (r < 0.9) return randomString(rand, LETTERS, 2, 4);
  return word() + pick(rand, SUFFIXES);
}

/** A label in one of the shapes DGA families generate. */
export function dgaLabel(rand: () => number): string {
  const r = rand();
  if (r < 0.4) return randomString(rand, LETTERS, 8, 24);
  if (r < 0.55) return randomString(rand, LETTERS, 6, 8);
  if (r < 0.8) return randomString(rand, ALNUM, 8, 24);
  return randomString(rand, HEX, 12, 32);
}
