import type {
  AccountSnapshot,
  Check,
  CheckResult,
  IpPermission,
  PostureSnapshot,
  RegionSnapshot,
  SecurityGroupSnapshot,
} from '../types.js';
import {
  accountName,
  accountResource,
  eachRegion,
  listing,
  notCollected,
  result,
} from './resource-support.js';

/**
 * EC2 and VPC checks: security groups and network ACLs open to the internet, the default security group,
 * IMDSv2, public addresses, EBS default encryption, public snapshots and VPC flow logs.
 */

type Ec2 = NonNullable<RegionSnapshot['ec2']>;
type Nacl = NonNullable<Ec2['networkAcls']>[number];

/** Runs `perRegion` with the region's EC2 data; regions without it yield one UNKNOWN result. */
function eachEc2Region(
  checkId: string,
  snapshot: PostureSnapshot,
  what: string,
  api: string,
  perRegion: (ec2: Ec2, account: AccountSnapshot, region: string) => CheckResult[],
): CheckResult[] {
  return eachRegion(snapshot, (account, region) =>
    region.ec2
      ? perRegion(region.ec2, account, region.region)
      : [
          notCollected(
            checkId,
            snapshot,
            account,
            accountResource(account),
            `${what} of ${accountName(account)} in ${region.region}`,
            { service: 'ec2', region: region.region, api },
          ),
        ],
  );
}

/** A protocol as AWS writes it (`tcp`, `6`, `-1`…) to one of tcp / udp / all / other. */
function protocolOf(value: string): 'tcp' | 'udp' | 'all' | 'other' {
  const p = value.toLowerCase();
  if (p === '-1' || p === 'all') return 'all';
  if (p === 'tcp' || p === '6') return 'tcp';
  if (p === 'udp' || p === '17') return 'udp';
  return 'other';
}

/**
 * Ports of `candidates` that a rule opens: all of them for protocol -1; for TCP/UDP those inside
 * FromPort–ToPort (a missing range, or -1, means every port). ICMP and other protocols open no port.
 */
function portsOpened(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
  candidates: readonly number[],
  udpToo: (port: number) => boolean,
): number[] {
  const p = protocolOf(protocol);
  if (p === 'all') return [...candidates];
  if (p === 'other') return [];
  const lo = from === undefined || from === -1 ? 0 : from;
  const hi = to === undefined || to === -1 ? 65535 : to;
  return candidates.filter((port) => port >= lo && port <= hi && (p === 'tcp' || udpToo(port)));
}

const ADMIN_PORTS = [22, 3389] as const;
/** RDP also listens on UDP 3389; SSH is TCP only. */
const adminUdp = (port: number) => port === 3389;

export const HIGH_RISK_PORTS = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080,
  8088, 8888, 9200, 9300,
] as const;

function worldSources(permission: IpPermission, family: 'ipv4' | 'ipv6' | 'both'): string[] {
  const v4 =
    family !== 'ipv6'
      ? (permission.IpRanges ?? []).map((r) => r.CidrIp).filter((c) => c === '0.0.0.0/0')
      : [];
  const v6 =
    family !== 'ipv4' ? (permission.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).filter((c) => c === '::/0') : [];
  return [...v4, ...v6];
}

/** Ingress rules of a group that open `ports` to the whole internet: "tcp 0-65535 from 0.0.0.0/0 (22, 3389)". */
function openToWorld(
  group: SecurityGroupSnapshot,
  ports: readonly number[],
  family: 'ipv4' | 'ipv6' | 'both',
  udpToo: (port: number) => boolean,
) {
  const found = new Set<number>();
  const rules: string[] = [];
  for (const permission of group.IpPermissions) {
    const sources = worldSources(permission, family);
    if (sources.length === 0) continue;
    const opened = portsOpened(permission.IpProtocol, permission.FromPort, permission.ToPort, ports, udpToo);
    if (opened.length === 0) continue;
    opened.forEach((p) => found.add(p));
    const proto =
      protocolOf(permission.IpProtocol) === 'all'
        ? 'all traffic'
        : `${permission.IpProtocol} ${permission.FromPort ?? 0}-${permission.ToPort ?? 65535}`;
    rules.push(`${proto} from ${sources.join(' and ')}`);
  }
  return { ports: [...found].sort((a, b) => a - b), rules };
}

