import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
  type CreateNetworkAclEntryCommandInput,
  type DeleteNetworkAclEntryCommandInput,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import {
  GetIPSetCommand,
  ListTagsForResourceCommand,
  UpdateIPSetCommand,
  WAFV2Client,
  type UpdateIPSetCommandInput,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../types.js';
import { awsError, testContext } from '../testing.js';
import {
  blockIpNacl,
  blockIpWaf,
  canonicalCidr,
  networkActions,
  unblockIpNacl,
  unblockIpWaf,
} from './network.js';

const ec2 = mockClient(EC2Client);
const waf = mockClient(WAFV2Client);
afterEach(() => {
  ec2.reset();
  waf.reset();
});

const acl = 'acl-0123456789abcdef0';
const vpc = 'vpc-0a1b2c3d4e5f60718';

describe('canonicalCidr', () => {
  it('turns addresses into canonical CIDRs', () => {
    expect(canonicalCidr('203.0.113.7')).toEqual({ cidr: '203.0.113.7/32', family: 'ipv4' });
    expect(canonicalCidr('203.0.113.77/24')).toEqual({ cidr: '203.0.113.0/24', family: 'ipv4' });
    expect(canonicalCidr('2001:0DB8:0000::0001')).toEqual({ cidr: '2001:db8::1/128', family: 'ipv6' });
    expect(canonicalCidr('2001:db8:1234::/48')).toEqual({ cidr: '2001:db8:1234::/48', family: 'ipv6' });
    expect(canonicalCidr('::ffff:203.0.113.7')).toEqual({ cidr: '203.0.113.7/32', family: 'ipv4' });
  });

  it('refuses ranges that would block a large part of the internet', () => {
    for (const wide of ['0.0.0.0/0', '::/0', '1.0.0.0/7', '2001::/31'])
      expect(canonicalCidr(wide)).toEqual({ error: expect.stringMatching(/refusing to block/) });
    expect(canonicalCidr('10.0.0.0/8')).toEqual({ cidr: '10.0.0.0/8', family: 'ipv4' });
    expect(canonicalCidr('2001:db8::/32')).toEqual({ cidr: '2001:db8::/32', family: 'ipv6' });
  });

  it('rejects anything that is not a plain address or CIDR', () => {
    for (const bad of [
      '0x7f.1',
      '010.1.1.1',
      '127.1',
      'fe80::1%eth0',
      '1.2.3.4/33',
      '1.2.3.4/',
      ' 1.2.3.4',
      'evil',
      '1.2.3.4,5.6.7.8',
    ])
      expect(canonicalCidr(bad)).toEqual({ error: expect.stringMatching(/not an IP address or CIDR/) });
  });
});

/** A fake network ACL whose entries CreateNetworkAclEntry and DeleteNetworkAclEntry change. */
function fakeNacl(entries: NetworkAclEntry[]) {
  ec2.on(DescribeNetworkAclsCommand).callsFake(() => ({
    NetworkAcls: [
      {
        NetworkAclId: acl,
        VpcId: vpc,
        IsDefault: true,
        Entries: entries.map((e) => ({ ...e })),
        Tags: [{ Key: 'team', Value: 'net' }],
      },
    ],
  }));
  ec2.on(CreateNetworkAclEntryCommand).callsFake((input: CreateNetworkAclEntryCommandInput) => {
    if (entries.some((e) => e.RuleNumber === input.RuleNumber && e.Egress === input.Egress))
      throw awsError('NetworkAclEntryAlreadyExists', 'The network acl entry identified by 1 already exists.');
    entries.push({
      RuleNumber: input.RuleNumber,
      Egress: input.Egress,
      RuleAction: input.RuleAction,
      Protocol: input.Protocol,
      ...(input.CidrBlock ? { CidrBlock: input.CidrBlock } : { Ipv6CidrBlock: input.Ipv6CidrBlock }),
    });
    return {};
  });
  ec2.on(DeleteNetworkAclEntryCommand).callsFake((input: DeleteNetworkAclEntryCommandInput) => {
    const i = entries.findIndex((e) => e.RuleNumber === input.RuleNumber && e.Egress === input.Egress);
    entries.splice(i, 1);
    return {};
  });
  return entries;
}

const baseEntries = (): NetworkAclEntry[] => [
  { RuleNumber: 1, Egress: false, RuleAction: 'deny', Protocol: '-1', CidrBlock: '198.51.100.9/32' },
  { RuleNumber: 100, Egress: false, RuleAction: 'allow', Protocol: '-1', CidrBlock: '0.0.0.0/0' },
  { RuleNumber: 100, Egress: true, RuleAction: 'allow', Protocol: '-1', CidrBlock: '0.0.0.0/0' },
  { RuleNumber: 32767, Egress: false, RuleAction: 'deny', Protocol: '-1', CidrBlock: '0.0.0.0/0' },
  { RuleNumber: 32767, Egress: true, RuleAction: 'deny', Protocol: '-1', CidrBlock: '0.0.0.0/0' },
];

describe('network.block-ip-nacl', () => {
  it('adds deny entries at the lowest free rule number per direction, once across repeated runs', async () => {
    fakeNacl(baseEntries());
    const params = blockIpNacl.params.parse({ networkAclId: acl, cidr: '203.0.113.7' });
    expect(params).toMatchObject({
      cidr: '203.0.113.7/32',
      direction: 'both',
      ruleNumberRange: { from: 1, to: 99 },
    });
    const ctx = testContext();
    const out = await blockIpNacl.run(params, ctx);
    expect(out.status).toBe('changed');
    expect(ec2.commandCalls(DescribeNetworkAclsCommand)[0]!.args[0].input).toEqual({ NetworkAclIds: [acl] });
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand).map((c) => c.args[0].input)).toEqual([
      {
        NetworkAclId: acl,
        RuleNumber: 2,
        Egress: false,
        RuleAction: 'deny',
        Protocol: '-1',
        CidrBlock: '203.0.113.7/32',
      },
      {
        NetworkAclId: acl,
        RuleNumber: 1,
        Egress: true,
        RuleAction: 'deny',
        Protocol: '-1',
        CidrBlock: '203.0.113.7/32',
      },
    ]);
    expect(out.undo).toEqual({
      action: 'network.unblock-ip-nacl',
      params: {
        networkAclId: acl,
        cidr: '203.0.113.7/32',
        entries: [
          { ruleNumber: 2, egress: false },
          { ruleNumber: 1, egress: true },
        ],
      },
    });
    expect(ctx.calls.map((c) => c.api)).toEqual([
      'ec2:DescribeNetworkAcls',
      'ec2:CreateNetworkAclEntry',
      'ec2:CreateNetworkAclEntry',
    ]);

    const again = await blockIpNacl.run(
      blockIpNacl.params.parse({ networkAclId: acl, cidr: '203.0.113.7/32' }),
      testContext(),
    );
    expect(again.status).toBe('unchanged');
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(2);
  });

  it("resolves a VPC's default network ACL and blocks IPv6 with Ipv6CidrBlock in one direction", async () => {
    fakeNacl(baseEntries());
    const params = blockIpNacl.params.parse({ vpcId: vpc, cidr: '2001:DB8::7', direction: 'ingress' });
    await blockIpNacl.run(params, testContext());
    expect(ec2.commandCalls(DescribeNetworkAclsCommand)[0]!.args[0].input).toEqual({
      Filters: [
        { Name: 'vpc-id', Values: [vpc] },
        { Name: 'default', Values: ['true'] },
      ],
    });
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand).map((c) => c.args[0].input)).toEqual([
      {
        NetworkAclId: acl,
        RuleNumber: 2,
        Egress: false,
        RuleAction: 'deny',
        Protocol: '-1',
        Ipv6CidrBlock: '2001:db8::7/128',
      },
    ]);
    expect(blockIpNacl.resource!(params, { accountId: '111122223333', region: 'eu-west-1' })).toEqual({
      type: 'AwsEc2Vpc',
      id: `arn:aws:ec2:eu-west-1:111122223333:vpc/${vpc}`,
    });
  });

  it('counts an existing deny written in another form as already blocked', async () => {
    fakeNacl([
      {
        RuleNumber: 5,
        Egress: false,
        RuleAction: 'deny',
        Protocol: '-1',
        Ipv6CidrBlock: '2001:0db8:0:0::7/128',
      },
    ]);
    const out = await blockIpNacl.run(
      blockIpNacl.params.parse({ networkAclId: acl, cidr: '2001:db8::7', direction: 'ingress' }),
      testContext(),
    );
    expect(out.status).toBe('unchanged');
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(0);
  });

  it('is refused with a clear message when no rule number is free, or the quota is reached', async () => {
    fakeNacl(
      Array.from({ length: 3 }, (_, i) => ({
        RuleNumber: 10 + i,
        Egress: false,
        RuleAction: 'allow',
        Protocol: '6',
        CidrBlock: '10.0.0.0/8',
      })),
    );
    const params = blockIpNacl.params.parse({
      networkAclId: acl,
      cidr: '203.0.113.7',
      direction: 'ingress',
      ruleNumberRange: { from: 10, to: 12 },
    });
    const err = await blockIpNacl.run(params, testContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).kind).toBe('refused');
    expect((err as ActionError).message).toMatch(/no free ingress rule number between 10 and 12/);
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(0);

    ec2.on(CreateNetworkAclEntryCommand).rejects(awsError('NetworkAclEntryLimitExceeded', 'limit'));
    const full = await blockIpNacl
      .run(
        blockIpNacl.params.parse({ networkAclId: acl, cidr: '203.0.113.7', direction: 'ingress' }),
        testContext(),
      )
      .catch((e: unknown) => e);
    expect((full as ActionError).kind).toBe('refused');
    expect((full as ActionError).message).toMatch(/quota/);
  });

  it('picks another number when a concurrent writer took the chosen one', async () => {
    const entries = baseEntries();
    let first = true;
    ec2
      .on(DescribeNetworkAclsCommand)
      .callsFake(() => ({ NetworkAcls: [{ NetworkAclId: acl, Entries: entries.map((e) => ({ ...e })) }] }));
    ec2.on(CreateNetworkAclEntryCommand).callsFake((input: CreateNetworkAclEntryCommandInput) => {
      if (first) {
        first = false;
        entries.push({
          RuleNumber: input.RuleNumber,
          Egress: input.Egress,
          RuleAction: 'allow',
          Protocol: '6',
          CidrBlock: '10.9.0.0/16',
        });
        throw awsError('NetworkAclEntryAlreadyExists', 'exists');
      }
      return {};
    });
    const out = await blockIpNacl.run(
      blockIpNacl.params.parse({ networkAclId: acl, cidr: '203.0.113.7', direction: 'ingress' }),
      testContext(),
    );
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand).map((c) => c.args[0].input.RuleNumber)).toEqual([
      2, 3,
    ]);
    expect(out.undo?.params).toMatchObject({ entries: [{ ruleNumber: 3, egress: false }] });
  });

  it('retries throttling and fails clearly on access denied', async () => {
    fakeNacl(baseEntries());
    ec2
      .on(DescribeNetworkAclsCommand)
      .rejectsOnce(awsError('RequestLimitExceeded'))
      .resolves({ NetworkAcls: [{ NetworkAclId: acl, Entries: [] }] });
    ec2
      .on(CreateNetworkAclEntryCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const err = await blockIpNacl
      .run(blockIpNacl.params.parse({ networkAclId: acl, cidr: '203.0.113.7' }), testContext())
      .catch((e: unknown) => e);
    expect(ec2.commandCalls(DescribeNetworkAclsCommand)).toHaveLength(2);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).message).toMatch(
      /ec2:CreateNetworkAclEntry was denied in account 111122223333/,
    );
  });

  it('validates its parameters', () => {
    const ok = { networkAclId: acl, cidr: '203.0.113.7' };
    expect(blockIpNacl.params.safeParse(ok).success).toBe(true);
    expect(blockIpNacl.params.safeParse({ ...ok, vpcId: vpc }).success).toBe(false);
    expect(blockIpNacl.params.safeParse({ cidr: '203.0.113.7' }).success).toBe(false);
    expect(blockIpNacl.params.safeParse({ ...ok, cidr: '0.0.0.0/0' }).success).toBe(false);
    expect(blockIpNacl.params.safeParse({ ...ok, direction: 'sideways' }).success).toBe(false);
    expect(blockIpNacl.params.safeParse({ ...ok, ruleNumberRange: { from: 50, to: 10 } }).success).toBe(
      false,
    );
    expect(blockIpNacl.params.safeParse({ ...ok, ruleNumberRange: { from: 0, to: 10 } }).success).toBe(false);
    expect(blockIpNacl.params.safeParse({ ...ok, networkAclId: 'acl-1 OR 1=1' }).success).toBe(false);
  });

  it('tags() reads the tags of the network ACL', async () => {
    fakeNacl([]);
    expect(
      await blockIpNacl.tags!(
        blockIpNacl.params.parse({ networkAclId: acl, cidr: '203.0.113.7' }),
        testContext(),
      ),
    ).toEqual({ team: 'net' });
  });
});

