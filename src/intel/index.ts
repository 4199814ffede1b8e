/** IP intelligence: threat lists, AWS's published ranges and address classes. */
export { createIpClassifier, type AwsAddressSet, type IpClass } from './classify.js';
export {
  defaultAwsIpRangesPath,
  loadAwsIpRanges,
  parseAwsIpRanges,
  type AwsIpRanges,
  type AwsPrefix,
} from './aws-ranges.js';
export { loadIpList, parseIpList, MAX_LIST_PROBLEMS, type LoadedIpList } from './ip-list.js';
export { createIpSetBuilder, ipSetOf, type IpSet, type IpSetBuilder } from './ip-set.js';
export { parseCidr, parseIp, parseIPv4, type NumericIp, type NumericRange } from './ip-parse.js';
export {
  createThreatIntel,
  detectFormat,
  INTEL_FORMATS,
  loadIntelList,
  loadThreatIntel,
  normalizeDomain,
  parseIntelList,
  watchIntel,
  type IntelFormat,
  type IntelListSpec,
  type IntelLookups,
  type IntelWatcher,
  type LoadedIntelList,
  type ThreatIntel,
} from './lists/index.js';
