import {
  AssociateIamInstanceProfileCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type CreateSecurityGroupCommandOutput,
  type CreateSnapshotCommandOutput,
  type DescribeIamInstanceProfileAssociationsCommandOutput,
  type DescribeInstancesCommandOutput,
  type DescribeNetworkInterfacesCommandOutput,
  type DescribeSecurityGroupsCommandOutput,
  type DescribeSnapshotsCommandOutput,
  type DescribeTagsCommandOutput,
  type Instance,
  type IpPermission,
  type SecurityGroup,
  type Tag,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, ActionOutcome, ActionTarget, AnyAction } from '../types.js';
import {
  instanceId,
  instanceProfileArn,
  networkInterfaceId,
  securityGroupId,
  tagKey,
  tagValue,
} from '../params.js';

/**
 * EC2 response actions: isolate an instance behind an empty security group, take its instance profile
 * away, snapshot its volumes for forensics, tag it and stop it. Each reads the instance first and changes
 * only what differs, so a repeated or resumed run makes no second change.
 */

const ec2 = (ctx: ActionContext) => ctx.clients.get(EC2Client, ctx.target);

const instanceArn = (t: ActionTarget, id: string) => `arn:aws:ec2:${t.region}:${t.accountId}:instance/${id}`;
const instanceResource = (p: { instanceId: string }, t: ActionTarget) => ({
  type: 'AwsEc2Instance',
  id: instanceArn(t, p.instanceId),
});
const where = (t: ActionTarget) => `account ${t.accountId} in ${t.region}`;

async function describeInstance(id: string, ctx: ActionContext): Promise<Instance> {
  const out = await ctx.call<DescribeInstancesCommandOutput>(
    await ec2(ctx),
    new DescribeInstancesCommand({ InstanceIds: [id] }),
    'ec2:DescribeInstances',
  );
  const found = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id);
  if (!found) throw new ActionError('not-found', `EC2 instance ${id} does not exist in ${where(ctx.target)}`);
  return found;
}

/** The instance's tags (DescribeTags, every page), for the protection-tag check and tag actions. */
async function instanceTags(
  id: string,
  ctx: ActionContext,
  keys?: string[],
): Promise<Record<string, string>> {
  const client = await ec2(ctx);
  const tags: Record<string, string> = {};
  let token: string | undefined;
  do {
    const out = await ctx.call<DescribeTagsCommandOutput>(
      client,
      new DescribeTagsCommand({
        Filters: [{ Name: 'resource-id', Values: [id] }, ...(keys ? [{ Name: 'key', Values: keys }] : [])],
        ...(token ? { NextToken: token } : {}),
      }),
      'ec2:DescribeTags',
    );
    for (const t of out.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    token = out.NextToken;
  } while (token);
  return tags;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

// ---------------------------------------------------------------------------------------------------
// Isolation

export const ISOLATION_GROUP_PREFIX = 'vigil-isolation-';

/**
 * The allow-all parts (all protocols to 0.0.0.0/0 or ::/0) of a group's egress rules, which every new
 * security group starts with and which defeat isolation; other ranges of the same rule are left alone.
 */
function allowAllEgress(rules: IpPermission[]): IpPermission[] {
  return rules.flatMap((r) => {
    if (r.IpProtocol !== '-1') return [];
    const v4 = (r.IpRanges ?? []).filter((x) => x.CidrIp === '0.0.0.0/0').map((x) => ({ CidrIp: x.CidrIp }));
    const v6 = (r.Ipv6Ranges ?? [])
      .filter((x) => x.CidrIpv6 === '::/0')
      .map((x) => ({ CidrIpv6: x.CidrIpv6 }));
    if (v4.length + v6.length === 0) return [];
    return [
      { IpProtocol: '-1', ...(v4.length ? { IpRanges: v4 } : {}), ...(v6.length ? { Ipv6Ranges: v6 } : {}) },
    ];
  });
}

async function findGroup(vpc: string, ctx: ActionContext): Promise<SecurityGroup | undefined> {
  const out = await ctx.call<DescribeSecurityGroupsCommandOutput>(
    await ec2(ctx),
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpc] },
        { Name: 'group-name', Values: [ISOLATION_GROUP_PREFIX + vpc] },
      ],
    }),
    'ec2:DescribeSecurityGroups',
  );
  return out.SecurityGroups?.[0];
}

