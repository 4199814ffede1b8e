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
  type InstanceStateName,
  type ModifyNetworkInterfaceAttributeCommandInput,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { testFinding } from '../../notify/test-support.js';
import { ActionError } from '../types.js';
import { awsError, testContext } from '../testing.js';
import {
  attachInstanceProfile,
  detachInstanceProfile,
  ec2Actions,
  isolateInstance,
  restoreSecurityGroups,
  restoreTags,
  snapshotVolumes,
  startInstance,
  stopInstance,
  tagInstance,
} from './ec2.js';

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const instanceId = 'i-0123456789abcdef0';
const vpc = 'vpc-0a1b2c3d4e5f60718';
const isolation = 'sg-0feedfeedfeedfee0';

/** A fake EC2 holding one instance with two network interfaces, whose groups ModifyNetworkInterfaceAttribute changes. */
function fakeInstance(groups: Record<string, string[]>) {
  ec2.on(DescribeInstancesCommand).callsFake(() => ({
    Reservations: [
      {
        Instances: [
          {
            InstanceId: instanceId,
            VpcId: vpc,
            NetworkInterfaces: Object.entries(groups).map(([id, g]) => ({
              NetworkInterfaceId: id,
              VpcId: vpc,
              Groups: g.map((GroupId) => ({ GroupId, GroupName: GroupId })),
            })),
          },
        ],
      },
    ],
  }));
  ec2
    .on(ModifyNetworkInterfaceAttributeCommand)
    .callsFake((input: ModifyNetworkInterfaceAttributeCommandInput) => {
      groups[input.NetworkInterfaceId!] = input.Groups!;
      return {};
    });
  return groups;
}

