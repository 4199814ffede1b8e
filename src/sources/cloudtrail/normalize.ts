import { VigilError, type InputLocation, type InputProblem } from '../../core/errors.js';
import type { VigilEvent } from '../../core/event.js';
import { isIpLiteral } from './ip-literal.js';
import { parseEventTime } from './event-time.js';

type Obj = Record<string, unknown>;

/** A record that cannot become an Event; carries where it came from when the caller said so. */
export class BadRecordError extends VigilError {
  readonly location: InputLocation | undefined;
  constructor(message: string, location: InputLocation | undefined) {
    super('VIGIL_INPUT_BAD_RECORD', message);
    this.location = location;
  }

  toProblem(fallback: InputLocation): InputProblem {
    return { ...(this.location ?? fallback), code: this.code, message: this.message };
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function requireString(record: Obj, key: string, location: InputLocation | undefined): string {
  const v = record[key];
  if (v === undefined) throw new BadRecordError(`${key} is missing`, location);
  if (typeof v !== 'string')
    throw new BadRecordError(`${key} is ${describeType(v)}, expected a string`, location);
  if (v === '') throw new BadRecordError(`${key} is empty`, location);
  return v;
}

/** Account id of an ARN (`arn:partition:service:region:account:resource`), if it has one. */
export function arnAccount(arn: string | undefined): string | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  let p = 0;
  for (let k = 0; k < 4; k++) {
    p = arn.indexOf(':', p) + 1;
    if (p === 0) return undefined;
  }
  const end = arn.indexOf(':', p);
  return end > p ? arn.slice(p, end) : undefined;
}

function arnPartition(arn: string): string {
  const end = arn.indexOf(':', 4);
  return end > 4 ? arn.slice(4, end) : 'aws';
}

function lastSegment(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const i = arn.lastIndexOf('/');
  return i >= 0 && i < arn.length - 1 ? arn.slice(i + 1) : undefined;
}

/** The principal fields of an Event, filled in place (one object per record, no intermediate ones). */
type PrincipalFields = Pick<
  VigilEvent,
  'principal' | 'principalType' | 'principalAccountId' | 'principalName' | 'sessionName'
>;

const ASSUMED_ROLE = ':assumed-role/';

function assumedRole(
  e: PrincipalFields,
  ui: Obj,
  arn: string | undefined,
  accountId: string | undefined,
): void {
  e.principalType = 'AssumedRole';
  const issuer = obj(obj(ui.sessionContext)?.sessionIssuer);
  const issuerArn = str(issuer?.arn);
  // arn:aws:sts::123456789012:assumed-role/RoleName/SessionName (the role's path is not in it)
  const at = arn === undefined ? -1 : arn.indexOf(ASSUMED_ROLE);
  if (arn !== undefined && at > 0) {
    const slash = arn.indexOf('/', at + ASSUMED_ROLE.length);
    if (slash > 0 && slash < arn.length - 1) e.sessionName = arn.slice(slash + 1);
    if (issuerArn !== undefined) {
      e.principal = issuerArn;
      e.principalName = str(issuer?.userName) ?? lastSegment(issuerArn);
    } else {
      const roleName = arn.slice(at + ASSUMED_ROLE.length, slash > 0 ? slash : arn.length);
      const account = arnAccount(arn);
      e.principal =
        roleName !== '' && account !== undefined
          ? `arn:${arnPartition(arn)}:iam::${account}:role/${roleName}`
          : arn;
      e.principalName = roleName || undefined;
    }
  } else {
    e.principal = issuerArn ?? arn;
    e.principalName = str(issuer?.userName) ?? lastSegment(issuerArn);
  }
  if (e.sessionName === undefined) {
    // principalId is "AROA…:SessionName"
    const pid = str(ui.principalId);
    const colon = pid === undefined ? -1 : pid.indexOf(':');
    if (pid !== undefined && colon >= 0 && colon < pid.length - 1) e.sessionName = pid.slice(colon + 1);
  }
  e.principalAccountId = accountId ?? str(issuer?.accountId) ?? arnAccount(e.principal);
}

function fillPrincipal(e: PrincipalFields, ui: Obj | undefined): void {
  if (ui === undefined) return;
  const type = ui.type;
  const arn = str(ui.arn);
  const accountId = str(ui.accountId);
  if (type === 'AssumedRole') {
    assumedRole(e, ui, arn, accountId);
    return;
  }
  const userName = str(ui.userName);
  e.principal = arn;
  e.principalAccountId = accountId ?? arnAccount(arn);
  e.principalName = userName;
  switch (type) {
    case 'IAMUser':
      e.principalType = 'IAMUser';
      e.principalName = userName ?? lastSegment(arn);
      return;
    case 'Root':
      e.principalType = 'Root';
      if (arn === undefined && accountId !== undefined) e.principal = `arn:aws:iam::${accountId}:root`;
      e.principalName = 'root';
      return;
    case 'FederatedUser':
      e.principalType = 'FederatedUser';
      e.principalName = lastSegment(arn) ?? userName;
      return;
    case 'AWSService': {
      const invokedBy = str(ui.invokedBy);
      e.principalType = 'AWSService';
      e.principal = invokedBy ?? arn;
      e.principalName = invokedBy;
      return;
    }
    case 'AWSAccount':
      e.principalType = 'AWSAccount';
      if (arn === undefined && accountId !== undefined) e.principal = `arn:aws:iam::${accountId}:root`;
      e.principalName = accountId ?? userName;
      return;
    case 'IdentityCenterUser': {
      const onBehalfOf = obj(ui.onBehalfOf);
      const userId = str(onBehalfOf?.userId);
      const store = str(onBehalfOf?.identityStoreArn);
      e.principalType = 'IdentityCenterUser';
      e.principal = userId !== undefined && store !== undefined ? `${store}/user/${userId}` : (userId ?? arn);
      e.principalName = userName ?? userId;
      e.principalAccountId = accountId ?? arnAccount(store);
      return;
    }
    case 'WebIdentityUser':
    case 'SAMLUser': {
      const provider = str(ui.identityProvider);
      e.principalType = type;
      e.principal =
        provider !== undefined && userName !== undefined
          ? `${provider}:${userName}`
          : (str(ui.principalId) ?? arn);
      e.principalAccountId = accountId ?? arnAccount(provider);
      return;
    }
    default:
    // "Unknown" (failed sign-ins), "Directory", types AWS adds later: keep what the record says.
  }
}

function mfaOf(record: Obj, ui: Obj | undefined, eventName: string): boolean | undefined {
  if (eventName === 'ConsoleLogin') {
    const used = obj(record.additionalEventData)?.MFAUsed;
    if (used === 'Yes') return true;
    if (used === 'No') return false;
  }
  const flag = obj(obj(ui?.sessionContext)?.attributes)?.mfaAuthenticated;
  if (flag === 'true' || flag === true) return true;
  if (flag === 'false' || flag === false) return false;
  return undefined;
}

function readOnlyOf(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

const SERVICE_SUFFIX = '.amazonaws.com';

/**
 * Turns one raw CloudTrail record into the Event model. The record is kept as `raw`, not copied.
 * Throws `BadRecordError` (a VigilError with code VIGIL_INPUT_BAD_RECORD) when `eventTime`, `eventName`
 * or `eventSource` is missing or not a string, or the time cannot be parsed.
 */
export function normalizeCloudTrail(record: unknown, location?: InputLocation): VigilEvent {
  const raw = obj(record);
  if (raw === undefined)
    throw new BadRecordError(`record is ${describeType(record)}, expected an object`, location);
  const time = requireString(raw, 'eventTime', location);
  const eventName = requireString(raw, 'eventName', location);
  const eventSource = requireString(raw, 'eventSource', location);
  const ts = parseEventTime(time);
  if (Number.isNaN(ts))
    throw new BadRecordError(`eventTime ${JSON.stringify(time.slice(0, 40))} is not a valid time`, location);

  const ui = obj(raw.userIdentity);
  const sourceIp = str(raw.sourceIPAddress);
  const dot = eventSource.endsWith(SERVICE_SUFFIX) ? eventSource.length - SERVICE_SUFFIX.length : -1;

  const event: VigilEvent = {
    time,
    ts,
    source: 'cloudtrail',
    accountId: str(raw.recipientAccountId) ?? str(ui?.accountId),
    region: str(raw.awsRegion),
    eventName,
    eventSource,
    service: dot > 0 ? eventSource.slice(0, dot) : eventSource,
    principal: undefined,
    principalType: 'Unknown',
    principalAccountId: undefined,
    principalName: undefined,
    sessionName: undefined,
    accessKeyId: str(ui?.accessKeyId),
    mfa: mfaOf(raw, ui, eventName),
    sourceIp,
    sourceIsService: sourceIp !== undefined && !isIpLiteral(sourceIp),
    userAgent: str(raw.userAgent),
    errorCode: str(raw.errorCode),
    readOnly: readOnlyOf(raw.readOnly),
    eventId: str(raw.eventID),
    raw,
  };
  fillPrincipal(event, ui);
  return event;
}
