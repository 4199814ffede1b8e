import type { InputProblem } from '../../core/errors.js';
import { loadIntelList, toSpec, type IntelListSpec, type LoadedIntelList } from './load.js';

/** The lookups detections use (FieldLookups): each answers the name of the list that matched, or undefined. */
export interface IntelLookups {
  /** The threat list the IP is on, unless a trusted list holds it (trusted wins, as in GuardDuty). */
  threatIntel(ip: string): string | undefined;
  /** The threat list holding the name or a parent domain of it, unless a trusted list covers it. */
  threatDomain(name: string): string | undefined;
  /** The trusted list the IP is on. */
  trusted(ip: string): string | undefined;
}

/**
 * Every configured list, loaded, behind lookups that always read the current version: `replace`
 * swaps one list (a reload) and clears the answer caches, so the engine sees new contents at once
 * without being rebuilt.
 */
export interface ThreatIntel extends IntelLookups {
  readonly specs: readonly IntelListSpec[];
  lists(): readonly LoadedIntelList[];
  /** Puts a newly loaded version of the list at `index` in place. */
  replace(index: number, list: LoadedIntelList): void;
}

/** Caches answers per key: the same few addresses and names recur across millions of records. */
function cached<T>(fn: (key: string) => T, max: number) {
  const cache = new Map<string, T>();
  const get = (key: string): T => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as T;
    const value = fn(key);
    if (cache.size >= max) cache.clear();
    cache.set(key, value);
    return value;
  };
  return Object.assign(get, { clear: () => cache.clear() });
}

/** Lookups over loaded lists, kept current through `replace`. */
export function createThreatIntel(
  specs: readonly IntelListSpec[],
  loaded: LoadedIntelList[],
  { cacheSize = 50_000 }: { cacheSize?: number } = {},
): ThreatIntel {
  let current = [...loaded];
  let threat = current.filter((l) => l.kind === 'threat');
  let trustedLists = current.filter((l) => l.kind === 'trusted');

  const trusted = cached((ip) => trustedLists.find((l) => l.ips.lookup(ip))?.name, cacheSize);
  const threatIntel = cached((ip) => {
    if (threat.length === 0 || trusted(ip) !== undefined) return undefined;
    return threat.find((l) => l.ips.lookup(ip))?.name;
  }, cacheSize);
  const threatDomain = cached((name) => {
    if (threat.length === 0 || trustedLists.some((l) => l.domains.match(name) !== undefined))
      return undefined;
    return threat.find((l) => l.domains.match(name) !== undefined)?.name;
  }, cacheSize);

  return {
    specs,
    lists: () => current,
    replace(index, list) {
      current = current.map((l, i) => (i === index ? list : l));
      threat = current.filter((l) => l.kind === 'threat');
      trustedLists = current.filter((l) => l.kind === 'trusted');
      trusted.clear();
      threatIntel.clear();
      threatDomain.clear();
    },
    threatIntel: (ip) => (typeof ip === 'string' ? threatIntel(ip) : undefined),
    threatDomain: (name) => (typeof name === 'string' ? threatDomain(name) : undefined),
    trusted: (ip) => (typeof ip === 'string' ? trusted(ip) : undefined),
  };
}

/**
 * Loads every configured list (plain paths or `{ path, format, name, kind }`). Bad entries are
 * problems and the rest loads; a list that cannot be read or parsed at all throws (VigilError naming
 * the file): the user named it, so running without it would hide a mistake.
 */
export function loadThreatIntel(entries: readonly (string | IntelListSpec)[]): {
  intel: ThreatIntel;
  problems: InputProblem[];
} {
  const specs = entries.map(toSpec);
  const loaded = specs.map((spec) => loadIntelList(spec));
  return { intel: createThreatIntel(specs, loaded), problems: loaded.flatMap((l) => l.problems) };
}

/** A list that did not load at all, as one problem (its message already names the file). */
export function loadProblem(spec: IntelListSpec, err: unknown): InputProblem {
  const code = (err as { code?: unknown }).code;
  return {
    file: spec.path,
    code: code === 'VIGIL_INPUT_UNREADABLE' ? 'VIGIL_INPUT_UNREADABLE' : 'VIGIL_INTEL_INVALID',
    message: (err as Error).message,
  };
}
