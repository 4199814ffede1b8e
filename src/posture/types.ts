/**
 * Posture: a read-only snapshot of AWS accounts (`vigil posture collect`), checks over it (`vigil posture
 * check`), and compliance frameworks mapped to the checks. The snapshot is a versioned JSON file, so checks
 * run offline and on the shipped demo snapshot.
 *
 * Inside the snapshot, AWS data keeps AWS's own field names (PascalCase, as the SDK returns them), so a
 * collector stores responses as they come and a reader can compare with the AWS documentation. Policy
 * documents are stored parsed (objects), never as URL-encoded strings. `null` means "AWS says there is none"
 * (no password policy, no bucket policy); an absent key means "not collected" — and then `errors` says why.
 */

export const SNAPSHOT_FORMAT = 'vigil-posture-snapshot';
export const SNAPSHOT_VERSION = 1;

/** A call that failed during collection (AccessDenied, a disabled region…): collection went on. */
export interface CollectionError {
  accountId: string;
  region?: string;
  /** e.g. `s3`, `iam`, `cloudtrail`. */
  service: string;
  /** `service:Operation`, e.g. `s3:GetBucketPolicy`. */
  api: string;
  /** The resource it was about, when there is one (a bucket name, a trail ARN). */
  resource?: string;
  code: string;
  message: string;
}

export interface PostureSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  collectedAt: string;
  /** Vigil version that collected it. */
  collector: string;
  accounts: AccountSnapshot[];
  errors: CollectionError[];
}

/** An IAM policy document (parsed). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface AttachedPolicy {
  PolicyName: string;
  PolicyArn: string;
}

export interface InlinePolicy {
  PolicyName: string;
  PolicyDocument: PolicyDocument;
}

/** GetAccountAuthorizationDetails, documents decoded. */
export interface IamAuthorizationDetails {
  UserDetailList: {
    UserName: string;
    UserId?: string;
    Arn: string;
    CreateDate?: string;
    Path?: string;
    GroupList?: string[];
    AttachedManagedPolicies?: AttachedPolicy[];
    UserPolicyList?: InlinePolicy[];
    Tags?: { Key: string; Value: string }[];
  }[];
  RoleDetailList: {
    RoleName: string;
    RoleId?: string;
    Arn: string;
    CreateDate?: string;
    Path?: string;
    AssumeRolePolicyDocument?: PolicyDocument;
    AttachedManagedPolicies?: AttachedPolicy[];
    RolePolicyList?: InlinePolicy[];
    RoleLastUsed?: { LastUsedDate?: string; Region?: string };
    Tags?: { Key: string; Value: string }[];
  }[];
  GroupDetailList: {
    GroupName: string;
    GroupId?: string;
    Arn: string;
    AttachedManagedPolicies?: AttachedPolicy[];
    GroupPolicyList?: InlinePolicy[];
  }[];
  /** Managed policies (customer and the AWS ones attached to something) with their default version's document. */
  Policies: {
    PolicyName: string;
    PolicyId?: string;
    Arn: string;
    AttachmentCount?: number;
    IsAttachable?: boolean;
    DefaultVersionId?: string;
    /** The default version's document. */
    Document?: PolicyDocument;
  }[];
}

/**
 * One row of the IAM credential report, as AWS writes it (all strings: `true`/`false`, ISO times, `N/A`,
 * `no_information`, `not_supported`). The root account is the row with user `<root_account>`.
 */
export type CredentialReportRow = Record<
  | 'user'
  | 'arn'
  | 'user_creation_time'
  | 'password_enabled'
  | 'password_last_used'
  | 'password_last_changed'
  | 'password_next_rotation'
  | 'mfa_active'
  | 'access_key_1_active'
  | 'access_key_1_last_rotated'
  | 'access_key_1_last_used_date'
  | 'access_key_1_last_used_region'
  | 'access_key_1_last_used_service'
  | 'access_key_2_active'
  | 'access_key_2_last_rotated'
  | 'access_key_2_last_used_date'
  | 'access_key_2_last_used_region'
  | 'access_key_2_last_used_service'
  | 'cert_1_active'
  | 'cert_1_last_rotated'
  | 'cert_2_active'
  | 'cert_2_last_rotated',
  string
>;

