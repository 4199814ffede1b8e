import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { VigilError } from '../core/errors.js';
import { createFieldGetter } from './fields/index.js';
import { describeIssues, detectionFileSchema } from './schema.js';
import { compileSigma, loadSigmaRule } from './sigma/index.js';
import type { Aggregate, Detection, FieldGetter } from './types.js';
import { packagePath } from '../core/paths.js';

export type DetectionOrigin = Detection['origin'];

/** A detection file that failed validation; `problems` lists every one, each naming its key. */
export class DetectionFileError extends VigilError {
  readonly file: string;
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super('VIGIL_RULE_INVALID', `${file}: invalid detection: ${problems.join('; ')}`);
    this.name = 'DetectionFileError';
    this.file = file;
    this.problems = problems;
  }
}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The repository's `detections/` folder (the same from `src/detect/` under vitest and `dist/detect/` after tsc). */
export function builtinDetectionsDir(): string {
  return packagePath('detections');
}

function idOf(file: string): string {
  return basename(file, extname(file));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError('VIGIL_RULE_INVALID', `${file}: cannot read: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    throw new DetectionFileError(
      file,
      doc.errors.map(
        (e) => `invalid YAML at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`,
      ),
    );
  }
  return doc.toJS();
}

/** Sequences may leave out `condition`: it is then "any step". */
function detectionBlock(
  block: Record<string, unknown>,
  aggregate: Aggregate | undefined,
): Record<string, unknown> {
  if (aggregate?.kind === 'sequence' && block.condition === undefined) {
    return { ...block, condition: aggregate.steps.map((s) => `(${s})`).join(' or ') };
  }
  return block;
}

type Raw = Record<string, unknown>;

function isMap(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the cases against the kind of detection; works on the raw data so it runs even when the schema fails. */
function checkTests(tests: unknown, stateful: boolean, problems: string[]): void {
  if (!Array.isArray(tests)) return; // the schema reports it
  let positive = false;
  let negative = false;
  tests.forEach((t: unknown, i) => {
    if (!isMap(t)) return;
    const where = `tests[${i}]${typeof t.name === 'string' ? ` "${t.name}"` : ''}`;
    if (stateful) {
      if (t.events === undefined || t.findings === undefined)
        problems.push(`${where}: a stateful detection's case needs "events" and "findings"`);
      if (t.event !== undefined || t.match !== undefined)
        problems.push(`${where}: use "events" and "findings" (not "event"/"match") for a stateful detection`);
      if (typeof t.findings === 'number') {
        if (t.findings > 0) positive = true;
        else negative = true;
      }
    } else {
      if (t.event === undefined || t.match === undefined)
        problems.push(`${where}: a case needs "event" and "match"`);
      if (t.events !== undefined || t.findings !== undefined)
        problems.push(`${where}: "events"/"findings" are only for detections with "aggregate"`);
      if (t.match === true) positive = true;
      if (t.match === false) negative = true;
    }
  });
  if (!positive) problems.push('tests: needs at least one positive case');
  if (!negative) problems.push('tests: needs at least one negative case');
}