function groupResource(group: SecurityGroupSnapshot): CheckResult['resource'] {
  return { type: 'AwsEc2SecurityGroup', id: group.GroupId };
}

function groupName(group: SecurityGroupSnapshot): string {
  return `Security group ${group.GroupId} (${group.GroupName}${group.VpcId ? `, ${group.VpcId}` : ''})`;
}

const SG_CDK = `const sg = new ec2.SecurityGroup(this, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(ec2.Peer.ipv4('203.0.113.0/24'), ec2.Port.tcp(22), 'admin network only');`;

function sgAdminCheck(family: 'ipv4' | 'ipv6'): Check {
  const id = `ec2-sg-admin-ports-${family}`;
  const world = family === 'ipv4' ? '0.0.0.0/0' : '::/0';
  return {
    id,
    title: `Security groups do not allow ${world} to SSH (22) or RDP (3389)`,
    severity: 'HIGH',
    service: 'ec2',
    rationale: `SSH and RDP open to ${world} are scanned and brute-forced within minutes of exposure. Rules for all protocols (-1) and port ranges that include 22 or 3389 count too.`,
    remediation: {
      text: `Remove the ${world} rule; reach instances through SSM Session Manager, or allow only specific administrative ranges.`,
      cli: `aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions '[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"${family === 'ipv4' ? 'IpRanges":[{"CidrIp"' : 'Ipv6Ranges":[{"CidrIpv6"'}:"${world}"}]}]'`,
      console:
        'EC2 console → Security Groups → the group → Inbound rules → Edit → delete or narrow the rule.',
      cdk: SG_CDK,
    },
    references: { cis: [family === 'ipv4' ? '5.2' : '5.3'], fsbp: ['EC2.13', 'EC2.14'] },
    findingType: 'Policy:EC2/SecurityGroupAdminPortsOpen',
    run(snapshot) {
      return eachEc2Region(
        id,
        snapshot,
        'security groups',
        'ec2:DescribeSecurityGroups',
        (ec2, account, region) =>
          ec2.securityGroups.map((group) => {
            const open = openToWorld(group, ADMIN_PORTS, family, adminUdp);
            return open.ports.length === 0
              ? result(
                  id,
                  'PASS',
                  account,
                  groupResource(group),
                  `${groupName(group)} allows no ${world} ingress to ports 22 or 3389.`,
                  region,
                )
              : result(
                  id,
                  'FAIL',
                  account,
                  groupResource(group),
                  `${groupName(group)} allows ${world} to port ${listing(open.ports.map(String))} (${open.rules.join('; ')}).`,
                  region,
                );
          }),
      );
    },
  };
}

export const ec2SgAdminPortsIpv4 = sgAdminCheck('ipv4');
export const ec2SgAdminPortsIpv6 = sgAdminCheck('ipv6');

export const ec2SgHighRiskPorts: Check = {
  id: 'ec2-sg-high-risk-ports',
  title: 'Security groups do not allow unrestricted access to high-risk ports',
  severity: 'HIGH',
  service: 'ec2',
  rationale:
    'Databases, file sharing, mail, remote administration and dashboards on these ports are frequent targets; exposing them to the whole internet invites exploitation.',
  remediation: {
    text: 'Remove 0.0.0.0/0 and ::/0 rules for these ports; allow only the security groups or ranges that need them.',
    cli: 'aws ec2 revoke-security-group-ingress --group-id GROUP_ID --protocol tcp --port PORT --cidr 0.0.0.0/0',
    console: 'EC2 console → Security Groups → the group → Inbound rules → Edit.',
    cdk: SG_CDK,
  },
  references: { fsbp: ['EC2.19'] },
  findingType: 'Policy:EC2/SecurityGroupHighRiskPortsOpen',
  run(snapshot) {
    const id = 'ec2-sg-high-risk-ports';
    return eachEc2Region(
      id,
      snapshot,
      'security groups',
      'ec2:DescribeSecurityGroups',
      (ec2, account, region) =>
        ec2.securityGroups.map((group) => {
          const open = openToWorld(group, HIGH_RISK_PORTS, 'both', () => true);
          return open.ports.length === 0
            ? result(
                id,
                'PASS',
                account,
                groupResource(group),
                `${groupName(group)} allows no unrestricted ingress to high-risk ports.`,
                region,
              )
            : result(
                id,
                'FAIL',
                account,
                groupResource(group),
                `${groupName(group)} allows the whole internet to high-risk port${open.ports.length > 1 ? 's' : ''} ${listing(open.ports.map(String))} (${open.rules.join('; ')}).`,
                region,
              );
        }),
    );
  },
};