/**
 * The VPC's isolation group: found by name or created, with its default allow-all egress rule revoked so
 * it has no rules at all. A group found with an allow-all egress rule (a run that stopped between create
 * and revoke) has that rule revoked too; other rules someone added on purpose (forensic access from a
 * bastion) are kept.
 */
async function isolationGroup(vpc: string, ctx: ActionContext): Promise<{ id: string; created: boolean }> {
  const client = await ec2(ctx);
  let group = await findGroup(vpc, ctx);
  let created = false;
  if (!group) {
    const out = await ctx.call<CreateSecurityGroupCommandOutput>(
      client,
      new CreateSecurityGroupCommand({
        GroupName: ISOLATION_GROUP_PREFIX + vpc,
        Description: 'Vigil isolation: no inbound or outbound rules. Instances in it cannot connect.',
        VpcId: vpc,
        TagSpecifications: [
          { ResourceType: 'security-group', Tags: [{ Key: 'vigil:purpose', Value: 'isolation' }] },
        ],
      }),
      'ec2:CreateSecurityGroup',
      // Another run created it in the meantime: use that one.
      ['InvalidGroup.Duplicate'],
    );
    if (out.GroupId) {
      created = true;
      group = {
        GroupId: out.GroupId,
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      };
    } else group = await findGroup(vpc, ctx);
  }
  const id = group?.GroupId;
  if (!id)
    throw new ActionError('aws', `could not create or find security group ${ISOLATION_GROUP_PREFIX}${vpc}`);
  const open = allowAllEgress(group?.IpPermissionsEgress ?? []);
  if (open.length > 0)
    await ctx.call(
      client,
      new RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: open }),
      'ec2:RevokeSecurityGroupEgress',
      ['InvalidPermission.NotFound'],
    );
  return { id, created };
}

const interfaceGroups = z
  .object({ networkInterfaceId, groups: z.array(securityGroupId).min(1).max(16) })
  .strict();
const instanceParams = z.object({ instanceId }).strict();
type InstanceParams = z.infer<typeof instanceParams>;
const restoreGroupsParams = z
  .object({ instanceId, interfaces: z.array(interfaceGroups).min(1).max(32) })
  .strict();
type RestoreGroupsParams = z.infer<typeof restoreGroupsParams>;

