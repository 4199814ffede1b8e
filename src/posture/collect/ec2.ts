import {
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
  type DescribeFlowLogsResult,
  type DescribeInstancesResult,
  type DescribeNetworkAclsResult,
  type DescribeSecurityGroupsResult,
  type DescribeSnapshotAttributeResult,
  type DescribeSnapshotsResult,
  type DescribeVpcsResult,
  type GetEbsEncryptionByDefaultResult,
} from '@aws-sdk/client-ec2';
import type { RegionSnapshot } from '../types.js';
import { regionScope, type RegionContext } from './context.js';
import { plain, tagMap } from './plain.js';

type Ec2Snapshot = NonNullable<RegionSnapshot['ec2']>;

/** Own snapshots whose sharing is read one by one; beyond this the public list is not collected. */
export const MAX_SNAPSHOT_ATTRIBUTES = 1000;

/**
 * EC2 and VPC settings of the region: security groups, instances (IMDS options, public IPs), VPCs and
 * their flow logs, network ACLs, EBS encryption by default, and which of the account's EBS snapshots
 * are public. Security groups, instances, VPCs and flow logs are all required by the snapshot format:
 * if any of them cannot be listed, `ec2` is left out (not collected) rather than holding an empty list
 * that would read as "none".
 */
export async function collectEc2(ctx: RegionContext): Promise<RegionSnapshot['ec2']> {
  const client = await ctx.clients.get(EC2Client, ctx);
  const scope = regionScope(ctx, 'ec2');
  const c = ctx.caller;
  const [groups, instances, vpcs, flowLogs, acls, ebs, publicSnapshots] = await Promise.all([
    c.pages<DescribeSecurityGroupsResult>(
      client,
      (NextToken) => new DescribeSecurityGroupsCommand({ NextToken, MaxResults: 1000 }),
      (p) => p.NextToken,
      'ec2:DescribeSecurityGroups',
      scope,
    ),
    c.pages<DescribeInstancesResult>(
      client,
      (NextToken) => new DescribeInstancesCommand({ NextToken, MaxResults: 1000 }),
      (p) => p.NextToken,
      'ec2:DescribeInstances',
      scope,
    ),
    c.pages<DescribeVpcsResult>(
      client,
      (NextToken) => new DescribeVpcsCommand({ NextToken, MaxResults: 1000 }),
      (p) => p.NextToken,
      'ec2:DescribeVpcs',
      scope,
    ),
    c.pages<DescribeFlowLogsResult>(
      client,
      (NextToken) => new DescribeFlowLogsCommand({ NextToken, MaxResults: 1000 }),
      (p) => p.NextToken,
      'ec2:DescribeFlowLogs',
      scope,
    ),
    c.pages<DescribeNetworkAclsResult>(
      client,
      (NextToken) => new DescribeNetworkAclsCommand({ NextToken, MaxResults: 1000 }),
      (p) => p.NextToken,
      'ec2:DescribeNetworkAcls',
      scope,
    ),
    c.call<GetEbsEncryptionByDefaultResult>(
      client,
      new GetEbsEncryptionByDefaultCommand({}),
      'ec2:GetEbsEncryptionByDefault',
      scope,
    ),
    publicSnapshotIds(ctx, client),
  ]);
  if (!groups || !instances || !vpcs || !flowLogs) return undefined;

  const out: Ec2Snapshot = {
    securityGroups: groups.flatMap((p) =>
      (p.SecurityGroups ?? []).map((g) =>
        plain<Ec2Snapshot['securityGroups'][number]>({
          GroupId: g.GroupId,
          GroupName: g.GroupName,
          VpcId: g.VpcId,
          Description: g.Description,
          IpPermissions: g.IpPermissions ?? [],
          IpPermissionsEgress: g.IpPermissionsEgress ?? [],
        }),
      ),
    ),
    instances: instances.flatMap((p) =>
      (p.Reservations ?? []).flatMap((r) =>
        (r.Instances ?? []).map((i) =>
          plain<Ec2Snapshot['instances'][number]>({
            InstanceId: i.InstanceId,
            State: i.State?.Name,
            VpcId: i.VpcId,
            IamInstanceProfile: i.IamInstanceProfile?.Arn ? { Arn: i.IamInstanceProfile.Arn } : undefined,
            PublicIpAddress: i.PublicIpAddress,
            MetadataOptions: i.MetadataOptions
              ? {
                  HttpTokens: i.MetadataOptions.HttpTokens,
                  HttpEndpoint: i.MetadataOptions.HttpEndpoint,
                  HttpPutResponseHopLimit: i.MetadataOptions.HttpPutResponseHopLimit,
                }
              : undefined,
            SecurityGroups: (i.SecurityGroups ?? []).map((g) => ({ GroupId: g.GroupId })),
            Tags: i.Tags ? tagMap(i.Tags) : undefined,
          }),
        ),
      ),
    ),
    vpcs: vpcs.flatMap((p) =>
      (p.Vpcs ?? []).map((v) => plain({ VpcId: v.VpcId, IsDefault: v.IsDefault, CidrBlock: v.CidrBlock })),
    ),
    flowLogs: flowLogs.flatMap((p) =>
      (p.FlowLogs ?? []).map((f) =>
        plain<Ec2Snapshot['flowLogs'][number]>({
          FlowLogId: f.FlowLogId,
          ResourceId: f.ResourceId,
          FlowLogStatus: f.FlowLogStatus,
          TrafficType: f.TrafficType,
          LogDestinationType: f.LogDestinationType,
          LogDestination: f.LogDestination,
          DeliverLogsStatus: f.DeliverLogsStatus,
        }),
      ),
    ),
  };
  if (acls)
    out.networkAcls = acls.flatMap((p) =>
      (p.NetworkAcls ?? []).map((a) =>
        plain<NonNullable<Ec2Snapshot['networkAcls']>[number]>({
          NetworkAclId: a.NetworkAclId,
          VpcId: a.VpcId,
          IsDefault: a.IsDefault,
          Entries: (a.Entries ?? []).map((e) => ({
            RuleNumber: e.RuleNumber,
            Protocol: e.Protocol,
            RuleAction: e.RuleAction,
            Egress: e.Egress,
            CidrBlock: e.CidrBlock,
            Ipv6CidrBlock: e.Ipv6CidrBlock,
            PortRange: e.PortRange,
          })),
        }),
      ),
    );
  if (ebs) out.ebsEncryptionByDefault = ebs.EbsEncryptionByDefault ?? false;
  if (publicSnapshots) out.publicSnapshotIds = publicSnapshots;
  return out;
}

