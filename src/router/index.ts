export { compilePattern, MAX_ALTERNATIVES } from './pattern.js';
export type { CompiledPattern, CompileOptions } from './pattern.js';
export { PatternError } from './pattern-error.js';
export { createRouter, RouteConfigError } from './router.js';
export type { Router, RouteSpec } from './router.js';
export { findingEvent } from './routed-event.js';
export type { RoutedEvent } from './routed-event.js';
