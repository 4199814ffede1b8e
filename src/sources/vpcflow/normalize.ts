import type { InputLocation } from '../../core/errors.js';
import type { VigilEvent } from '../../core/event.js';
import { BadRecordError } from '../cloudtrail/normalize.js';
import { isoTime, networkEvent, str } from '../event-base.js';

/**
 * One parsed VPC Flow Logs record (`parseFlowLine`, keys as AWS names them) as an Event: the time is
 * `start`, the actor the instance (or, without `instance-id` in the format, the network interface), the
 * event name the `action` (ACCEPT or REJECT). `region` is the record's own field (versions 3+), else the
 * one the file's S3 layout names. Throws BadRecordError when `start` is not epoch seconds.
 */
export function normalizeVpcFlow(
  raw: Record<string, unknown>,
  hint: { region?: string } = {},
  location?: InputLocation,
): VigilEvent {
  const start = raw.start;
  if (typeof start !== 'number' || !Number.isFinite(start)) {
    throw new BadRecordError('flow log record has no start time', location);
  }
  const ts = start * 1000;
  const accountId = str(raw['account-id']);
  return networkEvent({
    time: isoTime(ts),
    ts,
    source: 'vpcflow',
    accountId,
    region: str(raw.region) ?? hint.region,
    eventName: str(raw.action),
    eventSource: 'vpcflowlogs',
    service: 'vpcflowlogs',
    principal: str(raw['instance-id']) ?? str(raw['interface-id']),
    principalAccountId: accountId,
    sourceIp: str(raw.srcaddr),
    userAgent: undefined,
    errorCode: undefined,
    raw,
  });
}
