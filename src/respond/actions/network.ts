import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
  type DescribeNetworkAclsCommandOutput,
  type NetworkAcl,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import {
  GetIPSetCommand,
  ListTagsForResourceCommand,
  UpdateIPSetCommand,
  WAFV2Client,
  type GetIPSetCommandOutput,
  type ListTagsForResourceCommandOutput,
} from '@aws-sdk/client-wafv2';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, ActionTarget, AnyAction } from '../types.js';
import { ipOrCidr, naclId, vpcId, wafIpSetId, wafIpSetName } from '../params.js';

/**
 * Network response actions: deny an address or range in a network ACL, or add it to a WAFv2 IP set that
 * a web ACL blocks. Addresses come from findings, so they are parsed strictly and ranges wide enough to
 * cut a large part of the internet are refused: blocking the internet is an outage, not a response.
 */

export type IpFamily = 'ipv4' | 'ipv6';

/** Shortest prefix accepted per family. */
const MIN_PREFIX: Record<IpFamily, number> = { ipv4: 8, ipv6: 32 };

/**
 * `text` as a canonical CIDR (network address, RFC 5952 for IPv6; IPv4-mapped IPv6 becomes IPv4), or why
 * it is not one. Only dotted four-part decimal IPv4 is accepted (not `0x7f.1` or octal `010.1.1.1`, which
 * parsers read differently) and no IPv6 zone. `minPrefix: false` skips the width check (for reading what
 * AWS already holds).
 */
export function canonicalCidr(
  text: string,
  minPrefix = true,
): { cidr: string; family: IpFamily } | { error: string } {
  const m = /^([0-9A-Fa-f:.]{2,39})(?:\/(\d{1,3}))?$/.exec(text);
  const shown = JSON.stringify(text.slice(0, 50));
  const bad = { error: `${shown} is not an IP address or CIDR` };
  if (!m) return bad;
  const [, addressText = '', bitsText] = m;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) address = ipaddr.IPv4.parse(addressText);
  else if (addressText.includes(':') && ipaddr.IPv6.isValid(addressText))
    address = ipaddr.IPv6.parse(addressText);
  else return bad;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  let bits = bitsText === undefined ? max : Number(bitsText);
  if (bits > max) return bad;
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    address = (address as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  const family = address.kind();
  if (minPrefix && bits < MIN_PREFIX[family])
    return {
      error: `refusing to block ${shown}: a range wider than /${MIN_PREFIX[family]} (${family === 'ipv4' ? 'IPv4' : 'IPv6'}) blocks a large part of the internet`,
    };
  const network =
    family === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return { cidr: `${network.toString()}/${bits}`, family };
}

const familyOf = (cidr: string): IpFamily => (cidr.includes(':') ? 'ipv6' : 'ipv4');

/** Whether two CIDRs as AWS or a user wrote them denote the same range. */
function sameCidr(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = canonicalCidr(a, false);
  return 'cidr' in x && x.cidr === b;
}

/** An address or CIDR to block, validated and made canonical (a bare address becomes /32 or /128). */
export const blockCidr = ipOrCidr.transform((v, zctx) => {
  const r = canonicalCidr(v);
  if ('error' in r) {
    zctx.addIssue({ code: z.ZodIssueCode.custom, message: r.error });
    return z.NEVER;
  }
  return r.cidr;
});

const where = (t: ActionTarget) => `account ${t.accountId} in ${t.region}`;

// ---------------------------------------------------------------------------------------------------
// Network ACL

const ec2 = (ctx: ActionContext) => ctx.clients.get(EC2Client, ctx.target);

const ruleNumber = z.number().int().min(1).max(32766);
const ruleRange = z
  .object({ from: ruleNumber, to: ruleNumber })
  .strict()
  .refine((r) => r.from <= r.to, 'ruleNumberRange.from must not exceed ruleNumberRange.to');

