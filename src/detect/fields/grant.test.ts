import { describe, it, expect } from 'vitest';
import { normalizeCloudTrail } from '../../sources/cloudtrail/normalize.js';
import { createFieldGetter } from './index.js';
import { grantedExternalAccounts } from './grant.js';

const OWN = '111122223333';

describe('grantedExternalAccounts', () => {
  it('reads SQS aWSAccountIds and SNS aWSAccountId lists, unique, without the own account', () => {
    expect(
      grantedExternalAccounts({ aWSAccountIds: ['444455556666', OWN, '444455556666'], actions: ['*'] }, OWN),
    ).toEqual(['444455556666']);
    expect(grantedExternalAccounts({ aWSAccountId: ['777788889999'], actionName: ['Publish'] }, OWN)).toEqual(
      ['777788889999'],
    );
  });

  it('reads a principal given as an account id or an IAM ARN, not a service or "*"', () => {
    expect(grantedExternalAccounts({ principal: 'arn:aws:iam::444455556666:root' }, OWN)).toEqual([
      '444455556666',
    ]);
    expect(grantedExternalAccounts({ principal: ' 444455556666 ' }, OWN)).toEqual(['444455556666']);
    expect(grantedExternalAccounts({ principal: '*' }, OWN)).toEqual([]);
    expect(grantedExternalAccounts({ principal: 'events.amazonaws.com' }, OWN)).toEqual([]);
    expect(grantedExternalAccounts({ principal: OWN }, OWN)).toEqual([]);
  });

  it('ignores malformed parameters', () => {
    expect(grantedExternalAccounts(null, OWN)).toEqual([]);
    expect(grantedExternalAccounts({ aWSAccountIds: [42, null, { id: '444455556666' }] }, OWN)).toEqual([]);
    expect(grantedExternalAccounts({ principal: '4444555566667' }, OWN)).toEqual([]);
  });
});

describe('vigil.grant.externalAccounts', () => {
  const get = createFieldGetter();
  const record = (eventName: string, requestParameters: unknown) => ({
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${OWN}:user/alice`,
      accountId: OWN,
      userName: 'alice',
    },
    eventTime: '2024-05-14T09:00:00Z',
    eventSource: 'sqs.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    requestParameters,
    eventID: '3d1f0a52-8c4e-4b7a-9f21-6e5d4c3b2a10',
    recipientAccountId: OWN,
  });

  it('is the external accounts of the event, absent when there are none', () => {
    const shared = normalizeCloudTrail(
      record('AddPermission', {
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/q',
        aWSAccountIds: ['444455556666'],
      }),
    );
    expect(get(shared, 'vigil.grant.externalAccounts')).toEqual(['444455556666']);
    const own = normalizeCloudTrail(record('AddPermission', { aWSAccountIds: [OWN] }));
    expect(get(own, 'vigil.grant.externalAccounts')).toBeUndefined();
  });
});
