/**
 * The numbers behind the baselines: per principal, decayed counts of each feature value it used
 * (interned ids in one typed array, sorted for binary search), its hours of activity and its hourly
 * volumes; and the population — the same counts summed over every principal kept — that serves as the
 * prior for a principal with little history and says how many principals use a value.
 */

/** Feature kinds, in the order of a profile's per-kind totals. */
export const KINDS = ['api', 'service', 'region', 'country', 'asn', 'ua'] as const;
export type Kind = (typeof KINDS)[number];
export const KIND_INDEX: Record<Kind, number> = { api: 0, service: 1, region: 2, country: 3, asn: 4, ua: 5 };

/** Volume kinds, in the order of VOLUME_* bits (features.ts). */
export const VOLUMES = ['read', 'delete', 'getObject', 'error'] as const;

// Layout of a profile's `stats`: per-kind totals, hour-of-day counts, then per volume kind the EWMA
// mean and variance of log1p(count per active hour), the current hour's count, and the busiest hour so far
// (log1p, slowly forgotten) — so a nightly batch job is judged against its own nights, not its quiet hours.
export const TOTALS = 0;
export const HOURS = KINDS.length;
export const VOL_MEAN = HOURS + 24;
export const VOL_VAR = VOL_MEAN + VOLUMES.length;
export const VOL_NOW = VOL_VAR + VOLUMES.length;
export const VOL_PEAK = VOL_NOW + VOLUMES.length;
const STATS = VOL_PEAK + VOLUMES.length;

/** A decayed count this small is forgotten: the value is new again. */
const FORGET = 0.05;

/** Feature values interned to small integers, shared by every profile. Bounded: past it, `other`. */
export class Interner {
  readonly names: string[] = [];
  readonly kinds: number[] = [];
  readonly #ids = new Map<string, number>();
  readonly #max: number;
  readonly #other: number[];

  constructor(max = 200_000) {
    this.#max = max;
    this.#other = KINDS.map((_, k) => this.#add(k, '(other)'));
  }

  #add(kind: number, value: string): number {
    const id = this.names.length;
    this.#ids.set(`${kind}\u0001${value}`, id);
    this.names.push(value);
    this.kinds.push(kind);
    return id;
  }

  id(kind: number, value: string): number {
    const id = this.#ids.get(`${kind}\u0001${value}`);
    if (id !== undefined) return id;
    return this.names.length >= this.#max ? this.#other[kind]! : this.#add(kind, value);
  }

  get size(): number {
    return this.names.length;
  }
}

/** The counts of every principal together; kept equal to the sum of the profiles held. */
export class Population {
  counts = new Float64Array(1024);
  principals = new Int32Array(1024);
  readonly totals = new Float64Array(KINDS.length);
  /** Distinct values in use per kind (for the prior's smoothing). */
  readonly values = new Int32Array(KINDS.length);
  size = 0;

  ensure(id: number): void {
    if (id < this.counts.length) return;
    let n = this.counts.length;
    while (n <= id) n *= 2;
    const c = new Float64Array(n);
    c.set(this.counts);
    this.counts = c;
    const p = new Int32Array(n);
    p.set(this.principals);
    this.principals = p;
  }
}

export class Profile {
  first: number;
  last: number;
  decayedAt: number;
  events = 0;
  /** Epoch hour of `stats[VOL_NOW…]`, and how many active hours the volume EWMAs have seen. */
  hour = -1;
  hoursSeen = 0;
  /** Volume kinds already reported this hour (bits). */
  volumeFired = 0;
  /** Sorted [id, count] pairs, `n` of them. */
  features: Float32Array = new Float32Array(16);
  n = 0;
  readonly stats = new Float32Array(STATS);

  constructor(ts: number) {
    this.first = ts;
    this.last = ts;
    this.decayedAt = ts;
  }

  /** Index of the pair with this id, or −(insertion point) − 1. */
  find(id: number): number {
    let lo = 0;
    let hi = this.n - 1;
    const f = this.features;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = f[mid * 2]!;
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  count(id: number): number {
    const i = this.find(id);
    return i >= 0 ? this.features[i * 2 + 1]! : 0;
  }

  /** Adds `by` to a value's count, keeping the population's sums. */
  add(id: number, kind: number, by: number, pop: Population): void {
    let i = this.find(id);
    if (i < 0) {
      i = -i - 1;
      if ((this.n + 1) * 2 > this.features.length) {
        const grown = new Float32Array(this.features.length * 2);
        grown.set(this.features);
        this.features = grown;
      }
      this.features.copyWithin(i * 2 + 2, i * 2, this.n * 2);
      this.features[i * 2] = id;
      this.features[i * 2 + 1] = 0;
      this.n++;
      pop.ensure(id);
      pop.principals[id] = pop.principals[id]! + 1;
      if (pop.principals[id] === 1) pop.values[kind]!++;
    }
    this.features[i * 2 + 1]! += by;
    this.stats[TOTALS + kind]! += by;
    pop.counts[id]! += by;
    pop.totals[kind]! += by;
  }

  /** Fades every count by half per `halfLife` since the last decay; forgets what fades out. */
  decay(ts: number, halfLife: number, pop: Population, kindOf: readonly number[]): void {
    const factor = Math.pow(0.5, (ts - this.decayedAt) / halfLife);
    this.decayedAt = ts;
    if (!(factor < 1)) return;
    const f = this.features;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const id = f[r * 2]!;
      const c = f[r * 2 + 1]!;
      const kept = c * factor;
      pop.counts[id] = Math.max(0, pop.counts[id]! - (c - kept));
      pop.totals[kindOf[id]!] = Math.max(0, pop.totals[kindOf[id]!]! - (c - kept));
      this.stats[TOTALS + kindOf[id]!]! -= c - kept;
      if (kept < FORGET) {
        pop.counts[id] = Math.max(0, pop.counts[id]! - kept);
        pop.totals[kindOf[id]!] = Math.max(0, pop.totals[kindOf[id]!]! - kept);
        this.stats[TOTALS + kindOf[id]!]! -= kept;
        pop.principals[id] = pop.principals[id]! - 1;
        if (pop.principals[id] === 0) pop.values[kindOf[id]!]!--;
        continue;
      }
      f[w * 2] = id;
      f[w * 2 + 1] = kept;
      w++;
    }
    this.n = w;
    for (let k = 0; k < KINDS.length; k++) this.stats[TOTALS + k] = Math.max(0, this.stats[TOTALS + k]!);
    for (let h = 0; h < 24; h++) this.stats[HOURS + h]! *= factor;
  }

  /** Takes this profile's counts out of the population (evicted or replaced). */
  remove(pop: Population, kindOf: readonly number[]): void {
    const f = this.features;
    for (let r = 0; r < this.n; r++) {
      const id = f[r * 2]!;
      const c = f[r * 2 + 1]!;
      pop.counts[id] = Math.max(0, pop.counts[id]! - c);
      pop.totals[kindOf[id]!] = Math.max(0, pop.totals[kindOf[id]!]! - c);
      if (--pop.principals[id]! === 0) pop.values[kindOf[id]!]!--;
    }
    this.n = 0;
  }

  /** Approximate bytes held (for the memory bound's report). */
  get bytes(): number {
    return 160 + this.features.byteLength + this.stats.byteLength + 2 * 96;
  }
}
