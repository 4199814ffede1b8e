import {
  accessKeyFor,
  AGENTS,
  awsService,
  iamUser,
  iso,
  roleSession,
  s3Object,
  type CallSpec,
  type Who,
} from './cloudtrail.js';
import { dnsRecord, flowRecord, tcpPair, type DnsSpec, type FlowSpec } from './net.js';
import { ACCOUNT, ATTACKERS, UNUSED_REGION, VPCS, type Instance } from './org.js';
import type { CtRecord, DnsRecord, FlowRecord } from './output.js';
import type { Prng } from './prng.js';

/**
 * The injected attacks. Each scenario writes its records through a labelling sink, so labels.json
 * lists exactly the malicious records (CloudTrail eventIDs, flow and DNS records in their `raw`
 * shape), the actors and the time range; everything else the simulator writes is benign.
 */
export type ScenarioKind =
  | 'reconnaissance'
  | 'crypto-mining'
  | 'exfiltration'
  | 'privilege-escalation'
  | 'network-intrusion'
  | 'defense-evasion'
  | 'credential-misuse';

export interface ScenarioLabel {
  id: string;
  kind: ScenarioKind;
  description: string;
  start: string;
  end: string;
  /** Principal ARNs, access key ids, IP addresses, instance and interface ids that act in it. */
  actors: string[];
  records: { cloudtrail: string[]; vpcflow: FlowRecord[]; dns: DnsRecord[] };
}

export interface ScenarioSink {
  cloudtrail(rec: CtRecord): void;
  flow(inst: Instance, rec: FlowRecord): void;
  dns(inst: Instance, rec: DnsRecord): void;
}

interface Ctx {
  rng: Prng;
  record: (o: CallSpec) => CtRecord;
  sink: ScenarioSink;
  instances: Instance[];
}

interface Scenario {
  id: string;
  kind: ScenarioKind;
  description: string;
  /** Hour of day (UTC) it starts. */
  hour: number;
  run(s: Run, t0: number): void;
}

