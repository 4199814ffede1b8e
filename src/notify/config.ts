import { z } from 'zod';

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
  })
  .strict();

export const slackConfigSchema = z
  .object({ id, kind: z.literal('slack'), webhookUrl: secretRefSchema, timeoutMs })
  .strict();
export const teamsConfigSchema = z
  .object({ id, kind: z.literal('teams'), webhookUrl: secretRefSchema, timeoutMs })
  .strict();

export const pagerDutyConfigSchema = z
  .object({
    id,
    kind: z.literal('pagerduty'),
    routingKey: secretRefSchema,
    url: httpUrl.optional(),
    timeoutMs,
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
  })
  .strict();

export const snsConfigSchema = z
  .object({
    id,
    kind: z.literal('sns'),
    topicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, 'an SNS topic ARN'),
  })
  .strict();

export const logConfigSchema = z.object({ id, kind: z.literal('log') }).strict();

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
