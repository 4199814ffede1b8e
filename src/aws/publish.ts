import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { VIGIL_SOURCE } from './types.js';

/** One event Vigil puts on the bus: source `vigil`, its detail-type, and its detail (JSON). */
export interface OutgoingEvent {
  detailType: string;
  detail: unknown;
  /** ARNs or ids the event concerns (EventBridge `resources`). */
  resources?: string[];
  time?: Date;
}

export type Publish = (events: readonly OutgoingEvent[]) => Promise<void>;

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_MAX = 10;

/**
 * Publishes with PutEvents on `busName`. A partly failed call (FailedEntryCount > 0) throws naming the
 * first error, so the record that produced the events fails and is delivered again: consumers are
 * idempotent (finding ids, alert ids), so a repeat of the entries that did go through is harmless.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName = 'default'): Publish {
  return async (events) => {
    for (let i = 0; i < events.length; i += PUT_EVENTS_MAX) {
      const chunk = events.slice(i, i + PUT_EVENTS_MAX);
      const out = await client.send(
        new PutEventsCommand({
          Entries: chunk.map((e) => ({
            EventBusName: busName,
            Source: VIGIL_SOURCE,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
            ...(e.resources?.length ? { Resources: e.resources.slice(0, 20) } : {}),
            ...(e.time ? { Time: e.time } : {}),
          })),
        }),
      );
      if (out.FailedEntryCount) {
        const failed = out.Entries?.find((e) => e.ErrorCode);
        throw new Error(
          `PutEvents refused ${out.FailedEntryCount} of ${chunk.length} events: ${failed?.ErrorCode ?? '?'} ${failed?.ErrorMessage ?? ''}`.trim(),
        );
      }
    }
  };
}
