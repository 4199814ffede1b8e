import { fileURLToPath } from 'node:url';
import type { InputProblem } from '../../core/errors.js';
import { discoverInputs } from '../cloudtrail/discover.js';
import { readRecords } from '../cloudtrail/read-records.js';
import { deliveryOrderKey } from '../cloudtrail/s3-key.js';
import type { RawRecord } from '../types.js';

/** The bundled attack story, `demo/cloudtrail` (the same from `src/sources/live/` and `dist/sources/live/`). */
export function builtinDemoDir(): string {
  return fileURLToPath(new URL('../../../demo/cloudtrail', import.meta.url));
}

export interface StoryRecord extends RawRecord {
  /** `eventTime` in epoch milliseconds. */
  ts: number;
}

/**
 * Every record of a folder of CloudTrail files, in event-time order (ties keep delivery order). Records
 * without a parseable `eventTime` cannot be placed in the story: each is reported and left out.
 */
export async function loadStory(dir: string, onProblem: (p: InputProblem) => void): Promise<StoryRecord[]> {
  const files: string[] = [];
  for await (const input of discoverInputs([dir], onProblem)) if (input.path !== '-') files.push(input.path);
  files.sort((a, b) => {
    const ka = deliveryOrderKey(a);
    const kb = deliveryOrderKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const story: StoryRecord[] = [];
  for (const file of files) {
    for await (const raw of readRecords({ path: file }, { onProblem })) {
      const t = raw.record.eventTime;
      const ts = typeof t === 'string' ? Date.parse(t) : NaN;
      if (!Number.isFinite(ts)) {
        onProblem({
          file,
          record: raw.index,
          code: 'VIGIL_INPUT_BAD_RECORD',
          message: 'eventTime is missing or not a time; left out of the demo story',
        });
        continue;
      }
      story.push({ ...raw, ts });
    }
  }
  // Array.prototype.sort is stable: records of the same second keep their delivery order.
  return story.sort((a, b) => a.ts - b.ts);
}
