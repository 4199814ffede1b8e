// Pools of realistic CloudTrail `userIdentity` blocks (every identity type CloudTrail logs),
// with the source IPs and user agents each kind of caller uses. Built once per account.

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SDK_AGENTS = [
  'aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard',
  'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.171.0',
  'Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.220-209.867.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144',
  'aws-sdk-js/3.614.0 ua/2.0 os/linux#5.10.219-229.866.amzn2.x86_64 lang/js md/nodejs#20.15.1 api/dynamodb#3.614.0',
  'aws-cli/2.17.13 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1024-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ec2.describe-instances',
  'Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.59.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5',
];

function creationDate(baseMs, rng) {
  return new Date(baseMs - rng.int(3_600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * @param {{ accountId: string, rng: ReturnType<import('./prng.mjs').createPrng>, baseMs: number }} opts
 */
export function createIdentityPool({ accountId, rng, baseMs }) {
  const users = [
    'alice',
    'bob',
    'carol',
    'dave',
    'erin',
    'frank',
    'deploy-bot',
    'jenkins',
    'backup-agent',
    'grafana-reader',
  ];
  const roles = [
    'OrganizationAccountAccessRole',
    'github-actions-deploy',
    'orders-api-lambda-role',
    'ingest-worker-role',
    'app-server-role',
    'eks-node-role',
    'batch-job-role',
    'datadog-integration',
    'cross-account-audit',
    'AWSReservedSSO_AdministratorAccess_4f1b2c3d4e5f6a7b',
    'AWSReservedSSO_ReadOnlyAccess_0a1b2c3d4e5f6a7b',
  ];
  const serviceLinked = [
    ['AWSServiceRoleForConfig', 'config.amazonaws.com', 'AWSConfig-Describe'],
    ['AWSServiceRoleForAmazonGuardDuty', 'guardduty.amazonaws.com', 'AmazonGuardDuty'],
    ['AWSServiceRoleForSecurityHub', 'securityhub.amazonaws.com', 'SecurityHubSession'],
    ['AWSServiceRoleForAutoScaling', 'autoscaling.amazonaws.com', 'AutoScaling'],
  ];
  const services = [
    'lambda.amazonaws.com',
    'ec2.amazonaws.com',
    'ecs-tasks.amazonaws.com',
    'cloudformation.amazonaws.com',
    'autoscaling.amazonaws.com',
    'elasticloadbalancing.amazonaws.com',
  ];
  const officeIps = ['192.0.2.10', '192.0.2.24', '192.0.2.77', '192.0.2.131'];
  const awsIps = Array.from(
    { length: 40 },
    () => `${rng.pick([3, 18, 34, 35, 44, 52, 54])}.${rng.int(256)}.${rng.int(256)}.${rng.int(254) + 1}`,
  );
  const vpcIps = Array.from({ length: 20 }, () => `10.${rng.int(4)}.${rng.int(256)}.${rng.int(254) + 1}`);

  const userIds = Object.fromEntries(users.map((u) => [u, `AIDA${rng.awsId(17)}`]));
  const roleIds = Object.fromEntries(
    [...roles, ...serviceLinked.map((s) => s[0])].map((r) => [r, `AROA${rng.awsId(17)}`]),
  );

  const pool = [];
  const add = (weight, make) => pool.push([make, weight]);

  // IAMUser with long-term keys (CLI/SDK) and console sessions.
  for (const u of users) {
    const longKey = `AKIA${rng.awsId(16)}`;
    const human = !['deploy-bot', 'jenkins', 'backup-agent', 'grafana-reader'].includes(u);
    add(human ? 1.5 : 3, () => ({
      identity: {
        type: 'IAMUser',
        principalId: userIds[u],
        arn: `arn:aws:iam::${accountId}:user/${u}`,
        accountId,
        accessKeyId: longKey,
        userName: u,
      },
      ip: human ? rng.pick(officeIps) : rng.pick(awsIps),
      agent: human ? SDK_AGENTS[4] : rng.pick(SDK_AGENTS),
    }));
    if (human) {
      add(1, () => ({
        identity: {
          type: 'IAMUser',
          principalId: userIds[u],
          arn: `arn:aws:iam::${accountId}:user/${u}`,
          accountId,
          accessKeyId: `ASIA${rng.awsId(16)}`,
          userName: u,
          sessionContext: {
            sessionIssuer: {},
            webIdFederationData: {},
            attributes: { creationDate: creationDate(baseMs, rng), mfaAuthenticated: 'true' },
          },
        },
        ip: rng.pick(officeIps),
        agent: BROWSER,
        console: true,
      }));
    }
  }

  // AssumedRole sessions: workloads, humans via SSO, instance profiles, service-linked roles.
  for (const r of roles) {
    const sso = r.startsWith('AWSReservedSSO_');
    const rolePath = sso ? 'aws-reserved/sso.amazonaws.com/' : '';
    add(sso ? 3 : 9, () => {
      const session = sso
        ? `${rng.pick(['alice', 'bob', 'carol', 'dave'])}@acme.example`
        : r.endsWith('-role') && rng.chance(0.5)
          ? `i-0${rng.hex(16)}`
          : `${r}-${rng.digits(10)}`;
      const identity = {
        type: 'AssumedRole',
        principalId: `${roleIds[r]}:${session}`,
        arn: `arn:aws:sts::${accountId}:assumed-role/${r}/${session}`,
        accountId,
        accessKeyId: `ASIA${rng.awsId(16)}`,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: roleIds[r],
            arn: `arn:aws:iam::${accountId}:role/${rolePath}${r}`,
            accountId,
            userName: r,
          },
          webIdFederationData: {},
          attributes: { creationDate: creationDate(baseMs, rng), mfaAuthenticated: 'false' },
        },
      };
      if (session.startsWith('i-')) identity.sessionContext.ec2RoleDelivery = '2.0';
      return {
        identity,
        ip: session.startsWith('i-') ? rng.pick(vpcIps) : sso ? rng.pick(officeIps) : rng.pick(awsIps),
        agent: sso ? BROWSER : rng.pick(SDK_AGENTS),
      };
    });
  }
  for (const [r, svc, session] of serviceLinked) {
    add(4, () => ({
      identity: {
        type: 'AssumedRole',
        principalId: `${roleIds[r]}:${session}`,
        arn: `arn:aws:sts::${accountId}:assumed-role/${r}/${session}`,
        accountId,
        accessKeyId: `ASIA${rng.awsId(16)}`,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: roleIds[r],
            arn: `arn:aws:iam::${accountId}:role/aws-service-role/${svc}/${r}`,
            accountId,
            userName: r,
          },
          webIdFederationData: {},
          attributes: { creationDate: creationDate(baseMs, rng), mfaAuthenticated: 'false' },
        },
        invokedBy: svc,
      },
      ip: svc,
      agent: svc,
      service: true,
    }));
  }
  // AWSService: a service acting on its own (AssumeRole for execution roles, KMS for EBS, …).
  for (const svc of services) {
    add(2, () => ({ identity: { type: 'AWSService', invokedBy: svc }, ip: svc, agent: svc, service: true }));
  }
  // Root, federated (GetFederationToken), web identity, SAML, cross-account AWSAccount, Identity Center user.
  add(0.05, () => ({
    identity: {
      type: 'Root',
      principalId: accountId,
      arn: `arn:aws:iam::${accountId}:root`,
      accountId,
      accessKeyId: `ASIA${rng.awsId(16)}`,
      sessionContext: {
        sessionIssuer: {},
        webIdFederationData: {},
        attributes: { creationDate: creationDate(baseMs, rng), mfaAuthenticated: 'true' },
      },
    },
    ip: rng.pick(officeIps),
    agent: BROWSER,
    console: true,
  }));
  add(0.6, () => {
    const name = rng.pick(['reporting-portal', 'partner-upload', 'kiosk']);
    return {
      identity: {
        type: 'FederatedUser',
        principalId: `${accountId}:${name}`,
        arn: `arn:aws:sts::${accountId}:federated-user/${name}`,
        accountId,
        accessKeyId: `ASIA${rng.awsId(16)}`,
        sessionContext: {
          sessionIssuer: {
            type: 'IAMUser',
            principalId: userIds['jenkins'],
            arn: `arn:aws:iam::${accountId}:user/jenkins`,
            accountId,
            userName: 'jenkins',
          },
          webIdFederationData: {},
          attributes: { creationDate: creationDate(baseMs, rng), mfaAuthenticated: 'false' },
        },
      },
      ip: rng.pick(awsIps),
      agent: SDK_AGENTS[2],
    };
  });
  add(0.6, () => {
    const sub = `repo:acme/${rng.pick(['orders-api', 'web', 'infra'])}:ref:refs/heads/main`;
    return {
      identity: {
        type: 'WebIdentityUser',
        principalId: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:${sub}`,
        userName: sub,
        identityProvider: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`,
      },
      ip: `4.${rng.range(148, 175)}.${rng.int(256)}.${rng.int(254) + 1}`,
      agent: SDK_AGENTS[3],
      webIdentity: true,
    };
  });
  add(0.4, () => {
    const who = `${rng.pick(['alice', 'bob', 'carol'])}@acme.example`;
    return {
      identity: {
        type: 'SAMLUser',
        principalId: `Wz8Xm3kPq9LfT4RvZ2NcYb7Ge1A=:${who}`,
        userName: who,
        identityProvider: 'Wz8Xm3kPq9LfT4RvZ2NcYb7Ge1A=',
      },
      ip: rng.pick(officeIps),
      agent: BROWSER,
      saml: true,
    };
  });
  add(0.5, () => ({
    identity: { type: 'AWSAccount', principalId: `AIDA${rng.awsId(17)}`, accountId: '210987654321' },
    ip: rng.pick(awsIps),
    agent: SDK_AGENTS[0],
  }));
  add(0.2, () => ({
    identity: {
      type: 'IdentityCenterUser',
      accountId,
      onBehalfOf: {
        userId: `9067${rng.hex(6)}-${rng.uuid()}`,
        identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-9067a1b2c3',
      },
      credentialId: rng.hex(32),
    },
    ip: rng.pick(officeIps),
    agent: BROWSER,
  }));

  // Materialize a fixed set of concrete identities so callers repeat like real ones.
  const concrete = [];
  for (const [make, weight] of pool) {
    const copies = Math.max(1, Math.round(weight * 3));
    for (let i = 0; i < copies; i++) concrete.push([make(), weight / copies]);
  }
  return { pick: rng.weighted(concrete), accountId };
}
