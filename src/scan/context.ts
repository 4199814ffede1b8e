import type { InputProblem } from '../core/errors.js';
import type { FindingActor } from '../core/finding.js';
import { createEnrichment } from '../enrich/index.js';
import type { Detection, FieldGetter } from '../detect/types.js';
import { createFieldGetter, type FieldLookups } from '../detect/fields/index.js';
import { builtinDetectionsDir, loadDetectionDir } from '../detect/index.js';
import {
  createIpClassifier,
  loadAwsIpRanges,
  loadIpList,
  loadThreatIntel,
  type ThreatIntel,
  type AwsIpRanges,
} from '../intel/index.js';
import type { GeoLookup } from '../baseline/index.js';
import type { ContextOptions } from './options.js';
import { packagePath } from '../core/paths.js';

export interface RuleProblem {
  file: string;
  reason: string;
}

/** Everything detection needs, built the same way on the main thread and in every worker. */
export interface DetectionContext {
  detections: Detection[];
  /** Detections that exist but are off (experimental without --experimental). */
  disabled: Detection[];
  ruleProblems: RuleProblem[];
  intelProblems: InputProblem[];
  getField: FieldGetter;
  /** The loaded threat and trusted lists, when any is configured: `serve` watches them for changes. */
  intel?: ThreatIntel;
  /** Location and AS of an actor's IP, for findings' `actor.geo` (src/enrich). */
  actorGeo?: (ip: string) => FindingActor['geo'] | undefined;
  /** Country and AS number of an IP, for behavioural baselines (src/baseline); absent without geo data. */
  geo?: GeoLookup;
}

/** Caches lookups per IP: the same few addresses recur across millions of records. */
function memoize<T>(fn: (ip: string) => T, max = 50_000): (ip: string) => T {
  const cache = new Map<string, T>();
  return (ip) => {
    const hit = cache.get(ip);
    if (hit !== undefined || cache.has(ip)) return hit as T;
    const value = fn(ip);
    if (cache.size >= max) cache.clear();
    cache.set(ip, value);
    return value;
  };
}

/**
 * Built-in detections run when stable; experimental ones only with --experimental. Detections and
 * Sigma rules the user names with --rules run whatever their maturity: naming them is the choice.
 */
export function isOnByDefault(d: Detection): boolean {
  return d.origin !== 'builtin' || d.maturity === 'stable';
}

export interface LoadedDetections {
  detections: Detection[];
  /** Detections that exist but are off (experimental without --experimental). */
  disabled: Detection[];
  ruleProblems: RuleProblem[];
}

/** Loads the built-in catalogue and the --rules folders; every rule that cannot load is a problem, not a stop. */
export function loadDetections(
  options: Pick<ContextOptions, 'ruleDirs' | 'builtin' | 'experimental'>,
  { tests = false }: { tests?: boolean } = {},
): LoadedDetections {
  const ruleProblems: RuleProblem[] = [];
  const all: Detection[] = [];
  const dirs: { dir: string; origin: 'builtin' | 'user' }[] = [];
  if (options.builtin) dirs.push({ dir: builtinDetectionsDir(), origin: 'builtin' });
  for (const dir of options.ruleDirs) dirs.push({ dir, origin: 'user' });
  const seen = new Set<string>();
  for (const { dir, origin } of dirs) {
    const loaded = loadDetectionDir(dir, origin, { tests });
    ruleProblems.push(...loaded.problems);
    for (const d of loaded.detections) {
      if (seen.has(d.id)) {
        ruleProblems.push({ file: d.file, reason: `duplicate detection id "${d.id}": already loaded` });
        continue;
      }
      seen.add(d.id);
      all.push(d);
    }
  }
  const detections = all.filter((d) => options.experimental || isOnByDefault(d));
  const disabled = all.filter((d) => !detections.includes(d));
  return { detections, disabled, ruleProblems };
}

const REGISTERED_BLOCKS = packagePath('data/aws-registered-blocks.txt');

/**
 * AWS's addresses: the prefixes of ip-ranges.json (the shipped snapshot, or the user's file) plus the
 * blocks registered to Amazon that an old snapshot may miss (data/aws-registered-blocks.txt).
 */
function awsAddresses(ranges: AwsIpRanges): { contains(ip: string): boolean } {
  const registered = loadIpList(REGISTERED_BLOCKS).set;
  return { contains: (ip) => ranges.contains(ip) || registered.lookup(ip) };
}

/**
 * The field getter with the user's lookups: AWS IP ranges, threat and trusted lists. The list lookups
 * read the lists' current version, so a reload (watchIntel on `intel`) reaches the engine at once.
 */
export function buildFieldGetter(
  options: Pick<ContextOptions, 'threatIntel' | 'awsIpRanges' | 'geo' | 'torExits'>,
): {
  getField: FieldGetter;
  intelProblems: InputProblem[];
  intel?: ThreatIntel;
  /** Location and AS of an actor's IP, for findings (src/enrich). */
  actorGeo?: (ip: string) => FindingActor['geo'] | undefined;
  /** The same lookup (and cache) as the `vigil.geo.*` fields, for behavioural baselines. */
  geo?: GeoLookup;
} {
  const ranges = loadAwsIpRanges(options.awsIpRanges);
  const enrich = createEnrichment({ geo: options.geo, torExits: options.torExits, awsIpRanges: ranges });
  const { geo, isTorExit, awsService } = enrich.lookups;
  const lookups: FieldLookups = {
    ipClass: memoize(createIpClassifier(awsAddresses(ranges))),
    awsService: memoize(awsService),
    ...(geo ? { geo: memoize(geo) } : {}),
    ...(isTorExit ? { isTorExit } : {}),
  };
  const actorGeo = memoize((ip: string) => enrich.actorGeo(ip));
  const base = { actorGeo, ...(lookups.geo ? { geo: lookups.geo } : {}) };
  if (options.threatIntel.length === 0)
    return { getField: createFieldGetter(lookups), intelProblems: [], ...base };
  const { intel, problems } = loadThreatIntel(options.threatIntel);
  lookups.threatIntel = intel.threatIntel;
  lookups.threatDomain = intel.threatDomain;
  lookups.trusted = intel.trusted;
  return { getField: createFieldGetter(lookups), intelProblems: problems, intel, ...base };
}

export function buildContext(options: ContextOptions, load: { tests?: boolean } = {}): DetectionContext {
  return { ...loadDetections(options, load), ...buildFieldGetter(options) };
}