/** What a running scenario can do; every record it writes is labelled as its own. */
class Run {
  readonly label: ScenarioLabel;
  private min = Infinity;
  private max = -Infinity;
  constructor(
    readonly ctx: Ctx,
    sc: Scenario,
  ) {
    this.label = {
      id: sc.id,
      kind: sc.kind,
      description: sc.description,
      start: '',
      end: '',
      actors: [],
      records: { cloudtrail: [], vpcflow: [], dns: [] },
    };
  }
  get rng() {
    return this.ctx.rng;
  }
  actor(...ids: string[]) {
    for (const id of ids) if (!this.label.actors.includes(id)) this.label.actors.push(id);
  }
  private seen(ms: number) {
    this.min = Math.min(this.min, ms);
    this.max = Math.max(this.max, ms);
  }
  call(o: CallSpec): CtRecord {
    const rec = this.ctx.record(o);
    this.ctx.sink.cloudtrail(rec);
    this.label.records.cloudtrail.push(rec.eventID as string);
    this.seen(o.ms);
    return rec;
  }
  flow(inst: Instance, f: FlowSpec | FlowRecord[]) {
    const recs = Array.isArray(f) ? f : [flowRecord(inst, f)];
    for (const r of recs) {
      this.ctx.sink.flow(inst, r);
      this.label.records.vpcflow.push(r);
      this.seen((r.start as number) * 1000);
      this.seen((r.end as number) * 1000);
    }
  }
  dns(inst: Instance, q: DnsSpec) {
    const rec = dnsRecord(inst, q);
    this.ctx.sink.dns(inst, rec);
    this.label.records.dns.push(rec);
    this.seen(q.ms);
  }
  finish(): ScenarioLabel {
    this.label.start = iso(Math.floor(this.min / 1000) * 1000);
    this.label.end = iso(Math.ceil(this.max / 1000) * 1000);
    return this.label;
  }
  inst(role: Instance['role'], n = 0): Instance {
    return this.ctx.instances.filter((i) => i.role === role)[n] as Instance;
  }
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

function attacker(name: string, ip: string, cmd = 'sts.get-caller-identity'): Who {
  return { identity: iamUser(name, accessKeyFor(name)), ip, agent: AGENTS.kali(cmd) };
}

const ENUMERATION: [string, string][] = [
  ['iam', 'ListUsers'],
  ['iam', 'ListRoles'],
  ['iam', 'ListPolicies'],
  ['iam', 'ListGroups'],
  ['iam', 'GetAccountAuthorizationDetails'],
  ['iam', 'ListAttachedUserPolicies'],
  ['iam', 'GetAccountSummary'],
  ['s3', 'ListBuckets'],
  ['ec2', 'DescribeInstances'],
  ['ec2', 'DescribeSecurityGroups'],
  ['ec2', 'DescribeVpcs'],
  ['ec2', 'DescribeSnapshots'],
  ['ec2', 'DescribeRegions'],
  ['cloudtrail', 'DescribeTrails'],
  ['cloudtrail', 'GetTrailStatus'],
  ['guardduty', 'ListDetectors'],
  ['secretsmanager', 'ListSecrets'],
  ['kms', 'ListKeys'],
  ['lambda', 'ListFunctions20150331'],
  ['rds', 'DescribeDBInstances'],
  ['organizations', 'DescribeOrganization'],
  ['dynamodb', 'ListTables'],
  ['sns', 'ListTopics'],
  ['sqs', 'ListQueues'],
  ['ssm', 'DescribeParameters'],
  ['ecr', 'DescribeRepositories'],
  ['eks', 'ListClusters'],
  ['route53', 'ListHostedZones'],
  ['iam', 'ListAccessKeys'],
  ['iam', 'ListInstanceProfiles'],
];

const denied = (what: string): [string, string] => [
  'AccessDenied',
  `User is not authorized to perform: ${what}`,
];

export const SCENARIOS: Scenario[] = [
  {
    id: 'recon-iam-enumeration',
    kind: 'reconnaissance',
    description:
      "carol's leaked access key enumerates IAM, S3, EC2, logging and secrets from a VPS; half the calls are denied",
    hour: 3,
    run(s, t0) {
      const who = attacker('carol', ATTACKERS.reconIp);
      s.actor(who.identity.arn as string, accessKeyFor('carol'), ATTACKERS.reconIp);
      let t = t0;
      s.call({ who, ms: t, svc: 'sts', name: 'GetCallerIdentity' });
      for (const [svc, name] of ENUMERATION) {
        t += 2000 + s.rng.int(8000);
        const fail = s.rng.chance(0.5);
        s.call({
          who: { ...who, agent: AGENTS.kali(`${svc}.${name.toLowerCase()}`) },
          ms: t,
          svc,
          name,
          ...(fail ? { error: denied(`${svc}:${name}`) } : {}),
        });
      }
    },
  },
  {
    id: 'recon-port-scan',
    kind: 'reconnaissance',
    description:
      'a compromised public web server probes 1,000 ports of an app server in four minutes, then sweeps SSH across its subnet',
    hour: 5,
    run(s, t0) {
      const web = s.inst('web', 0);
      const app = s.inst('app', 0);
      s.actor(web.id, web.eni, web.ip);
      const probe = (dst: string, dstport: number, ms: number, target?: Instance) => {
        const start = Math.floor(ms / 1000);
        const f = {
          src: web.ip,
          dst,
          srcport: 40000 + s.rng.int(20000),
          dstport,
          protocol: 6,
          packets: 1,
          bytes: 44,
          start,
          end: start + 1,
        };
        // The source ENI logs every probe it sends; the security group of the target rejects them.
        s.flow(web, { ...f, action: 'ACCEPT', direction: 'egress', tcpFlags: 2 });
        if (target) s.flow(target, { ...f, action: 'REJECT', direction: 'ingress', tcpFlags: 2 });
      };
      for (let p = 0; p < 1000; p++) probe(app.ip, p + 1, t0 + p * 240, app);
      const prefix = app.ip.split('.').slice(0, 3).join('.');
      for (let h = 1; h < 255; h++) probe(`${prefix}.${h}`, 22, t0 + 5 * MIN + h * 400);
    },
  },
  {
    id: 'crypto-mining',
    kind: 'crypto-mining',
    description:
      'a forgotten user key launches GPU instances in ap-southeast-1 (never used); they resolve mining pools and speak stratum for hours',
    hour: 2,
    run(s, t0) {
      const who = attacker('ml-sandbox', ATTACKERS.vpsIp, 'ec2.run-instances');
      s.actor(
        who.identity.arn as string,
        accessKeyFor('ml-sandbox'),
        ATTACKERS.vpsIp,
        ATTACKERS.miningPoolIp,
      );
      const region = UNUSED_REGION;
      let t = t0;
      for (const name of [
        'DescribeRegions',
        'DescribeAvailabilityZones',
        'DescribeImages',
        'ImportKeyPair',
        'CreateSecurityGroup',
        'AuthorizeSecurityGroupIngress',
      ]) {
        t += 5000 + s.rng.int(20_000);
        s.call({
          who,
          ms: t,
          svc: 'ec2',
          name,
          region,
          req: name === 'ImportKeyPair' ? { keyName: 'x' } : {},
        });
      }
      const miners: Instance[] = [];
      const ids: Record<string, unknown>[] = [];
      for (let i = 0; i < 4; i++) {
        const id = `i-0${s.rng.hex(16)}`;
        miners.push({
          id,
          eni: `eni-0${s.rng.hex(16)}`,
          ip: `172.31.${16 + i}.${10 + s.rng.int(200)}`,
          vpc: VPCS.apse1,
          subnet: 'subnet-0a9b8c7d6e5f40312',
          role: 'app',
        });
        ids.push({ instanceId: id, instanceType: 'p3.8xlarge', currentState: { code: 0, name: 'pending' } });
      }
      t += 30_000;
      s.call({
        who,
        ms: t,
        svc: 'ec2',
        name: 'RunInstances',
        region,
        readOnly: false,
        req: {
          instancesSet: { items: [{ imageId: 'ami-0c4a9b8e7d6f51234', minCount: 4, maxCount: 4 }] },
          instanceType: 'p3.8xlarge',
          keyName: 'x',
        },
        resp: { instancesSet: { items: ids } },
      });
      for (const m of miners) s.actor(m.id, m.eni, m.ip);
      for (const m of miners) {
        let at = t + 3 * MIN + s.rng.int(MIN);
        for (const domain of ATTACKERS.miningPoolDomains)
          s.dns(m, {
            ms: at + s.rng.int(5000),
            name: domain,
            answers: [{ Rdata: ATTACKERS.miningPoolIp, Type: 'A' }],
            srcport: 40000 + s.rng.int(20000),
          });
        const sport = 40000 + s.rng.int(20000);
        for (let w = 0; w < 36; w++, at += 10 * MIN) {
          const start = Math.floor(at / 1000);
          s.flow(
            m,
            tcpPair(m, {
              src: m.ip,
              dst: ATTACKERS.miningPoolIp,
              srcport: sport,
              dstport: 3333,
              packets: 180 + s.rng.int(40),
              bytes: 24_000 + s.rng.int(4000),
              respBytes: 30_000 + s.rng.int(6000),
              start,
              end: start + 599,
              outbound: true,
              path: 8,
            }),
          );
        }
      }
    },
  },
  {
    id: 'exfil-s3-stolen-key',
    kind: 'exfiltration',
    description:
      "report-exporter's key (normally 20 nightly reads from the NAT) syncs 3,000 customer objects from Brazil in the afternoon",
    hour: 15,
    run(s, t0) {
      const who: Who = {
        identity: iamUser('report-exporter', accessKeyFor('report-exporter')),
        ip: ATTACKERS.exfilIp,
        // The partner's own script, replayed: only where and how much give it away.
        agent: AGENTS.boto,
      };
      s.actor(who.identity.arn as string, accessKeyFor('report-exporter'), ATTACKERS.exfilIp);
      let t = t0;
      s.call({ who, ms: t, svc: 's3', name: 'ListBuckets' });
      for (let i = 0; i < 3000; i++) {
        t += 150 + s.rng.int(500);
        s.call(
          s3Object(
            s.rng,
            who,
            t,
            'GetObject',
            'acme-customer-data',
            `customers/${String(i).padStart(6, '0')}.json`,
            20_000 + s.rng.int(400_000),
          ),
        );
      }
    },
  },
  {
    id: 'exfil-public-bucket',
    kind: 'exfiltration',
    description:
      'a leaked legacy-admin key removes the public access block and makes acme-customer-data world-readable; anonymous downloads follow',
    hour: 22,
    run(s, t0) {
      const ip = '46.161.27.10';
      const downloader = '81.2.69.160';
      const who = attacker('legacy-admin', ip, 's3api.put-bucket-policy');
      s.actor(who.identity.arn as string, accessKeyFor('legacy-admin'), ip, downloader);
      const bucket = {
        bucketName: 'acme-customer-data',
        Host: 'acme-customer-data.s3.us-east-1.amazonaws.com',
      };
      s.call({
        who,
        ms: t0,
        svc: 's3',
        name: 'DeleteBucketPublicAccessBlock',
        req: { ...bucket, publicAccessBlock: '' },
        readOnly: false,
      });
      s.call({
        who,
        ms: t0 + 40_000,
        svc: 's3',
        name: 'PutBucketPolicy',
        readOnly: false,
        req: {
          ...bucket,
          bucketPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'pub',
                Effect: 'Allow',
                Principal: '*',
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::acme-customer-data/*',
              },
            ],
          },
          policy: '',
        },
      });
      const anon: Who = {
        identity: { type: 'AWSAccount', principalId: '', accountId: 'anonymous' },
        ip: downloader,
        agent: 'curl/8.5.0',
      };
      for (let i = 0; i < 25; i++)
        s.call(
          s3Object(
            s.rng,
            anon,
            t0 + 5 * MIN + i * 7000,
            'GetObject',
            'acme-customer-data',
            `customers/${String(i * 13).padStart(6, '0')}.json`,
            200_000,
          ),
        );
    },
  },
  {
    id: 'exfil-dns-tunnel',
    kind: 'exfiltration',
    description:
      'malware on an app server tunnels data out through 1,500 TXT lookups of long random labels under one domain',
    hour: 20,
    run(s, t0) {
      const app = s.inst('app', 0);
      s.actor(app.id, app.ip, app.eni, ATTACKERS.dnsTunnelDomain);
      const b32 = 'abcdefghijklmnopqrstuvwxyz234567';
      for (let i = 0; i < 1500; i++) {
        let label = '';
        for (let c = 0; c < 60; c++) label += b32[s.rng.int(32)];
        s.dns(app, {
          ms: t0 + i * 2400 + s.rng.int(2000),
          name: `${label}.${i.toString(36)}.${ATTACKERS.dnsTunnelDomain}`,
          type: 'TXT',
          answers: [{ Rdata: `"${s.rng.alnum(24)}"`, Type: 'TXT' }],
          srcport: 30000 + s.rng.int(30000),
        });
      }
    },
  },
  {
    id: 'privesc-passrole-lambda',
    kind: 'privilege-escalation',
    description:
      'lambda-deployer passes the admin role to a new function, which then creates an access key for an admin',
    hour: 4,
    run(s, t0) {
      const ip = '5.188.11.20';
      const who = attacker('lambda-deployer', ip, 'lambda.create-function');
      const fnKey = accessKeyFor('privesc-fn', true);
      s.actor(
        who.identity.arn as string,
        accessKeyFor('lambda-deployer'),
        ip,
        `arn:aws:iam::${ACCOUNT}:role/acme-admin`,
        fnKey,
      );
      s.call({ who, ms: t0, svc: 'iam', name: 'ListRoles' });
      s.call({
        who,
        ms: t0 + 30_000,
        svc: 'lambda',
        name: 'CreateFunction20150331',
        readOnly: false,
        req: {
          functionName: 'sync-helper',
          runtime: 'python3.12',
          role: `arn:aws:iam::${ACCOUNT}:role/acme-admin`,
          handler: 'index.handler',
        },
      });
      s.call({
        who,
        ms: t0 + 50_000,
        svc: 'lambda',
        name: 'AddPermission20150331v2',
        readOnly: false,
        req: { functionName: 'sync-helper', principal: '*', action: 'lambda:InvokeFunction' },
      });
      s.call({
        who: awsService('lambda.amazonaws.com'),
        ms: t0 + 70_000,
        svc: 'sts',
        name: 'AssumeRole',
        req: { roleArn: `arn:aws:iam::${ACCOUNT}:role/acme-admin`, roleSessionName: 'sync-helper' },
      });
      const fn: Who = {
        identity: roleSession('acme-admin', 'sync-helper', fnKey, t0 + 70_000),
        ip: '3.236.44.100',
        agent: 'Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227 exec-env/AWS_Lambda_python3.12',
      };
      s.call({
        who: fn,
        ms: t0 + 72_000,
        svc: 'iam',
        name: 'CreateAccessKey',
        readOnly: false,
        req: { userName: 'dana' },
        resp: { accessKey: { userName: 'dana', accessKeyId: `AKIA${s.rng.awsId(16)}`, status: 'Active' } },
      });
    },
  },
  {
    id: 'privesc-policy-version',
    kind: 'privilege-escalation',
    description:
      "bob's leaked key rewrites the developer policy with a new default version that allows everything",
    hour: 1,
    run(s, t0) {
      const ip = '91.92.110.30';
      const who: Who = {
        identity: iamUser('bob', accessKeyFor('bob')),
        ip,
        agent: AGENTS.cliMac('iam.create-policy-version'),
      };
      s.actor(who.identity.arn as string, accessKeyFor('bob'), ip);
      s.call({ who, ms: t0, svc: 'iam', name: 'ListAttachedUserPolicies', req: { userName: 'bob' } });
      s.call({
        who,
        ms: t0 + 20_000,
        svc: 'iam',
        name: 'CreatePolicyVersion',
        readOnly: false,
        req: {
          policyArn: `arn:aws:iam::${ACCOUNT}:policy/developer-access`,
          policyDocument:
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
          setAsDefault: true,
        },
      });
    },
  },
  {
    id: 'privesc-attach-admin',
    kind: 'privilege-escalation',
    description: 'the ci-legacy user attaches AdministratorAccess to itself from an unknown address',
    hour: 23,
    run(s, t0) {
      const ip = '177.54.151.40';
      const who = attacker('ci-legacy', ip, 'iam.attach-user-policy');
      s.actor(who.identity.arn as string, accessKeyFor('ci-legacy'), ip);
      s.call({ who, ms: t0, svc: 'sts', name: 'GetCallerIdentity' });
      s.call({
        who,
        ms: t0 + 15_000,
        svc: 'iam',
        name: 'AttachUserPolicy',
        readOnly: false,
        req: { userName: 'ci-legacy', policyArn: ADMIN_POLICY },
      });
    },
  },
  {
    id: 'intrusion-ssh-bruteforce',
    kind: 'network-intrusion',
    description:
      'one host guesses SSH passwords on the bastion 400 times in 40 minutes, then holds a long session',
    hour: 0,
    run(s, t0) {
      const bastion = s.inst('bastion');
      s.actor(ATTACKERS.bruteForceIp, bastion.id, bastion.eni);
      for (let i = 0; i < 400; i++) {
        const start = Math.floor((t0 + i * 6000) / 1000);
        s.flow(
          bastion,
          tcpPair(bastion, {
            src: ATTACKERS.bruteForceIp,
            dst: bastion.ip,
            srcport: 40000 + s.rng.int(20000),
            dstport: 22,
            packets: 14 + s.rng.int(6),
            bytes: 2800 + s.rng.int(600),
            respBytes: 3300 + s.rng.int(600),
            start,
            end: start + 4,
            outbound: false,
          }),
        );
      }
      const start = Math.floor((t0 + 41 * MIN) / 1000);
      s.flow(
        bastion,
        tcpPair(bastion, {
          src: ATTACKERS.bruteForceIp,
          dst: bastion.ip,
          srcport: 51515,
          dstport: 22,
          packets: 9000,
          bytes: 1_400_000,
          respBytes: 9_800_000,
          start,
          end: start + 599,
          outbound: false,
        }),
      );
    },
  },
  {
    id: 'intrusion-c2',
    kind: 'network-intrusion',
    description:
      'a public web server resolves a C&C domain and beacons every five minutes to an address on the threat list',
    hour: 9,
    run(s, t0) {
      const web = s.inst('web', 1);
      s.actor(web.id, web.eni, web.ip, ATTACKERS.c2Ip, ATTACKERS.c2Domain);
      s.dns(web, {
        ms: t0,
        name: ATTACKERS.c2Domain,
        answers: [{ Rdata: ATTACKERS.c2Ip, Type: 'A' }],
        srcport: 45000,
      });
      for (let i = 0; i < 96; i++) {
        const start = Math.floor((t0 + 5000 + i * 5 * MIN) / 1000);
        s.flow(
          web,
          tcpPair(web, {
            src: web.ip,
            dst: ATTACKERS.c2Ip,
            srcport: 40000 + s.rng.int(20000),
            dstport: 8443,
            packets: 10,
            bytes: 1400 + s.rng.int(200),
            respBytes: 900 + s.rng.int(300),
            start,
            end: start + 2,
            outbound: true,
            path: 8,
          }),
        );
      }
    },
  },
  {
    id: 'defense-evasion',
    kind: 'defense-evasion',
    description:
      'a leaked ops-automation key stops the trail, deletes the GuardDuty detector and the prod flow logs',
    hour: 2,
    run(s, t0) {
      const ip = '46.161.28.10';
      const who = attacker('ops-automation', ip, 'cloudtrail.stop-logging');
      s.actor(who.identity.arn as string, accessKeyFor('ops-automation'), ip);
      s.call({ who, ms: t0, svc: 'cloudtrail', name: 'DescribeTrails' });
      s.call({
        who,
        ms: t0 + 20_000,
        svc: 'cloudtrail',
        name: 'StopLogging',
        readOnly: false,
        req: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
      });
      s.call({
        who,
        ms: t0 + 50_000,
        svc: 'guardduty',
        name: 'DeleteDetector',
        readOnly: false,
        req: { detectorId: '4ac9b3f2e1d07a6c5b8e9f0a1d2c3b4e' },
      });
      s.call({
        who,
        ms: t0 + 80_000,
        svc: 'ec2',
        name: 'DeleteFlowLogs',
        readOnly: false,
        req: { DeleteFlowLogsRequest: { FlowLogId: { content: VPCS.prod.flowLogId, tag: 1 } } },
      });
    },
  },
  {
    id: 'cred-instance-outside-aws',
    kind: 'credential-misuse',
    description: "a web server's instance-profile credentials are replayed from a host outside AWS",
    hour: 11,
    run(s, t0) {
      const web = s.inst('web', 0);
      const key = accessKeyFor(`stolen-${web.id}`, true);
      const who: Who = {
        identity: roleSession('web-server-role', web.id, key, t0 - 2 * HOUR, { ec2RoleDelivery: '2.0' }),
        ip: ATTACKERS.stolenInstanceCredsIp,
        agent: AGENTS.boto,
      };
      s.actor(key, ATTACKERS.stolenInstanceCredsIp);
      let t = t0;
      for (const [svc, name] of [
        ['sts', 'GetCallerIdentity'],
        ['s3', 'ListBuckets'],
        ['ec2', 'DescribeInstances'],
        ['secretsmanager', 'ListSecrets'],
      ] as const) {
        s.call({ who, ms: (t += 20_000 + s.rng.int(30_000)), svc, name });
      }
    },
  },
  {
    id: 'cred-console-no-mfa',
    kind: 'credential-misuse',
    description:
      'admin dana signs in to the console without MFA from Brazil (always the US office, always with MFA before)',
    hour: 6,
    run(s, t0) {
      const ip = '177.54.152.9';
      s.actor(`arn:aws:iam::${ACCOUNT}:user/dana`, ip);
      s.call({
        who: { identity: iamUser('dana'), ip, agent: AGENTS.firefox },
        ms: t0,
        svc: 'signin',
        name: 'ConsoleLogin',
        eventType: 'AwsConsoleSignIn',
        readOnly: false,
        resp: { ConsoleLogin: 'Success' },
        extra: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'No' },
      });
      const me: Who = {
        identity: iamUser('dana', accessKeyFor(`dana-nomfa`, true), false, t0),
        ip,
        agent: AGENTS.firefox,
        console: true,
      };
      s.call({ who: me, ms: t0 + 40_000, svc: 'iam', name: 'ListUsers' });
      s.call({ who: me, ms: t0 + 90_000, svc: 'iam', name: 'ListAccessKeys', req: { userName: 'dana' } });
    },
  },
  {
    id: 'cred-tor-key',
    kind: 'credential-misuse',
    description: "alice's long-term access key is used through a Tor exit node",
    hour: 19,
    run(s, t0) {
      const who: Who = {
        identity: iamUser('alice', accessKeyFor('alice')),
        ip: ATTACKERS.torExitIp,
        agent: AGENTS.cliMac('s3.ls'),
      };
      s.actor(accessKeyFor('alice'), ATTACKERS.torExitIp);
      s.call({ who, ms: t0, svc: 'sts', name: 'GetCallerIdentity' });
      s.call({ who, ms: t0 + 30_000, svc: 's3', name: 'ListBuckets' });
      s.call({ who, ms: t0 + 70_000, svc: 'ec2', name: 'DescribeInstances' });
    },
  },
];

/**
 * Runs every scenario on the attack days (the last 40% of the period, after the baselines had time
 * to learn), spreading them so that no two share a day when there are enough days.
 */
export function runScenarios(ctx: Ctx, firstDay: number, days: number): ScenarioLabel[] {
  const learn = Math.max(1, Math.floor(days * 0.6));
  const attackDays = Math.max(1, days - learn);
  return SCENARIOS.map((sc, i) => {
    const day = firstDay + (learn + (i % attackDays)) * 86_400_000;
    const run = new Run(ctx, sc);
    sc.run(run, day + sc.hour * HOUR + ctx.rng.int(30 * MIN));
    return run.finish();
  });
}
