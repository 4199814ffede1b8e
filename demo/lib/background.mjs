// Benign activity of Acme over two days (2026-11-19 and 2026-11-20): the Jenkins box using
// deploy-bot, developers in the console with MFA, GitHub Actions deploying with CloudFormation,
// the orders-api Lambda, the app server's instance profile, AWS Config and GuardDuty.

import { ACCOUNT, awsDate, bucketResource, objectResources, s3Extra } from './record.mjs';
import { APP_INSTANCE, ROLE_ARN, who } from './identities.mjs';

const HOUR = 3_600_000;
const MIN = 60_000;
const DAY = (d) => Date.UTC(2026, 10, d);
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/7d2c1f4e-9a8b-4c6d-8e1f-2a3b4c5d6e7f';

/**
 * @param {{ rng: any, record: (o: object) => object, guardDutyDeletedMs: number }} ctx
 * @returns {object[]}
 */
export function backgroundRecords({ rng, record, guardDutyDeletedMs }) {
  const out = [];
  const jitter = (ms, spread = 40_000) => ms + rng.int(spread);
  const push = (o) => out.push(record(o));

  for (const d of [19, 20]) {
    const day = DAY(d);

    // Jenkins uses deploy-bot's access key to publish build artifacts (its normal use).
    for (const [h, m] of [[9, 10], [13, 40], [17, 20]]) {
      let t = day + h * HOUR + m * MIN + rng.int(MIN);
      const key = `builds/web/${d}${h}${m}/web-${rng.hex(7)}.zip`;
      push({ who: who.deployBotJenkins, ms: t, svc: 'sts', name: 'GetCallerIdentity', cliCommand: 'sts.get-caller-identity' });
      t += 2_000 + rng.int(3_000);
      push({ who: who.deployBotJenkins, ms: t, svc: 'ecr', name: 'GetAuthorizationToken', req: {}, cliCommand: 'ecr.get-login-password' });
      t += 20_000 + rng.int(20_000);
      push({ who: who.deployBotJenkins, ms: t, svc: 's3', name: 'PutObject', data: true, readOnly: false, cliCommand: 's3.cp', req: { bucketName: 'acme-artifacts', Host: 'acme-artifacts.s3.us-east-1.amazonaws.com', key }, resp: { 'x-amz-server-side-encryption': 'AES256' }, extra: s3Extra(rng, 0, 1_800_000 + rng.int(400_000)), resources: objectResources('acme-artifacts', key), host: 'acme-artifacts.s3.us-east-1.amazonaws.com' });
      if (d === 19 && h === 13) {
        t += 3_000;
        const denied = 'web/index.html';
        push({ who: who.deployBotJenkins, ms: t, svc: 's3', name: 'PutObject', data: true, readOnly: false, cliCommand: 's3.cp', req: { bucketName: 'acme-web-assets', Host: 'acme-web-assets.s3.us-east-1.amazonaws.com', key: denied }, error: ['AccessDenied', 'Access Denied'], extra: s3Extra(rng, 0, 0), resources: objectResources('acme-web-assets', denied), host: 'acme-web-assets.s3.us-east-1.amazonaws.com' });
      }
    }

    // Developers sign in to the console with MFA and look around.
    for (const [name, h, m] of [['alice', 8, 55], ['bob', 9, 32]]) {
      const login = day + h * HOUR + (m + (d === 20 ? 12 : 0)) * MIN + rng.int(MIN);
      push({ who: who.signIn(name), ms: login, svc: 'signin', name: 'ConsoleLogin', eventType: 'AwsConsoleSignIn', readOnly: false, resp: { ConsoleLogin: 'Success' }, extra: { LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_5f2c9a7d1e3b8c40', MobileVersion: 'No', MFAIdentifier: `arn:aws:iam::${ACCOUNT}:mfa/${name}-iphone`, MFAUsed: 'Yes' } });
      const me = who.console(name, `ASIA${rng.awsId(16)}`, login);
      let t = login + 20_000;
      const step = () => (t += 15_000 + rng.int(90_000));
      const calls = [
        ['ec2', 'DescribeInstances', { instancesSet: {}, filterSet: {} }],
        ['ec2', 'DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }],
        ['ec2', 'DescribeVpcs', { vpcSet: {}, filterSet: {} }],
        ['lambda', 'ListFunctions20150331', { functionVersion: 'ALL', maxItems: 50 }],
        ['lambda', 'GetFunction20150331v2', { functionName: 'orders-api' }],
        ['logs', 'DescribeLogGroups', { limit: 50, logGroupNamePrefix: '/aws/lambda/orders' }],
        ['logs', 'FilterLogEvents', { logGroupName: '/aws/lambda/orders-api', startTime: login - 3 * HOUR, endTime: login, filterPattern: 'ERROR', interleaved: true }],
        ['monitoring', 'DescribeAlarms', { maxRecords: 100 }],
        ['s3', 'ListBuckets', { Host: 's3.amazonaws.com' }],
        ['s3', 'GetBucketLocation', { bucketName: 'acme-app-config', Host: 'acme-app-config.s3.amazonaws.com', location: '' }],
      ];
      for (const [svc, evName, req] of calls) {
        const s3 = svc === 's3';
        push({ who: me, ms: step(), svc, name: evName, req, extra: s3 ? s3Extra(rng) : undefined, resources: s3 && req.bucketName ? bucketResource(req.bucketName) : undefined, host: s3 ? req.Host : undefined });
      }
      // The DR region: alice checks the standby instances in us-west-2.
      if (name === 'alice') {
        push({ who: me, ms: step(), svc: 'ec2', name: 'DescribeInstances', region: 'us-west-2', req: { instancesSet: {}, filterSet: {} } });
        push({ who: me, ms: step(), svc: 'ec2', name: 'DescribeInstanceStatus', region: 'us-west-2', req: { instancesSet: {}, filterSet: {}, includeAllInstances: false } });
      }
      // Normal AccessDenied: bob's read-only developer policy does not cover IAM or billing.
      if (name === 'bob') {
        push({ who: me, ms: step(), svc: 'iam', name: 'ListRoles', req: { maxItems: 100 }, error: ['AccessDenied', `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ because no identity-based policy allows the iam:ListRoles action`] });
        push({ who: me, ms: step(), svc: 'ce', name: 'GetCostAndUsage', req: { timePeriod: { start: `2026-11-01`, end: `2026-11-${d}` }, granularity: 'DAILY', metrics: ['UnblendedCost'] }, error: ['AccessDeniedException', `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: ce:GetCostAndUsage on resource: arn:aws:ce:us-east-1:${ACCOUNT}:/GetCostAndUsage because no identity-based policy allows the ce:GetCostAndUsage action`] });
      }
    }

    // GitHub Actions deploys orders-api with CloudFormation (the second run of day 19 goes to the DR region).
    for (const [h, m, region] of [[11, 5, 'us-east-1'], [15, 30, d === 19 ? 'us-west-2' : 'us-east-1']]) {
      let t = day + h * HOUR + m * MIN + rng.int(MIN);
      const session = `GitHubActions-${rng.digits(10)}`;
      const key = `ASIA${rng.awsId(16)}`;
      const roleArn = ROLE_ARN('github-actions-deploy');
      push({
        who: who.githubOidc('orders-api'),
        ms: t,
        svc: 'sts',
        name: 'AssumeRoleWithWebIdentity',
        region,
        host: `sts.${region}.amazonaws.com`,
        req: { roleArn, roleSessionName: session, durationSeconds: 3600 },
        resp: { credentials: { accessKeyId: key, expiration: awsDate(t + HOUR) }, subjectFromWebIdentityToken: 'repo:acme/orders-api:ref:refs/heads/main', assumedRoleUser: { assumedRoleId: `AROA4KQ7XZ2MGHA5CT1DE:${session}`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/github-actions-deploy/${session}` }, provider: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`, audience: 'sts.amazonaws.com' },
        resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
      });
      const ci = who.ci(session, key, t);
      const cfn = who.cfnForCi(session, key, t);
      const stack = `orders-api-${region === 'us-east-1' ? 'prod' : 'dr'}`;
      const stackId = `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stack}/${region === 'us-east-1' ? '3f6a2b10-8c1d-11ef-9f2e-0e8a1c2b3d4f' : '6b2e9d40-8c1d-11ef-a1b2-06c1d2e3f4a5'}`;
      const changeSet = `arn:aws:cloudformation:${region}:${ACCOUNT}:changeSet/awscli-cloudformation-package-deploy-${rng.digits(10)}/${rng.uuid()}`;
      const step = (lo = 2_000, spread = 6_000) => (t += lo + rng.int(spread));
      push({ who: ci, ms: step(), svc: 'cloudformation', name: 'DescribeStacks', region, req: { stackName: stack } });
      push({ who: ci, ms: step(), svc: 'cloudformation', name: 'CreateChangeSet', region, readOnly: false, req: { stackName: stack, templateURL: `https://s3.amazonaws.com/acme-artifacts/cfn/${rng.hex(32)}.template`, parameters: [{ parameterKey: 'ImageTag', parameterValue: `sha-${rng.hex(7)}` }], capabilities: ['CAPABILITY_IAM'], changeSetName: changeSet.split('/')[1], changeSetType: 'UPDATE', description: 'Created by AWS CLI at 2026-11 UTC' }, resp: { id: changeSet, stackId } });
      push({ who: ci, ms: step(), svc: 'cloudformation', name: 'DescribeChangeSet', region, req: { changeSetName: changeSet, stackName: stack } });
      push({ who: ci, ms: step(5_000), svc: 'cloudformation', name: 'DescribeChangeSet', region, req: { changeSetName: changeSet, stackName: stack } });
      push({ who: ci, ms: step(), svc: 'cloudformation', name: 'ExecuteChangeSet', region, readOnly: false, req: { changeSetName: changeSet, stackName: stack }, resp: {} });
      const fn = `arn:aws:lambda:${region}:${ACCOUNT}:function:orders-api`;
      push({ who: cfn, ms: step(), svc: 'lambda', name: 'GetFunction20150331v2', region, req: { functionName: fn } });
      push({ who: cfn, ms: step(), svc: 'lambda', name: 'UpdateFunctionCode20150331v2', region, readOnly: false, req: { functionName: fn, imageUri: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/orders-api:sha-${rng.hex(7)}`, publish: false, dryRun: false }, resp: { functionName: 'orders-api', functionArn: fn, role: ROLE_ARN('orders-api-lambda-role'), codeSize: 0, description: '', timeout: 15, memorySize: 512, lastModified: new Date(t).toISOString().replace('Z', '+0000'), codeSha256: rng.alnum(43) + '=', version: '$LATEST', tracingConfig: { mode: 'PassThrough' }, revisionId: rng.uuid(), state: 'Active', lastUpdateStatus: 'InProgress', lastUpdateStatusReason: 'The function is being created.', lastUpdateStatusReasonCode: 'Creating', packageType: 'Image', architectures: ['x86_64'], ephemeralStorage: { size: 512 } } });
      push({ who: cfn, ms: step(8_000), svc: 'lambda', name: 'GetFunction20150331v2', region, req: { functionName: fn } });
      push({ who: cfn, ms: step(), svc: 'lambda', name: 'UpdateFunctionConfiguration20150331v2', region, readOnly: false, req: { functionName: fn, environment: {}, timeout: 15, memorySize: 512 }, resp: { functionName: 'orders-api', functionArn: fn, role: ROLE_ARN('orders-api-lambda-role'), timeout: 15, memorySize: 512, version: '$LATEST', state: 'Active', lastUpdateStatus: 'InProgress', packageType: 'Image', revisionId: rng.uuid() } });
      for (let i = 0; i < 3; i++) push({ who: ci, ms: step(5_000, 10_000), svc: 'cloudformation', name: 'DescribeStackEvents', region, req: { stackName: stack } });
      push({ who: ci, ms: step(), svc: 'cloudformation', name: 'DescribeStacks', region, req: { stackName: stack } });
    }

    // orders-api Lambda cold starts: Lambda assumes its role, the code reads the DB secret.
    for (let h = 1; h < 24; h += 3) {
      let t = jitter(day + h * HOUR + 7 * MIN, 20 * MIN);
      const key = `ASIA${rng.awsId(16)}`;
      const roleArn = ROLE_ARN('orders-api-lambda-role');
      push({ who: who.service('lambda.amazonaws.com'), ms: t, svc: 'sts', name: 'AssumeRole', req: { roleArn, roleSessionName: 'orders-api' }, resp: { credentials: { accessKeyId: key, sessionToken: rng.alnum(120), expiration: awsDate(t + 12 * HOUR) }, assumedRoleUser: { assumedRoleId: `AROA4KQ7XZ2MLMB6RD2FG:orders-api`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/orders-api-lambda-role/orders-api` } }, resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }], sharedEventId: rng.uuid() });
      const fn = who.lambda(key, t);
      t += 600 + rng.int(800);
      push({ who: fn, ms: t, svc: 'secretsmanager', name: 'GetSecretValue', req: { secretId: 'prod/orders/db' } });
      t += 30;
      push({ who: { ...fn, identity: { ...fn.identity, invokedBy: 'secretsmanager.amazonaws.com' }, ip: 'secretsmanager.amazonaws.com', agent: 'secretsmanager.amazonaws.com' }, ms: t, svc: 'kms', name: 'Decrypt', req: { encryptionContext: { SecretARN: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/orders/db-Xy12Ab`, SecretVersionId: '6c1f2d3e-4a5b-4c6d-9e8f-0a1b2c3d4e5f' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KMS_KEY }] });
    }

    // The app server's instance profile: EC2 refreshes the credentials, the app reads config through VPC endpoints.
    for (let h = 2; h < 24; h += 4) {
      let t = jitter(day + h * HOUR + 11 * MIN, 10 * MIN);
      const roleArn = ROLE_ARN('app-server-role');
      push({ who: who.service('ec2.amazonaws.com'), ms: t, svc: 'sts', name: 'AssumeRole', req: { roleArn, roleSessionName: APP_INSTANCE }, resp: { credentials: { accessKeyId: `ASIA${rng.awsId(16)}`, sessionToken: rng.alnum(120), expiration: awsDate(t + 6 * HOUR) }, assumedRoleUser: { assumedRoleId: `AROA4KQ7XZ2MAPP7SE3HJ:${APP_INSTANCE}`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app-server-role/${APP_INSTANCE}` } }, resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }], sharedEventId: rng.uuid() });
      const app = who.appServer(t);
      t += 40_000 + rng.int(60_000);
      const cfgKey = 'config/orders-api/application.json';
      push({ who: app, ms: t, svc: 's3', name: 'GetObject', data: true, vpce: 'vpce-0a1b2c3d4e5f60718', req: { bucketName: 'acme-app-config', Host: 'acme-app-config.s3.us-east-1.amazonaws.com', key: cfgKey }, extra: s3Extra(rng, 2_871, 0), resources: objectResources('acme-app-config', cfgKey), host: 'acme-app-config.s3.us-east-1.amazonaws.com' });
      t += 2_000;
      push({ who: app, ms: t, svc: 'ssm', name: 'UpdateInstanceInformation', readOnly: false, vpce: 'vpce-0f1e2d3c4b5a69788', req: { instanceId: APP_INSTANCE, agentVersion: '3.3.1142.0', agentStatus: 'Active', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2023', iPAddress: '10.0.12.34', computerName: 'ip-10-0-12-34.ec2.internal', agentName: 'amazon-ssm-agent', availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az4', sSMConnectionChannel: 'ssmmessages' } });
    }

    // AWS Config records configuration in both regions it is enabled in.
    for (const region of ['us-east-1', 'us-west-2']) {
      for (let h = 0; h < 24; h += 8) {
        let t = jitter(day + h * HOUR + 23 * MIN + (region === 'us-west-2' ? 9 * MIN : 0), 5 * MIN);
        const cfg = who.config(`ASIA${rng.awsId(16)}`, t - 5 * MIN);
        const next = () => (t += 200 + rng.int(3_000));
        push({ who: cfg, ms: next(), svc: 'ec2', name: 'DescribeInstances', region, req: { instancesSet: {}, filterSet: {} } });
        push({ who: cfg, ms: next(), svc: 'ec2', name: 'DescribeSecurityGroups', region, req: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} } });
        push({ who: cfg, ms: next(), svc: 'ec2', name: 'DescribeVpcs', region, req: { vpcSet: {}, filterSet: {} } });
        if (region === 'us-east-1') {
          push({ who: cfg, ms: next(), svc: 'iam', name: 'GetRole', req: { roleName: 'app-server-role' } });
          push({ who: cfg, ms: next(), svc: 's3', name: 'GetBucketPolicy', req: { bucketName: 'acme-app-config', Host: 'acme-app-config.s3.amazonaws.com', policy: '' }, error: ['NoSuchBucketPolicy', 'The bucket policy does not exist'], extra: s3Extra(rng), resources: bucketResource('acme-app-config') });
        }
      }
    }

    // GuardDuty's service-linked role inventories the account (until the detector is deleted).
    for (let h = 3; h < 24; h += 6) {
      let t = jitter(day + h * HOUR + 41 * MIN, 5 * MIN);
      if (t > guardDutyDeletedMs) continue;
      const gd = who.guardduty(`ASIA${rng.awsId(16)}`, t - 2 * MIN);
      push({ who: gd, ms: t, svc: 'ec2', name: 'DescribeInstances', req: { instancesSet: {}, filterSet: {} } });
      push({ who: gd, ms: (t += 900), svc: 'ec2', name: 'DescribeVpcEndpoints', req: { vpcEndpointId: {}, filterSet: {} } });
      push({ who: gd, ms: (t += 1_400), svc: 's3', name: 'GetBucketPublicAccessBlock', req: { bucketName: 'acme-customer-exports', Host: 'acme-customer-exports.s3.amazonaws.com', publicAccessBlock: '' }, extra: s3Extra(rng), resources: bucketResource('acme-customer-exports') });
    }
  }

  // Yearly automatic rotation of the customer-managed key (a service event, no caller).
  push({ who: { identity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' }, ip: 'AWS Internal', agent: 'AWS Internal' }, ms: DAY(19) + 4 * HOUR + 12 * MIN + 9_000, svc: 'kms', name: 'RotateKey', readOnly: false, eventType: 'AwsServiceEvent', req: null, resp: null, extra: { keyId: KMS_KEY.split('/')[1] }, resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KMS_KEY }] });
  return out;
}
