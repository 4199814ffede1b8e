import { ACCOUNT } from './org.js';
import type { CtRecord } from './output.js';
import type { Prng } from './prng.js';

/**
 * CloudTrail records as CloudTrail writes them (field order, userIdentity variants, tlsDetails,
 * S3 data-event extras), and the identities of Acme's people, pipelines and services.
 */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface Who {
  identity: Record<string, unknown>;
  ip: string;
  agent: string;
  console?: boolean;
}

export interface CallSpec {
  who: Who;
  ms: number;
  svc: string;
  name: string;
  region?: string;
  req?: Record<string, unknown> | null;
  resp?: Record<string, unknown> | null;
  error?: [string, string];
  readOnly?: boolean;
  extra?: Record<string, unknown>;
  resources?: Record<string, unknown>[];
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn' | 'AwsServiceEvent';
  data?: boolean;
  vpce?: string;
}

const GLOBAL_HOSTS: Record<string, string> = {
  iam: 'iam.amazonaws.com',
  sts: 'sts.amazonaws.com',
  signin: 'signin.aws.amazon.com',
};

const READ_ONLY = /^(Describe|List|Get|Head|Lookup|Filter|Decrypt|GenerateDataKey|BatchGet|Search)/;

export function createCloudTrail(rng: Prng) {
  return function record(o: CallSpec): CtRecord {
    const region = o.region ?? 'us-east-1';
    const eventType = o.eventType ?? 'AwsApiCall';
    const fromService = /amazonaws\.com$|^AWS Internal$/.test(o.who.ip);
    const rec: CtRecord = {
      eventVersion: '1.09',
      userIdentity: o.who.identity,
      eventTime: iso(o.ms),
      eventSource: `${o.svc}.amazonaws.com`,
      eventName: o.name,
      awsRegion: region,
      sourceIPAddress: o.who.ip,
      userAgent: o.who.agent,
    };
    if (o.error) {
      rec.errorCode = o.error[0];
      rec.errorMessage = o.error[1];
    }
    rec.requestParameters = o.req ?? null;
    rec.responseElements = o.error ? null : (o.resp ?? null);
    if (o.extra) rec.additionalEventData = o.extra;
    if (eventType !== 'AwsConsoleSignIn') rec.requestID = o.svc === 's3' ? rng.awsId(16) : rng.uuid();
    rec.eventID = rng.uuid();
    rec.readOnly = o.readOnly ?? READ_ONLY.test(o.name);
    if (o.resources) rec.resources = o.resources;
    rec.eventType = eventType;
    rec.managementEvent = !o.data;
    rec.recipientAccountId = ACCOUNT;
    if (o.vpce) {
      rec.vpcEndpointId = o.vpce;
      rec.vpcEndpointAccountId = ACCOUNT;
    }
    rec.eventCategory = o.data ? 'Data' : 'Management';
    if (o.who.console) rec.sessionCredentialFromConsole = 'true';
    if (!fromService) {
      const host = GLOBAL_HOSTS[o.svc] ?? `${o.svc}.${region}.amazonaws.com`;
      rec.tlsDetails = {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: host,
      };
    }
    return rec;
  };
}

export type RecordFactory = ReturnType<typeof createCloudTrail>;

/** Stable fake unique ids (AIDA…/AROA…) derived from the name, so they never depend on draw order. */
function uniqueId(prefix: string, name: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let h = 2166136261;
  let out = prefix;
  for (let i = 0; i < 17; i++) {
    h ^= name.charCodeAt(i % name.length) + i;
    h = Math.imul(h, 16777619) >>> 0;
    out += alphabet[h % 32];
  }
  return out;
}

export function accessKeyFor(name: string, temporary = false): string {
  return uniqueId(temporary ? 'ASIA' : 'AKIA', `key:${name}`).slice(0, 20);
}