export const isolateInstance: ActionDefinition<InstanceParams> = {
  name: 'ec2.isolate-instance',
  title: 'Isolate an EC2 instance',
  description:
    "Replaces the security groups of every network interface of the instance with the VPC's isolation group " +
    '(vigil-isolation-<vpc id>, created on demand with no inbound or outbound rule), blocking new ' +
    'connections. Connections already open may persist: security group connection tracking keeps tracked ' +
    'flows alive after a group change, so block the peer with a network ACL to cut them at once. ' +
    'Restoring the previous groups undoes it.',
  destructive: true,
  reversible: true,
  permissions: [
    'ec2:DescribeInstances',
    'ec2:DescribeSecurityGroups',
    'ec2:CreateSecurityGroup',
    'ec2:CreateTags',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:ModifyNetworkInterfaceAttribute',
    'ec2:DescribeTags',
  ],
  params: instanceParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) =>
    `Isolate EC2 instance ${p.instanceId} in ${where(t)} by replacing its security groups with an empty isolation group.`,
  async run(p, ctx) {
    const instance = await describeInstance(p.instanceId, ctx);
    const enis = instance.NetworkInterfaces ?? [];
    if (enis.length === 0)
      throw new ActionError('refused', `EC2 instance ${p.instanceId} has no network interface to isolate`);
    const groups = new Map<string, string>();
    const previous: RestoreGroupsParams['interfaces'] = [];
    for (const eni of enis) {
      const vpc = eni.VpcId ?? instance.VpcId;
      if (!eni.NetworkInterfaceId || !vpc) continue;
      let sg = groups.get(vpc);
      if (!sg) {
        sg = (await isolationGroup(vpc, ctx)).id;
        groups.set(vpc, sg);
      }
      const current = (eni.Groups ?? []).map((g) => g.GroupId ?? '');
      if (sameSet(current, [sg])) continue;
      await ctx.call(
        await ec2(ctx),
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eni.NetworkInterfaceId,
          Groups: [sg],
        }),
        'ec2:ModifyNetworkInterfaceAttribute',
      );
      previous.push({ networkInterfaceId: eni.NetworkInterfaceId, groups: current });
    }
    const data = { isolationGroups: Object.fromEntries(groups) };
    if (previous.length === 0)
      return {
        status: 'unchanged',
        summary: `EC2 instance ${p.instanceId} was already isolated.`,
        data,
      };
    return {
      status: 'changed',
      summary: `Isolated EC2 instance ${p.instanceId}: ${previous.length} network interface(s) moved to ${[...groups.values()].join(', ')}.`,
      undo: {
        action: 'ec2.restore-security-groups',
        params: { instanceId: p.instanceId, interfaces: previous },
      },
      data,
    };
  },
};

/** The undo of `ec2.isolate-instance`. */
export const restoreSecurityGroups: ActionDefinition<RestoreGroupsParams> = {
  name: 'ec2.restore-security-groups',
  title: 'Restore the security groups of an instance',
  description:
    'Puts each listed network interface back in the security groups it had before isolation ' +
    '(ModifyNetworkInterfaceAttribute): the undo of isolate-instance.',
  destructive: false,
  reversible: true,
  permissions: ['ec2:DescribeNetworkInterfaces', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:DescribeTags'],
  params: restoreGroupsParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) =>
    `Restore the previous security groups of ${p.interfaces.length} network interface(s) of EC2 instance ${p.instanceId} in ${where(t)}.`,
  async run(p, ctx) {
    const client = await ec2(ctx);
    const out = await ctx.call<DescribeNetworkInterfacesCommandOutput>(
      client,
      new DescribeNetworkInterfacesCommand({
        NetworkInterfaceIds: p.interfaces.map((i) => i.networkInterfaceId),
      }),
      'ec2:DescribeNetworkInterfaces',
    );
    const current = new Map(
      (out.NetworkInterfaces ?? []).map((n) => [
        n.NetworkInterfaceId,
        (n.Groups ?? []).map((g) => g.GroupId ?? ''),
      ]),
    );
    let changed = 0;
    for (const eni of p.interfaces) {
      if (sameSet(current.get(eni.networkInterfaceId) ?? [], eni.groups)) continue;
      await ctx.call(
        client,
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eni.networkInterfaceId,
          Groups: eni.groups,
        }),
        'ec2:ModifyNetworkInterfaceAttribute',
      );
      changed++;
    }
    if (changed === 0)
      return {
        status: 'unchanged',
        summary: `The network interfaces of EC2 instance ${p.instanceId} already had their previous security groups.`,
      };
    return {
      status: 'changed',
      summary: `Restored the security groups of ${changed} network interface(s) of EC2 instance ${p.instanceId}.`,
      undo: { action: 'ec2.isolate-instance', params: { instanceId: p.instanceId } },
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Instance profile

async function profileAssociations(id: string, ctx: ActionContext, states: string[]) {
  const client = await ec2(ctx);
  const found: { associationId: string; arn: string }[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.call<DescribeIamInstanceProfileAssociationsCommandOutput>(
      client,
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [
          { Name: 'instance-id', Values: [id] },
          { Name: 'state', Values: states },
        ],
        ...(token ? { NextToken: token } : {}),
      }),
      'ec2:DescribeIamInstanceProfileAssociations',
    );
    for (const a of out.IamInstanceProfileAssociations ?? [])
      if (a.AssociationId)
        found.push({ associationId: a.AssociationId, arn: a.IamInstanceProfile?.Arn ?? '' });
    token = out.NextToken;
  } while (token);
  return found;
}

