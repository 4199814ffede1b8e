import { createHash } from 'node:crypto';
import type { StoryRecord } from './demo-story.js';

/** Where a replayed record came from; the pipeline ignores this field (no detection reads it). */
export interface ReplayOrigin {
  loop: number;
  eventID: unknown;
  eventTime: unknown;
}

export const REPLAY_FIELD = 'vigilReplay';

/**
 * The event id of a record replayed in loop `loop`: a UUID-shaped hash of the original id and the loop
 * number, so the same loop replayed again (after a restart) gives the same ids and the findings store
 * stays idempotent, while each new loop gives new ones.
 */
export function replayEventId(originalId: string, loop: number): string {
  const h = createHash('sha256').update(`vigil-demo|${loop}|${originalId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A copy of a story record as if it happened at `now`: `eventTime` is now, the session's `creationDate`
 * moves by the same amount, `eventID` is replaced (see replayEventId), and the originals are kept in
 * `vigilReplay`.
 */
export function replayRecord(rec: StoryRecord, loop: number, now: number): Record<string, unknown> {
  const copy = structuredClone(rec.record);
  const originalId = typeof rec.record.eventID === 'string' ? rec.record.eventID : `${rec.file}#${rec.index}`;
  const shift = Math.floor(now / 1000) * 1000 - rec.ts;
  copy.eventTime = isoSeconds(now);
  copy.eventID = replayEventId(originalId, loop);
  const origin: ReplayOrigin = { loop, eventID: rec.record.eventID, eventTime: rec.record.eventTime };
  copy[REPLAY_FIELD] = origin;
  const attrs = (
    copy.userIdentity as { sessionContext?: { attributes?: Record<string, unknown> } } | undefined
  )?.sessionContext?.attributes;
  if (attrs && typeof attrs.creationDate === 'string') {
    const created = Date.parse(attrs.creationDate);
    if (Number.isFinite(created)) attrs.creationDate = isoSeconds(created + shift);
  }
  return copy;
}
