/** The findings stage: hits become aggregated findings, rendered in every output format. */
export {
  createAggregator,
  eventKey,
  findingId,
  MAX_OPEN_FINDINGS,
  MAX_RESOURCES,
  UNKNOWN,
} from './aggregate.js';
export type { AddResult, Aggregator, AggregatorOptions } from './aggregate.js';
export { canonicalFinding } from './canonical.js';
export * from './format/index.js';