export function iamUser(
  name: string,
  accessKeyId?: string,
  mfa?: boolean,
  sessionMs?: number,
): Record<string, unknown> {
  const identity: Record<string, unknown> = {
    type: 'IAMUser',
    principalId: uniqueId('AIDA', name),
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    accountId: ACCOUNT,
  };
  if (accessKeyId) identity.accessKeyId = accessKeyId;
  identity.userName = name;
  if (mfa !== undefined && sessionMs !== undefined) {
    identity.sessionContext = {
      sessionIssuer: {},
      webIdFederationData: {},
      attributes: { creationDate: iso(sessionMs), mfaAuthenticated: String(mfa) },
    };
  }
  return identity;
}

export function roleSession(
  role: string,
  session: string,
  accessKeyId: string,
  createdMs: number,
  opts: { path?: string; invokedBy?: string; ec2RoleDelivery?: string } = {},
): Record<string, unknown> {
  const roleId = uniqueId('AROA', role);
  const context: Record<string, unknown> = {
    sessionIssuer: {
      type: 'Role',
      principalId: roleId,
      arn: `arn:aws:iam::${ACCOUNT}:role/${opts.path ?? ''}${role}`,
      accountId: ACCOUNT,
      userName: role,
    },
    webIdFederationData: {},
    attributes: { creationDate: iso(createdMs), mfaAuthenticated: 'false' },
  };
  if (opts.ec2RoleDelivery) context.ec2RoleDelivery = opts.ec2RoleDelivery;
  const identity: Record<string, unknown> = {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId,
    sessionContext: context,
  };
  if (opts.invokedBy) identity.invokedBy = opts.invokedBy;
  return identity;
}

export function serviceLinked(
  role: string,
  service: string,
  session: string,
  key: string,
  createdMs: number,
): Who {
  return {
    identity: roleSession(role, session, key, createdMs, {
      path: `aws-service-role/${service}/`,
      invokedBy: service,
    }),
    ip: service,
    agent: service,
  };
}

export const awsService = (svc: string): Who => ({
  identity: { type: 'AWSService', invokedBy: svc },
  ip: svc,
  agent: svc,
});

export const AGENTS = {
  chrome:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  cliMac: (cmd: string) =>
    `aws-cli/2.18.4 md/awscrt#0.21.5 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#${cmd}`,
  terraform:
    'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.187.1',
  boto: 'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.1.112-124.190.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54',
  java: 'aws-sdk-java/2.25.60 Linux/6.1.112-124.190.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard',
  ssm: 'aws-sdk-go/1.44.260 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.1142.0',
  kali: (cmd: string) =>
    `aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/distrib#kali.2024 md/prompt#off md/command#${cmd}`,
  pacu: 'aws-cli/1.16.301 Python/3.8.10 Linux/5.15.0 botocore/1.13.37 Pacu',
};

export function s3Extra(rng: Prng, bytesOut = 0, bytesIn = 0): Record<string, unknown> {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: bytesIn,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': `${rng.alnum(56)}=`,
    bytesTransferredOut: bytesOut,
  };
}

export function objectResources(bucket: string, key: string): Record<string, unknown>[] {
  return [
    { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
    { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
  ];
}

/** An S3 GetObject/PutObject data event. */
export function s3Object(
  rng: Prng,
  who: Who,
  ms: number,
  name: 'GetObject' | 'PutObject',
  bucket: string,
  key: string,
  bytes: number,
  extra: Partial<CallSpec> = {},
): CallSpec {
  return {
    who,
    ms,
    svc: 's3',
    name,
    data: true,
    readOnly: name === 'GetObject',
    req: { bucketName: bucket, Host: `${bucket}.s3.us-east-1.amazonaws.com`, key },
    resp: name === 'PutObject' ? { 'x-amz-server-side-encryption': 'AES256' } : null,
    extra: name === 'GetObject' ? s3Extra(rng, bytes, 0) : s3Extra(rng, 0, bytes),
    resources: objectResources(bucket, key),
    ...extra,
  };
}