describe('network.unblock-ip-nacl', () => {
  it('deletes the entries it created while they still deny that range, and leaves reused numbers alone', async () => {
    const entries = fakeNacl([
      { RuleNumber: 2, Egress: false, RuleAction: 'deny', Protocol: '-1', CidrBlock: '203.0.113.7/32' },
      { RuleNumber: 1, Egress: true, RuleAction: 'allow', Protocol: '6', CidrBlock: '10.0.0.0/8' },
    ]);
    const params = unblockIpNacl.params.parse({
      networkAclId: acl,
      cidr: '203.0.113.7/32',
      entries: [
        { ruleNumber: 2, egress: false },
        { ruleNumber: 1, egress: true },
      ],
    });
    const out = await unblockIpNacl.run(params, testContext());
    expect(out).toMatchObject({
      status: 'changed',
      undo: {
        action: 'network.block-ip-nacl',
        params: { networkAclId: acl, cidr: '203.0.113.7/32', direction: 'ingress' },
      },
    });
    expect(ec2.commandCalls(DeleteNetworkAclEntryCommand).map((c) => c.args[0].input)).toEqual([
      { NetworkAclId: acl, RuleNumber: 2, Egress: false },
    ]);
    expect(entries).toHaveLength(1);
    expect((await unblockIpNacl.run(params, testContext())).status).toBe('unchanged');
    expect(ec2.commandCalls(DeleteNetworkAclEntryCommand)).toHaveLength(1);
  });
});

