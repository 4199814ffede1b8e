import type { Finding, FindingStatus } from '../core/finding.js';
import type { SeverityLabel } from '../core/severity.js';

export interface FindingFilter {
  status?: FindingStatus;
  detector?: string;
  type?: string;
  accountId?: string;
  region?: string;
  /** Findings at or above this severity. */
  minSeverity?: number;
  /** Findings last seen at or after this time (ISO-8601 or epoch ms). */
  since?: string | number;
  /** Findings last seen at or before this time. */
  until?: string | number;
  /** At most this many (default 1000). */
  limit?: number;
  offset?: number;
}

export interface UpsertOptions {
  /**
   * The finding's `count` is the detector's running total (GuardDuty's `service.count`, Security Hub's
   * updates of one finding), not this call's share: the stored count becomes the larger of the two, so an
   * update of the same AWS finding (same id, so no new event id) still shows how often it recurred.
   */
  countIsTotal?: boolean;
}

export interface UpsertItem extends UpsertOptions {
  finding: Finding;
  /** Ids of the events behind this finding (see FindingStore.upsert). */
  eventIds: string[];
  /** Times of those events (same order), kept with them. */
  eventTimes?: string[];
}

/** Where findings are kept. One contract, several implementations (SQLite now). */
export interface FindingStore {
  /**
   * Inserts or merges a finding. Idempotent: each (finding, event id) pair is recorded once, so storing
   * the same input twice changes nothing. `count` grows by the finding's own `count` when every given
   * event id is new, by the number of new ids (never more than the finding's count) when only some are,
   * and not at all when none are — a rescan never double-counts. Without event ids, a new finding keeps
   * its count and an existing one keeps its own. Times widen to the min/max, severity keeps the highest,
   * evidence and resources are merged; status, title, description and actor of a stored finding stay.
   */
  upsert(finding: Finding, eventIds: string[], eventTimes?: string[], options?: UpsertOptions): Finding;
  /** Several upserts in one transaction. */
  upsertMany(items: Iterable<UpsertItem>): Finding[];
  get(id: string): Finding | undefined;
  /** Highest severity first, then most recently seen. */
  list(filter?: FindingFilter): Finding[];
  /** Changes a finding's status (acknowledge, resolve, suppress); false when there is no such finding. */
  setStatus(id: string, status: FindingStatus): boolean;
  /**
   * One page of findings for the dashboard, with the total that match. Every filter is an indexed column
   * or the full-text index; expired suppressions are swept first, so the page never shows one.
   */
  query(query?: FindingQuery): FindingPage;
  /** Applies a workflow action; undefined when there is no such finding. */
  transition(id: string, action: WorkflowAction): Finding | undefined;
  /** The suppression a SUPPRESSED finding is under (undefined otherwise). */
  suppressionOf(id: string): Suppression | undefined;
  /**
   * Returns every finding whose suppression has expired to the status it had before: the sweep runs
   * before each query, get and overview, so an expiry takes effect the first time anyone looks.
   */
  expireSuppressions(): number;
  /** Appends a note; undefined when there is no such finding. */
  addNote(id: string, note: { author: string; text: string }): FindingNote | undefined;
  /** The finding's notes, oldest first. */
  notes(id: string): FindingNote[];
  addSuppressionRule(rule: Omit<SuppressionRule, 'id' | 'created'>): SuppressionRule;
  suppressionRules(): SuppressionRule[];
  deleteSuppressionRule(id: string): boolean;
  /** Grows on every rule change made through this store, so matchers know when to recompile. */
  suppressionRulesVersion(): number;
  /** The dashboard's overview: counts and top lists, each one indexed query. */
  overview(options?: OverviewOptions): Overview;
  /** Closes the store; safe to call more than once. Any later call throws VIGIL_STORE. */
  close(): void;
}

export const FINDING_SORT_KEYS = ['severity', 'lastSeen', 'firstSeen', 'count', 'type'] as const;
export type FindingSortKey = (typeof FINDING_SORT_KEYS)[number];

/** The dashboard's findings filters; every one given must hold. */
export interface FindingQuery {
  /** Any of these severity bands. */
  severity?: SeverityLabel[];
  minSeverity?: number;
  /** Exactly this type. */
  type?: string;
  /** Types starting with this text (`Stealth:` or `Stealth:IAMUser/`). */
  typePrefix?: string;
  /** Any of these statuses. */
  status?: FindingStatus[];
  accountId?: string;
  region?: string;
  principal?: string;
  ip?: string;
  detector?: string;
  /** Time ranges, inclusive (ISO-8601 or epoch ms). */
  lastSeenFrom?: string | number;
  lastSeenTo?: string | number;
  firstSeenFrom?: string | number;
  firstSeenTo?: string | number;
  /** Words to find in the title, description, type, principal, resources and IP (read as plain words). */
  text?: string;
  sort?: FindingSortKey;
  order?: 'asc' | 'desc';
  /** Page size (default 50, at most 500). */
  limit?: number;
  offset?: number;
}

export interface FindingPage {
  total: number;
  items: Finding[];
}

export interface Suppression {
  reason: string;
  by: string;
  at: string;
  /** When it ends (the finding returns to `statusBefore`); none: until reopened. */
  until?: string;
  statusBefore: FindingStatus;
  /** The suppression rule that matched, when a rule did it. */
  ruleId?: string;
}

export type WorkflowAction =
  | { status: 'NEW' | 'ACKNOWLEDGED' | 'RESOLVED' }
  | { status: 'SUPPRESSED'; reason: string; by: string; until?: string | number; ruleId?: string };

export interface FindingNote {
  id: number;
  findingId: string;
  author: string;
  at: string;
  text: string;
}

export interface SuppressionRule {
  id: string;
  /** An EventBridge pattern over the finding's routed event (`findingEvent`). */
  pattern: Record<string, unknown>;
  reason: string;
  owner: string;
  created: string;
  expires?: string;
}

export interface OverviewOptions {
  /** The window of the time series and top lists, ending now (default 24 h). */
  windowMs?: number;
  /** Buckets in the time series (default 24). */
  buckets?: number;
  /** How many newest findings (default 10). */
  newest?: number;
  /** Length of each top list (default 10). */
  top?: number;
}

export type SeverityCounts = Record<SeverityLabel, number>;

export interface Overview {
  generatedAt: string;
  window: { from: string; to: string; bucketMs: number };
  /** Open (NEW or ACKNOWLEDGED) findings now, by severity. */
  open: SeverityCounts & { total: number };
  /** Findings first seen in each bucket of the window, by severity. */
  overTime: ({ start: string } & SeverityCounts)[];
  newest: Finding[];
  /** The top lists count findings last seen in the window. */
  topTypes: { type: string; count: number }[];
  topPrincipals: { principal: string; count: number }[];
  topIps: { ip: string; country?: string; count: number }[];
  accounts: { accountId: string; count: number; open: number }[];
  regions: { region: string; count: number; open: number }[];
}
