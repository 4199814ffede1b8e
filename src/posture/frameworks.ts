import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { isCheckId } from './check-ids.js';
import { partitionEvidence, type EvidenceNote } from './evidence.js';
import type { PostureResult } from './run.js';

/**
 * Compliance frameworks as data: one file per framework in `frameworks/` at the repository root, each
 * control mapped to the checks that decide it, or marked MANUAL with the evidence a person must supply.
 * A control whose checks only cover part of it says `coverage: partial` and is never reported as passing on
 * the checks alone: "automated checks pass; remaining evidence needed". No control without a check is ever
 * reported as compliant.
 */
export const FRAMEWORK_IDS = ['soc2', 'gdpr', 'iso27001', 'nist-800-53', 'nist-csf'] as const;
export type FrameworkId = (typeof FRAMEWORK_IDS)[number];

export function isFrameworkId(id: string): id is FrameworkId {
  return (FRAMEWORK_IDS as readonly string[]).includes(id);
}

/** The repository's `frameworks/` folder (the same from `src/posture/` under vitest and `dist/posture/`). */
export function builtinFrameworksDir(): string {
  return fileURLToPath(new URL('../../frameworks', import.meta.url));
}

const controlSchema = z
  .object({
    id: z.string().min(1),
    title: z.string().min(1),
    /** The family, category or section the control belongs to, for grouping in reports. */
    group: z.string().min(1).optional(),
    checks: z.array(z.string().min(1)).min(1).optional(),
    /** `full`: the checks decide the whole control. `partial`: they decide part; `evidence` names the rest. */
    coverage: z.enum(['full', 'partial']).optional(),
    manual: z.literal(true).optional(),
    /** What a person must supply: for MANUAL controls, and for the uncovered part of partial ones. */
    evidence: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    if (c.manual && c.checks) problem('a control is either mapped to checks or manual, not both');
    if (!c.manual && !c.checks) problem('map the control to checks or mark it `manual: true`');
    if (c.manual && !c.evidence) problem('a manual control needs `evidence` (what a person must supply)');
    if (c.manual && c.coverage) problem('`coverage` is for controls mapped to checks');
    if (c.checks && !c.coverage) problem('say `coverage: full` or `coverage: partial`');
    if (c.coverage === 'partial' && !c.evidence)
      problem('a partially covered control needs `evidence` for the part the checks do not cover');
  });

const frameworkSchema = z
  .object({
    id: z.enum(FRAMEWORK_IDS),
    name: z.string().min(1),
    version: z.string().min(1),
    /** Where the standard is published: shown as plain text, never fetched. */
    source: z.string().min(1),
    /** What the file covers and leaves out, in a sentence or two. */
    scope: z.string().min(1),
    controls: z.array(controlSchema).min(1),
  })
  .strict();

export type FrameworkControl = z.infer<typeof controlSchema>;
export type Framework = z.infer<typeof frameworkSchema>;

