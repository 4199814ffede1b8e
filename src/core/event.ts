/**
 * The Event contract: one normalized log record. The raw record stays intact in `raw`;
 * derived fields are computed once, on ingest, by `normalizeRecord` (one normalizer per log format).
 */
export type EventSource = 'cloudtrail' | 'vpcflow' | 'dns' | 's3access' | 'guardduty' | 'securityhub';

export type PrincipalType =
  | 'IAMUser'
  | 'AssumedRole'
  | 'Root'
  | 'FederatedUser'
  | 'AWSService'
  | 'AWSAccount'
  | 'IdentityCenterUser'
  | 'WebIdentityUser'
  | 'SAMLUser'
  | 'Unknown';

export interface VigilEvent {
  /** ISO-8601 time of the event, as the log gives it. */
  time: string;
  /** `time` in epoch milliseconds. */
  ts: number;
  source: EventSource;
  accountId: string | undefined;
  region: string | undefined;
  eventName: string | undefined;
  /** e.g. `iam.amazonaws.com` */
  eventSource: string | undefined;
  /** e.g. `iam` */
  service: string | undefined;
  /** The acting identity. Assumed-role sessions resolve to the role ARN; the session name is in `sessionName`. */
  principal: string | undefined;
  principalType: PrincipalType;
  /** Account that owns the acting identity (differs from `accountId` for cross-account access). */
  principalAccountId: string | undefined;
  /** Short name: user name, role name, federated user name, service name. */
  principalName: string | undefined;
  sessionName: string | undefined;
  accessKeyId: string | undefined;
  /** Whether the session was authenticated with MFA (`sessionContext.attributes.mfaAuthenticated`). */
  mfa: boolean | undefined;
  sourceIp: string | undefined;
  /** True when `sourceIPAddress` is an AWS service name (`ec2.amazonaws.com`, `AWS Internal`) rather than an IP. */
  sourceIsService: boolean;
  userAgent: string | undefined;
  errorCode: string | undefined;
  readOnly: boolean | undefined;
  eventId: string | undefined;
  raw: Record<string, unknown>;
}
