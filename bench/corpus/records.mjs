// Builds one complete CloudTrail record for a catalogue entry: requestParameters shaped the way
// CloudTrail logs each API, responseElements for writes, errors at realistic rates, tlsDetails.

import { CATALOGUE, SERVICE_CATALOGUE } from './catalogue.mjs';

const BUCKETS = [
  'acme-app-config',
  'acme-artifacts',
  'acme-customer-exports',
  'acme-data-lake',
  'acme-logs-archive',
  'acme-web-assets',
  'acme-backups',
];
const TABLES = ['orders', 'customers', 'sessions', 'inventory', 'feature-flags'];
const FUNCTIONS = ['orders-api', 'ingest-events', 'thumbnailer', 'nightly-report', 'slack-notifier'];
const SECRETS = [
  'prod/orders/db',
  'prod/stripe/api-key',
  'prod/sendgrid',
  'staging/orders/db',
  'prod/datadog/api-key',
];
const KEY_PREFIXES = [
  'exports/2026/11/',
  'config/',
  'builds/orders-api/',
  'raw/events/dt=2026-11-20/',
  'static/js/',
];
const ROLES = [
  'orders-api-lambda-role',
  'ingest-worker-role',
  'app-server-role',
  'batch-job-role',
  'github-actions-deploy',
];
const INSTANCE_TYPES = ['t3.micro', 't3.medium', 'm6i.large', 'c6i.xlarge', 'r6g.large'];
const ACCESS_DENIED = {
  ec2: ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'],
  s3: ['AccessDenied', 'Access Denied'],
  lambda: ['AccessDeniedException', null],
  dynamodb: ['AccessDenied', null],
  secretsmanager: ['AccessDenied', null],
  organizations: ['AccessDeniedException', "You don't have permissions to access this resource."],
};

/**
 * @param {{ rng: ReturnType<import('./prng.mjs').createPrng> }} opts
 */