const profileParams = z.object({ instanceId, instanceProfileArn }).strict();
type ProfileParams = z.infer<typeof profileParams>;

export const detachInstanceProfile: ActionDefinition<InstanceParams> = {
  name: 'ec2.detach-instance-profile',
  title: 'Detach the instance profile of an instance',
  description:
    'Disassociates the IAM instance profile from the instance (DisassociateIamInstanceProfile), so it can ' +
    'no longer obtain role credentials. Credentials already delivered to it stay valid until they expire: ' +
    "revoke the role's sessions to cut them. Re-associating the recorded profile undoes it.",
  destructive: true,
  reversible: true,
  permissions: [
    'ec2:DescribeIamInstanceProfileAssociations',
    'ec2:DisassociateIamInstanceProfile',
    'ec2:DescribeTags',
  ],
  params: instanceParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) => `Detach the IAM instance profile of EC2 instance ${p.instanceId} in ${where(t)}.`,
  async run(p, ctx) {
    const associations = await profileAssociations(p.instanceId, ctx, ['associated']);
    if (associations.length === 0)
      return {
        status: 'unchanged',
        summary: `EC2 instance ${p.instanceId} had no instance profile associated.`,
      };
    const client = await ec2(ctx);
    for (const a of associations)
      await ctx.call(
        client,
        new DisassociateIamInstanceProfileCommand({ AssociationId: a.associationId }),
        'ec2:DisassociateIamInstanceProfile',
      );
    const arn = associations[0]!.arn;
    const outcome: ActionOutcome = {
      status: 'changed',
      summary: `Detached instance profile ${arn} from EC2 instance ${p.instanceId}.`,
      data: { instanceProfileArn: arn },
    };
    if (instanceProfileArn.safeParse(arn).success)
      outcome.undo = {
        action: 'ec2.attach-instance-profile',
        params: { instanceId: p.instanceId, instanceProfileArn: arn },
      };
    return outcome;
  },
};

/** The undo of `ec2.detach-instance-profile`. */
export const attachInstanceProfile: ActionDefinition<ProfileParams> = {
  name: 'ec2.attach-instance-profile',
  title: 'Attach an instance profile to an instance',
  description:
    'Associates the recorded IAM instance profile with the instance again (AssociateIamInstanceProfile): ' +
    'the undo of detach-instance-profile. Refused when another profile is associated meanwhile.',
  destructive: false,
  reversible: true,
  permissions: [
    'ec2:DescribeIamInstanceProfileAssociations',
    'ec2:AssociateIamInstanceProfile',
    'iam:PassRole',
  ],
  params: profileParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) =>
    `Attach instance profile ${p.instanceProfileArn} to EC2 instance ${p.instanceId} in ${where(t)}.`,
  async run(p, ctx) {
    const current = await profileAssociations(p.instanceId, ctx, ['associating', 'associated']);
    if (current.some((a) => a.arn === p.instanceProfileArn))
      return {
        status: 'unchanged',
        summary: `Instance profile ${p.instanceProfileArn} was already attached to EC2 instance ${p.instanceId}.`,
      };
    if (current.length > 0)
      throw new ActionError(
        'refused',
        `EC2 instance ${p.instanceId} has another instance profile (${current[0]!.arn}); detach it first`,
      );
    await ctx.call(
      await ec2(ctx),
      new AssociateIamInstanceProfileCommand({
        InstanceId: p.instanceId,
        IamInstanceProfile: { Arn: p.instanceProfileArn },
      }),
      'ec2:AssociateIamInstanceProfile',
    );
    return {
      status: 'changed',
      summary: `Attached instance profile ${p.instanceProfileArn} to EC2 instance ${p.instanceId}.`,
      undo: { action: 'ec2.detach-instance-profile', params: { instanceId: p.instanceId } },
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Forensic snapshots

/** Volume ids already snapshotted by this action run (found by the `vigil:action-id` tag). */
async function snapshotsOfAction(ctx: ActionContext): Promise<Map<string, string>> {
  const client = await ec2(ctx);
  const byVolume = new Map<string, string>();
  let token: string | undefined;
  do {
    const out = await ctx.call<DescribeSnapshotsCommandOutput>(
      client,
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:vigil:action-id', Values: [ctx.actionId] }],
        ...(token ? { NextToken: token } : {}),
      }),
      'ec2:DescribeSnapshots',
    );
    for (const s of out.Snapshots ?? [])
      if (s.VolumeId && s.SnapshotId) byVolume.set(s.VolumeId, s.SnapshotId);
    token = out.NextToken;
  } while (token);
  return byVolume;
}

