/**
 * "Acme", the small organisation `vigil simulate` invents: one AWS account, two VPCs in us-east-1
 * (prod with default-format flow logs, data with a version-5 custom format), a DR region, and the
 * people, pipelines, instances and addresses its benign activity and its attackers use. Public
 * addresses are real allocations in the countries the story needs (so offline geo lookups agree):
 * the office and homes in the US, attackers elsewhere.
 */
export const ACCOUNT = '123456789012';
export const HOME_REGION = 'us-east-1';
export const DR_REGION = 'us-west-2';
/** Never used by Acme: the crypto-mining scenario launches instances here. */
export const UNUSED_REGION = 'ap-southeast-1';

export const OFFICE_IPS = ['73.162.44.10', '73.162.44.11'];
export const HOME_IPS: Record<string, string> = {
  alice: '98.37.21.5',
  bob: '98.37.140.77',
  carol: '98.37.88.14',
};
/** Elastic IP of the prod NAT gateway: what AWS sees when prod instances call public endpoints. */
export const NAT_PUBLIC_IP = '34.224.10.41';

export interface Vpc {
  id: string;
  region: string;
  cidrPrefix: string;
  flowLogId: string;
  /** `v2`: AWS's default format; `v5`: a custom format with every field up to version 5. */
  flowFormat: 'v2' | 'v5';
  azId: string;
}

export const VPCS = {
  prod: {
    id: 'vpc-0a1b2c3d4e5f60718',
    region: HOME_REGION,
    cidrPrefix: '10.0',
    flowLogId: 'fl-0123456789abcdef0',
    flowFormat: 'v2',
    azId: 'use1-az1',
  },
  data: {
    id: 'vpc-0f1e2d3c4b5a69788',
    region: HOME_REGION,
    cidrPrefix: '10.1',
    flowLogId: 'fl-0fedcba9876543210',
    flowFormat: 'v5',
    azId: 'use1-az2',
  },
  /** The default VPC of the unused region; the organisation's flow-log policy covers every VPC. */
  apse1: {
    id: 'vpc-05e6f7a8b9c0d1e2f',
    region: UNUSED_REGION,
    cidrPrefix: '172.31',
    flowLogId: 'fl-05a4b3c2d1e0f9a8b',
    flowFormat: 'v5',
    azId: 'apse1-az1',
  },
} satisfies Record<string, Vpc>;

export type InstanceRole = 'web' | 'bastion' | 'app' | 'ci' | 'etl' | 'db-client' | 'nat' | 'alb';

export interface Instance {
  id: string;
  eni: string;
  ip: string;
  vpc: Vpc;
  subnet: string;
  role: InstanceRole;
  /** Public address for internet-facing hosts (scans and SSH noise reach these). */
  publicIp?: string;
  /** IAM role of its instance profile. */
  profileRole?: string;
}

/** 17 hex digits from a name (FNV-1a, twice), so resource ids look like AWS's and never depend on draw order. */
function hex17(name: string): string {
  let out = '';
  for (let round = 0; out.length < 17; round++) {
    let h = 2166136261 ^ round;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 17);
}

/** Builds the fleet; `scale` multiplies the number of web and app servers. */
export function fleet(webServers: number, appServers: number): Instance[] {
  const out: Instance[] = [];
  let n = 0;
  const add = (role: InstanceRole, vpc: Vpc, host: string, extra: Partial<Instance> = {}) => {
    n++;
    out.push({
      id: `i-0${hex17(`instance-${n}`)}`.slice(0, 19),
      eni: `eni-0${hex17(`eni-${n}`)}`.slice(0, 21),
      ip: `${vpc.cidrPrefix}.${host}`,
      vpc,
      subnet: `subnet-0${hex17(`subnet-${vpc.id}-${host.split('.')[0]}`)}`.slice(0, 24),
      role,
      ...extra,
    });
  };
  add('nat', VPCS.prod, '0.10', { publicIp: NAT_PUBLIC_IP });
  add('alb', VPCS.prod, '0.20', { publicIp: '54.85.102.17' });
  add('alb', VPCS.prod, '1.20', { publicIp: '3.214.66.90' });
  add('bastion', VPCS.prod, '0.5', { publicIp: '44.198.71.23', profileRole: 'bastion-role' });
  for (let i = 0; i < webServers; i++) {
    add('web', VPCS.prod, `${10 + (i % 2)}.${30 + i}`, {
      profileRole: 'web-server-role',
      ...(i < 2 ? { publicIp: `3.87.${140 + i}.${60 + i * 7}` } : {}),
    });
  }
  for (let i = 0; i < appServers; i++)
    add('app', VPCS.prod, `12.${40 + i}`, { profileRole: 'app-server-role' });
  for (let i = 0; i < 2; i++) add('ci', VPCS.prod, `20.${50 + i}`, { profileRole: 'ci-runner' });
  for (let i = 0; i < 3; i++) add('etl', VPCS.data, `4.${60 + i}`, { profileRole: 'etl-pipeline' });
  return out;
}

/** Addresses of AWS services and well-known SaaS that benign traffic reaches. */
export const SERVICE_IPS = {
  s3: ['52.216.100.14', '52.217.44.62', '54.231.160.9', '3.5.29.110'],
  dynamodb: ['3.218.182.30', '52.94.0.72'],
  github: ['140.82.112.3', '140.82.113.4', '140.82.114.25'],
  npm: ['104.16.2.35', '104.16.24.34'],
  ubuntu: ['91.189.91.81', '185.125.190.36'],
  datadog: ['3.233.146.162', '3.233.146.171'],
  stripe: ['54.187.174.169', '54.241.31.99'],
  ntp: ['169.254.169.123'],
} as const;

/** The RDS endpoint app servers talk to. */
export const DB_IP = '10.0.30.15';

/** Threat-list addresses and attacker infrastructure; none of them appears in benign traffic. */
export const ATTACKERS = {
  reconIp: '5.188.10.55',
  portScanIp: '193.32.162.70',
  bruteForceIp: '91.92.109.126',
  c2Ip: '45.137.21.9',
  miningPoolIp: '139.99.125.38',
  exfilIp: '177.54.150.20',
  dnsTunnelDomain: 'cdn-sync-update.net',
  c2Domain: 'update-check.live',
  miningPoolDomains: ['pool.supportxmr.com', 'xmr-eu1.nanopool.org'],
  torExitIp: '185.220.101.47',
  stolenInstanceCredsIp: '51.15.20.1',
  newCountryLoginIp: '177.54.150.20',
  vpsIp: '103.251.167.10',
} as const;

/** Further threat-list entries that never occur in the logs (a realistic list is mostly misses). */
export const THREAT_LIST_EXTRA = ['198.144.121.93', '194.26.29.0/24', '80.66.88.0/24', '45.95.147.236'];
/** A Tor exit list with the exit the credential-misuse scenario uses and other published exits. */
export const TOR_EXITS = [
  '185.220.101.47',
  '185.220.101.33',
  '185.220.100.240',
  '109.70.100.24',
  '204.8.96.110',
];
