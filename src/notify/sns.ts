import { PublishCommand } from '@aws-sdk/client-sns';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import { digestFacts, plainTextDigest, type DigestFacts } from './digest.js';
import { alertFacts, plainTextReport, type AlertFacts } from './message.js';
import { describe } from './http.js';
import { oneLine, truncateText, truncateUtf8 } from './truncate.js';
import type { Alert, Channel, DeliveryResult, Digest } from './types.js';

/**
 * SNS limits: Subject is ASCII, one line, under 100 characters; a message with its attributes is at
 * most 256 KiB. The message keeps 8 KiB of head-room for the attributes.
 */
export const SNS_LIMITS = { subject: 99, messageBytes: 256 * 1024 - 8 * 1024, attributeValue: 256 } as const;

/** One printable ASCII line: other characters become `?`, so a subject never breaks Publish. */
export function snsSubject(text: string): string {
  const ascii = oneLine(text).replace(/[^\x20-\x7e]/g, '?');
  const cut =
    ascii.length <= SNS_LIMITS.subject ? ascii : `${ascii.slice(0, SNS_LIMITS.subject - 3).trimEnd()}...`;
  return cut || 'Vigil alert';
}

function stringAttribute(value: string): MessageAttributeValue | undefined {
  const v = truncateText(value, SNS_LIMITS.attributeValue);
  return v ? { DataType: 'String', StringValue: v } : undefined;
}

/**
 * Attributes for subscription filter policies: `severity` (label), `severityScore` (Number), `type`,
 * `accountId`, `region`, `detector`, `reason`. Empty values are left out (SNS rejects empty strings).
 */
export function snsAttributes(facts: AlertFacts): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {
    severityScore: { DataType: 'Number', StringValue: String(Math.round(facts.severity * 10) / 10) },
  };
  const strings: Record<string, string> = {
    severity: facts.severityLabel,
    type: facts.type,
    accountId: facts.accountId,
    region: facts.region,
    detector: facts.detector,
    reason: facts.reason,
  };
  for (const [name, value] of Object.entries(strings)) {
    const attr = stringAttribute(value);
    if (attr) out[name] = attr;
  }
  return out;
}

export function formatSns(
  alert: Alert,
  topicArn: string,
  facts: AlertFacts = alertFacts(alert),
): ConstructorParameters<typeof PublishCommand>[0] {
  return {
    TopicArn: topicArn,
    Subject: snsSubject(`Vigil: ${facts.headline}`),
    Message: truncateUtf8(plainTextReport(facts), SNS_LIMITS.messageBytes),
    MessageAttributes: snsAttributes(facts),
    // FIFO topics require a group and a deduplication id: one group per finding keeps its updates in order,
    // and the routed event id (stable per occurrence) makes a retried publish a no-op.
    ...(topicArn.endsWith('.fifo')
      ? {
          MessageGroupId: truncateText(alert.finding.id, 128),
          MessageDeduplicationId: alert.event.id.slice(0, 128),
        }
      : {}),
  };
}

/**
 * One SNS message for a digest: the plain-text digest cut by whole lines to the message limit, with
 * attributes a filter policy can use: `reason` = `digest`, `count`, and `severity` / `severityScore` of
 * the most severe finding in it.
 */
export function formatSnsDigest(
  digest: Digest,
  topicArn: string,
  facts: DigestFacts = digestFacts(digest),
): ConstructorParameters<typeof PublishCommand>[0] {
  const attributes: Record<string, MessageAttributeValue> = {
    reason: { DataType: 'String', StringValue: 'digest' },
    count: { DataType: 'Number', StringValue: String(facts.count) },
    severityScore: { DataType: 'Number', StringValue: String(Math.round(facts.topSeverity * 10) / 10) },
  };
  const severity = stringAttribute(facts.topSeverityLabel);
  if (severity) attributes.severity = severity;
  return {
    TopicArn: topicArn,
    Subject: snsSubject(facts.headline),
    Message: plainTextDigest(facts, SNS_LIMITS.messageBytes),
    MessageAttributes: attributes,
    // The digest id is stable across resends: a FIFO topic drops a retried publish.
    ...(topicArn.endsWith('.fifo')
      ? {
          MessageGroupId: 'vigil-digest',
          MessageDeduplicationId: `digest-${digest.channelId}-${digest.id}`.slice(0, 128),
        }
      : {}),
  };
}

const NOT_RETRYABLE = new Set([
  'InvalidParameterException',
  'InvalidParameterValueException',
  'AuthorizationErrorException',
  'NotFoundException',
  'InvalidSecurityException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'KMSAccessDeniedException',
  'EndpointDisabledException',
  'AccessDeniedException',
  'ValidationException',
]);

/** Throttling, 5xx and network errors are retryable; validation, authorization and missing topics are not. */
export function classifySnsError(err: unknown): DeliveryResult {
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const error = describe(err);
  if (e.$retryable) return { ok: false, retryable: true, error };
  if (e.name && NOT_RETRYABLE.has(e.name)) return { ok: false, retryable: false, error };
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return { ok: false, retryable: status === 429 || status >= 500, error };
  return { ok: false, retryable: true, error };
}

export interface SnsChannelOptions {
  id: string;
  topicArn: string;
}

export function createSnsChannel(options: SnsChannelOptions, deps: { client: SNSClient }): Channel {
  async function publish(
    input: ConstructorParameters<typeof PublishCommand>[0],
    signal: AbortSignal,
  ): Promise<DeliveryResult> {
    try {
      const out = await deps.client.send(new PublishCommand(input), { abortSignal: signal });
      return out.MessageId ? { ok: true, providerId: out.MessageId } : { ok: true };
    } catch (err) {
      return classifySnsError(err);
    }
  }
  return {
    id: options.id,
    kind: 'sns',
    send: (alert, { signal }) => publish(formatSns(alert, options.topicArn), signal),
    sendDigest: (digest, { signal }) => publish(formatSnsDigest(digest, options.topicArn), signal),
  };
}
