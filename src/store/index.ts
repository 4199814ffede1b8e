/** Where findings are kept: an embedded SQLite file (more backends implement the same FindingStore). */
export { openFindingStore } from './sqlite.js';
export { MIGRATIONS } from './migrations.js';
export { ftsQuery } from './fts.js';
export { FINDING_SORT_KEYS } from './types.js';
export type {
  FindingFilter,
  FindingNote,
  FindingPage,
  FindingQuery,
  FindingSortKey,
  FindingStore,
  Overview,
  OverviewOptions,
  SeverityCounts,
  Suppression,
  SuppressionRule,
  UpsertItem,
  WorkflowAction,
} from './types.js';