export const snapshotVolumes: ActionDefinition<InstanceParams> = {
  name: 'ec2.snapshot-volumes',
  title: 'Snapshot the volumes of an instance',
  description:
    'Creates an EBS snapshot of every volume attached to the instance (CreateSnapshot), tagged with the ' +
    'action id, instance id and finding id, to preserve evidence for forensics. Not undone: snapshots are ' +
    'evidence, delete them by hand when the investigation is closed.',
  destructive: false,
  reversible: false,
  permissions: [
    'ec2:DescribeInstances',
    'ec2:DescribeSnapshots',
    'ec2:CreateSnapshot',
    'ec2:CreateTags',
    'ec2:DescribeTags',
  ],
  params: instanceParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) =>
    `Snapshot every EBS volume of EC2 instance ${p.instanceId} in ${where(t)} for forensics.`,
  async run(p, ctx) {
    const instance = await describeInstance(p.instanceId, ctx);
    const volumes = (instance.BlockDeviceMappings ?? []).flatMap((m) =>
      m.Ebs?.VolumeId ? [{ volumeId: m.Ebs.VolumeId, device: m.DeviceName ?? '' }] : [],
    );
    if (volumes.length === 0)
      return {
        status: 'unchanged',
        summary: `EC2 instance ${p.instanceId} has no EBS volume to snapshot.`,
        data: { snapshotIds: [] },
      };
    const done = await snapshotsOfAction(ctx);
    const tags: Tag[] = [
      { Key: 'vigil:action-id', Value: ctx.actionId },
      { Key: 'vigil:instance-id', Value: p.instanceId },
    ];
    if (ctx.finding && tagValue.safeParse(ctx.finding.id).success)
      tags.push({ Key: 'vigil:finding-id', Value: ctx.finding.id });
    const client = await ec2(ctx);
    let created = 0;
    for (const v of volumes) {
      if (done.has(v.volumeId)) continue;
      const out = await ctx.call<CreateSnapshotCommandOutput>(
        client,
        new CreateSnapshotCommand({
          VolumeId: v.volumeId,
          Description:
            `Vigil forensic snapshot of ${v.volumeId} (${v.device}) of ${p.instanceId}, action ${ctx.actionId}`.slice(
              0,
              255,
            ),
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
        }),
        'ec2:CreateSnapshot',
      );
      if (out.SnapshotId) done.set(v.volumeId, out.SnapshotId);
      created++;
    }
    const snapshotIds = volumes.flatMap((v) => {
      const id = done.get(v.volumeId);
      return id ? [id] : [];
    });
    return created === 0
      ? {
          status: 'unchanged',
          summary: `The ${volumes.length} volume(s) of EC2 instance ${p.instanceId} were already snapshotted by this action.`,
          data: { snapshotIds },
        }
      : {
          status: 'changed',
          summary: `Started ${created} snapshot(s) of the volumes of EC2 instance ${p.instanceId}: ${snapshotIds.join(', ')}.`,
          data: { snapshotIds },
        };
  },
};

