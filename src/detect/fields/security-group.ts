import type { DerivedField } from './index.js';

/**
 * Which administrative / data-store ports a security-group request opens to the whole internet
 * (`0.0.0.0/0` or `::/0`). Reads every shape CloudTrail uses for ingress rules:
 * - `AuthorizeSecurityGroupIngress` requests: `ipPermissions.items[]` with `ipRanges.items[].cidrIp` and
 *   `ipv6Ranges.items[].cidrIpv6`, or the flat `cidrIp` / `ipProtocol` / `fromPort` / `toPort` form;
 * - their responses: `securityGroupRuleSet.items[]` (`cidrIpv4`, `cidrIpv6`, `isEgress`);
 * - `ModifySecurityGroupRules`: `ModifySecurityGroupRulesRequest.SecurityGroupRule[].SecurityGroupRule`
 *   (`CidrIpv4`, `CidrIpv6`, `IpProtocol`, `FromPort`, `ToPort`).
 */

type Json = Record<string, unknown>;

/** SSH, Telnet, SMB, RDP, WinRM, and database / cache / search engines commonly left open. */
export const ADMIN_PORTS = [22, 23, 445, 1433, 3306, 3389, 5432, 5985, 5986, 6379, 9200, 27017] as const;

interface Rule {
  protocol: unknown;
  from: unknown;
  to: unknown;
  cidrs: unknown[];
  egress?: unknown;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `items` of a CloudTrail EC2 list (`{ items: [...] }`), tolerant of a bare array or a single object. */
function items(value: unknown): Json[] {
  const inner = isObject(value) && 'items' in value ? value['items'] : value;
  return list(inner).filter(isObject);
}

export function isWorldCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [address, prefix] = value.trim().split('/');
  return prefix !== undefined && Number(prefix) === 0 && address !== undefined && address.length > 0;
}

function collectRules(raw: Json): Rule[] {
  const rules: Rule[] = [];
  const req = isObject(raw['requestParameters']) ? raw['requestParameters'] : {};
  for (const p of items(req['ipPermissions'])) {
    const cidrs = [
      ...items(p['ipRanges']).map((r) => r['cidrIp']),
      ...items(p['ipv6Ranges']).map((r) => r['cidrIpv6']),
    ];
    rules.push({ protocol: p['ipProtocol'], from: p['fromPort'], to: p['toPort'], cidrs });
  }
  if (req['cidrIp'] !== undefined || req['cidrIpv6'] !== undefined) {
    rules.push({
      protocol: req['ipProtocol'],
      from: req['fromPort'],
      to: req['toPort'],
      cidrs: [req['cidrIp'], req['cidrIpv6']],
    });
  }
  const modify = req['ModifySecurityGroupRulesRequest'];
  if (isObject(modify)) {
    for (const update of list(modify['SecurityGroupRule']).filter(isObject)) {
      const r = update['SecurityGroupRule'];
      if (!isObject(r)) continue;
      rules.push({
        protocol: r['IpProtocol'],
        from: r['FromPort'],
        to: r['ToPort'],
        cidrs: [r['CidrIpv4'], r['CidrIpv6']],
      });
    }
  }
  const res = isObject(raw['responseElements']) ? raw['responseElements'] : {};
  for (const r of items(res['securityGroupRuleSet'])) {
    rules.push({
      protocol: r['ipProtocol'],
      from: r['fromPort'],
      to: r['toPort'],
      cidrs: [r['cidrIpv4'], r['cidrIpv6']],
      egress: r['isEgress'],
    });
  }
  return rules;
}

function portNumber(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Ports a rule opens: `all` for every protocol, else the admin ports inside its TCP range. */
function openedPorts(rule: Rule): string[] {
  const protocol = String(rule.protocol ?? '').toLowerCase();
  if (protocol === '-1' || protocol === 'all') return ['all'];
  if (protocol !== 'tcp' && protocol !== '6') return [];
  const from = portNumber(rule.from, 0);
  const to = portNumber(rule.to, 65535);
  if (from === 0 && to >= 65535) return ['all'];
  return ADMIN_PORTS.filter((p) => p >= from && p <= to).map(String);
}

/** Admin ports (or `all`) the event opens to the internet on ingress, sorted and unique. */
export function publicAdminPorts(raw: Json): string[] {
  if (typeof raw['eventName'] === 'string' && raw['eventName'].includes('Egress')) return [];
  const out = new Set<string>();
  for (const rule of collectRules(raw)) {
    if (rule.egress === true || rule.egress === 'true') continue;
    if (!rule.cidrs.some(isWorldCidr)) continue;
    for (const p of openedPorts(rule)) out.add(p);
  }
  return [...out].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : Number(a) - Number(b)));
}

/** The security group a request changes: `groupId` (or `groupName`), or the ModifySecurityGroupRules `GroupId`. */
export function requestGroupId(raw: Json): string | undefined {
  const req = isObject(raw['requestParameters']) ? raw['requestParameters'] : {};
  const modify = isObject(req['ModifySecurityGroupRulesRequest'])
    ? req['ModifySecurityGroupRulesRequest']
    : {};
  for (const v of [req['groupId'], modify['GroupId'], req['groupName']])
    if (typeof v === 'string' && v) return v;
  return undefined;
}

/** The `vigil.securityGroup.*` derived fields, keyed without the `vigil.` prefix. */
export const securityGroupFields: Record<string, DerivedField> = {
  'securityGroup.publicAdminPorts': (event) => {
    const ports = publicAdminPorts(event.raw);
    return ports.length ? ports : undefined;
  },
  'securityGroup.publicAdminIngress': (event) => publicAdminPorts(event.raw).length > 0,
  'securityGroup.groupId': (event) => requestGroupId(event.raw),
};
