export {
  BASELINE_OWNER,
  createBaselineDetector,
  type BaselineDetector,
  type BaselineOptions,
} from './detector.js';
export { observe, userAgentFamily, type GeoLookup, type Observation } from './features.js';
export { tacticOf, type Tactic } from './tactic.js';
export { BASELINE_DETECTIONS } from './detections.js';
