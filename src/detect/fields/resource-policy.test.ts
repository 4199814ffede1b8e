import { describe, it, expect } from 'vitest';
import { normalizeCloudTrail } from '../../sources/cloudtrail/normalize.js';
import { createFieldGetter } from './index.js';
import { actionMatches, allowsAll, deniesAction, granteeAccount, outsideAccess } from './resource-policy.js';

const OWN = '111122223333';
const OTHER = '444455556666';

function record(eventSource: string, eventName: string, requestParameters: unknown): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${OWN}:user/alice`,
      accountId: OWN,
      userName: 'alice',
    },
    eventTime: '2024-05-14T09:00:00Z',
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    requestParameters,
    eventID: '5b1f0e2a-7c3d-4e8f-9a0b-1c2d3e4f5a6b',
    recipientAccountId: OWN,
  };
}

function field(path: string, raw: Record<string, unknown>): unknown {
  return createFieldGetter()(normalizeCloudTrail(raw), path);
}

describe('actionMatches', () => {
  it('matches exact names, wildcards and single-character marks, ignoring case', () => {
    expect(actionMatches('backup:StartRestoreJob', 'backup:StartRestoreJob')).toBe(true);
    expect(actionMatches('BACKUP:start*', 'backup:StartRestoreJob')).toBe(true);
    expect(actionMatches('*', 'backup:StartRestoreJob')).toBe(true);
    expect(actionMatches('backup:*Restore*', 'backup:StartRestoreJob')).toBe(true);
    expect(actionMatches('backup:StartRestoreJo?', 'backup:StartRestoreJob')).toBe(true);
  });

  it('does not match other actions or partial names', () => {
    expect(actionMatches('backup:DeleteRecoveryPoint', 'backup:StartRestoreJob')).toBe(false);
    expect(actionMatches('backup:Start', 'backup:StartRestoreJob')).toBe(false);
    expect(actionMatches('ec2:*', 'backup:StartRestoreJob')).toBe(false);
    expect(actionMatches('backup:*Copy*', 'backup:StartRestoreJob')).toBe(false);
  });
});

describe('outsideAccess', () => {
  it('lists accounts named as principals other than the own account', () => {
    const doc = {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${OTHER}:root`, '999988887777'] },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ],
    };
    expect(outsideAccess(doc, OWN)).toEqual([OTHER, '999988887777']);
  });

  it('counts an unconditioned * principal, and Allow with NotPrincipal, as anyone', () => {
    expect(
      outsideAccess({ Statement: { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' } }, OWN),
    ).toEqual(['*']);
    expect(
      outsideAccess({ Statement: { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt' } }, OWN),
    ).toEqual(['*']);
    expect(
      outsideAccess(
        {
          Statement: { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: 'kms:*' },
        },
        OWN,
      ),
    ).toEqual(['*']);
  });

  it('reads kms:CallerAccount: the own account only is not outside access, another account is', () => {
    const own = {
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': OWN, 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
        },
      },
    };
    expect(outsideAccess(own, OWN)).toEqual([]);
    const other = {
      Statement: { ...own.Statement, Condition: { StringEquals: { 'kms:CallerAccount': [OWN, OTHER] } } },
    };
    expect(outsideAccess(other, OWN)).toEqual([OTHER]);
  });

  it('intersects account conditions and reads aws:PrincipalArn accounts', () => {
    const doc = {
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Condition: {
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/reader' },
          StringEquals: { 'aws:PrincipalAccount': OTHER },
        },
      },
    };
    expect(outsideAccess(doc, OWN)).toEqual([OTHER]);
    const pattern = {
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/reader' } },
      },
    };
    expect(outsideAccess(pattern, OWN)).toEqual(['*']);
  });

  it('does not count a * principal confined to an organization or network, or negated and IfExists conditions', () => {
    const org = {
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    };
    expect(outsideAccess(org, OWN)).toEqual([]);
    const negated = {
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Condition: { StringNotEquals: { 'kms:CallerAccount': OWN } },
      },
    };
    expect(outsideAccess(negated, OWN)).toEqual(['*']);
    const ifExists = {
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'kms:Decrypt',
        Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    };
    expect(outsideAccess(ifExists, OWN)).toEqual(['*']);
  });

  it('ignores Deny statements and service principals', () => {
    const doc = {
      Statement: [
        { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: 'kms:Encrypt*',
          Resource: '*',
        },
      ],
    };
    expect(outsideAccess(doc, OWN)).toEqual([]);
  });
});

