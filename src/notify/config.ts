import { z } from 'zod';
import { parseDuration } from '../detect/duration.js';

/** A secret is never written in config: it is referenced by environment variable or file. */
export const secretRefSchema = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'letters, digits, dot, dash or underscore');
const timeoutMs = z.number().int().positive().max(120_000).optional();
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL');

/** Severity labels a digest may hold: HIGH and CRITICAL findings always go out at once. */
export const DIGEST_SEVERITIES = ['LOW', 'MEDIUM'] as const;
const DIGEST_MIN_MS = 60_000;
const DIGEST_MAX_MS = 86_400_000;

/**
 * `digest: { every: 15m, severities: [LOW] }`: alerts of these finding severities wait, and every `every`
 * (measured from the first one held) go out as one message. Off when absent.
 */
export const digestConfigSchema = z
  .object({
    every: z
      .string()
      .regex(/^\d{1,9}(s|m|h|d)$/, 'a duration such as 15m or 1h')
      .refine((text) => {
        const ms = parseDuration(text);
        return ms === undefined || (ms >= DIGEST_MIN_MS && ms <= DIGEST_MAX_MS);
      }, 'from 1m to 24h')
      .default('15m'),
    severities: z
      .array(
        z.enum(DIGEST_SEVERITIES, {
          errorMap: () => ({
            message: 'LOW or MEDIUM (HIGH and CRITICAL findings are always sent at once, never held)',
          }),
        }),
      )
      .min(1, 'at least one severity')
      .default(['LOW']),
  })
  .strict();
export type DigestConfig = z.infer<typeof digestConfigSchema>;

/** Why a PagerDuty channel refuses `digest`. */
export const PAGERDUTY_DIGEST_PROBLEM =
  'a pagerduty channel cannot have a digest: PagerDuty opens one incident per alert; route LOW findings to another channel to batch them';

const digest = digestConfigSchema.optional();

export const emailConfigSchema = z
  .object({
    id,
    kind: z.literal('email'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean().default(false),
    requireTLS: z.boolean().optional(),
    auth: z
      .object({ user: z.string().min(1), pass: secretRefSchema })
      .strict()
      .optional(),
    from: z.string().min(3),
    to: z.array(z.string().email()).min(1),
    timeoutMs,
    digest,
  })
  .strict();

export const slackConfigSchema = z
  .object({ id, kind: z.literal('slack'), webhookUrl: secretRefSchema, timeoutMs, digest })
  .strict();
export const teamsConfigSchema = z
  .object({ id, kind: z.literal('teams'), webhookUrl: secretRefSchema, timeoutMs, digest })
  .strict();

export const pagerDutyConfigSchema = z
  .object({
    id,
    kind: z.literal('pagerduty'),
    routingKey: secretRefSchema,
    url: httpUrl.optional(),
    timeoutMs,
    digest: z
      .unknown()
      .refine((v) => v === undefined, PAGERDUTY_DIGEST_PROBLEM)
      .optional(),
  })
  .strict();

export const webhookConfigSchema = z
  .object({
    id,
    kind: z.literal('webhook'),
    url: httpUrl,
    secret: secretRefSchema,
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().regex(/^[^\r\n]*$/)).optional(),
    timeoutMs,
    digest,
  })
  .strict();

export const snsConfigSchema = z
  .object({
    id,
    kind: z.literal('sns'),
    topicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, 'an SNS topic ARN'),
    digest,
  })
  .strict();

export const logConfigSchema = z.object({ id, kind: z.literal('log'), digest }).strict();

export const channelConfigSchema = z.discriminatedUnion('kind', [
  emailConfigSchema,
  slackConfigSchema,
  teamsConfigSchema,
  pagerDutyConfigSchema,
  webhookConfigSchema,
  snsConfigSchema,
  logConfigSchema,
]);
export type ChannelConfig = z.infer<typeof channelConfigSchema>;

/** Validates one channel's config; every problem is reported, as `path: message`. */
export function parseChannelConfig(
  input: unknown,
): { ok: true; config: ChannelConfig } | { ok: false; problems: string[] } {
  const parsed = channelConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(channel)'}: ${i.message}`,
    ),
  };
}
