import type { VigilEvent } from '../../core/event.js';
import type { FieldAccessor, FieldGetter } from '../types.js';
import { dnsFields } from './dns.js';
import { enrichFlowFields, enrichSourceFields } from './enrich.js';
import { flowFields } from './flow.js';
import { grantFields } from './grant.js';
import { policyFields } from './policy.js';
import { requestFields } from './request.js';
import { resourcePolicyFields } from './resource-policy.js';
import { securityGroupFields } from './security-group.js';

/**
 * Derived `vigil.*` fields. Each is a small pure function of the event (and of the lookups the
 * engine is given: AWS IP ranges, threat intelligence). Register new ones in `createFieldGetter`.
 */
export interface FieldLookups {
  /** Classifies an IP: `aws` when in AWS's published ranges, `private`, `public` or `invalid`. */
  ipClass?: (ip: string) => 'aws' | 'private' | 'public' | 'invalid';
  /** Name of the threat list the IP is on, or undefined (also undefined when a trusted list holds it). */
  threatIntel?: (ip: string) => string | undefined;
  /** Name of the threat list holding the domain or a parent of it, or undefined. */
  threatDomain?: (name: string) => string | undefined;
  /** Name of the trusted list the IP is on, or undefined. */
  trusted?: (ip: string) => string | undefined;
  /** Country (ISO code), AS number and organisation of a public IP (src/enrich/geo.ts). */
  geo?: (ip: string) => { country?: string; asn?: number; org?: string } | undefined;
  /** Whether the IP is on the configured Tor exit list. */
  isTorExit?: (ip: string) => boolean;
  /** The AWS service and region publishing the IP (from ip-ranges.json), e.g. EC2 in eu-west-1. */
  awsService?: (ip: string) => { service: string; region: string } | undefined;
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
  return walk(root, splitPath(path), 0);
}

/** getPath over pre-split parts, from `parts[start]` on. */
function walk(root: unknown, parts: readonly string[], start: number): unknown {
  let current: unknown = root;
  for (let i = start; i < parts.length; i++) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) return collect(current, parts, i);
    current = (current as Record<string, unknown>)[parts[i]!];
  }
  return current;
}

