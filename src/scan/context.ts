import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import type { InputProblem } from '../core/errors.js';
import type { Detection, FieldGetter } from '../detect/types.js';
import { createFieldGetter, type FieldLookups } from '../detect/fields/index.js';
import { builtinDetectionsDir, loadDetectionDir } from '../detect/index.js';
import { createIpClassifier, loadAwsIpRanges, loadIpList } from '../intel/index.js';
import type { ContextOptions } from './options.js';

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

const REGISTERED_BLOCKS = fileURLToPath(new URL('../../data/aws-registered-blocks.txt', import.meta.url));

/**
 * AWS's addresses: the prefixes of ip-ranges.json (the shipped snapshot, or the user's file) plus the
 * blocks registered to Amazon that an old snapshot may miss (data/aws-registered-blocks.txt).
 */
function awsAddresses(file: string | undefined): { contains(ip: string): boolean } {
  const ranges = loadAwsIpRanges(file);
  const registered = loadIpList(REGISTERED_BLOCKS).set;
  return { contains: (ip) => ranges.contains(ip) || registered.lookup(ip) };
}

/** The field getter with the user's lookups: AWS IP ranges and threat lists. */
export function buildFieldGetter(options: Pick<ContextOptions, 'threatIntel' | 'awsIpRanges'>): {
  getField: FieldGetter;
  intelProblems: InputProblem[];
} {
  const intelProblems: InputProblem[] = [];
  const lists = options.threatIntel.map((file) => {
    const { set, problems } = loadIpList(file);
    intelProblems.push(...problems);
    return { name: basename(file), set };
  });
  const lookups: FieldLookups = {
    ipClass: memoize(createIpClassifier(awsAddresses(options.awsIpRanges))),
  };
  if (lists.length) {
    lookups.threatIntel = memoize((ip) => lists.find((l) => l.set.lookup(ip))?.name);
  }
  return { getField: createFieldGetter(lookups), intelProblems };
}

export function buildContext(options: ContextOptions, load: { tests?: boolean } = {}): DetectionContext {
  return { ...loadDetections(options, load), ...buildFieldGetter(options) };
}