describe('ec2.isolate-instance', () => {
  it('creates the isolation group without rules and moves every interface into it, recording the old groups', async () => {
    fakeInstance({
      'eni-00000000000000001': ['sg-0000000000000000a', 'sg-0000000000000000b'],
      'eni-00000000000000002': ['sg-0000000000000000c'],
    });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: isolation });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
    const ctx = testContext();
    const out = await isolateInstance.run(isolateInstance.params.parse({ instanceId }), ctx);

    expect(out.status).toBe('changed');
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input).toEqual({
      Filters: [
        { Name: 'vpc-id', Values: [vpc] },
        { Name: 'group-name', Values: [`vigil-isolation-${vpc}`] },
      ],
    });
    const create = ec2.commandCalls(CreateSecurityGroupCommand);
    expect(create).toHaveLength(1);
    expect(create[0]!.args[0].input).toMatchObject({
      GroupName: `vigil-isolation-${vpc}`,
      VpcId: vpc,
      TagSpecifications: [
        { ResourceType: 'security-group', Tags: [{ Key: 'vigil:purpose', Value: 'isolation' }] },
      ],
    });
    expect(create[0]!.args[0].input.Description).toBeTruthy();
    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)[0]!.args[0].input).toEqual({
      GroupId: isolation,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { NetworkInterfaceId: 'eni-00000000000000001', Groups: [isolation] },
      { NetworkInterfaceId: 'eni-00000000000000002', Groups: [isolation] },
    ]);
    expect(out.undo).toEqual({
      action: 'ec2.restore-security-groups',
      params: {
        instanceId,
        interfaces: [
          {
            networkInterfaceId: 'eni-00000000000000001',
            groups: ['sg-0000000000000000a', 'sg-0000000000000000b'],
          },
          { networkInterfaceId: 'eni-00000000000000002', groups: ['sg-0000000000000000c'] },
        ],
      },
    });
    expect(restoreSecurityGroups.params.safeParse(out.undo!.params).success).toBe(true);
    expect(out.data).toEqual({ isolationGroups: { [vpc]: isolation } });
    expect(ctx.calls.map((c) => c.api)).toEqual([
      'ec2:DescribeInstances',
      'ec2:DescribeSecurityGroups',
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
    ]);
  });

  it('uses the existing isolation group and changes only interfaces not yet isolated; a second run changes nothing', async () => {
    const groups = fakeInstance({
      'eni-00000000000000001': [isolation],
      'eni-00000000000000002': ['sg-0000000000000000c'],
    });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: isolation, IpPermissionsEgress: [] }] });
    const first = await isolateInstance.run({ instanceId }, testContext());
    expect(first.status).toBe('changed');
    expect(groups['eni-00000000000000002']).toEqual([isolation]);
    // The run that follows (a repeat finding, or a resume after a crash before the outcome was recorded).
    const second = await isolateInstance.run({ instanceId }, testContext());
    expect(second.status).toBe('unchanged');
    expect(second.undo).toBeUndefined();
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand)).toHaveLength(1);
    expect(ec2.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)).toHaveLength(0);
  });

  it('revokes a leftover allow-all egress rule of a found group but keeps rules added on purpose', async () => {
    fakeInstance({ 'eni-00000000000000001': ['sg-0000000000000000a'] });
    const bastion = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.5/32' }] };
    const open = {
      IpProtocol: '-1',
      IpRanges: [{ CidrIp: '10.1.0.0/16' }, { CidrIp: '0.0.0.0/0', Description: 'default' }],
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    };
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: isolation, IpPermissionsEgress: [bastion, open] }] });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({});
    await isolateInstance.run({ instanceId }, testContext());
    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand)[0]!.args[0].input).toEqual({
      GroupId: isolation,
      IpPermissions: [
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ],
    });
  });

  it('uses the group another run created at the same moment (InvalidGroup.Duplicate)', async () => {
    fakeInstance({ 'eni-00000000000000001': ['sg-0000000000000000a'] });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [] })
      .resolves({ SecurityGroups: [{ GroupId: isolation, IpPermissionsEgress: [] }] });
    ec2.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate', 'already exists'));
    const out = await isolateInstance.run({ instanceId }, testContext());
    expect(out.status).toBe('changed');
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand)[0]!.args[0].input.Groups).toEqual([
      isolation,
    ]);
  });

  it('retries throttling and fails clearly on AccessDenied', async () => {
    fakeInstance({ 'eni-00000000000000001': ['sg-0000000000000000a'] });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({ SecurityGroups: [{ GroupId: isolation }] });
    ec2
      .on(ModifyNetworkInterfaceAttributeCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized'));
    const ctx = testContext();
    const err = await isolateInstance.run({ instanceId }, ctx).catch((e: unknown) => e);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(2);
    expect(ctx.calls[1]).toMatchObject({ api: 'ec2:DescribeSecurityGroups', attempts: 2 });
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).message).toMatch(
      /ec2:ModifyNetworkInterfaceAttribute was denied in account 111122223333/,
    );
  });

  it('fails as not found for an unknown instance and tells users about connection tracking', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(awsError('InvalidInstanceID.NotFound', 'The instance ID does not exist'));
    const err = await isolateInstance.run({ instanceId }, testContext()).catch((e: unknown) => e);
    expect((err as ActionError).kind).toBe('not-found');
    expect(isolateInstance.description).toMatch(/connection tracking/);
    expect(isolateInstance.params.safeParse({ instanceId: 'i-123; rm -rf' }).success).toBe(false);
  });

  it('undo puts each interface back in its recorded groups, skipping those already there', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { NetworkInterfaceId: 'eni-00000000000000001', Groups: [{ GroupId: isolation }] },
        { NetworkInterfaceId: 'eni-00000000000000002', Groups: [{ GroupId: 'sg-0000000000000000c' }] },
      ],
    });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    const params = {
      instanceId,
      interfaces: [
        {
          networkInterfaceId: 'eni-00000000000000001',
          groups: ['sg-0000000000000000a', 'sg-0000000000000000b'],
        },
        { networkInterfaceId: 'eni-00000000000000002', groups: ['sg-0000000000000000c'] },
      ],
    };
    const out = await restoreSecurityGroups.run(restoreSecurityGroups.params.parse(params), testContext());
    expect(out).toMatchObject({
      status: 'changed',
      undo: { action: 'ec2.isolate-instance', params: { instanceId } },
    });
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0]!.args[0].input).toEqual({
      NetworkInterfaceIds: ['eni-00000000000000001', 'eni-00000000000000002'],
    });
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input)).toEqual([
      {
        NetworkInterfaceId: 'eni-00000000000000001',
        Groups: ['sg-0000000000000000a', 'sg-0000000000000000b'],
      },
    ]);
  });
});

