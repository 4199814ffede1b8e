export type * from './types.js';
export { createEngine, DEFAULT_MAX_GROUPS } from './engine.js';
export type { Engine, EngineOptions, LocalResult } from './engine.js';
export {
  builtinDetectionsDir,
  DetectionFileError,
  loadDetectionDir,
  loadDetectionFile,
  toDetection,
} from './catalog.js';
export type { DetectionDirResult, DetectionOrigin } from './catalog.js';
export { runDetectionTests } from './test-runner.js';
export type { DetectionTestResult } from './test-runner.js';
export { compileTemplate, formatValue, renderTemplate } from './template.js';
export type { CompiledTemplate } from './template.js';
export { formatDuration, parseDuration } from './duration.js';
export { createFieldGetter, isDerivedField, registerDerivedFields } from './fields/index.js';
export type { FieldLookups } from './fields/index.js';
export type { Signal, Fire, Contribution } from './stateful/types.js';
export {
  compileSigma,
  loadSigmaDir,
  loadSigmaRule,
  SigmaSyntaxError,
  SigmaUnsupportedError,
} from './sigma/index.js';
export { detectionTestLookups, TEST_LISTED_IP, TEST_THREAT_LIST } from './test-lookups.js';