export function createRecordBuilder({ rng }) {
  const pickEvent = rng.weighted(CATALOGUE.map((e) => [e, e.weight]));
  const pickServiceEvent = rng.weighted(SERVICE_CATALOGUE.map((e) => [e, e.weight]));
  const byName = new Map(CATALOGUE.map((e) => [`${e.svc}:${e.name}`, e]));

  const instanceId = () => `i-0${rng.hex(16)}`;
  const tags = () => ({
    items: [
      { key: 'team', value: rng.pick(['payments', 'platform', 'data', 'web']) },
      { key: 'env', value: rng.pick(['prod', 'staging']) },
    ],
  });

  /** requestParameters (and for some, responseElements) by shape. */
  function params(entry, ctx) {
    const { accountId, region } = ctx;
    switch (entry.shape) {
      case 'none':
        return null;
      case 'duration':
        return { durationSeconds: 43200 };
      case 'federation':
        return {
          name: rng.pick(['reporting-portal', 'partner-upload']),
          durationSeconds: 3600,
          policy:
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
        };
      case 'assumeRole': {
        const role = rng.pick(ROLES);
        return {
          roleArn: `arn:aws:iam::${accountId}:role/${role}`,
          roleSessionName: ctx.serviceCaller
            ? ctx.caller === 'ec2.amazonaws.com'
              ? `i-0${rng.hex(16)}`
              : role.replace('-role', '')
            : `${role}-${rng.digits(13)}`,
          durationSeconds: 3600,
        };
      }
      case 'kms':
        return {
          encryptionContext: {
            'aws:lambda:FunctionArn': `arn:aws:lambda:${region}:${accountId}:function:${rng.pick(FUNCTIONS)}`,
          },
          keyId: `arn:aws:kms:${region}:${accountId}:key/${ctx.keyId}`,
          encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      case 'kmsKey':
        return { keyId: `alias/${rng.pick(['aws/ebs', 'aws/s3', 'orders-data', 'backups'])}` };
      case 'kmsGrant':
        return {
          keyId: `arn:aws:kms:${region}:${accountId}:key/${ctx.keyId}`,
          granteePrincipal: `arn:aws:sts::${accountId}:assumed-role/eks-node-role/i-0${rng.hex(16)}`,
          operations: [
            'Decrypt',
            'GenerateDataKeyWithoutPlaintext',
            'ReEncryptFrom',
            'ReEncryptTo',
            'CreateGrant',
            'DescribeKey',
          ],
          constraints: { encryptionContextSubset: { 'aws:ebs:id': `vol-0${rng.hex(16)}` } },
        };
      case 'kmsDelete':
        return { keyId: ctx.keyId, pendingWindowInDays: 7 };
      case 'paging':
        return rng.chance(0.5)
          ? { maxResults: rng.pick([20, 50, 100]) }
          : { maxItems: 100, marker: rng.alnum(48) };
      case 'ec2Filter':
        return {
          filterSet: {
            items: [
              {
                name: rng.pick([
                  'instance-state-name',
                  'vpc-id',
                  'tag:aws:autoscaling:groupName',
                  'group-id',
                ]),
                valueSet: {
                  items: [
                    { value: rng.pick(['running', `vpc-0${rng.hex(16)}`, 'web-asg', `sg-0${rng.hex(16)}`]) },
                  ],
                },
              },
            ],
          },
          maxResults: 1000,
        };
      case 'ec2Instances':
        return {
          instancesSet: { items: [{ instanceId: instanceId() }, { instanceId: instanceId() }] },
          filterSet: {},
          includeAllInstances: false,
        };
      case 'ec2Instance':
        return { instanceId: instanceId() };
      case 'ec2Owner':
        return {
          ownersSet: { items: [{ owner: rng.chance(0.7) ? 'self' : 'amazon' }] },
          filterSet: {},
          maxResults: 1000,
        };
      case 'ec2Tags':
        return { resourcesSet: { items: [{ resourceId: instanceId() }] }, tagSet: tags() };
      case 'ec2Volume':
        return {
          volumeId: `vol-0${rng.hex(16)}`,
          availabilityZone: `${region}a`,
          size: rng.pick([8, 20, 100]),
          volumeType: 'gp3',
          encrypted: true,
        };
      case 'ec2Attach':
        return { volumeId: `vol-0${rng.hex(16)}`, instanceId: instanceId(), device: '/dev/sdf' };
      case 'ec2Snapshot':
        return { snapshotId: `snap-0${rng.hex(16)}` };
      case 'runInstances':
        return {
          instancesSet: { items: [{ imageId: `ami-0${rng.hex(16)}`, minCount: 1, maxCount: 1 }] },
          instanceType: rng.pick(INSTANCE_TYPES),
          blockDeviceMapping: {},
          monitoring: { enabled: false },
          disableApiTermination: false,
          disableApiStop: false,
          clientToken: rng.uuid(),
          tagSpecificationSet: {
            items: [{ resourceType: 'instance', tags: [{ key: 'Name', value: 'web' }] }],
          },
          launchTemplate: { launchTemplateId: `lt-0${rng.hex(16)}`, version: '$Latest' },
        };
      case 'sgIngress': {
        const open = rng.chance(0.2);
        return {
          groupId: `sg-0${rng.hex(16)}`,
          ipPermissions: {
            items: [
              {
                ipProtocol: 'tcp',
                fromPort: open ? 22 : 443,
                toPort: open ? 22 : 443,
                groups: {},
                ipRanges: { items: [{ cidrIp: open ? '0.0.0.0/0' : '10.0.0.0/16' }] },
                ipv6Ranges: {},
                prefixListIds: {},
              },
            ],
          },
        };
      }
      case 'sgCreate':
        return { groupName: `web-${rng.hex(6)}`, groupDescription: 'web tier', vpcId: `vpc-0${rng.hex(16)}` };
      case 'snapshotShare':
        return {
          snapshotId: `snap-0${rng.hex(16)}`,
          attributeType: 'CREATE_VOLUME_PERMISSION',
          createVolumePermission: {
            add: { items: [{ userId: rng.chance(0.8) ? '210987654321' : '444455556666' }] },
          },
        };
      case 'deleteFlowLogs':
        return { DeleteFlowLogsRequest: { FlowLogId: { content: `fl-0${rng.hex(16)}`, tag: 1 } } };
      case 'keyPair':
        return {
          keyName: `ops-${rng.hex(4)}`,
          publicKeyMaterial: 'c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSUV4YW1wbGVLZXlNYXRlcmlhbA==',
        };
      case 'iamRole':
        return { roleName: rng.pick(ROLES) };
      case 'iamUser':
        return { userName: rng.pick(['alice', 'bob', 'carol', 'deploy-bot', 'jenkins', 'backup-agent']) };
      case 'iamAccessKey':
        return {
          userName: rng.pick(['jenkins', 'deploy-bot']),
          accessKeyId: `AKIA${rng.awsId(16)}`,
          status: 'Inactive',
        };
      case 'iamGroup':
        return {
          groupName: rng.pick(['developers', 'admins', 'readonly']),
          userName: rng.pick(['alice', 'bob']),
        };
      case 'iamPolicy':
        return {
          policyArn: `arn:aws:iam::${accountId}:policy/${rng.pick(['orders-api-access', 'ci-deploy', 's3-readonly-exports'])}`,
        };
      case 'iamPolicyVersion':
        return { policyArn: `arn:aws:iam::${accountId}:policy/ci-deploy`, versionId: `v${rng.range(1, 9)}` };
      case 'iamRolePolicy':
        return {
          roleName: rng.pick(ROLES),
          policyName: 'inline-access',
          policyDocument: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": ["s3:GetObject", "s3:PutObject"],\n      "Resource": "arn:aws:s3:::${rng.pick(BUCKETS)}/*"\n    }\n  ]\n}`,
        };
      case 'iamUserPolicy':
        return {
          userName: rng.pick(['jenkins', 'deploy-bot']),
          policyName: 'inline',
          policyDocument:
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
        };
      case 'iamAttachRole':
        return {
          roleName: rng.pick(ROLES),
          policyArn: rng.pick([
            'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
            'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
            `arn:aws:iam::${accountId}:policy/orders-api-access`,
          ]),
        };
      case 'iamAttachUser':
        return {
          userName: rng.pick(['alice', 'jenkins']),
          policyArn: rng.pick([
            'arn:aws:iam::aws:policy/ReadOnlyAccess',
            'arn:aws:iam::aws:policy/AdministratorAccess',
          ]),
        };
      case 'passwordPolicy':
        return {
          minimumPasswordLength: 8,
          requireSymbols: false,
          requireNumbers: true,
          requireUppercaseCharacters: false,
          requireLowercaseCharacters: true,
          allowUsersToChangePassword: true,
          maxPasswordAge: 0,
          passwordReusePrevention: 0,
        };
      case 's3Bucket': {
        const bucket = rng.pick(BUCKETS);
        const sub = /^(?:Get|Put|Delete)Bucket(.+)$/.exec(entry.name)?.[1];
        const req = { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com` };
        if (sub) req[sub === 'PublicAccessBlock' ? 'publicAccessBlock' : sub.toLowerCase()] = '';
        return req;
      }
      case 's3Object': {
        const bucket = rng.pick(BUCKETS);
        return {
          bucketName: bucket,
          Host: `${bucket}.s3.${region}.amazonaws.com`,
          key: `${rng.pick(KEY_PREFIXES)}${rng.alnum(12)}.${rng.pick(['json', 'csv.gz', 'parquet', 'zip'])}`,
        };
      }
      case 's3List': {
        const bucket = rng.pick(BUCKETS);
        return {
          'list-type': '2',
          bucketName: bucket,
          'encoding-type': 'url',
          'max-keys': '1000',
          prefix: rng.pick(KEY_PREFIXES),
          delimiter: '/',
          Host: `${bucket}.s3.${region}.amazonaws.com`,
        };
      }
      case 'bucketPolicy': {
        const bucket = rng.pick(BUCKETS);
        const publicPolicy = rng.chance(0.1);
        return {
          bucketPolicy: {
            Version: '2012-10-17',
            Statement: [
              publicPolicy
                ? {
                    Sid: 'PublicRead',
                    Effect: 'Allow',
                    Principal: '*',
                    Action: 's3:GetObject',
                    Resource: `arn:aws:s3:::${bucket}/*`,
                  }
                : {
                    Sid: 'DenyInsecureTransport',
                    Effect: 'Deny',
                    Principal: '*',
                    Action: 's3:*',
                    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                  },
            ],
          },
          bucketName: bucket,
          Host: `${bucket}.s3.${region}.amazonaws.com`,
          policy: '',
        };
      }
      case 'versioning': {
        const bucket = rng.pick(BUCKETS);
        return {
          bucketName: bucket,
          Host: `${bucket}.s3.${region}.amazonaws.com`,
          versioning: '',
          VersioningConfiguration: {
            Status: rng.chance(0.9) ? 'Enabled' : 'Suspended',
            xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
          },
        };
      }
      case 'lambdaFn':
        return { functionName: `arn:aws:lambda:${region}:${accountId}:function:${rng.pick(FUNCTIONS)}` };
      case 'ddbTable':
        return {
          tableName: rng.pick(TABLES),
          key: entry.name.endsWith('Item') ? { pk: { S: `ORDER#${rng.digits(10)}` } } : undefined,
        };
      case 'logs':
        return {
          logGroupName: `/aws/lambda/${rng.pick(FUNCTIONS)}`,
          logStreamName: `2026/11/20/[$LATEST]${rng.hex(32)}`,
        };
      case 'metrics':
        return {
          metricDataQueries: [
            {
              id: 'm1',
              metricStat: {
                metric: {
                  namespace: 'AWS/Lambda',
                  metricName: 'Errors',
                  dimensions: [{ name: 'FunctionName', value: rng.pick(FUNCTIONS) }],
                },
                period: 300,
                stat: 'Sum',
              },
            },
          ],
          startTime: 'Nov 20, 2026, 12:00:00 AM',
          endTime: 'Nov 20, 2026, 3:00:00 AM',
        };
      case 'sqs':
        return {
          queueUrl: `https://sqs.${region}.amazonaws.com/${accountId}/${rng.pick(['orders-events', 'email-outbox', 'dlq'])}`,
          attributeNames: ['All'],
        };
      case 'sns':
        return { topicArn: `arn:aws:sns:${region}:${accountId}:${rng.pick(['alerts', 'deployments'])}` };
      case 'secret':
        return { secretId: rng.pick(SECRETS) };
      case 'ssmParam':
        return {
          name: `/${rng.pick(['prod', 'staging'])}/${rng.pick(['orders', 'web'])}/${rng.pick(['db-host', 'feature-flags', 'api-url'])}`,
          withDecryption: true,
        };
      case 'ssmInstance':
        return {
          instanceId: instanceId(),
          agentVersion: '3.3.1142.0',
          agentStatus: 'Active',
          platformType: 'Linux',
          platformName: 'Amazon Linux',
          platformVersion: '2023',
          iPAddress: `10.0.${rng.int(256)}.${rng.int(254) + 1}`,
          computerName: `ip-10-0-${rng.int(256)}-${rng.int(254) + 1}.ec2.internal`,
          agentName: 'amazon-ssm-agent',
          availabilityZone: `${region}a`,
          availabilityZoneId: 'use1-az1',
        };
      case 'ssmCommand':
        return {
          instanceIds: [instanceId()],
          documentName: 'AWS-RunShellScript',
          parameters: 'HIDDEN_DUE_TO_SECURITY_REASONS',
          interactive: false,
        };
      case 'configRecorder':
        return { configurationRecorderName: 'default' };
      case 'detector':
        return { detectorId: ctx.detectorId };
      case 'trail':
        return { name: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/org-trail` };
      case 'stack':
        return {
          stackName: `arn:aws:cloudformation:${region}:${accountId}:stack/${rng.pick(['orders-api-prod', 'web-prod', 'network'])}/${rng.uuid()}`,
        };
      case 'ecrRepo':
        return {
          repositoryName: rng.pick(['orders-api', 'web']),
          registryId: accountId,
          imageIds: [{ imageTag: `sha-${rng.hex(7)}` }],
          acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'],
        };
      case 'rdsInstance':
        return { dBInstanceIdentifier: 'orders-db', applyImmediately: true, allowMajorVersionUpgrade: false };
      case 'console':
        return null;
      case 'serviceEvent':
        return null;
      default:
        return { resourceArn: `arn:aws:${entry.svc}:${region}:${accountId}:${rng.alnum(16)}` };
    }
  }

  function responseFor(entry, req, ctx) {
    const { accountId, region } = ctx;
    if (entry.name === 'ConsoleLogin') return { ConsoleLogin: 'Success' };
    if (entry.name === 'AssumeRole') {
      return {
        credentials: {
          accessKeyId: `ASIA${rng.awsId(16)}`,
          sessionToken: rng.alnum(160),
          expiration: new Date(ctx.ms + 3_600_000).toUTCString().replace(/^\w+, /, ''),
        },
        assumedRoleUser: {
          assumedRoleId: `AROA${rng.awsId(17)}:${req.roleSessionName}`,
          arn: `${req.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${req.roleSessionName}`,
        },
      };
    }
    if (entry.svc === 'ec2' && !entry.readOnly) {
      if (entry.name === 'RunInstances') {
        return {
          requestId: ctx.requestId,
          reservationId: `r-0${rng.hex(16)}`,
          ownerId: accountId,
          groupSet: {},
          instancesSet: {
            items: [
              {
                instanceId: `i-0${rng.hex(16)}`,
                imageId: req.instancesSet.items[0].imageId,
                instanceState: { code: 0, name: 'pending' },
                privateDnsName: `ip-10-0-${rng.int(256)}-${rng.int(254) + 1}.ec2.internal`,
                amiLaunchIndex: 0,
                productCodes: {},
                instanceType: req.instanceType,
                launchTime: ctx.ms,
                placement: { availabilityZone: `${region}a`, tenancy: 'default' },
                monitoring: { state: 'disabled' },
                subnetId: `subnet-0${rng.hex(16)}`,
                vpcId: `vpc-0${rng.hex(16)}`,
                stateReason: { code: 'pending', message: 'pending' },
                architecture: 'x86_64',
                rootDeviceType: 'ebs',
                rootDeviceName: '/dev/xvda',
                blockDeviceMapping: {},
                virtualizationType: 'hvm',
                hypervisor: 'xen',
                sourceDestCheck: true,
                ebsOptimized: true,
                enaSupport: true,
                metadataOptions: {
                  state: 'pending',
                  httpTokens: 'required',
                  httpPutResponseHopLimit: 2,
                  httpEndpoint: 'enabled',
                },
              },
            ],
          },
          requesterId: '940372691376',
        };
      }
      return { requestId: ctx.requestId, _return: true };
    }
    return null;
  }

  /**
   * @param {{ identity: object, ip: string, agent: string, service?: boolean, console?: boolean, webIdentity?: boolean, saml?: boolean }} caller
   * @param {{ accountId: string, region: string, ms: number, keyId: string, detectorId: string }} env
   */
  function build(caller, env) {
    let entry;
    if (caller.webIdentity)
      entry = {
        svc: 'sts',
        name: 'AssumeRoleWithWebIdentity',
        source: 'sts.amazonaws.com',
        readOnly: true,
        shape: 'assumeRole',
        global: false,
        data: false,
      };
    else if (caller.saml)
      entry = {
        svc: 'sts',
        name: 'AssumeRoleWithSAML',
        source: 'sts.amazonaws.com',
        readOnly: true,
        shape: 'assumeRole',
        global: false,
        data: false,
      };
    else if (caller.identity.type === 'AWSService') entry = pickServiceEvent();
    else if (caller.identity.type === 'IdentityCenterUser')
      entry = {
        svc: 'sso',
        name: rng.pick(['ListAccounts', 'ListAccountRoles', 'GetRoleCredentials']),
        source: 'sso.amazonaws.com',
        readOnly: true,
        shape: 'none',
        global: false,
        data: false,
      };
    else {
      entry = pickEvent();
      // Global services (IAM, sign-in, …) are delivered in us-east-1 files only.
      for (let i = 0; i < 8 && entry.global && env.region !== 'us-east-1'; i++) entry = pickEvent();
      if (entry.global && env.region !== 'us-east-1') entry = byName.get('ec2:DescribeInstances');
      if (entry.name === 'ConsoleLogin' && !caller.console) entry = byName.get('sts:GetCallerIdentity');
      // Service-linked roles (Config, GuardDuty, …) only describe and read configuration.
      if (caller.service) {
        const fits = (e) =>
          e.readOnly &&
          !e.data &&
          /^(Describe|List|Get)/.test(e.name) &&
          (!e.global || env.region === 'us-east-1');
        for (let i = 0; i < 16 && !fits(entry); i++) entry = pickEvent();
        if (!fits(entry)) entry = byName.get('ec2:DescribeInstances');
      }
    }

    const region = entry.global ? 'us-east-1' : env.region;
    const requestId = rng.uuid();
    const ctx = {
      ...env,
      region,
      requestId,
      serviceCaller: caller.service === true,
      caller: caller.identity.invokedBy,
    };
    const req = params(entry, ctx);
    const denied =
      !caller.service && entry.name !== 'ConsoleLogin' && rng.chance(entry.readOnly ? 0.015 : 0.03);
    const time = new Date(env.ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

    const rec = {
      eventVersion: entry.data ? '1.10' : rng.chance(0.7) ? '1.09' : '1.08',
      userIdentity: caller.identity,
      eventTime: time,
      eventSource: entry.source,
      eventName: entry.name,
      awsRegion: region,
      sourceIPAddress: caller.ip,
      userAgent: caller.agent,
    };
    if (denied) {
      const [code, message] = ACCESS_DENIED[entry.svc] ?? ['AccessDenied', null];
      const who = caller.identity.arn ?? `arn:aws:iam::${env.accountId}:root`;
      rec.errorCode = code;
      rec.errorMessage =
        message ??
        `User: ${who} is not authorized to perform: ${entry.svc}:${entry.name} because no identity-based policy allows the ${entry.svc}:${entry.name} action`;
    }
    rec.requestParameters = req;
    rec.responseElements = denied ? null : responseFor(entry, req ?? {}, ctx);
    if (entry.name === 'ConsoleLogin') {
      rec.additionalEventData = {
        LoginTo:
          'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_' +
          rng.hex(16),
        MobileVersion: 'No',
        MFAUsed: caller.identity.type === 'Root' || rng.chance(0.95) ? 'Yes' : 'No',
      };
    } else if (entry.svc === 's3') {
      rec.additionalEventData = {
        SignatureVersion: 'SigV4',
        CipherSuite: 'TLS_AES_128_GCM_SHA256',
        bytesTransferredIn: 0,
        AuthenticationMethod: 'AuthHeader',
        'x-amz-id-2': rng.alnum(76),
        bytesTransferredOut: entry.name === 'GetObject' ? rng.range(200, 5_000_000) : 0,
      };
    }
    if (entry.name !== 'ConsoleLogin') rec.requestID = requestId;
    rec.eventID = rng.uuid();
    rec.readOnly = entry.readOnly;
    if (entry.name === 'AssumeRole' && req)
      rec.resources = [{ accountId: env.accountId, type: 'AWS::IAM::Role', ARN: req.roleArn }];
    else if (entry.svc === 's3' && req?.bucketName) {
      rec.resources = req.key
        ? [
            { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${req.bucketName}/${req.key}` },
            { accountId: env.accountId, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${req.bucketName}` },
          ]
        : [{ accountId: env.accountId, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${req.bucketName}` }];
    } else if (entry.svc === 'kms' && req?.keyId)
      rec.resources = [
        {
          accountId: env.accountId,
          type: 'AWS::KMS::Key',
          ARN: `arn:aws:kms:${region}:${env.accountId}:key/${env.keyId}`,
        },
      ];
    rec.eventType =
      entry.name === 'ConsoleLogin'
        ? 'AwsConsoleSignIn'
        : entry.shape === 'serviceEvent'
          ? 'AwsServiceEvent'
          : 'AwsApiCall';
    rec.managementEvent = !entry.data;
    rec.recipientAccountId = env.accountId;
    if (caller.service && entry.name === 'AssumeRole') rec.sharedEventID = rng.uuid();
    rec.eventCategory = entry.data ? 'Data' : 'Management';
    if (caller.console) rec.sessionCredentialFromConsole = 'true';
    if (!caller.service) {
      rec.tlsDetails = {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: entry.global
          ? `${entry.svc === 'signin' ? 'signin.aws' : entry.svc}.amazonaws.com`.replace(
              'signin.aws.amazonaws.com',
              'signin.aws.amazon.com',
            )
          : `${entry.svc}.${region}.amazonaws.com`,
      };
    }
    return rec;
  }

  return { build };
}
