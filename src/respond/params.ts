import { z } from 'zod';

/**
 * Parameter shapes shared by the actions. Values usually come from findings, i.e. from log records an
 * attacker may have written: each is checked against the exact syntax AWS allows for it, so nothing else
 * (a second ARN, a wildcard, a path) can reach an API call.
 */
export const accountId = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
export const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'not an AWS region name');
/** Long-term IAM user keys only: temporary (ASIA…) keys cannot be deactivated, revoke the session instead. */
export const accessKeyId = z
  .string()
  .regex(/^AKIA[A-Z0-9]{16}$/, 'an IAM user access key id is AKIA followed by 16 letters or digits');
export const iamName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'not an IAM user or role name');
export const iamRoleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'not an IAM role name');
export const policyArn = z
  .string()
  .regex(/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/, 'not an IAM policy ARN');
export const instanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'not an EC2 instance id');
export const securityGroupId = z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'not a security group id');
export const vpcId = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'not a VPC id');
export const naclId = z.string().regex(/^acl-[0-9a-f]{8,17}$/, 'not a network ACL id');
export const volumeId = z.string().regex(/^vol-[0-9a-f]{8,17}$/, 'not an EBS volume id');
export const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not an S3 bucket name');
export const kmsKeyId = z
  .string()
  .regex(
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36}))$/,
    'not a KMS key id or key ARN',
  );
export const lambdaFunction = z
  .string()
  .regex(
    /^(arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/,
    'not a Lambda function name or ARN',
  );
export const trailName = z
  .string()
  .regex(
    /^(arn:aws[\w-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/)?[A-Za-z0-9._-]{3,128}$/,
    'not a CloudTrail trail name or ARN',
  );
export const detectorId = z.string().regex(/^[0-9a-f]{32}$/, 'not a GuardDuty detector id');
/** An IPv4 or IPv6 address or CIDR; a bare address becomes /32 or /128. Validated by the action. */
export const ipOrCidr = z.string().min(2).max(43);
/** Tag keys and values as AWS allows them. */
export const tagKey = z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'not a valid tag key');
export const tagValue = z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, 'not a valid tag value');
export const networkInterfaceId = z.string().regex(/^eni-[0-9a-f]{8,17}$/, 'not a network interface id');
export const instanceProfileArn = z
  .string()
  .regex(
    /^arn:aws[\w-]*:iam::\d{12}:instance-profile\/([\w+=,.@-]{1,512}\/)*[\w+=,.@-]{1,128}$/,
    'not an IAM instance profile ARN',
  );
export const wafIpSetName = z.string().regex(/^[\w-]{1,128}$/, 'not a WAF IP set name');
export const wafIpSetId = z.string().regex(/^[0-9a-f-]{1,36}$/, 'not a WAF IP set id');
/** IAM group names allow up to 128 characters (users and roles 64). */
export const iamGroupName = z.string().regex(/^[\w+=,.@-]{1,128}$/, 'not an IAM group name');
/**
 * An S3 bucket ARN with an optional folder, as a flow-log destination: `arn:aws:s3:::bucket[/prefix]`.
 * The prefix is plain path segments (no empty, `.`/`..` or `AWSLogs` segment, which AWS reserves).
 */
export const s3DestinationArn = z
  .string()
  .max(700)
  .regex(
    /^arn:aws[\w-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9!_.()-]+)*$/,
    'not an S3 bucket ARN (arn:aws:s3:::bucket or arn:aws:s3:::bucket/prefix)',
  )
  .refine(
    (arn) =>
      !arn
        .split('/')
        .slice(1)
        .some((s) => /^\.+$/.test(s) || s === 'AWSLogs'),
    'the S3 prefix may not contain ".", ".." or "AWSLogs" segments',
  );
export const logGroupName = z.string().regex(/^[\w.\-/#]{1,512}$/, 'not a CloudWatch Logs log group name');
export const iamRoleArn = z
  .string()
  .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/([\w+=,.@-]{1,512}\/)*[\w+=,.@-]{1,64}$/, 'not an IAM role ARN');
