// Seeded pseudo-random generator (sfc32) with the helpers the corpus generator needs.
// Deterministic: the same seed always gives the same sequence, on every platform.

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Hashes a string seed into four 32-bit words (cyrb128-style mixing). */
function seedWords(seed) {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/**
 * @param {string} seed
 */
export function createPrng(seed) {
  let [a, b, c, d] = seedWords(String(seed));
  function next32() {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  }
  for (let i = 0; i < 15; i++) next32();

  const rng = {
    /** Float in [0, 1). */
    next: () => next32() / 4294967296,
    /** Integer in [0, n). */
    int: (n) => Math.floor((next32() / 4294967296) * n),
    /** Integer in [lo, hi]. */
    range: (lo, hi) => lo + Math.floor((next32() / 4294967296) * (hi - lo + 1)),
    chance: (p) => next32() / 4294967296 < p,
    pick: (arr) => arr[Math.floor((next32() / 4294967296) * arr.length)],
    hex: (n) => chars(HEX, n),
    alnum: (n) => chars(ALNUM, n),
    /** Upper-case base32-like characters, as in AWS ids (AKIA…, AROA…). */
    awsId: (n) => chars(UPPER_ALNUM, n),
    digits: (n) => chars('0123456789', n),
    uuid: () => {
      const h = chars(HEX, 32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${HEX[8 + (next32() & 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    /** Builds a picker over `[value, weight]` pairs (binary search on cumulative weights). */
    weighted: (pairs) => {
      const cumulative = [];
      let total = 0;
      for (const [, w] of pairs) {
        total += w;
        cumulative.push(total);
      }
      return () => {
        const x = (next32() / 4294967296) * total;
        let lo = 0;
        let hi = cumulative.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cumulative[mid] > x) hi = mid;
          else lo = mid + 1;
        }
        return pairs[lo][0];
      };
    },
  };

  function chars(alphabet, n) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor((next32() / 4294967296) * alphabet.length)];
    return s;
  }

  return rng;
}
