import { VigilError, type InputLocation, type InputProblem } from '../../core/errors.js';
import type { PrincipalType, VigilEvent } from '../../core/event.js';
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

interface Principal {
  principal: string | undefined;
  principalType: PrincipalType;
  principalAccountId: string | undefined;
  principalName: string | undefined;
  sessionName: string | undefined;
}

const ASSUMED_ROLE = ':assumed-role/';

function assumedRole(ui: Obj, arn: string | undefined, accountId: string | undefined): Principal {
  const issuer = obj(obj(ui.sessionContext)?.sessionIssuer);
  let roleName: string | undefined;
  let sessionName: string | undefined;
  let roleArn: string | undefined = str(issuer?.arn);
  const at = arn === undefined ? -1 : arn.indexOf(ASSUMED_ROLE);
  if (arn !== undefined && at > 0) {
    // arn:aws:sts::123456789012:assumed-role/RoleName/SessionName (the role's path is not in it)
    const rest = arn.slice(at + ASSUMED_ROLE.length);
    const slash = rest.indexOf('/');
    roleName = slash >= 0 ? rest.slice(0, slash) : rest;
    sessionName = slash >= 0 && slash < rest.length - 1 ? rest.slice(slash + 1) : undefined;
    const account = arnAccount(arn);
    if (roleArn === undefined && roleName !== '' && account !== undefined) {
      roleArn = `arn:${arnPartition(arn)}:iam::${account}:role/${roleName}`;
    }
  }
  if (sessionName === undefined) {
    // principalId is "AROA…:SessionName"
    const pid = str(ui.principalId);
    const colon = pid === undefined ? -1 : pid.indexOf(':');
    if (pid !== undefined && colon >= 0 && colon < pid.length - 1) sessionName = pid.slice(colon + 1);
  }
  return {
    principal: roleArn ?? arn,
    principalType: 'AssumedRole',
    principalAccountId: accountId ?? str(issuer?.accountId) ?? arnAccount(roleArn ?? arn),
    principalName: str(issuer?.userName) ?? (roleName || undefined) ?? lastSegment(roleArn),
    sessionName,
  };
}

function principalOf(ui: Obj | undefined): Principal {
  if (ui === undefined) {
    return {
      principal: undefined,
      principalType: 'Unknown',
      principalAccountId: undefined,
      principalName: undefined,
      sessionName: undefined,
    };
  }
  const type = ui.type;
  const arn = str(ui.arn);
  const accountId = str(ui.accountId);
  const userName = str(ui.userName);
  const base: Principal = {
    principal: arn,
    principalType: 'Unknown',
    principalAccountId: accountId ?? arnAccount(arn),
    principalName: userName,
    sessionName: undefined,
  };
  switch (type) {
    case 'IAMUser':
      base.principalType = 'IAMUser';
      base.principalName = userName ?? lastSegment(arn);
      return base;
    case 'AssumedRole':
      return assumedRole(ui, arn, accountId);
    case 'Root':
      base.principalType = 'Root';
      if (arn === undefined && accountId !== undefined) base.principal = `arn:aws:iam::${accountId}:root`;
      base.principalName = 'root';
      return base;
    case 'FederatedUser':
      base.principalType = 'FederatedUser';
      base.principalName = lastSegment(arn) ?? userName;
      return base;
    case 'AWSService': {
      const invokedBy = str(ui.invokedBy);
      base.principalType = 'AWSService';
      base.principal = invokedBy ?? arn;
      base.principalName = invokedBy;
      return base;
    }
    case 'AWSAccount':
      base.principalType = 'AWSAccount';
      if (arn === undefined && accountId !== undefined) base.principal = `arn:aws:iam::${accountId}:root`;
      base.principalName = accountId ?? userName;
      return base;
    case 'IdentityCenterUser': {
      const onBehalfOf = obj(ui.onBehalfOf);
      const userId = str(onBehalfOf?.userId);
      const store = str(onBehalfOf?.identityStoreArn);
      base.principalType = 'IdentityCenterUser';
      base.principal =
        userId !== undefined && store !== undefined ? `${store}/user/${userId}` : (userId ?? arn);
      base.principalName = userName ?? userId;
      base.principalAccountId = accountId ?? arnAccount(store);
      return base;
    }
    case 'WebIdentityUser':
    case 'SAMLUser': {
      const provider = str(ui.identityProvider);
      base.principalType = type;
      base.principal =
        provider !== undefined && userName !== undefined
          ? `${provider}:${userName}`
          : (str(ui.principalId) ?? arn);
      base.principalAccountId = accountId ?? arnAccount(provider);
      return base;
    }
    default:
      // "Unknown" (failed sign-ins), "Directory", types AWS adds later: keep what the record says.
      return base;
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
  const p = principalOf(ui);
  const sourceIp = str(raw.sourceIPAddress);
  const dot = eventSource.endsWith(SERVICE_SUFFIX) ? eventSource.length - SERVICE_SUFFIX.length : -1;

  return {
    time,
    ts,
    source: 'cloudtrail',
    accountId: str(raw.recipientAccountId) ?? str(ui?.accountId),
    region: str(raw.awsRegion),
    eventName,
    eventSource,
    service: dot > 0 ? eventSource.slice(0, dot) : eventSource,
    principal: p.principal,
    principalType: p.principalType,
    principalAccountId: p.principalAccountId,
    principalName: p.principalName,
    sessionName: p.sessionName,
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
}