/** The values of `parts[start…]` under every element of an array, flattened; undefined when none. */
function collect(array: readonly unknown[], parts: readonly string[], start: number): unknown {
  const out: unknown[] = [];
  for (const el of array) {
    const v = walk(el, parts, start);
    if (v === undefined) continue;
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out.length ? out : undefined;
}

/** A reader of a raw path: a plain property walk, handing over to `collect` only on crossing an array. */
function rawAccessor(path: string): FieldAccessor {
  const parts = path.split('.');
  const n = parts.length;
  if (n === 1) {
    const key = parts[0]!;
    return (event) => event.raw[key];
  }
  if (n === 2) {
    const [a, b] = parts as [string, string];
    return (event) => {
      const first = event.raw[a];
      if (first === null || first === undefined || typeof first !== 'object') return undefined;
      if (Array.isArray(first)) return collect(first, parts, 1);
      return (first as Record<string, unknown>)[b];
    };
  }
  return (event) => {
    let current: unknown = event.raw;
    for (let i = 0; i < n; i++) {
      if (current === null || current === undefined || typeof current !== 'object') return undefined;
      if (Array.isArray(current)) return collect(current, parts, i);
      current = (current as Record<string, unknown>)[parts[i]!];
    }
    return current;
  };
}

/** Fields read straight off the normalized event: cheap enough that accessors do not memoize them. */
const directFields: Record<string, DerivedField> = {
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
};

const modelFields: Record<string, DerivedField> = {
  ...directFields,
  ipClass: (e, l) => {
    if (e.sourceIsService) return 'service';
    if (!e.sourceIp) return undefined;
    return l.ipClass ? l.ipClass(e.sourceIp) : undefined;
  },
  threatIntel: (e, l) =>
    e.sourceIp && !e.sourceIsService && l.threatIntel ? l.threatIntel(e.sourceIp) : undefined,
  'threatIntel.src': (e, l) =>
    e.sourceIp && !e.sourceIsService && l.threatIntel ? l.threatIntel(e.sourceIp) : undefined,
  'trusted.src': (e, l) =>
    e.sourceIp && !e.sourceIsService && l.trusted ? l.trusted(e.sourceIp) : undefined,
  ...enrichSourceFields,
};

/** Threat-list matches on the other side of a flow and on DNS query names (raw record fields). */
const intelFields: Record<string, DerivedField> = {
  'threatIntel.dst': (e, l) => {
    const dst = e.source === 'vpcflow' ? e.raw.dstaddr : undefined;
    return typeof dst === 'string' && l.threatIntel ? l.threatIntel(dst) : undefined;
  },
  'threatIntel.domain': (e, l) => {
    const name = e.source === 'dns' ? e.raw.query_name : undefined;
    return typeof name === 'string' && l.threatDomain ? l.threatDomain(name) : undefined;
  },
};

/** Every derived field by name (without the `vigil.` prefix). Extended by the modules below. */
export const derivedFields: Record<string, DerivedField> = {
  ...modelFields,
  ...intelFields,
  ...policyFields,
  ...securityGroupFields,
  ...requestFields,
  ...resourcePolicyFields,
  ...grantFields,
  ...dnsFields,
  ...enrichFlowFields,
  ...flowFields,
};

export function registerDerivedFields(fields: Record<string, DerivedField>): void {
  Object.assign(derivedFields, fields);
}

/**
 * A reader of a `vigil.*` field. Direct fields read the event; the others are computed on first use
 * per event and kept in the accessor's one-event slot: detections evaluate one event at a time, and
 * every detection reading the field shares the accessor (see createFieldGetter), so one slot is enough
 * and costs no allocation per event.
 */
function derivedAccessor(path: string, lookups: FieldLookups): FieldAccessor {
  const name = path.slice(6);
  const fn = Object.hasOwn(derivedFields, name) ? derivedFields[name] : undefined;
  if (!fn) throw new Error(`unknown derived field "${path}"`);
  if (Object.hasOwn(directFields, name) && fn === directFields[name]) return fn as FieldAccessor;
  let current: VigilEvent | undefined;
  let value: unknown;
  return (event) => {
    if (event === current) return value;
    const v = fn(event, lookups);
    current = event;
    value = v;
    return v;
  };
}

/**
 * The field getter detections use. `getter.accessor(path)` is the compiled reader of a path, made once
 * per path and shared; calling the getter with a path uses the same reader.
 */
export function createFieldGetter(lookups: FieldLookups = {}): FieldGetter & {
  accessor: (path: string) => FieldAccessor;
} {
  const accessors = new Map<string, FieldAccessor>();
  const accessor = (path: string): FieldAccessor => {
    let read = accessors.get(path);
    if (!read) {
      read = path.startsWith('vigil.') ? derivedAccessor(path, lookups) : rawAccessor(path);
      accessors.set(path, read);
    }
    return read;
  };
  return Object.assign((event: VigilEvent, path: string): unknown => accessor(path)(event), { accessor });
}

/** The getter's accessor for a path, or a reader that calls the getter when it has none. */
export function fieldAccessor(getField: FieldGetter, path: string): FieldAccessor {
  if (getField.accessor) return getField.accessor(path);
  return (event) => getField(event, path);
}

/**
 * True for `vigil.*` fields computed from the normalized event alone (not from its raw record): an
 * event stripped of `raw` still renders them.
 */
export function isModelField(path: string): boolean {
  return path.startsWith('vigil.') && Object.hasOwn(modelFields, path.slice(6));
}

export function isDerivedField(path: string): boolean {
  return path.startsWith('vigil.') && Object.hasOwn(derivedFields, path.slice(6));
}
