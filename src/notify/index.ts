import { SNSClient } from '@aws-sdk/client-sns';
import type { Transporter } from 'nodemailer';
import { parseChannelConfig } from './config.js';
import { createEmailChannel } from './email.js';
import { createLogChannel } from './log.js';
import { createPagerDutyChannel } from './pagerduty.js';
import type { ResolveSecret } from './secrets.js';
import { createSlackChannel } from './slack.js';
import { createSnsChannel } from './sns.js';
import { createTeamsChannel } from './teams.js';
import type { Channel } from './types.js';
import { createWebhookChannel } from './webhook.js';

export type { Alert, Channel, DeliveryResult, Digest } from './types.js';
export { digestFacts, plainTextDigest, type DigestFacts } from './digest.js';
export { alertFacts, plainTextReport } from './message.js';
export {
  parseChannelConfig,
  channelConfigSchema,
  digestConfigSchema,
  type ChannelConfig,
  type DigestConfig,
  type SecretRef,
} from './config.js';
export { createSecretResolver, type ResolveSecret } from './secrets.js';
export { createEmailChannel, formatEmail, formatEmailDigest } from './email.js';
export { createSlackChannel, formatSlack, formatSlackDigest } from './slack.js';
export { createTeamsChannel, formatTeams, formatTeamsDigest } from './teams.js';
export { createPagerDutyChannel, formatPagerDuty } from './pagerduty.js';
export {
  createWebhookChannel,
  formatWebhook,
  formatWebhookDigest,
  verifyWebhookSignature,
  signWebhook,
} from './webhook.js';
export { createSnsChannel, formatSns, formatSnsDigest } from './sns.js';
export { createLogChannel, formatLogLine, formatLogDigest } from './log.js';

export interface ChannelDeps {
  fetch: typeof globalThis.fetch;
  resolveSecret: ResolveSecret;
  /** Default per-request timeout for HTTP and SMTP channels (a channel's `timeoutMs` wins). */
  timeoutMs?: number;
  /** Where the log channel writes; default stderr. */
  write?: (line: string) => void;
  /** Milliseconds since the epoch (webhook timestamps); default Date.now. */
  now?: () => number;
  /** Builds the SNS client for a topic's region; default `new SNSClient({ region })`. */
  createSnsClient?: (region: string) => SNSClient;
  createTransport?: (options: Record<string, unknown>) => Transporter;
}

/**
 * Builds a channel from its config `{ id, kind, ...options }`: validates it (every problem in one error),
 * resolves the secrets it references, and wires the dependencies.
 */
export async function createChannel(input: unknown, deps: ChannelDeps): Promise<Channel> {
  const parsed = parseChannelConfig(input);
  if (!parsed.ok) {
    const name =
      typeof (input as { id?: unknown })?.id === 'string' ? ` "${(input as { id: string }).id}"` : '';
    throw new Error(`invalid notification channel${name}:\n  ${parsed.problems.join('\n  ')}`);
  }
  const config = parsed.config;
  const http = {
    fetch: deps.fetch,
    timeoutMs: ('timeoutMs' in config && config.timeoutMs) || deps.timeoutMs,
  };
  switch (config.kind) {
    case 'email':
      return createEmailChannel(
        {
          id: config.id,
          host: config.host,
          port: config.port,
          secure: config.secure,
          from: config.from,
          to: config.to,
          ...(config.requireTLS !== undefined ? { requireTLS: config.requireTLS } : {}),
          ...(config.auth
            ? { auth: { user: config.auth.user, pass: await deps.resolveSecret(config.auth.pass) } }
            : {}),
        },
        {
          timeoutMs: http.timeoutMs,
          ...(deps.createTransport ? { createTransport: deps.createTransport } : {}),
        },
      );
    case 'slack':
      return createSlackChannel(
        { id: config.id, webhookUrl: await deps.resolveSecret(config.webhookUrl) },
        http,
      );
    case 'teams':
      return createTeamsChannel(
        { id: config.id, webhookUrl: await deps.resolveSecret(config.webhookUrl) },
        http,
      );
    case 'pagerduty':
      return createPagerDutyChannel(
        {
          id: config.id,
          routingKey: await deps.resolveSecret(config.routingKey),
          ...(config.url ? { url: config.url } : {}),
        },
        http,
      );
    case 'webhook':
      return createWebhookChannel(
        {
          id: config.id,
          url: config.url,
          secret: await deps.resolveSecret(config.secret),
          ...(config.headers ? { headers: config.headers } : {}),
        },
        { ...http, ...(deps.now ? { now: deps.now } : {}) },
      );
    case 'sns': {
      const region = config.topicArn.split(':')[3] ?? 'us-east-1';
      const client = deps.createSnsClient ? deps.createSnsClient(region) : new SNSClient({ region });
      return createSnsChannel({ id: config.id, topicArn: config.topicArn }, { client });
    }
    case 'log':
      return createLogChannel(
        { id: config.id },
        { write: deps.write ?? ((line) => process.stderr.write(line)) },
      );
  }
}
