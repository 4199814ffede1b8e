import type { VigilEvent } from '../core/event.js';
import { normalizeCloudTrail } from '../sources/cloudtrail/normalize.js';
import { normalizeDns } from '../sources/dns/normalize.js';
import { normalizeS3Access } from '../sources/s3access/normalize.js';
import { normalizeVpcFlow } from '../sources/vpcflow/normalize.js';
import { createEngine } from './engine.js';
import { createFieldGetter } from './fields/index.js';
import { detectionTestLookups } from './test-lookups.js';
import type { Detection, DetectionError, DetectionTest, FieldGetter } from './types.js';

export interface DetectionTestResult {
  /** Detection id. */
  id: string;
  /** Test case name (or `coverage` for a detection without both kinds of case). */
  name: string;
  ok: boolean;
  message: string;
}

function isStateful(d: Detection): boolean {
  return d.aggregate !== undefined;
}

/** A test record as the event its detection's source would make of it (records are in AWS's own shape). */
function normalizeCase(d: Detection, record: Record<string, unknown>, index?: number): VigilEvent {
  const location = { file: d.file, ...(index === undefined ? {} : { record: index }) };
  if (d.source === 'vpcflow') return normalizeVpcFlow(record, {}, location);
  if (d.source === 'dns') return normalizeDns(record, location);
  if (d.source === 's3access') return normalizeS3Access(record, location);
  return normalizeCloudTrail(record, location);
}

function runCase(d: Detection, t: DetectionTest, getField: FieldGetter): DetectionTestResult {
  const result = (ok: boolean, message: string) => ({ id: d.id, name: t.name, ok, message });
  const errors: DetectionError[] = [];
  try {
    const engine = createEngine([d], { getField, onError: (e) => errors.push(e) });
    if (isStateful(d)) {
      if (!t.events || t.findings === undefined)
        return result(false, 'a stateful case needs "events" and "findings"');
      let findings = 0;
      t.events.forEach((record, i) => {
        findings += engine.process(normalizeCase(d, record, i)).length;
      });
      if (errors.length) return result(false, `the detection threw: ${errors[0]!.message}`);
      return findings === t.findings
        ? result(true, `${findings} finding(s), as expected`)
        : result(false, `expected ${t.findings} finding(s), got ${findings}`);
    }
    if (!t.event || t.match === undefined) return result(false, 'a case needs "event" and "match"');
    const hits = engine.process(normalizeCase(d, t.event));
    if (errors.length) return result(false, `the detection threw: ${errors[0]!.message}`);
    const matched = hits.length > 0;
    return matched === t.match
      ? result(true, matched ? 'matched, as expected' : 'did not match, as expected')
      : result(false, t.match ? 'expected a match, got none' : 'expected no match, but it matched');
  } catch (err) {
    return result(false, err instanceof Error ? err.message : String(err));
  }
}

function coverage(d: Detection): DetectionTestResult | undefined {
  const stateful = isStateful(d);
  const positive = d.tests.some((t) => (stateful ? (t.findings ?? 0) > 0 : t.match === true));
  const negative = d.tests.some((t) => (stateful ? t.findings === 0 : t.match === false));
  if (positive && negative) return undefined;
  const missing = [positive ? undefined : 'positive', negative ? undefined : 'negative']
    .filter(Boolean)
    .join(' and ');
  return { id: d.id, name: 'coverage', ok: false, message: `needs at least one ${missing} test case` };
}

/**
 * Runs every detection's own test cases, each on a fresh engine holding only that detection:
 * stateless cases check that one event matches or not, stateful cases feed their events in order
 * and count the findings. A detection without a positive and a negative case fails `coverage`.
 * Without `getField`, cases run with the fixed test lookups (see test-lookups.ts: TEST_LISTED_IP
 * is on the threat list `test-threat-list`).
 */
export function runDetectionTests(
  detections: readonly Detection[],
  getField: FieldGetter = createFieldGetter(detectionTestLookups()),
): DetectionTestResult[] {
  const results: DetectionTestResult[] = [];
  for (const d of detections) {
    const missing = coverage(d);
    if (missing) results.push(missing);
    for (const t of d.tests) results.push(runCase(d, t, getField));
  }
  return results;
}
