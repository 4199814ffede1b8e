import {
  accessKeyFor,
  AGENTS,
  awsService,
  iamUser,
  roleSession,
  s3Object,
  serviceLinked,
  type CallSpec,
  type Who,
} from './cloudtrail.js';
import { ACCOUNT, DR_REGION, HOME_IPS, NAT_PUBLIC_IP, OFFICE_IPS, type Instance } from './org.js';
import type { Prng } from './prng.js';
import type { Scale } from './scale.js';

/**
 * One day of Acme's benign CloudTrail: CI running Terraform plans (hundreds of Describe/List),
 * the nightly ETL reading thousands of objects through the S3 gateway endpoint, admins doing IAM
 * work in office hours with MFA from the office, developers in the console and the CLI, instance
 * profiles (SSM agent, app config), and AWS service principals.
 */
const HOUR = 3_600_000;
const MIN = 60_000;
const S3_VPCE = 'vpce-0b1c2d3e4f5a6b7c8';

const TERRAFORM_READS: [string, string][] = [
  ['ec2', 'DescribeVpcs'],
  ['ec2', 'DescribeSubnets'],
  ['ec2', 'DescribeSecurityGroups'],
  ['ec2', 'DescribeRouteTables'],
  ['ec2', 'DescribeInstances'],
  ['ec2', 'DescribeNetworkInterfaces'],
  ['ec2', 'DescribeLaunchTemplates'],
  ['ec2', 'DescribeLaunchTemplateVersions'],
  ['ec2', 'DescribeVpcAttribute'],
  ['ec2', 'DescribeNatGateways'],
  ['ec2', 'DescribeInternetGateways'],
  ['ec2', 'DescribeNetworkAcls'],
  ['ec2', 'DescribeTags'],
  ['iam', 'GetRole'],
  ['iam', 'ListRolePolicies'],
  ['iam', 'ListAttachedRolePolicies'],
  ['iam', 'GetPolicy'],
  ['iam', 'GetPolicyVersion'],
  ['iam', 'GetInstanceProfile'],
  ['s3', 'GetBucketPolicy'],
  ['s3', 'GetBucketAcl'],
  ['s3', 'GetBucketVersioning'],
  ['s3', 'GetBucketEncryption'],
  ['elasticloadbalancing', 'DescribeLoadBalancers'],
  ['elasticloadbalancing', 'DescribeTargetGroups'],
  ['elasticloadbalancing', 'DescribeListeners'],
  ['autoscaling', 'DescribeAutoScalingGroups'],
  ['rds', 'DescribeDBInstances'],
  ['rds', 'DescribeDBSubnetGroups'],
  ['kms', 'DescribeKey'],
  ['kms', 'GetKeyPolicy'],
  ['kms', 'ListAliases'],
  ['logs', 'DescribeLogGroups'],
  ['lambda', 'GetFunction20150331v2'],
  ['lambda', 'ListVersionsByFunction'],
  ['route53', 'ListResourceRecordSets'],
  ['route53', 'GetHostedZone'],
  ['dynamodb', 'DescribeTable'],
  ['sns', 'GetTopicAttributes'],
  ['sqs', 'GetQueueAttributes'],
];

const CONFIG_READS: [string, string][] = [
  ['ec2', 'DescribeInstances'],
  ['ec2', 'DescribeSecurityGroups'],
  ['ec2', 'DescribeVolumes'],
  ['ec2', 'DescribeNetworkInterfaces'],
  ['iam', 'GetRole'],
  ['iam', 'GetUser'],
  ['iam', 'GetPolicy'],
  ['iam', 'ListAttachedUserPolicies'],
  ['s3', 'GetBucketAcl'],
  ['s3', 'GetBucketPolicy'],
  ['s3', 'GetBucketVersioning'],
  ['kms', 'DescribeKey'],
  ['rds', 'DescribeDBInstances'],
  ['lambda', 'ListFunctions20150331'],
];

const DEV_CONSOLE: [string, string][] = [
  ['ec2', 'DescribeInstances'],
  ['ec2', 'DescribeInstanceStatus'],
  ['lambda', 'ListFunctions20150331'],
  ['logs', 'FilterLogEvents'],
  ['logs', 'DescribeLogStreams'],
  ['monitoring', 'GetMetricData'],
  ['monitoring', 'DescribeAlarms'],
  ['s3', 'ListBuckets'],
  ['dynamodb', 'Scan'],
  ['sqs', 'ListQueues'],
  ['ecs', 'DescribeServices'],
  ['ecr', 'DescribeImages'],
];

