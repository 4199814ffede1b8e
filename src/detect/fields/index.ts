import type { VigilEvent } from '../../core/event.js';
import type { FieldGetter } from '../types.js';
import { policyFields } from './policy.js';
import { requestFields } from './request.js';
import { securityGroupFields } from './security-group.js';

/**
 * Derived `vigil.*` fields. Each is a small pure function of the event (and of the lookups the
 * engine is given: AWS IP ranges, threat intelligence). Register new ones in `createFieldGetter`.
 */
export interface FieldLookups {
  /** Classifies an IP: `aws` when in AWS's published ranges, `private`, `public` or `invalid`. */
  ipClass?: (ip: string) => 'aws' | 'private' | 'public' | 'invalid';
  /** Name of the threat list the IP is on, or undefined. */
  threatIntel?: (ip: string) => string | undefined;
}

export type DerivedField = (event: VigilEvent, lookups: FieldLookups) => unknown;

const pathCache = new Map<string, string[]>();

function splitPath(path: string): string[] {
  let parts = pathCache.get(path);
  if (!parts) {
    parts = path.split('.');
    pathCache.set(path, parts);
  }
  return parts;
}

/**
 * Walks a dotted path through objects. Crossing an array collects the values of every element
 * (flattened), so a selection matches when any element matches.
 */
export function getPath(root: unknown, path: string): unknown {
  const parts = splitPath(path);
  let current: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      const rest = parts.slice(i).join('.');
      const out: unknown[] = [];
      for (const el of current) {
        const v = getPath(el, rest);
        if (v === undefined) continue;
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
      }
      return out.length ? out : undefined;
    }
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[parts[i]!];
  }
  return current;
}

const modelFields: Record<string, DerivedField> = {
  time: (e) => e.time,
  source: (e) => e.source,
  accountId: (e) => e.accountId,
  region: (e) => e.region,
  eventName: (e) => e.eventName,
  eventSource: (e) => e.eventSource,
  service: (e) => e.service,
  principal: (e) => e.principal,
  principalType: (e) => e.principalType,
  principalAccountId: (e) => e.principalAccountId,
  principalName: (e) => e.principalName,
  sessionName: (e) => e.sessionName,
  accessKeyId: (e) => e.accessKeyId,
  mfa: (e) => e.mfa,
  sourceIp: (e) => e.sourceIp,
  sourceIsService: (e) => e.sourceIsService,
  userAgent: (e) => e.userAgent,
  errorCode: (e) => e.errorCode,
  readOnly: (e) => e.readOnly,
  eventId: (e) => e.eventId,
  crossAccount: (e) =>
    e.principalAccountId !== undefined && e.accountId !== undefined && e.principalAccountId !== e.accountId,
  ipClass: (e, l) => {
    if (e.sourceIsService) return 'service';
    if (!e.sourceIp) return undefined;
    return l.ipClass ? l.ipClass(e.sourceIp) : undefined;
  },
  threatIntel: (e, l) =>
    e.sourceIp && !e.sourceIsService && l.threatIntel ? l.threatIntel(e.sourceIp) : undefined,
};

/** Every derived field by name (without the `vigil.` prefix). Extended by the modules below. */
export const derivedFields: Record<string, DerivedField> = {
  ...modelFields,
  ...policyFields,
  ...securityGroupFields,
  ...requestFields,
};

export function registerDerivedFields(fields: Record<string, DerivedField>): void {
  Object.assign(derivedFields, fields);
}

/**
 * The field getter detections use. Derived fields are computed on first use per event and memoized
 * until the next event: detections evaluate one event at a time, so one slot is enough and costs no
 * allocation per event (a WeakMap of Maps did, and showed up as garbage-collection time).
 */
export function createFieldGetter(lookups: FieldLookups = {}): FieldGetter {
  let current: VigilEvent | undefined;
  const values = new Map<string, unknown>();
  return (event, path) => {
    if (path.charCodeAt(0) === 118 /* v */ && path.startsWith('vigil.')) {
      if (event !== current) {
        current = event;
        values.clear();
      } else if (values.has(path)) {
        return values.get(path);
      }
      const fn = derivedFields[path.slice(6)];
      if (!fn) throw new Error(`unknown derived field "${path}"`);
      const value = fn(event, lookups);
      values.set(path, value);
      return value;
    }
    return getPath(event.raw, path);
  };
}

export function isDerivedField(path: string): boolean {
  return path.startsWith('vigil.') && path.slice(6) in derivedFields;
}
