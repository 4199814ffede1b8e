/** Where findings are kept: an embedded SQLite file (more backends implement the same FindingStore). */
export { openFindingStore } from './sqlite.js';
export { MIGRATIONS } from './migrations.js';
export type { FindingFilter, FindingStore, UpsertItem } from './types.js';
