import type { Finding, FindingStatus } from '../core/finding.js';

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
  /** Closes the store; safe to call more than once. Any later call throws VIGIL_STORE. */
  close(): void;
}
