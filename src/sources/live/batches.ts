import { deliveryOrderKey } from '../cloudtrail/s3-key.js';
import type { RawRecord } from '../types.js';
import { usableEventTime } from './event-time.js';

/** Orders file paths or object keys as CloudTrail delivered them (stamp in the name), then by name. */
export function byDeliveryOrder(a: string, b: string): number {
  const ka = deliveryOrderKey(a);
  const kb = deliveryOrderKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** Notes the usable event times of a batch; true when at least one was usable. */
export function noteBatchTimes(batch: RawRecord[], now: number, note: (ms: number) => void): boolean {
  let timed = false;
  for (const r of batch) {
    const ms = usableEventTime(r.record, now, r.format);
    if (ms !== undefined) {
      note(ms);
      timed = true;
    }
  }
  return timed;
}

export interface BatchReading {
  /** The records of one input, from its start. */
  records: AsyncIterable<RawRecord>;
  /** Index of the last record committed before (−1: none); earlier records are skipped. */
  after: number;
  maxBatch: number;
  /** Hands a batch over with the checkpoint position it reaches; false when the read must be abandoned. */
  deliver(batch: RawRecord[], position: string): Promise<boolean>;
  /** False once the source stopped or restarted. */
  current(): boolean;
  /** Whether the input turned out unreadable so far (its last good records are still handed over). */
  unreadable(): boolean;
  /** Marks the input done when nothing is left to hand over. */
  done(): void;
  /** The position that marks an input done. */
  donePosition: string;
}

/**
 * Reads one input (a file or an object) in batches of at most `maxBatch` records, from its checkpoint on.
 * The last batch carries the "done" position unless the input was cut short by bad data, in which case the
 * index of its last good record is the checkpoint. Returns how it ended: `abandoned` (a batch before the
 * last failed, or the source stopped), `nothing` (unreadable with no record at all), or `read` — with
 * `lastAccepted` false when the pipeline refused the last batch — and the number of records handed over.
 */
export async function readInBatches(
  r: BatchReading,
): Promise<{ ended: 'abandoned' | 'nothing' | 'read'; delivered: number; lastAccepted: boolean }> {
  let buf: RawRecord[] = [];
  let delivered = 0;
  for await (const record of r.records) {
    if (record.index <= r.after) continue;
    buf.push(record);
    if (buf.length > r.maxBatch) {
      const batch = buf.slice(0, r.maxBatch);
      buf = buf.slice(r.maxBatch);
      delivered += batch.length;
      if (!(await r.deliver(batch, String(batch[batch.length - 1]!.index))) || !r.current()) {
        return { ended: 'abandoned', delivered, lastAccepted: false };
      }
    }
  }
  if (delivered === 0 && buf.length === 0 && r.unreadable())
    return { ended: 'nothing', delivered, lastAccepted: true };
  let lastAccepted = true;
  if (buf.length > 0) {
    delivered += buf.length;
    const last = String(buf[buf.length - 1]!.index);
    lastAccepted = await r.deliver(buf, r.unreadable() ? last : r.donePosition);
  } else if (!r.unreadable()) {
    r.done();
  }
  return { ended: 'read', delivered, lastAccepted };
}
