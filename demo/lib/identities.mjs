// The people, pipelines and services of "Acme", the small company the demo logs belong to,
// and the attacker. Every id is fixed so the story can name them.

import { ACCOUNT, iso } from './record.mjs';

export const OFFICE_IPS = ['192.0.2.44', '192.0.2.45'];
export const JENKINS_IP = '192.0.2.10';
export const ATTACKER_IP = '203.0.113.77';
export const DOWNLOADER_IP = '198.51.100.23';
export const APP_INSTANCE = 'i-0abc4f1e2d3c5b6a7';

const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const JENKINS_CLI = 'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off';

/** aws-cli v2 on Kali Linux; the CLI names the command it runs at the end of its user agent. */
export function kaliAgent(command) {
  return `aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/distrib#kali.2024 md/prompt#off md/command#${command}`;
}

const users = {
  alice: 'AIDA4KQ7XZ2MFJ3LPW6RA',
  bob: 'AIDA4KQ7XZ2MN8TCVB2QE',
  'deploy-bot': 'AIDA4KQ7XZ2MD3PB0TX9K',
  'svc-backup': 'AIDA4KQ7XZ2MH6P3LNV8Q',
};
const roles = {
  'github-actions-deploy': 'AROA4KQ7XZ2MGHA5CT1DE',
  'orders-api-lambda-role': 'AROA4KQ7XZ2MLMB6RD2FG',
  'app-server-role': 'AROA4KQ7XZ2MAPP7SE3HJ',
  AWSServiceRoleForConfig: 'AROA4KQ7XZ2MCFG8TF4KL',
  AWSServiceRoleForAmazonGuardDuty: 'AROA4KQ7XZ2MGDY9UG5MN',
};

export const DEPLOY_BOT_KEY = 'AKIA4KQ7XZ2MS1WD7Q3R';
export const SVC_BACKUP_KEY = 'AKIA4KQ7XZ2MS8BK0P4Y';
export const APP_ROLE_KEY = 'ASIA4KQ7XZ2MIR2H6K8T';

function iamUser(name, accessKeyId) {
  return { type: 'IAMUser', principalId: users[name], arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, accountId: ACCOUNT, accessKeyId, userName: name };
}

