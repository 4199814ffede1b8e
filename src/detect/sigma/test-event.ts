import type { VigilEvent } from '../../core/event.js';

/**
 * Test support: a minimal VigilEvent around a raw CloudTrail record. Sigma selections read raw
 * paths, so only the top-level derived fields are filled in here.
 */
export function eventOf(raw: Record<string, unknown>): VigilEvent {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const identity = (raw.userIdentity ?? {}) as Record<string, unknown>;
  const eventSource = str(raw.eventSource);
  const time = str(raw.eventTime) ?? '2026-11-20T10:00:00Z';
  return {
    time,
    ts: Date.parse(time),
    source: 'cloudtrail',
    accountId: str(raw.recipientAccountId),
    region: str(raw.awsRegion),
    eventName: str(raw.eventName),
    eventSource,
    service: eventSource?.split('.')[0],
    principal: str(identity.arn),
    principalType: 'Unknown',
    principalAccountId: str(identity.accountId),
    principalName: str(identity.userName),
    sessionName: undefined,
    accessKeyId: str(identity.accessKeyId),
    mfa: undefined,
    sourceIp: str(raw.sourceIPAddress),
    sourceIsService: false,
    userAgent: str(raw.userAgent),
    errorCode: str(raw.errorCode),
    readOnly: typeof raw.readOnly === 'boolean' ? raw.readOnly : undefined,
    eventId: str(raw.eventID),
    raw,
  };
}
