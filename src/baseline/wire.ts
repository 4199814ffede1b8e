import type { VigilEvent } from '../core/event.js';
import type { Observation } from './features.js';

/**
 * Observations cross from worker threads to the main thread in columns, not as objects: numbers in typed
 * arrays, strings interned once per batch and referred to by index. Structured cloning a few arrays costs a
 * fraction of cloning one object per event, and the event a finding needs is only rebuilt (lazily, from the
 * columns) for the rare observation that fires.
 */
export interface PackedObservations {
  n: number;
  /** Per observation: ts, asn (NaN when unknown). */
  num: Float64Array;
  /** Per observation: volume bits | sourceIsService << 4 | mfa (0 unknown, 1 false, 2 true) << 5 | readOnly << 7. */
  bits: Uint16Array;
  strings: string[];
  /** Per observation, STRING_FIELDS.length indexes into `strings` (0 = undefined). */
  idx: Uint32Array;
}

const OBS_FIELDS = ['principal', 'api', 'service', 'region', 'country', 'ua'] as const;
const EVENT_FIELDS = [
  'time',
  'accountId',
  'region',
  'eventName',
  'eventSource',
  'service',
  'principal',
  'principalType',
  'principalAccountId',
  'principalName',
  'sessionName',
  'accessKeyId',
  'sourceIp',
  'userAgent',
  'errorCode',
  'eventId',
] as const;
const WIDTH = OBS_FIELDS.length + EVENT_FIELDS.length;

const tri = (v: boolean | undefined) => (v === undefined ? 0 : v ? 2 : 1);
const untri = (v: number) => (v === 0 ? undefined : v === 2);

export function packObservations(list: readonly Observation[]): PackedObservations {
  const n = list.length;
  const num = new Float64Array(n * 2);
  const bits = new Uint16Array(n);
  const idx = new Uint32Array(n * WIDTH);
  const strings: string[] = [''];
  const ids = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return 0;
    let i = ids.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      ids.set(s, i);
    }
    return i;
  };
  list.forEach((o, i) => {
    num[i * 2] = o.ts;
    num[i * 2 + 1] = o.asn ?? NaN;
    const e = o.event;
    bits[i] = o.volume | (e.sourceIsService ? 16 : 0) | (tri(e.mfa) << 5) | (tri(e.readOnly) << 7);
    let k = i * WIDTH;
    for (const f of OBS_FIELDS) idx[k++] = intern(o[f]);
    for (const f of EVENT_FIELDS) idx[k++] = intern(e[f]);
  });
  return { n, num, bits, strings, idx };
}

export function unpackObservations(p: PackedObservations): Observation[] {
  const out: Observation[] = new Array(p.n);
  const str = (k: number) => (p.idx[k] === 0 ? undefined : p.strings[p.idx[k]!]);
  for (let i = 0; i < p.n; i++) {
    const base = i * WIDTH;
    const asn = p.num[i * 2 + 1]!;
    let event: Omit<VigilEvent, 'raw'> | undefined;
    const o = {
      ts: p.num[i * 2]!,
      principal: str(base)!,
      api: str(base + 1)!,
      service: str(base + 2)!,
      region: str(base + 3),
      country: str(base + 4),
      asn: Number.isNaN(asn) ? undefined : asn,
      ua: str(base + 5)!,
      volume: p.bits[i]! & 15,
      get event(): Omit<VigilEvent, 'raw'> {
        if (event) return event;
        const e: Record<string, unknown> = { source: 'cloudtrail', ts: p.num[i * 2]! };
        EVENT_FIELDS.forEach((f, j) => (e[f] = str(base + OBS_FIELDS.length + j)));
        e.sourceIsService = (p.bits[i]! & 16) !== 0;
        e.mfa = untri((p.bits[i]! >> 5) & 3);
        e.readOnly = untri((p.bits[i]! >> 7) & 3);
        event = e as unknown as Omit<VigilEvent, 'raw'>;
        return event;
      },
    };
    out[i] = o;
  }
  return out;
}