const ADMIN_IAM: [string, Record<string, unknown>][] = [
  ['ListUsers', {}],
  ['GetUser', { userName: 'carol' }],
  ['ListAccessKeys', { userName: 'bob' }],
  ['GetAccountAuthorizationDetails', { filter: ['User', 'Role'] }],
  ['ListPolicies', { scope: 'Local' }],
  ['ListMFADevices', { userName: 'alice' }],
  ['GenerateCredentialReport', {}],
  ['GetCredentialReport', {}],
];

const ADMIN_WRITES: [string, (rng: Prng) => Record<string, unknown>][] = [
  [
    'PutRolePolicy',
    (r) => ({
      roleName: 'etl-pipeline',
      policyName: `etl-s3-${r.hex(4)}`,
      policyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::acme-raw-events/*"}]}',
    }),
  ],
  ['TagRole', () => ({ roleName: 'web-server-role', tags: [{ key: 'team', value: 'platform' }] })],
  ['UpdateAccessKey', (r) => ({ userName: 'bob', accessKeyId: `AKIA${r.awsId(16)}`, status: 'Inactive' })],
  ['DeleteAccessKey', (r) => ({ userName: 'bob', accessKeyId: `AKIA${r.awsId(16)}` })],
  ['AddUserToGroup', () => ({ groupName: 'developers', userName: 'carol' })],
  [
    'UpdateAssumeRolePolicy',
    () => ({
      roleName: 'ci-runner',
      policyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    }),
  ],
];

export interface BenignContext {
  rng: Prng;
  record: (o: CallSpec) => void;
  scale: Scale;
  instances: Instance[];
}

const isWeekday = (dayMs: number) => {
  const wd = new Date(dayMs).getUTCDay();
  return wd !== 0 && wd !== 6;
};

/** Benign surprises a baseline must live with: alice at a conference in London, an ETL backfill night. */
export const TRAVEL_DAYS = [8, 9];
export const TRAVEL_IP = '81.2.69.142';
export const BACKFILL_DAY = 10;

export function benignCloudTrailDay(ctx: BenignContext, day: number, dayIndex: number): void {
  const { rng, record, scale, instances } = ctx;
  const weekday = isWeekday(day);

  // CI: self-hosted runners assume ci-runner and run Terraform plans (hundreds of reads) on every merge.
  const runs = weekday ? scale.ciRunsPerDay : Math.ceil(scale.ciRunsPerDay / 4);
  for (let r = 0; r < runs; r++) {
    let t = day + (weekday ? 13 : 10) * HOUR + rng.int(9 * HOUR);
    const key = accessKeyFor(`ci-${day}-${r}`, true);
    const ci: Who = {
      identity: roleSession('ci-runner', `i-ci-runner-${r % 2}`, key, t - 60 * MIN, {
        ec2RoleDelivery: '2.0',
      }),
      ip: NAT_PUBLIC_IP,
      agent: AGENTS.terraform,
    };
    record({ who: ci, ms: t, svc: 'sts', name: 'GetCallerIdentity' });
    const calls = scale.ciCallsPerRun + rng.int(scale.ciCallsPerRun / 2);
    for (let i = 0; i < calls; i++) {
      t += 50 + rng.int(400);
      const [svc, name] = rng.pick(TERRAFORM_READS);
      record({ who: ci, ms: t, svc, name, req: { maxResults: 1000 } });
    }
  }

  // The nightly ETL: etl-pipeline instances read the day's raw events and write curated output.
  const etl = instances.filter((i) => i.role === 'etl');
  const nightly = scale.etlObjectsPerNight * (dayIndex === BACKFILL_DAY ? 3 : 1);
  const objects = nightly + rng.int(nightly / 5);
  let t = day + 1 * HOUR + rng.int(10 * MIN);
  for (let i = 0; i < objects; i++) {
    const inst = etl[i % etl.length] as Instance;
    const who: Who = {
      identity: roleSession('etl-pipeline', inst.id, accessKeyFor(`etl-${inst.id}-${day}`, true), day, {
        ec2RoleDelivery: '2.0',
      }),
      ip: inst.ip,
      agent: AGENTS.boto,
    };
    t += 200 + rng.int(1500);
    const key = `events/${new Date(day - 86_400_000).toISOString().slice(0, 10)}/part-${String(i).padStart(5, '0')}.json.gz`;
    record(
      s3Object(rng, who, t, 'GetObject', 'acme-raw-events', key, 200_000 + rng.int(2_000_000), {
        vpce: S3_VPCE,
      }),
    );
    if (i % 50 === 49)
      record(
        s3Object(
          rng,
          who,
          t + 300,
          'PutObject',
          'acme-curated',
          key.replace('events/', 'curated/'),
          5_000_000 + rng.int(5_000_000),
          { vpce: S3_VPCE },
        ),
      );
  }
  // report-exporter: a partner integration's access key, fetching a few reports every night from its NAT.
  for (let i = 0; i < 20; i++) {
    const who: Who = {
      identity: iamUser('report-exporter', accessKeyFor('report-exporter')),
      ip: NAT_PUBLIC_IP,
      agent: AGENTS.boto,
    };
    record(
      s3Object(
        rng,
        who,
        day + 4 * HOUR + i * 20_000 + rng.int(9000),
        'GetObject',
        'acme-customer-data',
        `reports/daily/${i}.csv`,
        40_000 + rng.int(80_000),
      ),
    );
  }

  // Instance profiles: SSM agent check-ins and app servers reading config.
  for (const inst of instances.filter((i) => i.profileRole)) {
    const who: Who = {
      identity: roleSession(
        inst.profileRole as string,
        inst.id,
        accessKeyFor(`${inst.id}-${day}`, true),
        day,
        { ec2RoleDelivery: '2.0' },
      ),
      ip: inst.ip,
      agent: AGENTS.ssm,
    };
    for (let h = 0; h < 24; h += scale.ssmEveryHours) {
      record({
        who,
        ms: day + h * HOUR + rng.int(HOUR),
        svc: 'ssm',
        name: 'UpdateInstanceInformation',
        req: { instanceId: inst.id, agentVersion: '3.3.1142.0', platformType: 'Linux' },
        readOnly: false,
      });
    }
    if (inst.role === 'app') {
      const app: Who = { ...who, agent: AGENTS.java };
      for (let h = 0; h < 24; h += 2) {
        record({
          who: app,
          ms: day + h * HOUR + rng.int(HOUR),
          svc: 'secretsmanager',
          name: 'GetSecretValue',
          req: { secretId: 'prod/app/db' },
        });
        record({
          who: app,
          ms: day + h * HOUR + rng.int(HOUR),
          svc: 'kms',
          name: 'Decrypt',
          req: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
        });
      }
    }
    record({
      who: awsService('ec2.amazonaws.com'),
      ms: day + rng.int(6 * HOUR),
      svc: 'sts',
      name: 'AssumeRole',
      req: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${inst.profileRole}`, roleSessionName: inst.id },
    });
  }

  // AWS Config recording resource changes; autoscaling and ELB acting through their service roles.
  const config = serviceLinked(
    'AWSServiceRoleForConfig',
    'config.amazonaws.com',
    'AWSConfig-Describe',
    accessKeyFor(`config-${day}`, true),
    day,
  );
  for (let i = 0; i < scale.configCallsPerDay; i++) {
    const [svc, name] = rng.pick(CONFIG_READS);
    record({
      who: config,
      ms: day + rng.int(24 * HOUR),
      svc,
      name,
      region: rng.chance(0.85) ? 'us-east-1' : DR_REGION,
    });
  }
  const asg = serviceLinked(
    'AWSServiceRoleForAutoScaling',
    'autoscaling.amazonaws.com',
    'AutoScaling',
    accessKeyFor(`asg-${day}`, true),
    day,
  );
  for (let i = 0; i < 6; i++) {
    const ms = day + rng.int(24 * HOUR);
    record({ who: asg, ms, svc: 'ec2', name: 'DescribeInstanceStatus' });
    if (i < 2)
      record({
        who: asg,
        ms: ms + 4000,
        svc: 'ec2',
        name: i === 0 ? 'RunInstances' : 'TerminateInstances',
        readOnly: false,
        req: {
          launchTemplate: { launchTemplateId: 'lt-0a1b2c3d4e5f60718', version: '$Latest' },
          minCount: 1,
          maxCount: 1,
        },
      });
  }
  record({
    who: awsService('cloudtrail.amazonaws.com'),
    ms: day + rng.int(HOUR),
    svc: 'kms',
    name: 'GenerateDataKey',
    req: { keySpec: 'AES_256' },
  });
  record({
    who: awsService('elasticloadbalancing.amazonaws.com'),
    ms: day + rng.int(24 * HOUR),
    svc: 'sts',
    name: 'AssumeRole',
    req: { roleSessionName: 'ElasticLoadBalancing' },
  });

  if (!weekday) return;

  // Admins: console with MFA from the office, IAM work in office hours.
  for (const admin of ['dana', 'erik']) {
    const login = day + 8 * HOUR + rng.int(2 * HOUR);
    const ip = rng.pick(OFFICE_IPS);
    record({
      who: { identity: iamUser(admin), ip, agent: AGENTS.chrome },
      ms: login,
      svc: 'signin',
      name: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
      resp: { ConsoleLogin: 'Success' },
      extra: {
        LoginTo: 'https://console.aws.amazon.com/console/home',
        MobileVersion: 'No',
        MFAIdentifier: `arn:aws:iam::${ACCOUNT}:mfa/${admin}`,
        MFAUsed: 'Yes',
      },
    });
    const me: Who = {
      identity: iamUser(admin, accessKeyFor(`${admin}-${day}`, true), true, login),
      ip,
      agent: AGENTS.chrome,
      console: true,
    };
    let at = login + 60_000;
    for (let i = 0; i < 6 + rng.int(10); i++) {
      at += 30_000 + rng.int(20 * MIN);
      const [name, req] = rng.pick(ADMIN_IAM);
      record({ who: me, ms: at, svc: 'iam', name, req });
    }
    if (rng.chance(0.5)) {
      const [name, req] = rng.pick(ADMIN_WRITES);
      record({ who: me, ms: at + 60_000, svc: 'iam', name, req: req(rng), readOnly: false });
    }
  }

  // Developers: console with MFA (office or home), and the CLI with their own keys.
  for (const dev of ['alice', 'bob', 'carol']) {
    if (rng.chance(0.15)) continue;
    const travelling = dev === 'alice' && TRAVEL_DAYS.includes(dayIndex);
    const ip = travelling ? TRAVEL_IP : rng.chance(0.7) ? rng.pick(OFFICE_IPS) : (HOME_IPS[dev] as string);
    const login = day + 8 * HOUR + rng.int(3 * HOUR);
    record({
      who: { identity: iamUser(dev), ip, agent: AGENTS.chrome },
      ms: login,
      svc: 'signin',
      name: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
      resp: { ConsoleLogin: 'Success' },
      extra: {
        LoginTo: 'https://console.aws.amazon.com/console/home',
        MobileVersion: 'No',
        MFAIdentifier: `arn:aws:iam::${ACCOUNT}:mfa/${dev}`,
        MFAUsed: 'Yes',
      },
    });
    const me: Who = {
      identity: iamUser(dev, accessKeyFor(`${dev}-${day}`, true), true, login),
      ip,
      agent: AGENTS.chrome,
      console: true,
    };
    let at = login;
    for (let i = 0; i < scale.devCallsPerDay; i++) {
      at += 20_000 + rng.int(5 * MIN);
      const [svc, name] = rng.pick(DEV_CONSOLE);
      record({ who: me, ms: at, svc, name });
    }
    const cli: Who = { identity: iamUser(dev, accessKeyFor(dev)), ip, agent: AGENTS.cliMac('logs.tail') };
    for (let i = 0; i < scale.devCallsPerDay / 2; i++) {
      record({
        who: cli,
        ms: day + 14 * HOUR + rng.int(3 * HOUR),
        svc: 'logs',
        name: 'FilterLogEvents',
        req: { logGroupName: '/ecs/orders-api' },
      });
    }
    if (dev === 'bob' && rng.chance(0.4)) {
      record({
        who: me,
        ms: at + 10_000,
        svc: 'iam',
        name: 'ListRoles',
        error: [
          'AccessDenied',
          `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:ListRoles`,
        ],
      });
    }
  }
}
