import { describe, it, expect } from 'vitest';
import { isWorldCidr, publicAdminPorts, requestGroupId } from './security-group.js';

const permission = (
  ipProtocol: string,
  fromPort: number,
  toPort: number,
  v4: string[],
  v6: string[] = [],
) => ({
  ipProtocol,
  fromPort,
  toPort,
  groups: {},
  ipRanges: v4.length ? { items: v4.map((cidrIp) => ({ cidrIp })) } : {},
  ipv6Ranges: v6.length ? { items: v6.map((cidrIpv6) => ({ cidrIpv6 })) } : {},
  prefixListIds: {},
});

const ingress = (...perms: unknown[]) => ({
  eventName: 'AuthorizeSecurityGroupIngress',
  requestParameters: { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: perms } },
});

describe('isWorldCidr', () => {
  it('accepts /0 in IPv4 and IPv6 and nothing narrower', () => {
    expect(isWorldCidr('0.0.0.0/0')).toBe(true);
    expect(isWorldCidr('::/0')).toBe(true);
    expect(isWorldCidr('10.0.0.0/8')).toBe(false);
    expect(isWorldCidr('0.0.0.0')).toBe(false);
    expect(isWorldCidr(undefined)).toBe(false);
  });
});

describe('publicAdminPorts', () => {
  it('finds SSH opened to 0.0.0.0/0 in the classic ipPermissions shape', () => {
    expect(publicAdminPorts(ingress(permission('tcp', 22, 22, ['0.0.0.0/0'])))).toEqual(['22']);
  });

  it('finds RDP opened to ::/0', () => {
    expect(publicAdminPorts(ingress(permission('tcp', 3389, 3389, [], ['::/0'])))).toEqual(['3389']);
  });

  it('reports ranges that cover admin ports, and all for -1 or 0-65535', () => {
    expect(publicAdminPorts(ingress(permission('tcp', 3300, 3400, ['0.0.0.0/0'])))).toEqual(['3306', '3389']);
    expect(publicAdminPorts(ingress(permission('-1', -1, -1, ['0.0.0.0/0'])))).toEqual(['all']);
    expect(publicAdminPorts(ingress(permission('tcp', 0, 65535, ['0.0.0.0/0'])))).toEqual(['all']);
  });

  it('ignores web ports, narrow CIDRs, UDP, and mismatched permission elements', () => {
    expect(publicAdminPorts(ingress(permission('tcp', 443, 443, ['0.0.0.0/0'])))).toEqual([]);
    expect(publicAdminPorts(ingress(permission('tcp', 22, 22, ['10.0.0.0/8'])))).toEqual([]);
    expect(publicAdminPorts(ingress(permission('udp', 0, 65535, ['0.0.0.0/0'])))).toEqual([]);
    // 443 open to the world and 22 open to a private range: neither is an admin port open to the world.
    const mixed = ingress(
      permission('tcp', 443, 443, ['0.0.0.0/0']),
      permission('tcp', 22, 22, ['10.1.0.0/16']),
    );
    expect(publicAdminPorts(mixed)).toEqual([]);
  });

  it('reads the flat cidrIp form', () => {
    const raw = {
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: {
        groupId: 'sg-1',
        cidrIp: '0.0.0.0/0',
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
      },
    };
    expect(publicAdminPorts(raw)).toEqual(['5432']);
  });

  it('reads the response securityGroupRuleSet and skips egress rules there', () => {
    const raw = {
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: { groupId: 'sg-1' },
      responseElements: {
        _return: true,
        securityGroupRuleSet: {
          items: [
            {
              groupRuleId: 'sgr-1',
              isEgress: false,
              ipProtocol: 'tcp',
              fromPort: 6379,
              toPort: 6379,
              cidrIpv4: '0.0.0.0/0',
            },
            {
              groupRuleId: 'sgr-2',
              isEgress: true,
              ipProtocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              cidrIpv4: '0.0.0.0/0',
            },
          ],
        },
      },
    };
    expect(publicAdminPorts(raw)).toEqual(['6379']);
  });

  it('reads ModifySecurityGroupRules with one rule or several', () => {
    const one = {
      eventName: 'ModifySecurityGroupRules',
      requestParameters: {
        ModifySecurityGroupRulesRequest: {
          GroupId: 'sg-1',
          SecurityGroupRule: {
            SecurityGroupRuleId: 'sgr-1',
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' },
          },
        },
      },
    };
    expect(publicAdminPorts(one)).toEqual(['22']);
    const several = {
      eventName: 'ModifySecurityGroupRules',
      requestParameters: {
        ModifySecurityGroupRulesRequest: {
          GroupId: 'sg-1',
          SecurityGroupRule: [
            {
              SecurityGroupRuleId: 'sgr-1',
              SecurityGroupRule: { IpProtocol: 'tcp', FromPort: '443', ToPort: '443', CidrIpv4: '0.0.0.0/0' },
            },
            { SecurityGroupRuleId: 'sgr-2', SecurityGroupRule: { IpProtocol: '-1', CidrIpv6: '::/0' } },
          ],
        },
      },
    };
    expect(publicAdminPorts(several)).toEqual(['all']);
  });

  it('never reports egress requests', () => {
    const raw = {
      ...ingress(permission('-1', -1, -1, ['0.0.0.0/0'])),
      eventName: 'AuthorizeSecurityGroupEgress',
    };
    expect(publicAdminPorts(raw)).toEqual([]);
  });

  it('tolerates missing or odd shapes', () => {
    expect(publicAdminPorts({})).toEqual([]);
    expect(publicAdminPorts({ requestParameters: { ipPermissions: 'x' } })).toEqual([]);
    expect(publicAdminPorts({ requestParameters: { ipPermissions: { items: [null, 3] } } })).toEqual([]);
  });
});

describe('requestGroupId', () => {
  it('reads groupId, the ModifySecurityGroupRules GroupId, or groupName', () => {
    expect(requestGroupId(ingress(permission('tcp', 22, 22, ['0.0.0.0/0'])))).toBe('sg-0123456789abcdef0');
    expect(
      requestGroupId({ requestParameters: { ModifySecurityGroupRulesRequest: { GroupId: 'sg-2' } } }),
    ).toBe('sg-2');
    expect(requestGroupId({ requestParameters: { groupName: 'default' } })).toBe('default');
    expect(requestGroupId({ requestParameters: null })).toBeUndefined();
  });
});
