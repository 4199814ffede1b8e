/** Threat-intelligence and trusted lists: formats, IP/CIDR/domain indicators, lookups, reload on change. */
export { createDomainSet, normalizeDomain, type DomainSet } from './domain-set.js';
export { MAX_LIST_PROBLEMS, type Indicators } from './collector.js';
export {
  detectFormat,
  INTEL_FORMATS,
  loadIntelList,
  parseIntelList,
  toSpec,
  type IntelFormat,
  type IntelListSpec,
  type LoadedIntelList,
} from './load.js';
export { createThreatIntel, loadThreatIntel, type IntelLookups, type ThreatIntel } from './threat-intel.js';
export { watchIntel, type IntelWatcher, type WatchIntelOptions } from './watch.js';