describe('ec2.detach-instance-profile', () => {
  const profile = 'arn:aws:iam::111122223333:instance-profile/web-server';

  it('disassociates the associated profile once and records it for undo', async () => {
    let associated = true;
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).callsFake(() => ({
      IamInstanceProfileAssociations: associated
        ? [
            {
              AssociationId: 'iip-assoc-0123456789abcdef0',
              InstanceId: instanceId,
              State: 'associated',
              IamInstanceProfile: { Arn: profile, Id: 'AIPA0' },
            },
          ]
        : [],
    }));
    ec2.on(DisassociateIamInstanceProfileCommand).callsFake(() => {
      associated = false;
      return {};
    });
    const out = await detachInstanceProfile.run({ instanceId }, testContext());
    expect(out.status).toBe('changed');
    expect(out.undo).toEqual({
      action: 'ec2.attach-instance-profile',
      params: { instanceId, instanceProfileArn: profile },
    });
    expect(ec2.commandCalls(DescribeIamInstanceProfileAssociationsCommand)[0]!.args[0].input).toEqual({
      Filters: [
        { Name: 'instance-id', Values: [instanceId] },
        { Name: 'state', Values: ['associated'] },
      ],
    });
    expect(ec2.commandCalls(DisassociateIamInstanceProfileCommand)[0]!.args[0].input).toEqual({
      AssociationId: 'iip-assoc-0123456789abcdef0',
    });
    const again = await detachInstanceProfile.run({ instanceId }, testContext());
    expect(again.status).toBe('unchanged');
    expect(ec2.commandCalls(DisassociateIamInstanceProfileCommand)).toHaveLength(1);
  });

  it('fails clearly when DisassociateIamInstanceProfile is denied', async () => {
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        { AssociationId: 'iip-assoc-1', IamInstanceProfile: { Arn: profile } },
      ],
    });
    ec2.on(DisassociateIamInstanceProfileCommand).rejects(awsError('UnauthorizedOperation'));
    const err = await detachInstanceProfile.run({ instanceId }, testContext()).catch((e: unknown) => e);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).message).toMatch(/ec2:DisassociateIamInstanceProfile/);
  });

  it('undo associates the recorded profile, and is refused while another profile is attached', async () => {
    ec2
      .on(DescribeIamInstanceProfileAssociationsCommand)
      .resolvesOnce({ IamInstanceProfileAssociations: [] });
    ec2.on(AssociateIamInstanceProfileCommand).resolves({});
    const params = attachInstanceProfile.params.parse({ instanceId, instanceProfileArn: profile });
    const out = await attachInstanceProfile.run(params, testContext());
    expect(out).toMatchObject({ status: 'changed', undo: { action: 'ec2.detach-instance-profile' } });
    expect(ec2.commandCalls(AssociateIamInstanceProfileCommand)[0]!.args[0].input).toEqual({
      InstanceId: instanceId,
      IamInstanceProfile: { Arn: profile },
    });

    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        { AssociationId: 'iip-assoc-2', IamInstanceProfile: { Arn: `${profile}-other` } },
      ],
    });
    const err = await attachInstanceProfile.run(params, testContext()).catch((e: unknown) => e);
    expect((err as ActionError).kind).toBe('refused');
    expect(ec2.commandCalls(AssociateIamInstanceProfileCommand)).toHaveLength(1);
    expect(
      attachInstanceProfile.params.safeParse({ instanceId, instanceProfileArn: 'arn:aws:iam::1:role/x' })
        .success,
    ).toBe(false);
  });
});