/** A fake WAF IP set: UpdateIPSet checks and renews the lock token as AWS does. */
function fakeIpSet(addresses: string[], version: 'IPV4' | 'IPV6' = 'IPV4') {
  const box = { addresses, token: 1 };
  waf.on(GetIPSetCommand).callsFake(() => ({
    IPSet: {
      Name: 'blocked',
      Id: setId,
      ARN: 'arn',
      IPAddressVersion: version,
      Addresses: [...box.addresses],
      Description: 'Blocked by the SOC',
    },
    LockToken: `token-${box.token}`,
  }));
  waf.on(UpdateIPSetCommand).callsFake((input: UpdateIPSetCommandInput) => {
    if (input.LockToken !== `token-${box.token}`) throw awsError('WAFOptimisticLockException', 'stale token');
    box.addresses = input.Addresses!;
    box.token++;
    return { NextLockToken: `token-${box.token}` };
  });
  return box;
}

const setId = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const wafInput = { ipSetName: 'blocked', ipSetId: setId, scope: 'REGIONAL', cidr: '203.0.113.7' };

describe('network.block-ip-waf', () => {
  it('adds the address with the lock token, keeping the description, once across repeated runs', async () => {
    const box = fakeIpSet(['198.51.100.0/24']);
    const params = blockIpWaf.params.parse(wafInput);
    const ctx = testContext({ target: { accountId: '111122223333', region: 'eu-west-1' } });
    const out = await blockIpWaf.run(params, ctx);
    expect(out).toMatchObject({
      status: 'changed',
      undo: { action: 'network.unblock-ip-waf', params: { ...wafInput, cidr: '203.0.113.7/32' } },
    });
    expect(waf.commandCalls(GetIPSetCommand)[0]!.args[0].input).toEqual({
      Name: 'blocked',
      Scope: 'REGIONAL',
      Id: setId,
    });
    const update = waf.commandCalls(UpdateIPSetCommand);
    expect(update[0]!.args[0].input).toEqual({
      Name: 'blocked',
      Scope: 'REGIONAL',
      Id: setId,
      Addresses: ['198.51.100.0/24', '203.0.113.7/32'],
      LockToken: 'token-1',
      Description: 'Blocked by the SOC',
    });
    expect(await (update[0]!.thisValue as WAFV2Client).config.region()).toBe('eu-west-1');
    expect(box.addresses).toEqual(['198.51.100.0/24', '203.0.113.7/32']);

    expect((await blockIpWaf.run(params, ctx)).status).toBe('unchanged');
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(1);
  });

  it('sends CLOUDFRONT-scope calls to us-east-1 and names the global IP set', async () => {
    fakeIpSet([]);
    const params = blockIpWaf.params.parse({ ...wafInput, scope: 'CLOUDFRONT' });
    await blockIpWaf.run(params, testContext({ target: { accountId: '111122223333', region: 'eu-west-1' } }));
    expect(await (waf.commandCalls(GetIPSetCommand)[0]!.thisValue as WAFV2Client).config.region()).toBe(
      'us-east-1',
    );
    expect(await (waf.commandCalls(UpdateIPSetCommand)[0]!.thisValue as WAFV2Client).config.region()).toBe(
      'us-east-1',
    );
    expect(blockIpWaf.resource!(params, { accountId: '111122223333', region: 'eu-west-1' })).toEqual({
      type: 'AwsWafv2IpSet',
      id: `arn:aws:wafv2:us-east-1:111122223333:global/ipset/blocked/${setId}`,
    });
  });

  it('re-reads and retries when another writer changed the set, up to three times', async () => {
    const box = fakeIpSet(['198.51.100.0/24']);
    // Another writer updates the set between our read and our write, once.
    let raced = false;
    waf.on(GetIPSetCommand).callsFake(() => {
      const out = {
        IPSet: {
          Name: 'blocked',
          Id: setId,
          ARN: 'arn',
          IPAddressVersion: 'IPV4',
          Addresses: [...box.addresses],
        },
        LockToken: `token-${box.token}`,
      };
      if (!raced) {
        raced = true;
        box.addresses = [...box.addresses, '192.0.2.1/32'];
        box.token++;
      }
      return out;
    });
    const out = await blockIpWaf.run(blockIpWaf.params.parse(wafInput), testContext());
    expect(out.status).toBe('changed');
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(2);
    expect(box.addresses).toEqual(['198.51.100.0/24', '192.0.2.1/32', '203.0.113.7/32']);

    waf.on(UpdateIPSetCommand).rejects(awsError('WAFOptimisticLockException', 'stale'));
    waf.on(GetIPSetCommand).resolves({
      IPSet: { Name: 'blocked', Id: setId, ARN: 'arn', IPAddressVersion: 'IPV4', Addresses: [] },
      LockToken: 't',
    });
    const err = await blockIpWaf
      .run(blockIpWaf.params.parse(wafInput), testContext())
      .catch((e: unknown) => e);
    expect((err as ActionError).message).toMatch(/kept changing/);
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(5);
  });

  it('refuses an address of the other IP family and treats another form of a present address as present', async () => {
    fakeIpSet(['2001:db8::7/128'], 'IPV6');
    const err = await blockIpWaf
      .run(blockIpWaf.params.parse(wafInput), testContext())
      .catch((e: unknown) => e);
    expect((err as ActionError).kind).toBe('refused');
    expect((err as ActionError).message).toMatch(/holds IPv6 addresses/);
    const same = await blockIpWaf.run(
      blockIpWaf.params.parse({ ...wafInput, cidr: '2001:0db8:0::7' }),
      testContext(),
    );
    expect(same.status).toBe('unchanged');
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
  });

  it('retries throttling and fails clearly on AccessDeniedException', async () => {
    fakeIpSet([]);
    waf
      .on(UpdateIPSetCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejects(awsError('AccessDeniedException', 'not authorized'));
    const ctx = testContext();
    const err = await blockIpWaf.run(blockIpWaf.params.parse(wafInput), ctx).catch((e: unknown) => e);
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(2);
    expect((err as ActionError).kind).toBe('access-denied');
    expect((err as ActionError).message).toMatch(/wafv2:UpdateIPSet was denied/);
  });

  it('tags() lists the IP set tags by ARN, every page', async () => {
    waf
      .on(ListTagsForResourceCommand)
      .resolvesOnce({ TagInfoForResource: { TagList: [{ Key: 'a', Value: '1' }] }, NextMarker: 'm2' })
      .resolves({ TagInfoForResource: { TagList: [{ Key: 'b', Value: '2' }] } });
    const tags = await blockIpWaf.tags!(blockIpWaf.params.parse(wafInput), testContext());
    expect(tags).toEqual({ a: '1', b: '2' });
    expect(waf.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceARN: `arn:aws:wafv2:us-east-1:111122223333:regional/ipset/blocked/${setId}` },
      {
        ResourceARN: `arn:aws:wafv2:us-east-1:111122223333:regional/ipset/blocked/${setId}`,
        NextMarker: 'm2',
      },
    ]);
  });
});

