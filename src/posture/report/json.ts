import type { FrameworkEvaluation } from '../frameworks.js';
import { countStatuses, type PostureResult } from '../run.js';
import type { Check, PostureSnapshot } from '../types.js';

/**
 * The posture report as data: one JSON document, `format: vigil-posture-report`, `version: 1`. The schema is
 * documented in README.md beside this file; fields are only ever added within a version. The HTML report
 * and the table are rendered from this same object, so the three always agree.
 */
export const REPORT_FORMAT = 'vigil-posture-report';
export const REPORT_VERSION = 1;

export type ResultStatus = PostureResult['status'];

export interface ReportResult {
  status: ResultStatus;
  checkId: string;
  accountId: string;
  region?: string;
  resource: { type: string; id: string };
  message: string;
}

export interface ReportCheck {
  id: string;
  title: string;
  severity: Check['severity'];
  service: Check['service'];
  /** The worst status among its results: ERROR > FAIL > UNKNOWN > PASS; NO-RESOURCES when it had none. */
  status: ResultStatus | 'NO-RESOURCES';
  rationale: string;
  remediation: Check['remediation'];
  references: Check['references'];
  findingType: string;
  counts: Record<ResultStatus, number>;
  results: ReportResult[];
}

export interface PostureReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  generatedAt: string;
  snapshot: {
    collectedAt: string;
    collector: string;
    accounts: { accountId: string; alias?: string }[];
    /** Calls that failed during collection: checks that needed their data say UNKNOWN. */
    collectionErrors: PostureSnapshot['errors'];
  };
  checks: {
    summary: { checks: number; results: number } & Record<ResultStatus, number>;
    items: ReportCheck[];
  };
  /** One entry per framework evaluated; empty for a plain check report. */
  frameworks: FrameworkEvaluation[];
  /** Things the reader should know: expired evidence, evidence for unknown controls. */
  warnings: string[];
}

const WORST: ResultStatus[] = ['ERROR', 'FAIL', 'UNKNOWN', 'PASS'];

function toResult(r: PostureResult): ReportResult {
  return {
    status: r.status,
    checkId: r.checkId,
    accountId: r.accountId,
    ...(r.region !== undefined ? { region: r.region } : {}),
    resource: { type: r.resource.type, id: r.resource.id },
    message: r.message,
  };
}

export function buildReport(input: {
  snapshot: PostureSnapshot;
  checks: readonly Check[];
  results: readonly PostureResult[];
  evaluations?: readonly FrameworkEvaluation[];
  now: number;
}): PostureReport {
  const { snapshot, checks, results } = input;
  const byCheck = new Map<string, PostureResult[]>();
  for (const r of results) {
    const list = byCheck.get(r.checkId) ?? [];
    list.push(r);
    byCheck.set(r.checkId, list);
  }
  const items = checks.map((c): ReportCheck => {
    const own = byCheck.get(c.id) ?? [];
    const counts = countStatuses(own);
    return {
      id: c.id,
      title: c.title,
      severity: c.severity,
      service: c.service,
      status: WORST.find((s) => counts[s] > 0) ?? 'NO-RESOURCES',
      rationale: c.rationale,
      remediation: c.remediation,
      references: c.references,
      findingType: c.findingType,
      counts,
      results: own.map(toResult),
    };
  });
  const evaluations = [...(input.evaluations ?? [])];
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generatedAt: new Date(input.now).toISOString(),
    snapshot: {
      collectedAt: snapshot.collectedAt,
      collector: snapshot.collector,
      accounts: snapshot.accounts.map((a) => ({
        accountId: a.accountId,
        ...(a.alias !== undefined ? { alias: a.alias } : {}),
      })),
      collectionErrors: snapshot.errors,
    },
    checks: {
      summary: { checks: checks.length, results: results.length, ...countStatuses(results) },
      items,
    },
    frameworks: evaluations,
    warnings: [...new Set(evaluations.flatMap((e) => e.warnings))],
  };
}

/** The report as one JSON document (pretty-printed, ending in a newline). */
export function renderJson(report: PostureReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
