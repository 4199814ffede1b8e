import { canonicalFinding } from '../canonical.js';
import { put, type Findings, type TextSink } from './sink.js';

/** A JSON array of findings (contract fields, contract order), streamed one element at a time. */
export async function writeJson(findings: Findings, out: TextSink): Promise<void> {
  let first = true;
  for await (const f of findings) {
    await put(
      out,
      (first ? '[\n' : ',\n') + JSON.stringify(canonicalFinding(f), null, 2).replace(/^/gm, '  '),
    );
    first = false;
  }
  await put(out, first ? '[]\n' : '\n]\n');
}