export interface PasswordPolicy {
  MinimumPasswordLength?: number;
  RequireSymbols?: boolean;
  RequireNumbers?: boolean;
  RequireUppercaseCharacters?: boolean;
  RequireLowercaseCharacters?: boolean;
  AllowUsersToChangePassword?: boolean;
  ExpirePasswords?: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

export interface PublicAccessBlock {
  BlockPublicAcls?: boolean;
  IgnorePublicAcls?: boolean;
  BlockPublicPolicy?: boolean;
  RestrictPublicBuckets?: boolean;
}

export interface S3Grant {
  Grantee: {
    Type: 'CanonicalUser' | 'AmazonCustomerByEmail' | 'Group';
    ID?: string;
    URI?: string;
    DisplayName?: string;
    EmailAddress?: string;
  };
  Permission: 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
}

export interface BucketSnapshot {
  Name: string;
  Region: string;
  CreationDate?: string;
  /** null: the bucket has no policy. */
  Policy?: PolicyDocument | null;
  Acl?: { Owner?: { ID?: string; DisplayName?: string }; Grants: S3Grant[] };
  /** null: no ownership controls set. */
  OwnershipControls?: {
    ObjectOwnership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
  } | null;
  /** null: no bucket-level Block Public Access configuration. */
  PublicAccessBlock?: PublicAccessBlock | null;
  /** null: no default encryption configuration (buckets since 2023 are SSE-S3 by default anyway). */
  Encryption?: {
    Rules: {
      ApplyServerSideEncryptionByDefault?: {
        SSEAlgorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
        KMSMasterKeyID?: string;
      };
      BucketKeyEnabled?: boolean;
    }[];
  } | null;
  Versioning?: { Status?: 'Enabled' | 'Suspended'; MFADelete?: 'Enabled' | 'Disabled' };
  /** null: server access logging off. */
  Logging?: { TargetBucket: string; TargetPrefix?: string } | null;
  Tags?: Record<string, string>;
}

export interface TrailSnapshot {
  Name: string;
  TrailARN: string;
  HomeRegion: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  IsMultiRegionTrail?: boolean;
  IsOrganizationTrail?: boolean;
  IncludeGlobalServiceEvents?: boolean;
  LogFileValidationEnabled?: boolean;
  KmsKeyId?: string;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  /** GetTrailStatus. */
  Status?: {
    IsLogging: boolean;
    LatestDeliveryTime?: string;
    LatestDeliveryError?: string;
    LatestCloudWatchLogsDeliveryTime?: string;
  };
  /** GetEventSelectors. */
  EventSelectors?: {
    ReadWriteType?: 'ReadOnly' | 'WriteOnly' | 'All';
    IncludeManagementEvents?: boolean;
    DataResources?: { Type: string; Values: string[] }[];
    ExcludeManagementEventSources?: string[];
  }[];
  AdvancedEventSelectors?: {
    Name?: string;
    FieldSelectors: {
      Field: string;
      Equals?: string[];
      StartsWith?: string[];
      NotEquals?: string[];
      NotStartsWith?: string[];
      EndsWith?: string[];
      NotEndsWith?: string[];
    }[];
  }[];
}

export interface SecurityGroupSnapshot {
  GroupId: string;
  GroupName: string;
  VpcId?: string;
  Description?: string;
  IpPermissions: IpPermission[];
  IpPermissionsEgress: IpPermission[];
}

export interface IpPermission {
  /** `-1` = all protocols. */
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description?: string }[];
  UserIdGroupPairs?: { GroupId?: string; UserId?: string }[];
  PrefixListIds?: { PrefixListId: string }[];
}

