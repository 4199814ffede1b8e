/**
 * Every error Vigil reports has a stable code grouped by area, so scripts and docs can rely on it.
 * The catalogue lives in docs/errors.md; src/core/errors.test.ts keeps the two in step.
 */
export const ERROR_CODES = {
  VIGIL_INPUT_UNREADABLE: 'the file or stream could not be read',
  VIGIL_INPUT_BAD_GZIP: 'the gzip stream is corrupt or truncated',
  VIGIL_INPUT_BAD_JSON: 'the input is not valid JSON',
  VIGIL_INPUT_NOT_CLOUDTRAIL: 'the input is JSON but not a CloudTrail log',
  VIGIL_INPUT_BAD_RECORD: 'a record is missing required fields or has fields of the wrong type',
  VIGIL_INPUT_TOO_LARGE: 'a single record exceeds the size limit',
  VIGIL_INPUT_BINARY: 'the input is binary data, not text',
  VIGIL_RULE_INVALID: 'a detection or Sigma rule could not be loaded',
  VIGIL_RULE_UNSUPPORTED: 'a Sigma rule uses a feature Vigil does not support',
  VIGIL_DETECTION_FAILED: 'a detection threw while evaluating a record',
  VIGIL_INTEL_INVALID: 'a threat-intelligence list entry is not an IP, CIDR or domain name',
  VIGIL_INTEL_SKIPPED: 'threat-intelligence entries skipped: not IPs or domains, or expired',
  VIGIL_USAGE: 'the command line is wrong',
  VIGIL_STORE: 'the findings store failed',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VigilError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
  }
}

/** Where in an input a problem is: a file (or `-`), and a record index, line or byte offset within it. */
export interface InputLocation {
  file: string;
  record?: number;
  line?: number;
  offset?: number;
}

/** A problem with one piece of input. Reported, counted, and the scan goes on. */
export interface InputProblem extends InputLocation {
  code: ErrorCode;
  message: string;
}

export function formatLocation(loc: InputLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.record !== undefined) s += ` record ${loc.record}`;
  if (loc.offset !== undefined) s += ` (byte ${loc.offset})`;
  return s;
}

export function formatProblem(p: InputProblem): string {
  return `${formatLocation(p)}: ${p.code}: ${p.message}`;
}