/**
 * The account's own EBS snapshots that anyone may create a volume from (createVolumePermission for the
 * group `all`). Sharing is read snapshot by snapshot, for at most `MAX_SNAPSHOT_ATTRIBUTES` of them:
 * beyond that the list is not collected, and an error says so, rather than being silently partial.
 */
async function publicSnapshotIds(ctx: RegionContext, client: EC2Client): Promise<string[] | undefined> {
  const scope = regionScope(ctx, 'ec2');
  const pages = await ctx.caller.pages<DescribeSnapshotsResult>(
    client,
    (NextToken) => new DescribeSnapshotsCommand({ OwnerIds: ['self'], NextToken, MaxResults: 1000 }),
    (p) => p.NextToken,
    'ec2:DescribeSnapshots',
    scope,
  );
  if (!pages) return undefined;
  const ids = pages.flatMap((p) => p.Snapshots ?? []).flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
  if (ids.length > MAX_SNAPSHOT_ATTRIBUTES) {
    ctx.caller.record({
      ...scope,
      api: 'ec2:DescribeSnapshotAttribute',
      code: 'TooManySnapshots',
      message: `${ids.length} snapshots: sharing is read for at most ${MAX_SNAPSHOT_ATTRIBUTES}, so public snapshots were not collected`,
    });
    return undefined;
  }
  const results = await Promise.all(
    ids.map(async (SnapshotId) => {
      const attr = await ctx.caller.call<DescribeSnapshotAttributeResult>(
        client,
        new DescribeSnapshotAttributeCommand({ SnapshotId, Attribute: 'createVolumePermission' }),
        'ec2:DescribeSnapshotAttribute',
        regionScope(ctx, 'ec2', SnapshotId),
      );
      if (!attr) return undefined;
      return (attr.CreateVolumePermissions ?? []).some((p) => p.Group === 'all') ? SnapshotId : null;
    }),
  );
  // One unreadable snapshot makes the list incomplete: not collected (its error names it).
  if (results.includes(undefined)) return undefined;
  return results.filter((id): id is string => typeof id === 'string');
}