export const ec2DefaultSgClosed: Check = {
  id: 'ec2-default-sg-closed',
  title: 'Default security groups allow no traffic',
  severity: 'MEDIUM',
  service: 'ec2',
  rationale:
    'Resources land in the default security group when none is chosen; if it has rules, they get access nobody designed.',
  remediation: {
    text: "Remove every inbound and outbound rule from each VPC's default security group, and give resources purpose-built groups.",
    cli: 'aws ec2 revoke-security-group-ingress --group-id DEFAULT_SG --ip-permissions "$(aws ec2 describe-security-groups --group-ids DEFAULT_SG --query SecurityGroups[0].IpPermissions)"  # and revoke-security-group-egress likewise',
    console:
      'VPC console → Security groups → the "default" group → Inbound rules / Outbound rules → delete all.',
    cdk: "new ec2.Vpc(this, 'Vpc', { restrictDefaultSecurityGroup: true });",
  },
  references: { cis: ['5.4'], fsbp: ['EC2.2'] },
  findingType: 'Policy:EC2/DefaultSecurityGroupOpen',
  run(snapshot) {
    const id = 'ec2-default-sg-closed';
    return eachEc2Region(
      id,
      snapshot,
      'security groups',
      'ec2:DescribeSecurityGroups',
      (ec2, account, region) =>
        ec2.securityGroups
          .filter((g) => g.GroupName === 'default')
          .map((group) => {
            const inbound = group.IpPermissions.length;
            const outbound = group.IpPermissionsEgress.length;
            return inbound + outbound === 0
              ? result(
                  id,
                  'PASS',
                  account,
                  groupResource(group),
                  `Default ${groupName(group)
                    .toLowerCase()
                    .replace(/^security group/, 'security group')} has no rules.`,
                  region,
                )
              : result(
                  id,
                  'FAIL',
                  account,
                  groupResource(group),
                  `Default ${groupName(group)
                    .toLowerCase()
                    .replace(
                      /^security group/,
                      'security group',
                    )} has ${inbound} inbound and ${outbound} outbound rule${inbound + outbound > 1 ? 's' : ''}.`,
                  region,
                );
          }),
    );
  },
};

/**
 * Which rule governs traffic from the whole internet (0.0.0.0/0 or ::/0) to a port, in rule-number order:
 * only entries whose CIDR is the whole address family apply to every address, so the lowest-numbered such
 * entry covering the protocol and port decides. A narrower deny does not stop the rest of the internet.
 */
function governingEntry(nacl: Nacl, family: 'ipv4' | 'ipv6', port: number, protocol: 'tcp' | 'udp') {
  return nacl.Entries.filter((e) => !e.Egress)
    .filter((e) => (family === 'ipv4' ? e.CidrBlock === '0.0.0.0/0' : e.Ipv6CidrBlock === '::/0'))
    .filter((e) => {
      const p = protocolOf(e.Protocol);
      return (
        (p === 'all' || p === protocol) &&
        portsOpened(e.Protocol, e.PortRange?.From, e.PortRange?.To, [port], () => true).length > 0
      );
    })
    .sort((a, b) => a.RuleNumber - b.RuleNumber)[0];
}

