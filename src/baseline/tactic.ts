/**
 * The tactic an unusual API call serves, which names the finding's type the way GuardDuty's
 * `<Tactic>:IAMUser/AnomalousBehavior` does: GuardDuty files the anomaly under the category of the API
 * that was anomalous. Specific names first, then verb prefixes; what matches nothing is Discovery for
 * reads and Impact for writes.
 */
export type Tactic =
  | 'Discovery'
  | 'Exfiltration'
  | 'Impact'
  | 'Persistence'
  | 'PrivilegeEscalation'
  | 'CredentialAccess'
  | 'DefenseEvasion'
  | 'InitialAccess';

const BY_NAME: Record<string, Tactic> = {
  GetSecretValue: 'CredentialAccess',
  BatchGetSecretValue: 'CredentialAccess',
  GetPasswordData: 'CredentialAccess',
  GenerateDbAuthToken: 'CredentialAccess',
  GetParameter: 'CredentialAccess',
  GetParameters: 'CredentialAccess',
  GetParametersByPath: 'CredentialAccess',
  Decrypt: 'CredentialAccess',
  GetFederationToken: 'InitialAccess',
  GetSessionToken: 'InitialAccess',
  StartSession: 'InitialAccess',
  GetAuthorizationToken: 'InitialAccess',
  ConsoleLogin: 'InitialAccess',
  CreateUser: 'Persistence',
  CreateAccessKey: 'Persistence',
  CreateLoginProfile: 'Persistence',
  UpdateLoginProfile: 'Persistence',
  ImportKeyPair: 'Persistence',
  CreateKeyPair: 'Persistence',
  ModifyInstanceAttribute: 'Persistence',
  CreateFunction: 'Persistence',
  UpdateFunctionCode: 'Persistence',
  PassRole: 'PrivilegeEscalation',
  AddUserToGroup: 'PrivilegeEscalation',
  AssociateIamInstanceProfile: 'PrivilegeEscalation',
  UpdateAssumeRolePolicy: 'PrivilegeEscalation',
  CreatePolicyVersion: 'PrivilegeEscalation',
  SetDefaultPolicyVersion: 'PrivilegeEscalation',
  PutBucketReplication: 'Exfiltration',
  CreateSnapshot: 'Exfiltration',
  CopySnapshot: 'Exfiltration',
  ModifySnapshotAttribute: 'Exfiltration',
  ModifyDBSnapshotAttribute: 'Exfiltration',
  RestoreDBInstanceFromDBSnapshot: 'Exfiltration',
  GetObject: 'Exfiltration',
  CopyObject: 'Exfiltration',
  ScheduleKeyDeletion: 'Impact',
  DisableKey: 'Impact',
  PutBucketPolicy: 'Impact',
  UpdateUser: 'Impact',
};

/** Services that record or guard: deleting, stopping or changing them hides what follows. */
const DEFENSIVE = new Set([
  'cloudtrail',
  'guardduty',
  'config',
  'securityhub',
  'logs',
  'cloudwatch',
  'monitoring',
  'access-analyzer',
  'macie2',
  'inspector2',
  'detective',
]);

export function tacticOf(service: string, eventName: string): Tactic {
  const named = BY_NAME[eventName];
  if (named) return named;
  const write = !/^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|Batch(Get|Describe))/.test(
    eventName,
  );
  if (
    write &&
    (DEFENSIVE.has(service) ||
      /FlowLogs|Alarm|Trail|Logging|Detector|Recorder|PublicAccessBlock/.test(eventName))
  ) {
    if (/^(Delete|Stop|Disable|Update|Put|Remove|Deregister|Modify)/.test(eventName)) return 'DefenseEvasion';
  }
  if (/^(Attach|Put).*(Policy)$|^Put(User|Role|Group)Policy$/.test(eventName)) return 'PrivilegeEscalation';
  // Other writes (deletes, changes, new resources) are what GuardDuty files under Impact.
  return write ? 'Impact' : 'Discovery';
}

/** Tactics whose unusual use is worth more than an unusual read. */
export function isSensitive(tactic: Tactic): boolean {
  return tactic !== 'Discovery';
}
