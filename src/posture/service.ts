import { statSync } from 'node:fs';
import type { Finding } from '../core/finding.js';
import { checkRegistry } from './checks/index.js';
import { loadEvidence, newEvidenceId, saveEvidence, type EvidenceNote } from './evidence.js';
import { POSTURE_DETECTOR_PREFIX, postureChanges } from './findings.js';
import { evaluate, FRAMEWORK_IDS, loadBuiltinFramework, type Framework } from './frameworks.js';
import { buildReport, type PostureReport } from './report/index.js';
import { runChecks } from './run.js';
import { loadSnapshot } from './snapshot.js';
import type { Check } from './types.js';

export interface PostureServiceDeps {
  /** Snapshot files to follow (`posture.snapshots`). */
  snapshots: readonly string[];
  /** Evidence notes for manual controls (`posture.evidence`); read and written by the dashboard. */
  evidenceFile?: string;
  checks: readonly Check[];
  /** Where failing checks go: the pipeline (stored, routed, alerted like any finding). */
  findings(findings: Finding[]): void;
  /** A posture finding that now passes or whose resource is gone: marked resolved and routed. */
  resolve(id: string): void;
  /** Reopens a resolved posture finding that fails again. */
  reopen(id: string): void;
  /** Stored posture findings (resolved ones too: a failure reopens them). */
  open(): Pick<Finding, 'id' | 'detector' | 'accountId' | 'status'>[];
  log(line: string): void;
  now?: () => number;
}

export interface PostureView {
  file: string;
  report: PostureReport;
}

/**
 * `vigil serve`'s posture: each configured snapshot is checked when it appears or changes (polled by
 * modification time), its failing checks become `Policy:…` findings in the same store and router, and a
 * posture finding is resolved when a later snapshot passes it or no longer has its resource. The latest
 * report per snapshot (checks and every framework) is kept for the dashboard.
 */
export function createPostureService(deps: PostureServiceDeps) {
  const now = deps.now ?? Date.now;
  const checks = checkRegistry(deps.checks);
  const frameworks: Framework[] = FRAMEWORK_IDS.map((id) => loadBuiltinFramework(id));
  const seen = new Map<string, number>();
  const views = new Map<string, PostureView>();
  const problems = new Map<string, string>();

  function evidence(): EvidenceNote[] {
    if (!deps.evidenceFile) return [];
    try {
      return loadEvidence(deps.evidenceFile, { missingOk: true });
    } catch (err) {
      deps.log(`vigil: posture evidence: ${(err as Error).message}`);
      return [];
    }
  }

  function report(file: string, snapshot: Awaited<ReturnType<typeof loadSnapshot>>) {
    const results = runChecks(snapshot, deps.checks);
    const t = now();
    const notes = evidence();
    const evaluations = frameworks.map((f) =>
      evaluate(f, results, notes, t, { checksRun: deps.checks.map((c) => c.id) }),
    );
    views.set(file, {
      file,
      report: buildReport({ snapshot, checks: deps.checks, results, evaluations, now: t }),
    });
    return results;
  }

  async function loadOne(file: string): Promise<void> {
    const snapshot = await loadSnapshot(file);
    const results = report(file, snapshot);
    const open = deps.open();
    const changes = postureChanges(
      snapshot,
      results.filter((r) => r.status !== 'ERROR') as Parameters<typeof postureChanges>[1],
      checks,
      open.filter((f) => f.status !== 'RESOLVED'),
    );
    const resolvedBefore = new Set(open.filter((f) => f.status === 'RESOLVED').map((f) => f.id));
    for (const f of changes.failing) if (resolvedBefore.has(f.id)) deps.reopen(f.id);
    if (changes.failing.length) deps.findings(changes.failing);
    for (const id of changes.resolved) deps.resolve(id);
    deps.log(
      `vigil: posture: ${file}: ${results.filter((r) => r.status === 'FAIL').length} failing, ` +
        `${changes.resolved.length} resolved`,
    );
  }

  return {
    /** Loads snapshots that are new or changed since the last call. */
    async refresh(): Promise<void> {
      for (const file of deps.snapshots) {
        let mtime: number;
        try {
          mtime = statSync(file).mtimeMs;
        } catch (err) {
          problems.set(file, (err as Error).message);
          continue;
        }
        if (seen.get(file) === mtime) continue;
        seen.set(file, mtime);
        try {
          await loadOne(file);
          problems.delete(file);
        } catch (err) {
          problems.set(file, (err as Error).message);
          deps.log(`vigil: posture: ${(err as Error).message}`);
        }
      }
    },
    /** The latest report of every snapshot, and the files that could not be read. */
    current(): { views: PostureView[]; problems: { file: string; message: string }[] } {
      return {
        views: [...views.values()],
        problems: [...problems].map(([file, message]) => ({ file, message })),
      };
    },
    /** Adds an evidence note and re-evaluates the frameworks. */
    async addEvidence(note: Omit<EvidenceNote, 'id' | 'addedAt'>): Promise<EvidenceNote> {
      if (!deps.evidenceFile) throw new Error('no posture.evidence file is configured');
      const notes = evidence();
      const added: EvidenceNote = { ...note, id: newEvidenceId(), addedAt: new Date(now()).toISOString() };
      saveEvidence(deps.evidenceFile, [...notes, added]);
      for (const file of views.keys()) {
        const snapshot = await loadSnapshot(file);
        report(file, snapshot);
      }
      return added;
    },
    evidence,
    isPostureFinding: (f: Pick<Finding, 'detector'>) => f.detector.startsWith(POSTURE_DETECTOR_PREFIX),
  };
}

export type PostureService = ReturnType<typeof createPostureService>;