describe('deniesAction and allowsAll', () => {
  it('finds a Deny covering restore by Action or by the complement of NotAction', () => {
    expect(
      deniesAction(
        { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'backup:*', Resource: '*' }] },
        'backup:StartRestoreJob',
      ),
    ).toBe(true);
    expect(
      deniesAction(
        { Statement: { Effect: 'Deny', Principal: '*', NotAction: 'backup:Describe*', Resource: '*' } },
        'backup:StartRestoreJob',
      ),
    ).toBe(true);
    expect(
      deniesAction(
        {
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
              Resource: '*',
            },
          ],
        },
        'backup:StartRestoreJob',
      ),
    ).toBe(false);
    expect(
      deniesAction(
        { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'backup:StartRestoreJob' }] },
        'backup:StartRestoreJob',
      ),
    ).toBe(false);
  });

  it('allowsAll only for allow-everything with no Deny left', () => {
    expect(
      allowsAll({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    ).toBe(true);
    expect(allowsAll({ Statement: { Effect: 'Allow', Action: ['*'], Resource: ['*'] } })).toBe(true);
    expect(
      allowsAll({
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'cloudtrail:StopLogging', Resource: '*' },
        ],
      }),
    ).toBe(false);
    expect(allowsAll({ Statement: [{ Effect: 'Allow', Action: ['ec2:*', 's3:*'], Resource: '*' }] })).toBe(
      false,
    );
    expect(allowsAll({ Statement: [] })).toBe(false);
  });
});

describe('granteeAccount', () => {
  it('reads the account of an IAM ARN or bare id, not of a service principal', () => {
    expect(granteeAccount(`arn:aws:iam::${OTHER}:role/x`)).toBe(OTHER);
    expect(granteeAccount(OTHER)).toBe(OTHER);
    expect(granteeAccount('rds.amazonaws.com')).toBeUndefined();
    expect(granteeAccount(42)).toBeUndefined();
  });
});

describe('derived fields', () => {
  it('vigil.policy.outsideAccess reads a KMS key policy given as JSON text', () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ],
    });
    const raw = record('kms.amazonaws.com', 'PutKeyPolicy', { keyId: 'k', policyName: 'default', policy });
    expect(field('vigil.policy.outsideAccess', raw)).toEqual([OTHER]);
    const own = record('kms.amazonaws.com', 'PutKeyPolicy', {
      keyId: 'k',
      policyName: 'default',
      policy: JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: 'kms:*', Resource: '*' },
        ],
      }),
    });
    expect(field('vigil.policy.outsideAccess', own)).toBeUndefined();
    expect(
      field(
        'vigil.policy.outsideAccess',
        record('kms.amazonaws.com', 'PutKeyPolicy', { policy: '{not json' }),
      ),
    ).toBeUndefined();
  });

  it('vigil.backup.restoreDenied is only computed for PutBackupVaultAccessPolicy', () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'backup:StartRestoreJob', Resource: '*' },
      ],
    });
    expect(
      field(
        'vigil.backup.restoreDenied',
        record('backup.amazonaws.com', 'PutBackupVaultAccessPolicy', { backupVaultName: 'v', policy }),
      ),
    ).toBe(true);
    const protective = JSON.stringify({
      Statement: [
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'backup:DeleteRecoveryPoint', Resource: '*' },
      ],
    });
    expect(
      field(
        'vigil.backup.restoreDenied',
        record('backup.amazonaws.com', 'PutBackupVaultAccessPolicy', {
          backupVaultName: 'v',
          policy: protective,
        }),
      ),
    ).toBe(false);
    expect(
      field(
        'vigil.backup.restoreDenied',
        record('s3.amazonaws.com', 'PutBucketPolicy', { bucketPolicy: policy }),
      ),
    ).toBeUndefined();
  });

  it('vigil.organizations.policyAllowsAll reads UpdatePolicy content', () => {
    const allowAll = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    expect(
      field(
        'vigil.organizations.policyAllowsAll',
        record('organizations.amazonaws.com', 'UpdatePolicy', { policyId: 'p-abcd1234', content: allowAll }),
      ),
    ).toBe(true);
    expect(
      field(
        'vigil.organizations.policyAllowsAll',
        record('organizations.amazonaws.com', 'UpdatePolicy', { policyId: 'p-abcd1234', name: 'renamed' }),
      ),
    ).toBeUndefined();
    expect(
      field(
        'vigil.organizations.policyAllowsAll',
        record('iam.amazonaws.com', 'CreatePolicy', { content: allowAll }),
      ),
    ).toBeUndefined();
  });

  it('vigil.kms.granteeOutsideAccount names only a grantee in another account', () => {
    const grant = (granteePrincipal: string) =>
      record('kms.amazonaws.com', 'CreateGrant', { keyId: 'k', granteePrincipal, operations: ['Decrypt'] });
    expect(field('vigil.kms.granteeOutsideAccount', grant(`arn:aws:iam::${OTHER}:root`))).toBe(OTHER);
    expect(field('vigil.kms.granteeOutsideAccount', grant(`arn:aws:iam::${OWN}:role/app`))).toBeUndefined();
    expect(field('vigil.kms.granteeOutsideAccount', grant('rds.amazonaws.com'))).toBeUndefined();
  });
});
