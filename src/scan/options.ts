import type { SequenceOptions } from '../findings/sequence.js';

import type { IntelListSpec } from '../intel/index.js';
import type { GeoOptions } from '../enrich/geo.js';
import type { BaselineOptions } from '../baseline/index.js';

/** What a scan needs to know; built by the CLI from flags, environment and defaults. */
export interface ScanOptions {
  /** Files, folders, or `-` for standard input. */
  paths: string[];
  /** Extra detection folders (Vigil detections or Sigma rules). */
  ruleDirs: string[];
  /** Load the built-in catalogue. */
  builtin: boolean;
  /** Also run detections marked experimental. */
  experimental: boolean;
  /** Threat and trusted lists (src/intel/lists): file paths, or specs with format, name and kind. */
  threatIntel: (string | IntelListSpec)[];
  /** AWS `ip-ranges.json`; defaults to the shipped snapshot. */
  awsIpRanges?: string;
  /** User MaxMind country/city and ASN files (default: the bundled DB-IP/ip-location-db data); `false`: none. */
  geo?: GeoOptions | false;
  /** A Tor exit list (the Tor Project's bulk exit list, or one address per line). */
  torExits?: string;
  /** Only events at or after / before these epoch-ms times. */
  since?: number;
  until?: number;
  /** Worker threads; 0 runs everything on the main thread. */
  workers: number;
  /** Largest single record accepted, in bytes. */
  maxRecordBytes?: number;
  /** Attack sequences: their window and rule, or `false` for none (src/findings/sequence.ts). */
  sequences?: SequenceOptions | false;
  /**
   * Behavioural baselines (src/baseline): their settings, or absent / `false` for none (the default: a
   * scan of a few days' logs has no history to learn from, and baselines cost throughput).
   */
  baselines?: Pick<BaselineOptions, 'learningDays' | 'minEvents' | 'sensitivity'> | false;
}

/** What the workers need to build the same detection context as the main thread. */
export type ContextOptions = Pick<
  ScanOptions,
  'ruleDirs' | 'builtin' | 'experimental' | 'threatIntel' | 'awsIpRanges' | 'geo' | 'torExits'
>;