describe('network.unblock-ip-waf', () => {
  it('removes the address once and records block as its undo', async () => {
    const box = fakeIpSet(['198.51.100.0/24', '203.0.113.7/32']);
    const params = unblockIpWaf.params.parse(wafInput);
    const out = await unblockIpWaf.run(params, testContext());
    expect(out).toMatchObject({ status: 'changed', undo: { action: 'network.block-ip-waf' } });
    expect(waf.commandCalls(UpdateIPSetCommand)[0]!.args[0].input).toMatchObject({
      Addresses: ['198.51.100.0/24'],
      LockToken: 'token-1',
    });
    expect(box.addresses).toEqual(['198.51.100.0/24']);
    expect((await unblockIpWaf.run(params, testContext())).status).toBe('unchanged');
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(1);
  });
});

describe('networkActions', () => {
  it('exports each action once, with permissions, and with the undo actions it records', () => {
    const names = networkActions.map((a) => a.name);
    expect(names).toEqual([
      'network.block-ip-nacl',
      'network.unblock-ip-nacl',
      'network.block-ip-waf',
      'network.unblock-ip-waf',
    ]);
    for (const a of networkActions) expect(a.permissions.length).toBeGreaterThan(0);
    expect(
      blockIpNacl.describe(blockIpNacl.params.parse({ networkAclId: acl, cidr: '203.0.113.7' }), {
        accountId: '111122223333',
        region: 'eu-west-1',
      }),
    ).toBe(
      `Deny inbound and outbound traffic with 203.0.113.7/32 in network ACL ${acl} in account 111122223333 in eu-west-1.`,
    );
  });
});
