import type { Finding } from '../../core/finding.js';
import { canonicalFinding } from '../canonical.js';
import { put, type Findings, type TextSink } from './sink.js';

/** One finding as one JSON line: exactly the contract's fields, in the contract's key order. */
export function jsonlLine(finding: Finding): string {
  return JSON.stringify(canonicalFinding(finding)) + '\n';
}

/** JSON lines: one finding per line, streamed. */
export async function writeJsonl(findings: Findings, out: TextSink): Promise<void> {
  for await (const f of findings) await put(out, jsonlLine(f));
}