export class FrameworkFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid framework mapping: ${problems.join('; ')}`);
    this.name = 'FrameworkFileError';
  }
}

/**
 * Loads and validates one mapping file. Every problem is reported at once, each naming the control: an
 * unknown check id (a typo, or a check that does not exist) is an error, never a silently unmapped control.
 */
export function loadFramework(file: string): Framework {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FrameworkFileError(file, [`cannot read: ${(err as Error).message}`]);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    throw new FrameworkFileError(
      file,
      doc.errors.map(
        (e) => `invalid YAML at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`,
      ),
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = frameworkSchema.safeParse(raw);
  if (!parsed.success) {
    const controls = (raw as { controls?: { id?: unknown }[] } | null)?.controls;
    throw new FrameworkFileError(
      file,
      parsed.error.issues.map((i) => {
        const [first, index] = i.path;
        const id = first === 'controls' && typeof index === 'number' ? controls?.[index]?.id : undefined;
        const where = typeof id === 'string' ? `control ${id}` : i.path.join('.') || '(file)';
        return `${where}: ${i.message}`;
      }),
    );
  }
  const fw = parsed.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of fw.controls) {
    if (seen.has(c.id)) problems.push(`control ${c.id}: listed twice`);
    seen.add(c.id);
    for (const check of c.checks ?? []) {
      if (!isCheckId(check)) problems.push(`control ${c.id}: unknown check id "${check}"`);
    }
  }
  if (problems.length) throw new FrameworkFileError(file, problems);
  return fw;
}

export function loadBuiltinFramework(id: FrameworkId, dir = builtinFrameworksDir()): Framework {
  const fw = loadFramework(join(dir, `${id}.yaml`));
  if (fw.id !== id)
    throw new FrameworkFileError(join(dir, `${id}.yaml`), [`id is "${fw.id}", expected "${id}"`]);
  return fw;
}

export type ControlStatus = 'PASS' | 'FAIL' | 'PARTIAL' | 'UNKNOWN' | 'MANUAL-AWAITING' | 'MANUAL-EVIDENCED';
export const CONTROL_STATUSES: readonly ControlStatus[] = [
  'PASS',
  'FAIL',
  'PARTIAL',
  'UNKNOWN',
  'MANUAL-AWAITING',
  'MANUAL-EVIDENCED',
];

/** How one mapped check came out for a control. `NOT-RUN`: it was not part of this run. */
export interface MappedCheckOutcome {
  id: string;
  status: 'PASS' | 'FAIL' | 'UNKNOWN' | 'ERROR' | 'NO-RESOURCES' | 'NOT-RUN';
  pass: number;
  fail: number;
  unknown: number;
  error: number;
}

export interface ControlEvaluation {
  id: string;
  title: string;
  group?: string;
  status: ControlStatus;
  coverage: 'full' | 'partial' | 'manual';
  checks: MappedCheckOutcome[];
  /** FAIL results of the mapped checks (and ERROR / UNKNOWN ones, which explain an UNKNOWN status). */
  failing: PostureResult[];
  /** Valid (unexpired) evidence notes for this control. */
  evidence: EvidenceNote[];
  evidenceNeeded?: string;
  /** One sentence saying why the control has its status. */
  detail: string;
}

export interface FrameworkSummary {
  controls: number;
  /** Controls mapped to at least one check (fully or partially). */
  automated: number;
  /** Controls whose checks decide the whole control. */
  fullyAutomated: number;
  manual: number;
  /** automated / controls, 0–1. */
  coverage: number;
  statuses: Record<ControlStatus, number>;
}

export interface FrameworkEvaluation {
  framework: Pick<Framework, 'id' | 'name' | 'version' | 'source' | 'scope'>;
  evaluatedAt: string;
  summary: FrameworkSummary;
  controls: ControlEvaluation[];
  /** Expired evidence, evidence naming controls the framework does not have. */
  warnings: string[];
}

export interface EvaluateOptions {
  /** Ids of the checks that ran; a mapped check outside it is NOT-RUN. Default: every mapped check ran. */
  checksRun?: Iterable<string>;
}

function outcome(id: string, results: readonly PostureResult[], ran: boolean): MappedCheckOutcome {
  const o: MappedCheckOutcome = { id, status: 'NOT-RUN', pass: 0, fail: 0, unknown: 0, error: 0 };
  if (!ran) return o;
  for (const r of results) {
    if (r.status === 'PASS') o.pass++;
    else if (r.status === 'FAIL') o.fail++;
    else if (r.status === 'ERROR') o.error++;
    else o.unknown++;
  }
  o.status = o.fail ? 'FAIL' : o.error ? 'ERROR' : o.unknown ? 'UNKNOWN' : o.pass ? 'PASS' : 'NO-RESOURCES';
  return o;
}

/**
 * Decides every control of a framework from check results and evidence at `now`:
 * - FAIL: a mapped check failed on some resource (the failing results are listed);
 * - UNKNOWN: no FAIL, but a mapped check had no data, threw, or did not run — or no mapped check found
 *   anything to look at;
 * - PASS: coverage full and every mapped check passed (checks with no resources to look at are neutral);
 * - PARTIAL: coverage partial, the automated part passes, evidence for the rest is missing;
 * - MANUAL-EVIDENCED: manual (or partial with passing checks) with unexpired evidence;
 * - MANUAL-AWAITING: manual without unexpired evidence.
 */
export function evaluate(
  framework: Framework,
  results: readonly PostureResult[],
  evidence: readonly EvidenceNote[],
  now: number,
  options: EvaluateOptions = {},
): FrameworkEvaluation {
  const byCheck = new Map<string, PostureResult[]>();
  for (const r of results) {
    const list = byCheck.get(r.checkId);
    if (list) list.push(r);
    else byCheck.set(r.checkId, [r]);
  }
  const ran = options.checksRun ? new Set(options.checksRun) : undefined;

  const warnings: string[] = [];
  const mine = evidence.filter((n) => n.framework === framework.id);
  const { valid, expired } = partitionEvidence(mine, now);
  const controlIds = new Set(framework.controls.map((c) => c.id));
  for (const n of expired) {
    warnings.push(`evidence ${n.id} for ${framework.id} ${n.control} expired on ${n.expires}: ignored`);
  }
  for (const n of mine) {
    if (!controlIds.has(n.control))
      warnings.push(
        `evidence ${n.id} names ${framework.id} control ${n.control}, which does not exist: ignored`,
      );
  }

  const controls = framework.controls.map((c): ControlEvaluation => {
    const notes = valid.filter((n) => n.control === c.id);
    const base = {
      id: c.id,
      title: c.title,
      ...(c.group ? { group: c.group } : {}),
      evidence: notes,
      ...(c.evidence ? { evidenceNeeded: c.evidence } : {}),
    };
    if (c.manual) {
      return {
        ...base,
        coverage: 'manual',
        checks: [],
        failing: [],
        status: notes.length ? 'MANUAL-EVIDENCED' : 'MANUAL-AWAITING',
        detail: notes.length
          ? `No automated check; evidenced by ${notes.map((n) => n.by).join(', ')}.`
          : 'No automated check; evidence from a person is needed.',
      };
    }
    const checks = (c.checks ?? []).map((id) => outcome(id, byCheck.get(id) ?? [], !ran || ran.has(id)));
    const coverage = c.coverage ?? 'partial';
    const shared = { ...base, coverage, checks } as const;
    const failed = checks.filter((o) => o.status === 'FAIL');
    if (failed.length) {
      const failing = failed.flatMap((o) => (byCheck.get(o.id) ?? []).filter((r) => r.status === 'FAIL'));
      return {
        ...shared,
        status: 'FAIL',
        failing,
        detail: `${failing.length} resource result(s) fail ${failed.map((o) => o.id).join(', ')}.`,
      };
    }
    const undecided = checks.filter((o) => ['UNKNOWN', 'ERROR', 'NOT-RUN'].includes(o.status));
    if (undecided.length || checks.every((o) => o.status === 'NO-RESOURCES')) {
      const failing = undecided.flatMap((o) =>
        (byCheck.get(o.id) ?? []).filter((r) => r.status === 'UNKNOWN' || r.status === 'ERROR'),
      );
      const why = undecided.length
        ? undecided.map(
            (o) =>
              `${o.id} ${o.status === 'NOT-RUN' ? 'did not run' : o.status === 'ERROR' ? 'failed to run' : 'had no data'}`,
          )
        : ['no mapped check found a resource to look at'];
      return { ...shared, status: 'UNKNOWN', failing, detail: `Cannot decide: ${why.join('; ')}.` };
    }
    if (coverage === 'full') {
      return { ...shared, status: 'PASS', failing: [], detail: 'Every mapped automated check passes.' };
    }
    return notes.length
      ? {
          ...shared,
          status: 'MANUAL-EVIDENCED',
          failing: [],
          detail: `Automated checks pass; the rest is evidenced by ${notes.map((n) => n.by).join(', ')}.`,
        }
      : {
          ...shared,
          status: 'PARTIAL',
          failing: [],
          detail: 'Automated checks pass; remaining evidence needed.',
        };
  });

  const statuses = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>;
  for (const c of controls) statuses[c.status]++;
  const automated = framework.controls.filter((c) => c.checks).length;
  return {
    framework: {
      id: framework.id,
      name: framework.name,
      version: framework.version,
      source: framework.source,
      scope: framework.scope,
    },
    evaluatedAt: new Date(now).toISOString(),
    summary: {
      controls: controls.length,
      automated,
      fullyAutomated: framework.controls.filter((c) => c.coverage === 'full').length,
      manual: controls.length - automated,
      coverage: controls.length ? automated / controls.length : 0,
      statuses,
    },
    controls,
    warnings,
  };
}