export interface RegionSnapshot {
  region: string;
  cloudtrail?: { trails: TrailSnapshot[] };
  guardduty?: {
    detectors: {
      DetectorId: string;
      Status: 'ENABLED' | 'DISABLED';
      FindingPublishingFrequency?: string;
      /** Protection plans by name (S3_DATA_EVENTS, EKS_AUDIT_LOGS, EBS_MALWARE_PROTECTION, RDS_LOGIN_EVENTS, LAMBDA_NETWORK_LOGS, RUNTIME_MONITORING…) → ENABLED/DISABLED. */
      Features?: Record<string, 'ENABLED' | 'DISABLED'>;
    }[];
  };
  securityhub?: {
    /** false: Security Hub is not enabled in this region. */
    enabled: boolean;
    /** Enabled standards by ARN with their status. */
    standards?: { StandardsArn: string; StandardsStatus: string }[];
  };
  kms?: {
    keys: {
      KeyId: string;
      Arn: string;
      KeyManager: 'AWS' | 'CUSTOMER';
      KeyState: string;
      KeySpec?: string;
      KeyUsage?: string;
      /** GetKeyRotationStatus (symmetric customer keys only). */
      KeyRotationEnabled?: boolean;
      DeletionDate?: string;
      Policy?: PolicyDocument;
    }[];
  };
  ec2?: {
    securityGroups: SecurityGroupSnapshot[];
    /** GetEbsEncryptionByDefault. */
    ebsEncryptionByDefault?: boolean;
    instances: {
      InstanceId: string;
      State?: string;
      VpcId?: string;
      IamInstanceProfile?: { Arn: string };
      PublicIpAddress?: string;
      /** MetadataOptions.HttpTokens: `required` = IMDSv2 only. */
      MetadataOptions?: {
        HttpTokens?: 'optional' | 'required';
        HttpEndpoint?: 'enabled' | 'disabled';
        HttpPutResponseHopLimit?: number;
      };
      SecurityGroups?: { GroupId: string }[];
      Tags?: Record<string, string>;
    }[];
    vpcs: { VpcId: string; IsDefault?: boolean; CidrBlock?: string }[];
    flowLogs: {
      FlowLogId: string;
      ResourceId: string;
      FlowLogStatus?: string;
      TrafficType?: string;
      LogDestinationType?: string;
      LogDestination?: string;
      DeliverLogsStatus?: string;
    }[];
    networkAcls?: {
      NetworkAclId: string;
      VpcId?: string;
      IsDefault?: boolean;
      Entries: {
        RuleNumber: number;
        Protocol: string;
        RuleAction: 'allow' | 'deny';
        Egress: boolean;
        CidrBlock?: string;
        Ipv6CidrBlock?: string;
        PortRange?: { From?: number; To?: number };
      }[];
    }[];
    /** EBS snapshots owned by the account that are shared publicly (createVolumePermission group all). */
    publicSnapshotIds?: string[];
  };
  config?: {
    recorders: {
      name: string;
      roleARN?: string;
      recordingGroup?: { allSupported?: boolean; includeGlobalResourceTypes?: boolean };
    }[];
    status: { name: string; recording: boolean; lastStatus?: string }[];
    deliveryChannels?: { name: string; s3BucketName?: string }[];
  };
}

export interface AccountSnapshot {
  accountId: string;
  /** Account alias, when there is one. */
  alias?: string;
  iam?: {
    authorizationDetails?: IamAuthorizationDetails;
    credentialReport?: CredentialReportRow[];
    /** null: no password policy set (AWS's defaults apply). */
    passwordPolicy?: PasswordPolicy | null;
    /** GetAccountSummary's SummaryMap (AccountMFAEnabled, AccountAccessKeysPresent, …). */
    accountSummary?: Record<string, number>;
    /** ListVirtualMFADevices (assignment): a root with a virtual device has no hardware MFA. */
    virtualMfaDevices?: { SerialNumber: string; User?: { Arn: string } }[];
    /** IAM Access Analyzer analyzers per region (CIS 1.20). */
    accessAnalyzers?: { region: string; name: string; status: string; type: string }[];
  };
  s3?: {
    /** null: no account-level Block Public Access configuration. */
    accountPublicAccessBlock?: PublicAccessBlock | null;
    buckets: BucketSnapshot[];
  };
  /** Regions collected, each with what was read there. */
  regions: RegionSnapshot[];
}

export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** What a check says about one resource. */
export interface CheckResult {
  checkId: string;
  /** PASS / FAIL; UNKNOWN when the data it needs was not collected (the collection error says why). */
  status: 'PASS' | 'FAIL' | 'UNKNOWN';
  accountId: string;
  region?: string;
  resource: { type: string; id: string };
  /** A full sentence naming the resource: "Bucket acme-logs blocks public access at bucket level." */
  message: string;
}

export interface Check {
  /** `vigil-<service>-<n>` style stable id, e.g. `s3-public-access`. */
  id: string;
  title: string;
  severity: Severity;
  service:
    'iam' | 's3' | 'cloudtrail' | 'guardduty' | 'securityhub' | 'kms' | 'ec2' | 'vpc' | 'config' | 'account';
  /** Why it matters. */
  rationale: string;
  remediation: { text: string; cli?: string; console?: string; cdk?: string; cloudformation?: string };
  /** Benchmark controls this check implements: CIS AWS Foundations v3.0.0 ids and FSBP control ids. */
  references: { cis?: string[]; fsbp?: string[]; urls?: string[] };
  /** The finding type a FAIL becomes (`Policy:S3/BucketPublicAccessGranted`, …). */
  findingType: string;
  run(snapshot: PostureSnapshot): CheckResult[];
}
