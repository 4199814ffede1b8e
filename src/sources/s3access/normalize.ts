import type { InputLocation } from '../../core/errors.js';
import type { VigilEvent } from '../../core/event.js';
import { BadRecordError, arnAccount } from '../cloudtrail/normalize.js';
import { parseEventTime } from '../cloudtrail/event-time.js';
import { networkEvent, str } from '../event-base.js';

/**
 * One parsed S3 server access log line (`parseS3AccessLine`) as an Event: the event name is the operation
 * (`REST.GET.OBJECT`), the actor the requester (an IAM ARN, or a canonical user id), its account the
 * ARN's. The bucket owner is a canonical user id, not an account, so `accountId` is the requester's
 * account when known. Throws BadRecordError when `time` is missing or not a time.
 */
export function normalizeS3Access(raw: Record<string, unknown>, location?: InputLocation): VigilEvent {
  const time = raw.time;
  const ts = typeof time === 'string' ? parseEventTime(time) : NaN;
  if (typeof time !== 'string' || Number.isNaN(ts)) {
    throw new BadRecordError('time is missing or not a valid time', location);
  }
  const requester = str(raw.requester);
  const account = arnAccount(requester);
  return networkEvent({
    time,
    ts,
    source: 's3access',
    accountId: account,
    region: undefined,
    eventName: str(raw.operation),
    eventSource: 's3.amazonaws.com',
    service: 's3',
    principal: requester,
    principalAccountId: account,
    sourceIp: str(raw.remote_ip),
    userAgent: str(raw.user_agent),
    errorCode: str(raw.error_code),
    raw,
  });
}