const naclParams = z
  .object({
    networkAclId: naclId.optional(),
    /** Instead of networkAclId: the VPC whose default network ACL to use. */
    vpcId: vpcId.optional(),
    cidr: blockCidr,
    direction: z.enum(['ingress', 'egress', 'both']).default('both'),
    /** Where the deny rule goes: below the usual allow rules (100 and up) so it is evaluated first. */
    ruleNumberRange: ruleRange.default({ from: 1, to: 99 }),
  })
  .strict()
  .refine(
    (p) => (p.networkAclId === undefined) !== (p.vpcId === undefined),
    'give networkAclId or vpcId, not both',
  );
type NaclParams = z.infer<typeof naclParams>;

const naclEntry = z.object({ ruleNumber, egress: z.boolean() }).strict();
const unblockNaclParams = z
  .object({ networkAclId: naclId, cidr: blockCidr, entries: z.array(naclEntry).min(1).max(2) })
  .strict();
type UnblockNaclParams = z.infer<typeof unblockNaclParams>;

type NaclRef = { networkAclId?: string | undefined; vpcId?: string | undefined };
const naclResource = (p: NaclRef, t: ActionTarget) =>
  p.networkAclId
    ? { type: 'AwsEc2NetworkAcl', id: `arn:aws:ec2:${t.region}:${t.accountId}:network-acl/${p.networkAclId}` }
    : { type: 'AwsEc2Vpc', id: `arn:aws:ec2:${t.region}:${t.accountId}:vpc/${p.vpcId ?? ''}` };
const naclName = (p: NaclRef) =>
  p.networkAclId ? `network ACL ${p.networkAclId}` : `the default network ACL of ${p.vpcId ?? ''}`;

/** The network ACL by id, or the VPC's default one. */
async function readNacl(p: NaclRef, ctx: ActionContext) {
  const out = await ctx.call<DescribeNetworkAclsCommandOutput>(
    await ec2(ctx),
    new DescribeNetworkAclsCommand(
      p.networkAclId
        ? { NetworkAclIds: [p.networkAclId] }
        : {
            Filters: [
              { Name: 'vpc-id', Values: [p.vpcId ?? ''] },
              { Name: 'default', Values: ['true'] },
            ],
          },
    ),
    'ec2:DescribeNetworkAcls',
  );
  const acl = out.NetworkAcls?.[0];
  if (!acl?.NetworkAclId)
    throw new ActionError('not-found', `${naclName(p)} does not exist in ${where(ctx.target)}`);
  return acl as NetworkAcl & { NetworkAclId: string };
}

const isDenyOf = (e: NetworkAclEntry, cidr: string, egress: boolean) =>
  e.RuleAction === 'deny' &&
  e.Egress === egress &&
  e.Protocol === '-1' &&
  sameCidr(e.CidrBlock ?? e.Ipv6CidrBlock, cidr);

/** The lowest rule number in the range not used by an entry of that direction. */
function freeRuleNumber(acl: NetworkAcl, egress: boolean, range: { from: number; to: number }) {
  const used = new Set((acl.Entries ?? []).filter((e) => e.Egress === egress).map((e) => e.RuleNumber));
  for (let n = range.from; n <= range.to; n++) if (!used.has(n)) return n;
  return undefined;
}

const directionName = (egress: boolean) => (egress ? 'egress' : 'ingress');

