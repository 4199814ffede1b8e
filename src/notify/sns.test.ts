import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSnsChannel, formatSns, SNS_LIMITS, snsSubject } from './sns.js';
import { hostileAlert, noAbort, testAlert } from './test-support.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:vigil-alerts';

function serviceError(
  name: string,
  status: number,
  fault: 'client' | 'server' = 'client',
): SNSServiceException {
  return new SNSServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

describe('formatSns', () => {
  it('publishes a subject, the plain-text analysis and filterable attributes', () => {
    const input = formatSns(testAlert(), TOPIC);
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe('Vigil: [HIGH 7.5] CloudTrail logging was stopped');
    expect(input.Message).toContain('Principal: arn:aws:iam::123456789012:user/alice');
    expect(input.Message).toContain('Recommended next steps');
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'HIGH' },
      severityScore: { DataType: 'Number', StringValue: '7.5' },
      type: { DataType: 'String', StringValue: 'Stealth:IAMUser/CloudTrailLoggingDisabled' },
      accountId: { DataType: 'String', StringValue: '123456789012' },
      region: { DataType: 'String', StringValue: 'us-east-1' },
      detector: { DataType: 'String', StringValue: 'cloudtrail-logging-stopped' },
      reason: { DataType: 'String', StringValue: 'new' },
    });
  });

  it('keeps the subject one ASCII line under 100 characters', () => {
    const s = snsSubject(`Vigil: ${'é\r\n<x>'.repeat(100)}`);
    expect(s.length).toBeLessThanOrEqual(SNS_LIMITS.subject);
    expect(s).toMatch(/^[\x20-\x7e]+$/);
    expect(s.endsWith('...')).toBe(true);
    expect(formatSns(hostileAlert(), TOPIC).Subject).not.toMatch(/[\r\n]/);
  });

  it('cuts the message to the SNS size limit on a character boundary', () => {
    const input = formatSns(testAlert({ description: '€'.repeat(200_000) }), TOPIC);
    const bytes = Buffer.byteLength(input.Message ?? '');
    expect(bytes).toBeLessThanOrEqual(SNS_LIMITS.messageBytes);
    expect(bytes).toBeGreaterThan(SNS_LIMITS.messageBytes - 8);
    expect(input.Message).not.toContain('\uFFFD');
  });

  it('adds a group and deduplication id for FIFO topics only', () => {
    const alert = testAlert();
    expect(formatSns(alert, `${TOPIC}.fifo`)).toMatchObject({
      MessageGroupId: 'f-3b1c9e0a7d',
      MessageDeduplicationId: alert.event.id,
    });
    expect(formatSns(alert, TOPIC)).not.toHaveProperty('MessageGroupId');
  });

  it('leaves out empty string attributes (SNS rejects them)', () => {
    const attrs = formatSns(testAlert({ region: '', detector: '' }), TOPIC).MessageAttributes ?? {};
    expect(Object.keys(attrs)).not.toContain('region');
    expect(Object.keys(attrs)).not.toContain('detector');
  });
});

describe('createSnsChannel', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());

  it('sends PublishCommand through the real SNSClient and returns the message id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const channel = createSnsChannel(
      { id: 'topic', topicArn: TOPIC },
      { client: new SNSClient({ region: 'us-east-1' }) },
    );
    expect(await channel.send(testAlert(), { signal: noAbort() })).toEqual({ ok: true, providerId: 'm-1' });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual(formatSns(testAlert(), TOPIC));
  });

  it('throttling and 5xx are retryable; bad parameters, auth and missing topics are not', async () => {
    const client = new SNSClient({ region: 'us-east-1', maxAttempts: 1 });
    const channel = createSnsChannel({ id: 'topic', topicArn: TOPIC }, { client });
    const cases: [SNSServiceException | Error, boolean][] = [
      [serviceError('ThrottledException', 429), true],
      [serviceError('InternalErrorException', 500, 'server'), true],
      [serviceError('InvalidParameterException', 400), false],
      [serviceError('AuthorizationErrorException', 403), false],
      [serviceError('NotFoundException', 404), false],
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    ];
    for (const [err, retryable] of cases) {
      sns.reset();
      sns.on(PublishCommand).rejects(err);
      const result = await channel.send(testAlert(), { signal: noAbort() });
      expect(result).toMatchObject({ ok: false, retryable });
    }
  });
});
