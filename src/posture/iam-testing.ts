import type {
  AccountSnapshot,
  CredentialReportRow,
  IamAuthorizationDetails,
  PolicyDocument,
  PolicyStatement,
  PostureSnapshot,
} from './types.js';

/** Builders of small IAM fixture snapshots for tests. */

export const ACCOUNT = '111122223333';
export const COLLECTED_AT = '2025-06-01T12:00:00Z';

export function doc(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

export function allow(
  action: string | string[],
  resource: string | string[] = '*',
  extra: Partial<PolicyStatement> = {},
): PolicyStatement {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

export function deny(
  action: string | string[],
  resource: string | string[] = '*',
  extra: Partial<PolicyStatement> = {},
): PolicyStatement {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

export const arn = {
  user: (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`,
  role: (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
  group: (name: string) => `arn:aws:iam::${ACCOUNT}:group/${name}`,
  policy: (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`,
  aws: (name: string) => `arn:aws:iam::aws:policy/${name}`,
};

type Details = IamAuthorizationDetails;

/** Authorization details with defaults filled in; policies given as `{ name: document }` become customer managed. */
export function details(parts: {
  users?: Partial<Details['UserDetailList'][number]>[];
  roles?: Partial<Details['RoleDetailList'][number]>[];
  groups?: Partial<Details['GroupDetailList'][number]>[];
  managed?: Record<string, PolicyDocument>;
  awsManaged?: Record<string, PolicyDocument | undefined>;
}): Details {
  const policies: Details['Policies'] = [
    ...Object.entries(parts.managed ?? {}).map(([name, document]) => ({
      PolicyName: name,
      Arn: arn.policy(name),
      AttachmentCount: 1,
      Document: document,
    })),
    ...Object.entries(parts.awsManaged ?? {}).map(([name, document]) => ({
      PolicyName: name,
      Arn: arn.aws(name),
      AttachmentCount: 1,
      ...(document ? { Document: document } : {}),
    })),
  ];
  return {
    UserDetailList: (parts.users ?? []).map((u) => ({
      UserName: u.UserName ?? 'user',
      Arn: u.Arn ?? arn.user(u.UserName ?? 'user'),
      ...u,
    })),
    RoleDetailList: (parts.roles ?? []).map((r) => ({
      RoleName: r.RoleName ?? 'role',
      Arn: r.Arn ?? arn.role(r.RoleName ?? 'role'),
      ...r,
    })),
    GroupDetailList: (parts.groups ?? []).map((g) => ({
      GroupName: g.GroupName ?? 'group',
      Arn: g.Arn ?? arn.group(g.GroupName ?? 'group'),
      ...g,
    })),
    Policies: policies,
  };
}

export function inline(name: string, document: PolicyDocument) {
  return { PolicyName: name, PolicyDocument: document };
}

export function attached(name: string, aws = false) {
  return { PolicyName: name, PolicyArn: aws ? arn.aws(name) : arn.policy(name) };
}

/** A trust policy letting an AWS service assume the role. */
export function serviceTrust(service: string): PolicyDocument {
  return doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
}

/** A credential report row: a user with nothing, overridden by `fields`. */
export function reportRow(user: string, fields: Partial<CredentialReportRow> = {}): CredentialReportRow {
  return {
    user,
    arn: user === '<root_account>' ? `arn:aws:iam::${ACCOUNT}:root` : arn.user(user),
    user_creation_time: '2020-01-01T00:00:00+00:00',
    password_enabled: user === '<root_account>' ? 'not_supported' : 'false',
    password_last_used: 'N/A',
    password_last_changed: user === '<root_account>' ? 'not_supported' : 'N/A',
    password_next_rotation: 'N/A',
    mfa_active: 'false',
    access_key_1_active: 'false',
    access_key_1_last_rotated: 'N/A',
    access_key_1_last_used_date: 'N/A',
    access_key_1_last_used_region: 'N/A',
    access_key_1_last_used_service: 'N/A',
    access_key_2_active: 'false',
    access_key_2_last_rotated: 'N/A',
    access_key_2_last_used_date: 'N/A',
    access_key_2_last_used_region: 'N/A',
    access_key_2_last_used_service: 'N/A',
    cert_1_active: 'false',
    cert_1_last_rotated: 'N/A',
    cert_2_active: 'false',
    cert_2_last_rotated: 'N/A',
    ...fields,
  };
}

/** A snapshot of one account holding `iam` (and the given regions). */
export function snapshot(
  iam: AccountSnapshot['iam'],
  extra: Partial<AccountSnapshot> = {},
  errors: PostureSnapshot['errors'] = [],
): PostureSnapshot {
  return {
    format: 'vigil-posture-snapshot',
    version: 1,
    collectedAt: COLLECTED_AT,
    collector: 'test',
    accounts: [{ accountId: ACCOUNT, regions: [], ...(iam ? { iam } : {}), ...extra }],
    errors,
  };
}

/** `n` days before the fixture's collection time, as the credential report writes it. */
export function daysAgo(n: number): string {
  return new Date(Date.parse(COLLECTED_AT) - n * 86_400_000).toISOString().replace('.000Z', '+00:00');
}