// ---------------------------------------------------------------------------------------------------
// Tags

const tagMap = z
  .record(tagKey, tagValue)
  .refine((m) => Object.keys(m).length <= 10, 'at most 10 tags')
  .refine(
    (m) => Object.keys(m).every((k) => !k.toLowerCase().startsWith('aws:')),
    'tag keys starting with aws: are reserved',
  );
const tagParams = z
  .object({ instanceId, tags: tagMap.refine((m) => Object.keys(m).length >= 1, 'at least one tag') })
  .strict();
type TagParams = z.infer<typeof tagParams>;
const restoreTagsParams = z
  .object({ instanceId, tags: tagMap.default({}), remove: z.array(tagKey).max(10).default([]) })
  .strict();
type RestoreTagsParams = z.infer<typeof restoreTagsParams>;

/**
 * Sets `set` and deletes `remove` on the instance, touching only keys that differ, and returns the
 * inverse (previous values of the keys it overwrote, keys it created to remove) as `ec2.restore-tags`.
 */
async function applyTags(
  id: string,
  set: Record<string, string>,
  remove: string[],
  ctx: ActionContext,
): Promise<{ changed: number; undo: RestoreTagsParams }> {
  const keys = [...new Set([...Object.keys(set), ...remove])];
  const current = keys.length > 0 ? await instanceTags(id, ctx, keys) : {};
  const toSet = Object.entries(set).filter(([k, v]) => current[k] !== v);
  const toRemove = remove.filter((k) => k in current && !(k in set));
  const undo: RestoreTagsParams = { instanceId: id, tags: {}, remove: [] };
  for (const [k] of toSet)
    if (k in current) undo.tags[k] = current[k]!;
    else undo.remove.push(k);
  for (const k of toRemove) undo.tags[k] = current[k]!;
  const client = await ec2(ctx);
  if (toSet.length > 0)
    await ctx.call(
      client,
      new CreateTagsCommand({ Resources: [id], Tags: toSet.map(([Key, Value]) => ({ Key, Value })) }),
      'ec2:CreateTags',
    );
  if (toRemove.length > 0)
    await ctx.call(
      client,
      new DeleteTagsCommand({ Resources: [id], Tags: toRemove.map((Key) => ({ Key })) }),
      'ec2:DeleteTags',
    );
  return { changed: toSet.length + toRemove.length, undo };
}

export const tagInstance: ActionDefinition<TagParams> = {
  name: 'ec2.tag-instance',
  title: 'Tag an EC2 instance',
  description:
    'Sets up to 10 tags on the instance (CreateTags), e.g. to mark it as under investigation. Restoring the ' +
    'previous values, and deleting the keys it added, undoes it.',
  destructive: false,
  reversible: true,
  permissions: ['ec2:DescribeTags', 'ec2:CreateTags'],
  params: tagParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) =>
    `Tag EC2 instance ${p.instanceId} in ${where(t)} with ${Object.keys(p.tags).join(', ')}.`,
  async run(p, ctx) {
    const r = await applyTags(p.instanceId, p.tags, [], ctx);
    if (r.changed === 0)
      return { status: 'unchanged', summary: `EC2 instance ${p.instanceId} already had these tags.` };
    return {
      status: 'changed',
      summary: `Set ${r.changed} tag(s) on EC2 instance ${p.instanceId}.`,
      undo: { action: 'ec2.restore-tags', params: r.undo },
    };
  },
};