export const ec2NaclAdminPorts: Check = {
  id: 'ec2-nacl-admin-ports',
  title: 'Network ACLs do not allow the internet to SSH (22) or RDP (3389)',
  severity: 'MEDIUM',
  service: 'vpc',
  rationale:
    'Network ACLs are the subnet-level layer of defence; one that admits the whole internet to administration ports leaves only security groups in the way. Rules are evaluated in number order, so a lower-numbered deny for the same traffic wins.',
  remediation: {
    text: 'Add a lower-numbered deny for ports 22 and 3389 from 0.0.0.0/0 and ::/0, or narrow the allow to administrative ranges.',
    cli: 'aws ec2 create-network-acl-entry --network-acl-id ACL_ID --ingress --rule-number 50 --protocol tcp --port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny',
    console:
      'VPC console → Network ACLs → the ACL → Inbound rules → Edit → add a deny rule numbered below the allow.',
    cdk: "nacl.addEntry('DenySsh', { ruleNumber: 50, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPort(22), direction: ec2.TrafficDirection.INGRESS, ruleAction: ec2.Action.DENY });",
  },
  references: { cis: ['5.1'], fsbp: ['EC2.21'] },
  findingType: 'Policy:EC2/NetworkAclAdminPortsOpen',
  run(snapshot) {
    const id = 'ec2-nacl-admin-ports';
    return eachEc2Region(id, snapshot, 'network ACLs', 'ec2:DescribeNetworkAcls', (ec2, account, region) => {
      if (!ec2.networkAcls)
        return [
          notCollected(
            id,
            snapshot,
            account,
            accountResource(account),
            `network ACLs of ${accountName(account)} in ${region}`,
            { service: 'ec2', region, api: 'ec2:DescribeNetworkAcls' },
          ),
        ];
      return ec2.networkAcls.map((nacl) => {
        const open: string[] = [];
        for (const family of ['ipv4', 'ipv6'] as const)
          for (const port of ADMIN_PORTS)
            for (const protocol of port === 3389 ? (['tcp', 'udp'] as const) : (['tcp'] as const)) {
              const entry = governingEntry(nacl, family, port, protocol);
              if (entry?.RuleAction === 'allow')
                open.push(
                  `rule ${entry.RuleNumber} allows ${family === 'ipv4' ? '0.0.0.0/0' : '::/0'} to ${protocol} ${port}`,
                );
            }
        const res = { type: 'AwsEc2NetworkAcl', id: nacl.NetworkAclId };
        const name = `Network ACL ${nacl.NetworkAclId}${nacl.VpcId ? ` (${nacl.VpcId})` : ''}`;
        return open.length === 0
          ? result(
              id,
              'PASS',
              account,
              res,
              `${name} admits no internet traffic to ports 22 or 3389.`,
              region,
            )
          : result(id, 'FAIL', account, res, `${name}: ${open.join('; ')}.`, region);
      });
    });
  },
};

export const ec2EbsDefaultEncryption: Check = {
  id: 'ec2-ebs-default-encryption',
  title: 'EBS encryption by default is on in every region',
  severity: 'MEDIUM',
  service: 'ec2',
  rationale:
    'With encryption by default, every new volume and snapshot copy is encrypted, whoever creates it and however.',
  remediation: {
    text: 'Enable EBS encryption by default in each region (optionally with a customer managed key).',
    cli: 'aws ec2 enable-ebs-encryption-by-default --region REGION',
    console: 'EC2 console → Settings (Data protection and security) → EBS encryption → Manage → Enable.',
    cloudformation:
      'No CloudFormation resource exists for this account setting; use the CLI per region, or an AWS Organizations declarative policy.',
  },
  references: { cis: ['2.2.1'], fsbp: ['EC2.7'] },
  findingType: 'Policy:EC2/EbsDefaultEncryptionDisabled',
  run(snapshot) {
    const id = 'ec2-ebs-default-encryption';
    return eachEc2Region(
      id,
      snapshot,
      'EBS encryption by default',
      'ec2:GetEbsEncryptionByDefault',
      (ec2, account, region) => {
        if (ec2.ebsEncryptionByDefault === undefined)
          return [
            notCollected(
              id,
              snapshot,
              account,
              accountResource(account),
              `EBS encryption by default of ${accountName(account)} in ${region}`,
              { service: 'ec2', region, api: 'ec2:GetEbsEncryptionByDefault' },
            ),
          ];
        return [
          ec2.ebsEncryptionByDefault
            ? result(
                id,
                'PASS',
                account,
                accountResource(account),
                `EBS encryption by default is on for ${accountName(account)} in ${region}.`,
                region,
              )
            : result(
                id,
                'FAIL',
                account,
                accountResource(account),
                `EBS encryption by default is off for ${accountName(account)} in ${region}.`,
                region,
              ),
        ];
      },
    );
  },
};

function liveInstances(ec2: Ec2) {
  return ec2.instances.filter((i) => i.State !== 'terminated' && i.State !== 'shutting-down');
}

function instanceResource(id: string): CheckResult['resource'] {
  return { type: 'AwsEc2Instance', id };
}

