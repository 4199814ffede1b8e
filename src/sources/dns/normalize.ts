import type { InputLocation } from '../../core/errors.js';
import type { VigilEvent } from '../../core/event.js';
import { BadRecordError } from '../cloudtrail/normalize.js';
import { parseEventTime } from '../cloudtrail/event-time.js';
import { networkEvent, str } from '../event-base.js';

/**
 * True for a Route 53 Resolver query log record: the JSON has `query_name` and `query_timestamp`, which no
 * CloudTrail record or EventBridge event carries at its top level.
 */
export function isResolverQueryLog(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  return typeof o.query_name === 'string' && 'query_timestamp' in o;
}

/**
 * One Route 53 Resolver query log record, as AWS writes it
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html), as an Event:
 * the time is `query_timestamp`, the event name the query type (`A`, `TXT`), the actor the instance that
 * asked (`srcids.instance`) or else its address; an rcode other than NOERROR (NXDOMAIN, SERVFAIL) is the
 * error code. Throws BadRecordError when `query_timestamp` or `query_name` is missing or wrong.
 */
export function normalizeDns(raw: Record<string, unknown>, location?: InputLocation): VigilEvent {
  const time = raw.query_timestamp;
  if (typeof time !== 'string' || time === '') {
    throw new BadRecordError('query_timestamp is missing or not a string', location);
  }
  const ts = parseEventTime(time);
  if (Number.isNaN(ts)) {
    throw new BadRecordError(
      `query_timestamp ${JSON.stringify(time.slice(0, 40))} is not a valid time`,
      location,
    );
  }
  if (typeof raw.query_name !== 'string' || raw.query_name === '') {
    throw new BadRecordError('query_name is missing or not a string', location);
  }
  const srcids = raw.srcids;
  const instance =
    typeof srcids === 'object' && srcids !== null
      ? str((srcids as Record<string, unknown>).instance)
      : undefined;
  const sourceIp = str(raw.srcaddr);
  const rcode = str(raw.rcode);
  const accountId = str(raw.account_id);
  return networkEvent({
    time,
    ts,
    source: 'dns',
    accountId,
    region: str(raw.region),
    eventName: str(raw.query_type),
    eventSource: 'route53resolver',
    service: 'route53resolver',
    principal: instance ?? sourceIp,
    principalAccountId: accountId,
    sourceIp,
    userAgent: undefined,
    errorCode: rcode !== undefined && rcode !== 'NOERROR' ? rcode : undefined,
    raw,
  });
}