describe('ec2.snapshot-volumes', () => {
  const volumes = ['vol-0000000000000000a', 'vol-0000000000000000b'];
  function fakeSnapshots(existing: Snapshot[]) {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: instanceId,
              BlockDeviceMappings: [
                { DeviceName: '/dev/xvda', Ebs: { VolumeId: volumes[0] } },
                { DeviceName: '/dev/xvdb', Ebs: { VolumeId: volumes[1] } },
              ],
            },
          ],
        },
      ],
    });
    // Two pages: the first holds nothing, as DescribeSnapshots pages may.
    ec2
      .on(DescribeSnapshotsCommand)
      .callsFake((input: { NextToken?: string }) =>
        input.NextToken ? { Snapshots: [...existing] } : { Snapshots: [], NextToken: 'page-2' },
      );
    let n = 0;
    ec2.on(CreateSnapshotCommand).callsFake((input: { VolumeId: string }) => {
      const SnapshotId = `snap-0000000000000000${++n}`;
      existing.push({ SnapshotId, VolumeId: input.VolumeId });
      return { SnapshotId, VolumeId: input.VolumeId };
    });
    return existing;
  }

  it('snapshots every volume once with evidence tags, across repeated runs', async () => {
    fakeSnapshots([]);
    const ctx = testContext({ actionId: 'act-42', finding: testFinding() });
    const out = await snapshotVolumes.run({ instanceId }, ctx);
    expect(out).toMatchObject({
      status: 'changed',
      data: { snapshotIds: ['snap-00000000000000001', 'snap-00000000000000002'] },
    });
    expect(out.undo).toBeUndefined();
    expect(snapshotVolumes.reversible).toBe(false);
    expect(ec2.commandCalls(DescribeSnapshotsCommand)[0]!.args[0].input).toEqual({
      OwnerIds: ['self'],
      Filters: [{ Name: 'tag:vigil:action-id', Values: ['act-42'] }],
    });
    const first = ec2.commandCalls(CreateSnapshotCommand)[0]!.args[0].input;
    expect(first).toMatchObject({
      VolumeId: volumes[0],
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'vigil:action-id', Value: 'act-42' },
            { Key: 'vigil:instance-id', Value: instanceId },
            { Key: 'vigil:finding-id', Value: 'f-3b1c9e0a7d' },
          ],
        },
      ],
    });
    expect(first.Description).toContain(volumes[0]);

    const again = await snapshotVolumes.run({ instanceId }, testContext({ actionId: 'act-42' }));
    expect(again).toMatchObject({
      status: 'unchanged',
      data: { snapshotIds: ['snap-00000000000000001', 'snap-00000000000000002'] },
    });
    expect(ec2.commandCalls(CreateSnapshotCommand)).toHaveLength(2);
  });

  it('snapshots only the volumes a stopped run did not reach', async () => {
    fakeSnapshots([{ SnapshotId: 'snap-0000000000000000f', VolumeId: volumes[0] }]);
    const out = await snapshotVolumes.run({ instanceId }, testContext());
    expect(ec2.commandCalls(CreateSnapshotCommand).map((c) => c.args[0].input.VolumeId)).toEqual([
      volumes[1],
    ]);
    expect(out.data).toEqual({ snapshotIds: ['snap-0000000000000000f', 'snap-00000000000000001'] });
  });

  it('retries throttled CreateSnapshot and reports a denied one clearly', async () => {
    fakeSnapshots([]);
    ec2
      .on(CreateSnapshotCommand)
      .rejectsOnce(awsError('RequestLimitExceeded'))
      .resolvesOnce({ SnapshotId: 'snap-0000000000000000a' })
      .rejects(awsError('UnauthorizedOperation'));
    const err = await snapshotVolumes.run({ instanceId }, testContext()).catch((e: unknown) => e);
    expect(ec2.commandCalls(CreateSnapshotCommand)).toHaveLength(3);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).message).toMatch(/ec2:CreateSnapshot/);
  });
});

