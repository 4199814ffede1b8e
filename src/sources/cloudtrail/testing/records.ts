/** Realistic CloudTrail records and EventBridge envelopes for tests. */
export function cloudTrailRecord(i: number): Record<string, unknown> {
  const second = String(i % 60).padStart(2, '0');
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAIDPPEZS35WEXAMPLE:ci-deploy',
      arn: 'arn:aws:sts::123456789012:assumed-role/deploy/ci-deploy',
      accountId: '123456789012',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAIDPPEZS35WEXAMPLE',
          arn: 'arn:aws:iam::123456789012:role/deploy',
          accountId: '123456789012',
          userName: 'deploy',
        },
        webIdFederationData: {},
        attributes: { creationDate: '2024-05-14T09:00:00Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: `2024-05-14T09:21:${second}Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'PutObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: '[aws-sdk-js/3.556.0 ua/2.0 os/linux#6.1 lang/js md/nodejs#20.12.2]',
    requestParameters: {
      bucketName: 'app-artifacts',
      key: `builds/${i}/app.zip`,
      Host: 'app-artifacts.s3.amazonaws.com',
    },
    responseElements: null,
    additionalEventData: { SignatureVersion: 'SigV4', bytesTransferredIn: 1048576 + i },
    requestID: `REQ${String(i).padStart(12, '0')}`,
    eventID: `0b9c6a3e-1f2d-4e5a-9b8c-${String(i).padStart(12, '0')}`,
    readOnly: false,
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::app-artifacts/builds/${i}/app.zip` },
      { accountId: '123456789012', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::app-artifacts' },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: '123456789012',
    eventCategory: 'Data',
  };
}

export function eventBridgeEvent(
  detailType: string,
  detail: Record<string, unknown>,
): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source: detailType.includes('CloudTrail') ? 'aws.s3' : 'aws.guardduty',
    account: '123456789012',
    time: '2024-05-14T09:21:07Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}