/** Compiles the detection block and the aggregate's conditions (raw data, so it runs even when the schema fails). */
function compileChecks(block: unknown, aggregate: unknown, getField: FieldGetter, problems: string[]): void {
  if (!isMap(block)) return; // the schema reports it
  const agg = isMap(aggregate) ? aggregate : {};
  const steps = agg.kind === 'sequence' && Array.isArray(agg.steps) ? agg.steps : [];
  // A sequence without a condition: check the selections alone, then each step names its own problem.
  const checked =
    block.condition === undefined && agg.kind === 'sequence'
      ? { ...block, condition: Object.keys(block)[0] ?? 'missing' }
      : block;
  let compiled;
  try {
    compiled = compileSigma(checked, getField);
  } catch (err) {
    problems.push(`detection: ${(err as Error).message}`);
    return;
  }
  const conditions: [string, unknown][] = steps.map((s: unknown, i) => [`aggregate.steps[${i}]`, s]);
  if (agg.kind === 'first-seen' && agg.baseline !== undefined)
    conditions.push(['aggregate.baseline', agg.baseline]);
  for (const [where, expression] of conditions) {
    if (typeof expression !== 'string') continue; // the schema reports it
    try {
      compiled.compileCondition(expression);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
}

/** Validates a parsed detection file; throws one DetectionFileError listing every problem. */
export function toDetection(
  data: unknown,
  file: string,
  origin: DetectionOrigin,
  getField?: FieldGetter,
  withTests = true,
): Detection {
  const id = idOf(file);
  const problems: string[] = [];
  if (!KEBAB.test(id)) problems.push(`file name "${id}" must be kebab-case (it is the detection id)`);
  if (!isMap(data)) throw new DetectionFileError(file, [...problems, 'a detection file must be a YAML map']);
  const parsed = detectionFileSchema.safeParse(data);
  if (!parsed.success) problems.push(...describeIssues(parsed.error));
  if (withTests) checkTests(data.tests, data.aggregate !== undefined, problems);
  compileChecks(data.detection, data.aggregate, getField ?? createFieldGetter(), problems);
  if (!parsed.success || problems.length) throw new DetectionFileError(file, problems);
  const f = parsed.data;
  const aggregate = f.aggregate as Aggregate | undefined;
  return {
    id,
    title: f.title,
    type: f.type,
    severity: f.severity,
    maturity: f.maturity,
    source: f.source,
    ...(f.author !== undefined ? { author: f.author } : {}),
    description: f.description,
    mitre: f.mitre,
    detection: detectionBlock(f.detection, aggregate),
    ...(aggregate ? { aggregate } : {}),
    dedupKey: f.dedupKey,
    resources: f.resources,
    remediation: f.remediation,
    references: f.references,
    falsepositives: f.falsepositives,
    tests: f.tests,
    origin,
    file,
  };
}

/**
 * Loads and validates one detection file; its id is its file name. A plain Sigma rule (a
 * `logsource` and no `type`) goes to the Sigma loader.
 */
export function loadDetectionFile(path: string, origin: DetectionOrigin = 'user'): Detection {
  return loadText(readText(path), path, origin);
}

function loadText(
  text: string,
  file: string,
  origin: DetectionOrigin,
  getField?: FieldGetter,
  withTests = true,
): Detection {
  // A multi-document file can only be a Sigma rule (`action: global`); the Sigma loader says why it is refused.
  if (/^logsource:/m.test(text) && /^---\s*$/m.test(text.trim())) return loadSigmaRule(text, file);
  // `tests:` is the last top-level key and most of the file: a scan does not need it, so skip parsing it.
  const testsAt = withTests ? -1 : text.search(/^tests:/m);
  const data = parseYaml(testsAt >= 0 ? text.slice(0, testsAt) : text, file);
  if (testsAt >= 0 && isMap(data)) data.tests = [];
  return isPlainSigma(data)
    ? loadSigmaRule(text, file)
    : toDetection(data, file, origin, getField, withTests);
}

function isPlainSigma(data: unknown): boolean {
  return isMap(data) && 'logsource' in data && !('type' in data);
}

export interface DetectionDirResult {
  detections: Detection[];
  /** Files that could not be loaded, each with why. Loading never stops at one. */
  problems: { file: string; reason: string }[];
}

function yamlFiles(dir: string, problems: DetectionDirResult['problems']): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ file: dir, reason: `cannot read directory: ${(err as Error).message}` });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(path, problems));
    else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * Loads every `.yml`/`.yaml` under `dir` (recursively, in name order). Vigil detection files are
 * validated; plain Sigma rules (a `logsource` and no `type`) go to the Sigma loader. Every file
 * that fails, and every duplicate id, is a problem; the rest load. With `tests: false` the test
 * cases are neither parsed nor checked (a scan does not run them; `vigil rules test` does).
 */
export function loadDetectionDir(
  dir: string,
  origin: DetectionOrigin,
  options: { tests?: boolean } = {},
): DetectionDirResult {
  const result: DetectionDirResult = { detections: [], problems: [] };
  const getField = createFieldGetter();
  const seen = new Map<string, string>();
  for (const file of yamlFiles(dir, result.problems)) {
    try {
      const detection = loadText(readText(file), file, origin, getField, options.tests ?? true);
      const other = seen.get(detection.id);
      if (other !== undefined) {
        result.problems.push({ file, reason: `duplicate detection id "${detection.id}" (also in ${other})` });
        continue;
      }
      seen.set(detection.id, file);
      result.detections.push(detection);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      result.problems.push({
        file,
        reason: message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message,
      });
    }
  }
  return result;
}
