// Fills in the fields every CloudTrail record carries, in the order CloudTrail writes them.

export const ACCOUNT = '123456789012';

const GLOBAL_HOSTS = { iam: 'iam.amazonaws.com', sts: 'sts.amazonaws.com', signin: 'signin.aws.amazon.com', organizations: 'organizations.us-east-1.amazonaws.com' };

export const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** IAM/KMS style dates in responseElements: "Nov 20, 2026, 2:24:03 AM". */
export function awsDate(ms) {
  const d = new Date(ms);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const h = d.getUTCHours();
  const hh = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${mon} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hh}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

/**
 * @param {ReturnType<import('../../bench/corpus/prng.mjs').createPrng>} rng
 */
export function createRecordFactory(rng) {
  /**
   * @param {object} o
   * @param {{ identity: object, ip: string, agent: string, console?: boolean }} o.who
   * @param {number} o.ms event time (epoch ms)
   * @param {string} o.svc short service name (ec2, iam, s3, …)
   * @param {string} o.name eventName
   * @param {string} [o.region] default us-east-1
   * @param {object|null} [o.req] requestParameters
   * @param {object|null|((requestId: string) => object)} [o.resp] responseElements
   * @param {[string, string]} [o.error] [errorCode, errorMessage]
   * @param {boolean} [o.readOnly]
   * @param {object} [o.extra] additionalEventData
   * @param {object[]} [o.resources]
   * @param {'AwsApiCall'|'AwsConsoleSignIn'|'AwsServiceEvent'} [o.eventType]
   * @param {boolean} [o.data] data event (S3 object level)
   * @param {string} [o.host] clientProvidedHostHeader override
   * @param {string} [o.vpce] VPC endpoint id the call came through
   * @param {string} [o.version] eventVersion override
   * @param {string} [o.sharedEventId] set on cross-account and service-initiated calls
   */
  return function record(o) {
    const region = o.region ?? 'us-east-1';
    const requestId = o.svc === 's3' ? rng.awsId(16) : rng.uuid();
    const eventType = o.eventType ?? 'AwsApiCall';
    const fromService = /amazonaws\.com$|^AWS Internal$/.test(o.who.ip);
    const rec = {
      eventVersion: o.version ?? (o.svc === 's3' || o.svc === 'signin' ? '1.09' : o.svc === 'ec2' || o.svc === 'iam' ? '1.09' : '1.08'),
      userIdentity: o.who.identity,
      eventTime: iso(o.ms),
      eventSource: `${o.svc}.amazonaws.com`,
      eventName: o.name,
      awsRegion: region,
      sourceIPAddress: o.who.ip,
      userAgent: typeof o.who.agent === 'function' ? o.who.agent(o) : o.who.agent,
    };
    if (o.error) {
      rec.errorCode = o.error[0];
      if (o.error[1] !== undefined) rec.errorMessage = o.error[1];
    }
    rec.requestParameters = o.req === undefined ? null : o.req;
    rec.responseElements = o.error ? null : typeof o.resp === 'function' ? o.resp(requestId) : (o.resp ?? null);
    if (o.extra) rec.additionalEventData = o.extra;
    if (eventType !== 'AwsConsoleSignIn') rec.requestID = requestId;
    rec.eventID = rng.uuid();
    rec.readOnly = o.readOnly ?? /^(Describe|List|Get|Head|Lookup|Filter|Decrypt|GenerateDataKey|AssumeRole|BatchGet)/.test(o.name);
    if (o.resources) rec.resources = o.resources;
    rec.eventType = eventType;
    rec.managementEvent = !o.data;
    rec.recipientAccountId = ACCOUNT;
    if (o.sharedEventId) rec.sharedEventID = o.sharedEventId;
    if (o.vpce) {
      rec.vpcEndpointId = o.vpce;
      rec.vpcEndpointAccountId = ACCOUNT;
    }
    rec.eventCategory = o.data ? 'Data' : 'Management';
    if (o.who.console) rec.sessionCredentialFromConsole = 'true';
    if (!fromService) {
      const host = o.host ?? GLOBAL_HOSTS[o.svc] ?? (o.svc === 'monitoring' ? `monitoring.${region}.amazonaws.com` : `${o.svc}.${region}.amazonaws.com`);
      rec.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host };
    }
    return rec;
  };
}

/** additionalEventData S3 writes on every S3 call. */
export function s3Extra(rng, bytesOut = 0, bytesIn = 0) {
  return { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: bytesIn, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': `${rng.alnum(56)}=`, bytesTransferredOut: bytesOut };
}

export function bucketResource(bucket) {
  return [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }];
}

export function objectResources(bucket, key) {
  return [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }];
}