export const ec2Imdsv2: Check = {
  id: 'ec2-imdsv2',
  title: 'EC2 instances require IMDSv2',
  severity: 'HIGH',
  service: 'ec2',
  rationale:
    "IMDSv1 answers plain GET requests, so a server-side request forgery in an application hands out the instance role's credentials; IMDSv2 needs a session token obtained with a PUT.",
  remediation: {
    text: 'Require session tokens (HttpTokens required) on each instance and in launch templates; set the account default for new instances.',
    cli: 'aws ec2 modify-instance-metadata-options --instance-id INSTANCE_ID --http-tokens required --http-endpoint enabled',
    console:
      'EC2 console → the instance → Actions → Instance settings → Modify instance metadata options → IMDSv2: Required.',
    cdk: "new ec2.Instance(this, 'Instance', { vpc, instanceType, machineImage, requireImdsv2: true });",
  },
  references: { cis: ['5.6'], fsbp: ['EC2.8'] },
  findingType: 'Policy:EC2/InstanceImdsv1Allowed',
  run(snapshot) {
    const id = 'ec2-imdsv2';
    return eachEc2Region(id, snapshot, 'instances', 'ec2:DescribeInstances', (ec2, account, region) =>
      liveInstances(ec2).map((i) => {
        const opts = i.MetadataOptions;
        if (opts?.HttpEndpoint === 'disabled')
          return result(
            id,
            'PASS',
            account,
            instanceResource(i.InstanceId),
            `Instance ${i.InstanceId} has the metadata service disabled.`,
            region,
          );
        if (opts?.HttpTokens === undefined)
          return result(
            id,
            'UNKNOWN',
            account,
            instanceResource(i.InstanceId),
            `Instance ${i.InstanceId} has no metadata options in the snapshot.`,
            region,
          );
        return opts.HttpTokens === 'required'
          ? result(
              id,
              'PASS',
              account,
              instanceResource(i.InstanceId),
              `Instance ${i.InstanceId} requires IMDSv2.`,
              region,
            )
          : result(
              id,
              'FAIL',
              account,
              instanceResource(i.InstanceId),
              `Instance ${i.InstanceId} still accepts IMDSv1 (HttpTokens optional).`,
              region,
            );
      }),
    );
  },
};

export const ec2PublicIp: Check = {
  id: 'ec2-public-ip',
  title: 'EC2 instances have no public IPv4 address',
  severity: 'LOW',
  service: 'ec2',
  rationale:
    'An instance with a public address is one security-group mistake away from the internet; load balancers, NAT and Session Manager remove the need.',
  remediation: {
    text: 'Launch instances in private subnets without public addresses; put load balancers in front and use Session Manager for access.',
    cli: 'aws ec2 modify-subnet-attribute --subnet-id SUBNET_ID --no-map-public-ip-on-launch',
    console:
      'VPC console → Subnets → the subnet → Edit subnet settings → untick "Enable auto-assign public IPv4 address".',
    cdk: "new ec2.Instance(this, 'Instance', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, associatePublicIpAddress: false, instanceType, machineImage });",
  },
  references: { fsbp: ['EC2.9'] },
  findingType: 'Policy:EC2/InstancePublicIpAssigned',
  run(snapshot) {
    const id = 'ec2-public-ip';
    return eachEc2Region(id, snapshot, 'instances', 'ec2:DescribeInstances', (ec2, account, region) =>
      liveInstances(ec2).map((i) =>
        i.PublicIpAddress
          ? result(
              id,
              'FAIL',
              account,
              instanceResource(i.InstanceId),
              `Instance ${i.InstanceId} has public IPv4 address ${i.PublicIpAddress}.`,
              region,
            )
          : result(
              id,
              'PASS',
              account,
              instanceResource(i.InstanceId),
              `Instance ${i.InstanceId} has no public IPv4 address.`,
              region,
            ),
      ),
    );
  },
};

