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
  /** GuardDuty TXT threat lists (IPs and CIDRs). */
  threatIntel: string[];
  /** AWS `ip-ranges.json`; defaults to the shipped snapshot. */
  awsIpRanges?: string;
  /** Only events at or after / before these epoch-ms times. */
  since?: number;
  until?: number;
  /** Worker threads; 0 runs everything on the main thread. */
  workers: number;
  /** Largest single record accepted, in bytes. */
  maxRecordBytes?: number;
}

/** What the workers need to build the same detection context as the main thread. */
export type ContextOptions = Pick<
  ScanOptions,
  'ruleDirs' | 'builtin' | 'experimental' | 'threatIntel' | 'awsIpRanges'
>;