describe('ec2.tag-instance and ec2.restore-tags', () => {
  /** A fake tag store for the instance, honouring the `key` filter. */
  function fakeTags(tags: Record<string, string>) {
    ec2.on(DescribeTagsCommand).callsFake((input: { Filters: { Name: string; Values: string[] }[] }) => {
      const keys = input.Filters.find((f) => f.Name === 'key')?.Values;
      return {
        Tags: Object.entries(tags)
          .filter(([k]) => !keys || keys.includes(k))
          .map(([Key, Value]) => ({ Key, Value, ResourceId: instanceId, ResourceType: 'instance' })),
      };
    });
    ec2.on(CreateTagsCommand).callsFake((input: { Tags: { Key: string; Value: string }[] }) => {
      for (const t of input.Tags) tags[t.Key] = t.Value;
      return {};
    });
    ec2.on(DeleteTagsCommand).callsFake((input: { Tags: { Key: string }[] }) => {
      for (const t of input.Tags) delete tags[t.Key];
      return {};
    });
    return tags;
  }

  it('sets only differing tags once, and its undo restores old values and deletes new keys', async () => {
    const tags = fakeTags({ Name: 'web-1', status: 'ok', team: 'web' });
    const params = tagInstance.params.parse({
      instanceId,
      tags: { status: 'quarantined', 'vigil:case': 'c-17', team: 'web' },
    });
    const out = await tagInstance.run(params, testContext());
    expect(out.status).toBe('changed');
    expect(ec2.commandCalls(DescribeTagsCommand)[0]!.args[0].input).toEqual({
      Filters: [
        { Name: 'resource-id', Values: [instanceId] },
        { Name: 'key', Values: ['status', 'vigil:case', 'team'] },
      ],
    });
    expect(ec2.commandCalls(CreateTagsCommand)[0]!.args[0].input).toEqual({
      Resources: [instanceId],
      Tags: [
        { Key: 'status', Value: 'quarantined' },
        { Key: 'vigil:case', Value: 'c-17' },
      ],
    });
    expect(out.undo).toEqual({
      action: 'ec2.restore-tags',
      params: { instanceId, tags: { status: 'ok' }, remove: ['vigil:case'] },
    });

    const again = await tagInstance.run(params, testContext());
    expect(again.status).toBe('unchanged');
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(1);

    const undone = await restoreTags.run(restoreTags.params.parse(out.undo!.params), testContext());
    expect(undone.status).toBe('changed');
    expect(ec2.commandCalls(CreateTagsCommand)[1]!.args[0].input).toEqual({
      Resources: [instanceId],
      Tags: [{ Key: 'status', Value: 'ok' }],
    });
    expect(ec2.commandCalls(DeleteTagsCommand)[0]!.args[0].input).toEqual({
      Resources: [instanceId],
      Tags: [{ Key: 'vigil:case' }],
    });
    expect(tags).toEqual({ Name: 'web-1', status: 'ok', team: 'web' });
    expect(undone.undo).toEqual({
      action: 'ec2.restore-tags',
      params: { instanceId, tags: { 'vigil:case': 'c-17', status: 'quarantined' }, remove: [] },
    });
  });

  it('validates tags: at most 10, AWS syntax, no aws: prefix', () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    expect(tagInstance.params.safeParse({ instanceId, tags: many }).success).toBe(false);
    expect(tagInstance.params.safeParse({ instanceId, tags: {} }).success).toBe(false);
    expect(tagInstance.params.safeParse({ instanceId, tags: { 'aws:foo': 'x' } }).success).toBe(false);
    expect(tagInstance.params.safeParse({ instanceId, tags: { ok: 'a;b' } }).success).toBe(false);
    expect(tagInstance.params.safeParse({ instanceId, tags: { ok: 'yes' } }).success).toBe(true);
  });

  it('tags() reads every page of DescribeTags for the instance', async () => {
    ec2
      .on(DescribeTagsCommand)
      .resolvesOnce({ Tags: [{ Key: 'Name', Value: 'web-1' }], NextToken: 't2' })
      .resolves({ Tags: [{ Key: 'vigil:protected', Value: 'true' }] });
    expect(await stopInstance.tags!({ instanceId }, testContext())).toEqual({
      Name: 'web-1',
      'vigil:protected': 'true',
    });
    expect(ec2.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: 'resource-id', Values: [instanceId] }] },
      { Filters: [{ Name: 'resource-id', Values: [instanceId] }], NextToken: 't2' },
    ]);
  });
});