export const ec2PublicSnapshots: Check = {
  id: 'ec2-public-snapshots',
  title: 'EBS snapshots are not public',
  severity: 'CRITICAL',
  service: 'ec2',
  rationale: 'Anyone can create a volume from a public snapshot and read every file on it, secrets included.',
  remediation: {
    text: 'Remove the "all" group from the snapshot\'s create-volume permission, and turn on block public access for EBS snapshots.',
    cli: 'aws ec2 modify-snapshot-attribute --snapshot-id SNAPSHOT_ID --attribute createVolumePermission --operation-type remove --group-names all && aws ec2 enable-snapshot-block-public-access --state block-all-sharing',
    console:
      'EC2 console → Snapshots → the snapshot → Actions → Snapshot settings → Modify permissions → Private.',
    cloudformation:
      'Snapshot permissions are not a CloudFormation property; use the CLI or an AWS Organizations declarative policy (block public access for snapshots).',
  },
  references: { fsbp: ['EC2.1'] },
  findingType: 'Policy:EC2/SnapshotPublic',
  run(snapshot) {
    const id = 'ec2-public-snapshots';
    return eachEc2Region(
      id,
      snapshot,
      'snapshot permissions',
      'ec2:DescribeSnapshots',
      (ec2, account, region) => {
        if (ec2.publicSnapshotIds === undefined)
          return [
            notCollected(
              id,
              snapshot,
              account,
              accountResource(account),
              `snapshot sharing of ${accountName(account)} in ${region}`,
              { service: 'ec2', region },
            ),
          ];
        if (ec2.publicSnapshotIds.length === 0)
          return [
            result(
              id,
              'PASS',
              account,
              accountResource(account),
              `${accountName(account).replace(/^a/, 'A')} has no public EBS snapshot in ${region}.`,
              region,
            ),
          ];
        return ec2.publicSnapshotIds.map((s) =>
          result(
            id,
            'FAIL',
            account,
            { type: 'AwsEc2Snapshot', id: s },
            `EBS snapshot ${s} in ${region} is public: anyone can create a volume from it.`,
            region,
          ),
        );
      },
    );
  },
};

export const vpcFlowLogs: Check = {
  id: 'vpc-flow-logs',
  title: 'Every VPC has an active flow log',
  severity: 'MEDIUM',
  service: 'vpc',
  rationale:
    "Flow logs record accepted and rejected connections — the evidence for scanning, lateral movement and exfiltration (and an input to Vigil's own detections).",
  remediation: {
    text: 'Create a flow log for each VPC capturing REJECT (at least) or ALL traffic, to CloudWatch Logs or S3.',
    cli: 'aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::FLOW_LOG_BUCKET',
    console: 'VPC console → Your VPCs → the VPC → Flow logs → Create flow log.',
    cdk: "vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toS3(bucket), trafficType: ec2.FlowLogTrafficType.ALL });",
  },
  references: { cis: ['3.7'], fsbp: ['EC2.6'] },
  findingType: 'Policy:EC2/VpcFlowLogsDisabled',
  run(snapshot) {
    const id = 'vpc-flow-logs';
    return eachEc2Region(id, snapshot, 'VPCs and flow logs', 'ec2:DescribeFlowLogs', (ec2, account, region) =>
      ec2.vpcs.map((vpc) => {
        const res = { type: 'AwsEc2Vpc', id: vpc.VpcId };
        const logs = ec2.flowLogs.filter((f) => f.ResourceId === vpc.VpcId);
        const active = logs.find(
          (f) =>
            (f.FlowLogStatus ?? 'ACTIVE') === 'ACTIVE' &&
            (f.TrafficType === 'ALL' || f.TrafficType === 'REJECT'),
        );
        if (active)
          return result(
            id,
            'PASS',
            account,
            res,
            `VPC ${vpc.VpcId} has active flow log ${active.FlowLogId} (${active.TrafficType} traffic).`,
            region,
          );
        const why =
          logs.length === 0
            ? 'has no flow log'
            : `has only flow logs that are inactive or capture ACCEPT traffic only (${logs.map((f) => f.FlowLogId).join(', ')})`;
        return result(
          id,
          'FAIL',
          account,
          res,
          `VPC ${vpc.VpcId}${vpc.IsDefault ? ' (default VPC)' : ''} ${why}.`,
          region,
        );
      }),
    );
  },
};

export const ec2Checks: Check[] = [
  ec2EbsDefaultEncryption,
  ec2Imdsv2,
  ec2PublicIp,
  ec2PublicSnapshots,
  ec2NaclAdminPorts,
  ec2SgAdminPortsIpv4,
  ec2SgAdminPortsIpv6,
  ec2DefaultSgClosed,
  ec2SgHighRiskPorts,
  vpcFlowLogs,
];