/** The undo of `ec2.tag-instance` (and of itself). */
export const restoreTags: ActionDefinition<RestoreTagsParams> = {
  name: 'ec2.restore-tags',
  title: 'Restore the tags of an EC2 instance',
  description:
    'Sets tags back to their recorded values (CreateTags) and deletes the keys that did not exist before ' +
    '(DeleteTags): the undo of tag-instance.',
  destructive: false,
  reversible: true,
  permissions: ['ec2:DescribeTags', 'ec2:CreateTags', 'ec2:DeleteTags'],
  params: restoreTagsParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) => `Restore the previous tags of EC2 instance ${p.instanceId} in ${where(t)}.`,
  async run(p, ctx) {
    const r = await applyTags(p.instanceId, p.tags, p.remove, ctx);
    if (r.changed === 0)
      return { status: 'unchanged', summary: `EC2 instance ${p.instanceId} already had its previous tags.` };
    return {
      status: 'changed',
      summary: `Restored ${r.changed} tag(s) of EC2 instance ${p.instanceId}.`,
      undo: { action: 'ec2.restore-tags', params: r.undo },
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Stop and start

export const stopInstance: ActionDefinition<InstanceParams> = {
  name: 'ec2.stop-instance',
  title: 'Stop an EC2 instance',
  description:
    'Stops the instance (StopInstances). Memory and instance-store data are lost, so snapshot or capture ' +
    'them first if they matter as evidence; a public IPv4 address that is not an Elastic IP changes on ' +
    'restart. Starting it again undoes it.',
  destructive: true,
  reversible: true,
  permissions: ['ec2:DescribeInstances', 'ec2:StopInstances', 'ec2:DescribeTags'],
  params: instanceParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) => `Stop EC2 instance ${p.instanceId} in ${where(t)}.`,
  async run(p, ctx) {
    const state = (await describeInstance(p.instanceId, ctx)).State?.Name ?? 'unknown';
    if (['stopped', 'stopping', 'shutting-down', 'terminated'].includes(state))
      return { status: 'unchanged', summary: `EC2 instance ${p.instanceId} was already ${state}.` };
    await ctx.call(
      await ec2(ctx),
      new StopInstancesCommand({ InstanceIds: [p.instanceId] }),
      'ec2:StopInstances',
    );
    return {
      status: 'changed',
      summary: `Stopped EC2 instance ${p.instanceId} (it was ${state}).`,
      undo: { action: 'ec2.start-instance', params: { instanceId: p.instanceId } },
    };
  },
};

/** The undo of `ec2.stop-instance`. */
export const startInstance: ActionDefinition<InstanceParams> = {
  name: 'ec2.start-instance',
  title: 'Start an EC2 instance',
  description: 'Starts a stopped instance (StartInstances): the undo of stop-instance.',
  destructive: false,
  reversible: true,
  permissions: ['ec2:DescribeInstances', 'ec2:StartInstances', 'ec2:DescribeTags'],
  params: instanceParams,
  resource: instanceResource,
  tags: (p, ctx) => instanceTags(p.instanceId, ctx),
  describe: (p, t) => `Start EC2 instance ${p.instanceId} in ${where(t)}.`,
  async run(p, ctx) {
    const state = (await describeInstance(p.instanceId, ctx)).State?.Name ?? 'unknown';
    if (state === 'running' || state === 'pending')
      return { status: 'unchanged', summary: `EC2 instance ${p.instanceId} was already ${state}.` };
    if (state === 'terminated' || state === 'shutting-down')
      throw new ActionError('refused', `EC2 instance ${p.instanceId} is ${state} and cannot be started`);
    await ctx.call(
      await ec2(ctx),
      new StartInstancesCommand({ InstanceIds: [p.instanceId] }),
      'ec2:StartInstances',
    );
    return {
      status: 'changed',
      summary: `Started EC2 instance ${p.instanceId}.`,
      undo: { action: 'ec2.stop-instance', params: { instanceId: p.instanceId } },
    };
  },
};

export const ec2Actions: AnyAction[] = [
  isolateInstance,
  restoreSecurityGroups,
  detachInstanceProfile,
  attachInstanceProfile,
  snapshotVolumes,
  tagInstance,
  restoreTags,
  stopInstance,
  startInstance,
];