export const blockIpNacl: ActionDefinition<NaclParams> = {
  name: 'network.block-ip-nacl',
  title: 'Block an IP address in a network ACL',
  description:
    'Adds a deny-all-traffic entry for the address or range to a network ACL (CreateNetworkAclEntry), ' +
    'inbound, outbound or both, at the lowest free rule number in ruleNumberRange (default 1-99, before ' +
    'the usual allow rules). It applies to every subnet associated with the ACL and, unlike a security ' +
    'group change, cuts connections already open. Ranges wider than /8 (IPv4) or /32 (IPv6) are refused. ' +
    'Deleting the entries undoes it.',
  destructive: false,
  reversible: true,
  permissions: ['ec2:DescribeNetworkAcls', 'ec2:CreateNetworkAclEntry'],
  params: naclParams,
  resource: naclResource,
  tags: async (p, ctx) =>
    Object.fromEntries(((await readNacl(p, ctx)).Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  describe: (p, t) =>
    `Deny ${p.direction === 'both' ? 'inbound and outbound' : p.direction === 'ingress' ? 'inbound' : 'outbound'} traffic with ${p.cidr} in ${naclName(p)} in ${where(t)}.`,
  async run(p, ctx) {
    let acl = await readNacl(p, ctx);
    const client = await ec2(ctx);
    const family = familyOf(p.cidr);
    const created: { ruleNumber: number; egress: boolean }[] = [];
    const directions = p.direction === 'both' ? [false, true] : [p.direction === 'egress'];
    for (const egress of directions) {
      for (let attempt = 1; ; attempt++) {
        if ((acl.Entries ?? []).some((e) => isDenyOf(e, p.cidr, egress))) break;
        const n = freeRuleNumber(acl, egress, p.ruleNumberRange);
        const sofar = created.length
          ? ` (already created: ${created.map((c) => `${directionName(c.egress)} rule ${c.ruleNumber}`).join(', ')})`
          : '';
        if (n === undefined)
          throw new ActionError(
            'refused',
            `network ACL ${acl.NetworkAclId} has no free ${directionName(egress)} rule number between ${p.ruleNumberRange.from} and ${p.ruleNumberRange.to}; widen ruleNumberRange or remove entries${sofar}`,
          );
        const out = await ctx.call(
          client,
          new CreateNetworkAclEntryCommand({
            NetworkAclId: acl.NetworkAclId,
            RuleNumber: n,
            Egress: egress,
            RuleAction: 'deny',
            Protocol: '-1',
            ...(family === 'ipv4' ? { CidrBlock: p.cidr } : { Ipv6CidrBlock: p.cidr }),
          }),
          'ec2:CreateNetworkAclEntry',
          ['NetworkAclEntryAlreadyExists', 'NetworkAclEntryLimitExceeded'],
        );
        if (!out.errorCode) {
          created.push({ ruleNumber: n, egress });
          break;
        }
        if (out.errorCode === 'NetworkAclEntryLimitExceeded')
          throw new ActionError(
            'refused',
            `network ACL ${acl.NetworkAclId} holds as many ${directionName(egress)} entries as the account's quota allows; remove entries or raise the quota${sofar}`,
            out.errorCode,
          );
        // Someone took that rule number meanwhile: read the ACL again and pick another.
        if (attempt >= 3)
          throw new ActionError(
            'aws',
            `network ACL ${acl.NetworkAclId} kept changing while Vigil added a rule; try again${sofar}`,
            out.errorCode,
          );
        acl = await readNacl({ networkAclId: acl.NetworkAclId }, ctx);
      }
    }
    const data = { networkAclId: acl.NetworkAclId, entries: created };
    if (created.length === 0)
      return {
        status: 'unchanged',
        summary: `${p.cidr} was already denied in network ACL ${acl.NetworkAclId}.`,
        data,
      };
    return {
      status: 'changed',
      summary: `Denied ${p.cidr} in network ACL ${acl.NetworkAclId} (${created.map((c) => `${directionName(c.egress)} rule ${c.ruleNumber}`).join(', ')}).`,
      undo: {
        action: 'network.unblock-ip-nacl',
        params: { networkAclId: acl.NetworkAclId, cidr: p.cidr, entries: created },
      },
      data,
    };
  },
};

/** The undo of `network.block-ip-nacl`: deletes the entries it created, if they still deny that range. */
export const unblockIpNacl: ActionDefinition<UnblockNaclParams> = {
  name: 'network.unblock-ip-nacl',
  title: 'Remove a network ACL deny entry',
  description:
    'Deletes the deny entries block-ip-nacl created (DeleteNetworkAclEntry), by rule number, only while ' +
    'they still deny that address: an entry reused for something else is left alone.',
  destructive: false,
  reversible: true,
  permissions: ['ec2:DescribeNetworkAcls', 'ec2:DeleteNetworkAclEntry'],
  params: unblockNaclParams,
  resource: naclResource,
  tags: async (p, ctx) =>
    Object.fromEntries(((await readNacl(p, ctx)).Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  describe: (p, t) =>
    `Delete the deny entries for ${p.cidr} (rules ${p.entries.map((e) => e.ruleNumber).join(', ')}) from network ACL ${p.networkAclId} in ${where(t)}.`,
  async run(p, ctx) {
    const acl = await readNacl(p, ctx);
    const client = await ec2(ctx);
    const deleted: boolean[] = [];
    for (const e of p.entries) {
      const entry = (acl.Entries ?? []).find((x) => x.RuleNumber === e.ruleNumber && x.Egress === e.egress);
      if (!entry || !isDenyOf(entry, p.cidr, e.egress)) continue;
      await ctx.call(
        client,
        new DeleteNetworkAclEntryCommand({
          NetworkAclId: p.networkAclId,
          RuleNumber: e.ruleNumber,
          Egress: e.egress,
        }),
        'ec2:DeleteNetworkAclEntry',
        ['InvalidNetworkAclEntry.NotFound'],
      );
      deleted.push(e.egress);
    }
    if (deleted.length === 0)
      return { status: 'unchanged', summary: `Network ACL ${p.networkAclId} no longer denied ${p.cidr}.` };
    const direction = deleted.length === 2 ? 'both' : directionName(deleted[0]!);
    return {
      status: 'changed',
      summary: `Removed the deny entries for ${p.cidr} from network ACL ${p.networkAclId}.`,
      undo: {
        action: 'network.block-ip-nacl',
        params: { networkAclId: p.networkAclId, cidr: p.cidr, direction },
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// WAFv2 IP set

const wafParams = z
  .object({
    ipSetName: wafIpSetName,
    ipSetId: wafIpSetId,
    scope: z.enum(['REGIONAL', 'CLOUDFRONT']),
    cidr: blockCidr,
  })
  .strict();
type WafParams = z.infer<typeof wafParams>;

/** CloudFront-scope WAF resources live in us-east-1 whatever the target region. */
const wafRegion = (p: WafParams, t: ActionTarget) => (p.scope === 'CLOUDFRONT' ? 'us-east-1' : t.region);
const waf = (p: WafParams, ctx: ActionContext) =>
  ctx.clients.get(WAFV2Client, { ...ctx.target, region: wafRegion(p, ctx.target) });
const ipSetArn = (p: WafParams, t: ActionTarget) =>
  `arn:aws:wafv2:${wafRegion(p, t)}:${t.accountId}:${p.scope === 'CLOUDFRONT' ? 'global' : 'regional'}/ipset/${p.ipSetName}/${p.ipSetId}`;

/** Attempts at GetIPSet + UpdateIPSet when another writer changes the set in between. */
const LOCK_ATTEMPTS = 3;

/**
 * Reads the IP set and writes `change(addresses)` back with the lock token just read, again from the
 * read when another writer got in first (WAFOptimisticLockException). `change` returns undefined when
 * nothing needs changing. UpdateIPSet replaces the whole set, description included, so the description
 * is sent back as read.
 */
async function updateIpSet(
  p: WafParams,
  ctx: ActionContext,
  change: (addresses: string[], family: IpFamily) => string[] | undefined,
): Promise<boolean> {
  const client = await waf(p, ctx);
  for (let attempt = 1; attempt <= LOCK_ATTEMPTS; attempt++) {
    const got = await ctx.call<GetIPSetCommandOutput>(
      client,
      new GetIPSetCommand({ Name: p.ipSetName, Scope: p.scope, Id: p.ipSetId }),
      'wafv2:GetIPSet',
    );
    if (!got.IPSet || !got.LockToken)
      throw new ActionError(
        'not-found',
        `WAF IP set ${p.ipSetName} (${p.ipSetId}) was not returned by GetIPSet`,
      );
    const next = change(got.IPSet.Addresses ?? [], got.IPSet.IPAddressVersion === 'IPV6' ? 'ipv6' : 'ipv4');
    if (!next) return false;
    const out = await ctx.call(
      client,
      new UpdateIPSetCommand({
        Name: p.ipSetName,
        Scope: p.scope,
        Id: p.ipSetId,
        Addresses: next,
        LockToken: got.LockToken,
        ...(got.IPSet.Description ? { Description: got.IPSet.Description } : {}),
      }),
      'wafv2:UpdateIPSet',
      ['WAFOptimisticLockException'],
    );
    if (!out.errorCode) return true;
  }
  throw new ActionError(
    'aws',
    `WAF IP set ${p.ipSetName} kept changing while Vigil updated it (WAFOptimisticLockException ${LOCK_ATTEMPTS} times); try again`,
    'WAFOptimisticLockException',
  );
}

async function ipSetTags(p: WafParams, ctx: ActionContext): Promise<Record<string, string>> {
  const client = await waf(p, ctx);
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const out = await ctx.call<ListTagsForResourceCommandOutput>(
      client,
      new ListTagsForResourceCommand({
        ResourceARN: ipSetArn(p, ctx.target),
        ...(marker ? { NextMarker: marker } : {}),
      }),
      'wafv2:ListTagsForResource',
    );
    for (const t of out.TagInfoForResource?.TagList ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
    marker = out.NextMarker;
  } while (marker);
  return tags;
}

const ipSetResource = (p: WafParams, t: ActionTarget) => ({ type: 'AwsWafv2IpSet', id: ipSetArn(p, t) });

export const blockIpWaf: ActionDefinition<WafParams> = {
  name: 'network.block-ip-waf',
  title: 'Block an IP address with a WAF IP set',
  description:
    'Adds the address or range to a WAFv2 IP set (GetIPSet, UpdateIPSet with its lock token, re-read and ' +
    'retried when another writer changed it) that a web ACL rule blocks. The set must be of the same IP ' +
    'family; CLOUDFRONT-scope sets are reached in us-east-1. Ranges wider than /8 (IPv4) or /32 (IPv6) ' +
    'are refused. Removing the address undoes it.',
  destructive: false,
  reversible: true,
  permissions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet', 'wafv2:ListTagsForResource'],
  params: wafParams,
  resource: ipSetResource,
  tags: ipSetTags,
  describe: (p, t) =>
    `Add ${p.cidr} to WAF IP set ${p.ipSetName} (${p.scope}) in ${where({ ...t, region: wafRegion(p, t) })}.`,
  async run(p, ctx) {
    const changed = await updateIpSet(p, ctx, (addresses, family) => {
      if (family !== familyOf(p.cidr))
        throw new ActionError(
          'refused',
          `WAF IP set ${p.ipSetName} holds ${family === 'ipv4' ? 'IPv4' : 'IPv6'} addresses; ${p.cidr} cannot be added to it`,
        );
      return addresses.some((a) => sameCidr(a, p.cidr)) ? undefined : [...addresses, p.cidr];
    });
    if (!changed)
      return { status: 'unchanged', summary: `WAF IP set ${p.ipSetName} already held ${p.cidr}.` };
    return {
      status: 'changed',
      summary: `Added ${p.cidr} to WAF IP set ${p.ipSetName}.`,
      undo: { action: 'network.unblock-ip-waf', params: { ...p } },
    };
  },
};

/** The undo of `network.block-ip-waf`. */
export const unblockIpWaf: ActionDefinition<WafParams> = {
  name: 'network.unblock-ip-waf',
  title: 'Remove an IP address from a WAF IP set',
  description: 'Removes the address or range from the WAFv2 IP set (UpdateIPSet): the undo of block-ip-waf.',
  destructive: false,
  reversible: true,
  permissions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet', 'wafv2:ListTagsForResource'],
  params: wafParams,
  resource: ipSetResource,
  tags: ipSetTags,
  describe: (p, t) =>
    `Remove ${p.cidr} from WAF IP set ${p.ipSetName} (${p.scope}) in ${where({ ...t, region: wafRegion(p, t) })}.`,
  async run(p, ctx) {
    const changed = await updateIpSet(p, ctx, (addresses) => {
      const kept = addresses.filter((a) => !sameCidr(a, p.cidr));
      return kept.length === addresses.length ? undefined : kept;
    });
    if (!changed)
      return { status: 'unchanged', summary: `WAF IP set ${p.ipSetName} did not hold ${p.cidr}.` };
    return {
      status: 'changed',
      summary: `Removed ${p.cidr} from WAF IP set ${p.ipSetName}.`,
      undo: { action: 'network.block-ip-waf', params: { ...p } },
    };
  },
};

export const networkActions: AnyAction[] = [blockIpNacl, unblockIpNacl, blockIpWaf, unblockIpWaf];
