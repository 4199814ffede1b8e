export * from './event.js';
export * from './errors.js';
export * from './severity.js';
export * from './finding.js';