describe('ec2.stop-instance and ec2.start-instance', () => {
  function fakeState(initial: InstanceStateName) {
    const box = { state: initial };
    ec2.on(DescribeInstancesCommand).callsFake(() => ({
      Reservations: [{ Instances: [{ InstanceId: instanceId, State: { Name: box.state } }] }],
    }));
    ec2.on(StopInstancesCommand).callsFake(() => {
      box.state = 'stopping';
      return {};
    });
    ec2.on(StartInstancesCommand).callsFake(() => {
      box.state = 'pending';
      return {};
    });
    return box;
  }

  it('stops a running instance exactly once across repeated runs and records start as undo', async () => {
    fakeState('running');
    const out = await stopInstance.run({ instanceId }, testContext());
    expect(out).toMatchObject({
      status: 'changed',
      undo: { action: 'ec2.start-instance', params: { instanceId } },
    });
    expect(ec2.commandCalls(StopInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [instanceId] });
    expect((await stopInstance.run({ instanceId }, testContext())).status).toBe('unchanged');
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
  });

  it('retries a throttled StopInstances and reports a denied one clearly', async () => {
    fakeState('running');
    ec2
      .on(StopInstancesCommand)
      .rejectsOnce(awsError('RequestLimitExceeded'))
      .resolvesOnce({})
      .rejects(awsError('UnauthorizedOperation'));
    expect((await stopInstance.run({ instanceId }, testContext())).status).toBe('changed');
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(2);
    const err = await stopInstance.run({ instanceId }, testContext()).catch((e: unknown) => e);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).message).toMatch(/ec2:StopInstances was denied/);
  });

  it('undo starts the stopped instance, and refuses a terminated one', async () => {
    const box = fakeState('stopped');
    const out = await startInstance.run({ instanceId }, testContext());
    expect(out).toMatchObject({ status: 'changed', undo: { action: 'ec2.stop-instance' } });
    expect(ec2.commandCalls(StartInstancesCommand)[0]!.args[0].input).toEqual({ InstanceIds: [instanceId] });
    box.state = 'terminated';
    const err = await startInstance.run({ instanceId }, testContext()).catch((e: unknown) => e);
    expect((err as ActionError).kind).toBe('refused');
  });
});

describe('ec2Actions', () => {
  it('exports each action once, with the permissions its calls need', () => {
    const names = ec2Actions.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of ec2Actions) {
      expect(a.name).toMatch(/^ec2\.[a-z]+(-[a-z]+)*$/);
      expect(a.permissions.length).toBeGreaterThan(0);
      expect(
        a.describe(a.params.parse(sampleParams(a.name)), { accountId: '111122223333', region: 'eu-west-1' }),
      ).toMatch(/i-0123456789abcdef0.*111122223333|111122223333.*i-0123456789abcdef0/);
    }
    // Every undo an action records names an action of this module.
    for (const undo of [
      'ec2.restore-security-groups',
      'ec2.attach-instance-profile',
      'ec2.restore-tags',
      'ec2.start-instance',
    ])
      expect(names).toContain(undo);
  });
});

function sampleParams(name: string): Record<string, unknown> {
  switch (name) {
    case 'ec2.restore-security-groups':
      return {
        instanceId,
        interfaces: [{ networkInterfaceId: 'eni-00000000000000001', groups: ['sg-0000000000000000a'] }],
      };
    case 'ec2.attach-instance-profile':
      return { instanceId, instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/web' };
    case 'ec2.tag-instance':
      return { instanceId, tags: { status: 'quarantined' } };
    case 'ec2.restore-tags':
      return { instanceId, remove: ['status'] };
    default:
      return { instanceId };
  }
}
