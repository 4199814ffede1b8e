import { join } from 'node:path';
import { createFieldGetter, loadDetectionDir } from '../../src/detect/index.js';
import { indexedBy } from '../../src/detect/engine.js';
import { compileSigma, createJsonText } from '../../src/detect/sigma/index.js';
import type { Detection } from '../../src/detect/types.js';

export interface DetectionEventSources {
  /** Every CloudTrail `eventSource` some detection requires, sorted. */
  sources: string[];
  /** Detections that read events of any source (user agents, threat lists, root use): they see only these. */
  anySource: string[];
}

/**
 * The CloudTrail event sources Vigil's CloudTrail detections can match, from the same index the engine
 * builds (`indexedBy`: a detection's condition, a sequence's steps, a first-seen's baseline). The
 * EventBridge rule forwards only these, so the functions are not invoked for the many API calls no
 * detection reads. Detections that constrain no source (`anySource`) then see only the forwarded
 * events; `forwardAllApiCalls` on the construct lifts the filter for them.
 */
export function detectionEventSources(detections: readonly Detection[]): DetectionEventSources {
  const getField = createFieldGetter();
  const jsonText = createJsonText();
  const sources = new Set<string>();
  const anySource: string[] = [];
  for (const d of detections) {
    if (d.source !== 'cloudtrail') continue;
    const compiled = compileSigma(d.detection, getField, { jsonText });
    const index = indexedBy(d, compiled, getField, jsonText);
    if (!index?.eventSources) {
      anySource.push(d.id);
      continue;
    }
    for (const s of index.eventSources) sources.add(s);
  }
  return { sources: [...sources].sort(), anySource };
}

/** The event sources of the built-in catalogue (`<repo>/detections`); a file that fails to load fails synth. */
export function builtinEventSources(root: string): DetectionEventSources {
  const { detections, problems } = loadDetectionDir(join(root, 'detections'), 'builtin', { tests: false });
  if (problems.length) {
    throw new Error(
      `the detection catalogue does not load: ${problems.map((p) => `${p.file}: ${p.reason}`).join('; ')}`,
    );
  }
  return detectionEventSources(detections);
}