function roleSession(role, session, accessKeyId, createdMs, { path = '', invokedBy, ec2RoleDelivery } = {}) {
  const identity = {
    type: 'AssumedRole',
    principalId: `${roles[role]}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roles[role], arn: `arn:aws:iam::${ACCOUNT}:role/${path}${role}`, accountId: ACCOUNT, userName: role },
      webIdFederationData: {},
      attributes: { creationDate: iso(createdMs), mfaAuthenticated: 'false' },
    },
  };
  if (ec2RoleDelivery) identity.sessionContext.ec2RoleDelivery = ec2RoleDelivery;
  if (invokedBy) identity.invokedBy = invokedBy;
  return identity;
}

export const who = {
  /** deploy-bot from the office Jenkins box (its normal use). */
  deployBotJenkins: { identity: iamUser('deploy-bot', DEPLOY_BOT_KEY), ip: JENKINS_IP, agent: (o) => `${JENKINS_CLI} md/command#${o.cliCommand ?? 's3.cp'}` },
  /** The leaked deploy-bot key, used by the attacker. */
  deployBotAttacker: { identity: iamUser('deploy-bot', DEPLOY_BOT_KEY), ip: ATTACKER_IP, agent: (o) => kaliAgent(o.cliCommand) },
  /** The backdoor user the attacker created. */
  svcBackup: { identity: iamUser('svc-backup', SVC_BACKUP_KEY), ip: ATTACKER_IP, agent: (o) => kaliAgent(o.cliCommand) },
  svcBackupSignIn: { identity: { type: 'IAMUser', principalId: users['svc-backup'], arn: `arn:aws:iam::${ACCOUNT}:user/svc-backup`, accountId: ACCOUNT, userName: 'svc-backup' }, ip: ATTACKER_IP, agent: FIREFOX },
  /** Console sign-in record of a developer (no access key yet). */
  signIn: (name) => ({ identity: { type: 'IAMUser', principalId: users[name], arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, accountId: ACCOUNT, userName: name }, ip: name === 'alice' ? OFFICE_IPS[0] : OFFICE_IPS[1], agent: CHROME }),
  /** A developer's console session (temporary ASIA key, MFA). */
  console: (name, key, loginMs) => ({
    identity: { ...iamUser(name, key), sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: { creationDate: iso(loginMs), mfaAuthenticated: 'true' } } },
    ip: name === 'alice' ? OFFICE_IPS[0] : OFFICE_IPS[1],
    agent: 'AWS Internal',
    console: true,
  }),
  /** GitHub Actions exchanging its OIDC token. */
  githubOidc: (repo) => ({
    identity: { type: 'WebIdentityUser', principalId: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:acme/${repo}:ref:refs/heads/main`, userName: `repo:acme/${repo}:ref:refs/heads/main`, identityProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
    ip: '4.175.82.19',
    agent: 'aws-sdk-js/3.654.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/sts#3.654.0 m/E,e',
  }),
  /** The CI role session GitHub Actions works with. */
  ci: (session, key, createdMs) => ({ identity: roleSession('github-actions-deploy', session, key, createdMs), ip: '4.175.82.19', agent: 'aws-cli/2.18.1 md/awscrt#0.21.5 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#cloudformation.deploy' }),
  /** CloudFormation acting on the CI role's behalf (invokedBy). */
  cfnForCi: (session, key, createdMs) => ({ identity: roleSession('github-actions-deploy', session, key, createdMs, { invokedBy: 'cloudformation.amazonaws.com' }), ip: 'cloudformation.amazonaws.com', agent: 'cloudformation.amazonaws.com' }),
  /** The orders-api Lambda function's execution role. */
  lambda: (key, createdMs) => ({ identity: roleSession('orders-api-lambda-role', 'orders-api', key, createdMs), ip: '44.201.17.93', agent: 'aws-sdk-nodejs/3.621.0 linux/v20.17.0 exec-env/AWS_Lambda_nodejs20.x api/secrets-manager/3.621.0' }),
  /** The app server's instance profile, from inside the VPC (through the VPC endpoints). */
  appServer: (createdMs) => ({ identity: roleSession('app-server-role', APP_INSTANCE, APP_ROLE_KEY, createdMs, { ec2RoleDelivery: '2.0' }), ip: '10.0.12.34', agent: 'aws-sdk-java/2.25.60 Linux/6.1.112-124.190.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard' }),
  /** The same instance credentials replayed by the attacker from the VPS. */
  appServerStolen: (createdMs) => ({ identity: roleSession('app-server-role', APP_INSTANCE, APP_ROLE_KEY, createdMs, { ec2RoleDelivery: '2.0' }), ip: ATTACKER_IP, agent: (o) => kaliAgent(o.cliCommand) }),
  config: (key, createdMs) => ({ identity: roleSession('AWSServiceRoleForConfig', 'AWSConfig-Describe', key, createdMs, { path: 'aws-service-role/config.amazonaws.com/', invokedBy: 'config.amazonaws.com' }), ip: 'config.amazonaws.com', agent: 'config.amazonaws.com' }),
  guardduty: (key, createdMs) => ({ identity: roleSession('AWSServiceRoleForAmazonGuardDuty', 'AmazonGuardDuty', key, createdMs, { path: 'aws-service-role/guardduty.amazonaws.com/', invokedBy: 'guardduty.amazonaws.com' }), ip: 'guardduty.amazonaws.com', agent: 'guardduty.amazonaws.com' }),
  service: (svc) => ({ identity: { type: 'AWSService', invokedBy: svc }, ip: svc, agent: svc }),
  anonymous: { identity: { type: 'AWSAccount', principalId: '', accountId: 'anonymous' }, ip: DOWNLOADER_IP, agent: 'curl/8.5.0' },
};

export const ROLE_ARN = (role, path = '') => `arn:aws:iam::${ACCOUNT}:role/${path}${role}`;
export const USER_IDS = users;
export const ROLE_IDS = roles;
