import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { configSchema } from '../config/schema.js';
import { parseDuration } from '../detect/duration.js';
import { parseSeverity } from '../core/severity.js';
import type { SecretRef } from '../notify/config.js';
import type { ResolveSecret } from '../notify/secrets.js';
import { respondConfigSchema } from '../respond/config.js';

/**
 * The functions' configuration: one JSON document in an SSM parameter (CONFIG_PARAMETER, `/vigil/config`),
 * read once per cold start. Routes, channels and the `respond` section have the schemas of vigil.yaml;
 * secrets are referenced as `{ "ssm": "/vigil/slack-url" }` (a SecureString) or
 * `{ "secretsManager": "vigil/pagerduty" }` and read when a channel or webhook needs them, never written
 * into the document. (`{ "env": NAME }` still reads the function's environment; `{ "file" }` is refused.)
 */
export const awsConfigSchema = z
  .object({
    /** Findings below this severity are aggregated but not alerted (label or 1–10). */
    minSeverity: z.union([z.number().min(0).max(10), z.string()]).default('MEDIUM'),
    realertWindow: z
      .string()
      .regex(/^\d{1,9}(s|m|h|d)$/, 'a duration such as 30s, 10m, 24h or 7d')
      .default('24h'),
    channels: configSchema.shape.channels,
    routes: configSchema.shape.routes,
    /**
     * vigil.yaml's `respond` section, plus `dryRun`: true makes every run a dry run whatever its playbook
     * says (the deployment's dry-run switch; its function is then granted no response permissions).
     */
    respond: respondConfigSchema.extend({ dryRun: z.boolean().default(false) }).default({}),
    /** vigil.yaml's `detections.baselines` (detect): behavioural baselines, kept in the state table. */
    detections: z
      .object({ baselines: configSchema.shape.detections.removeDefault().shape.baselines })
      .strict()
      .default({}),
  })
  .strict();

export interface AwsConfig {
  minSeverity: number;
  realertWindowMs: number;
  channels: Record<string, unknown>[];
  routes: { name: string; pattern: string | Record<string, unknown>; targets: string[] }[];
  respond: z.infer<typeof respondConfigSchema> & { dryRun: boolean };
  baselines: { enabled: boolean; learningDays: number; minEvents: number; sensitivity: number };
}

/** Where the document and the secrets it references are read: SSM and Secrets Manager. */
export interface ParameterSource {
  /** A parameter's value, decrypted (SecureString). */
  parameter(name: string): Promise<string>;
  /** A secret's SecretString. */
  secret(id: string): Promise<string>;
}

export function awsParameterSource(ssm: SSMClient, secrets: SecretsManagerClient): ParameterSource {
  return {
    async parameter(name) {
      const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      const value = out.Parameter?.Value;
      if (value === undefined) throw new Error(`SSM parameter ${name} has no value`);
      return value;
    },
    async secret(id) {
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: id }));
      if (out.SecretString === undefined) throw new Error(`secret ${id} has no SecretString`);
      return out.SecretString;
    },
  };
}

type AwsSecretRef = { ssm: string } | { secretsManager: string };
const PLACEHOLDER = '__VIGIL_AWS_SECRET_';

function isAwsRef(v: unknown): v is AwsSecretRef {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const value = (v as Record<string, unknown>)[keys[0]!];
  return (keys[0] === 'ssm' || keys[0] === 'secretsManager') && typeof value === 'string' && value !== '';
}

/**
 * Replaces every `{ ssm }` / `{ secretsManager }` object with an `{ env }` reference to a placeholder
 * name, so the shared schemas (which know env and file references) validate the document unchanged; the
 * resolver maps the placeholders back.
 */
function extractAwsRefs(value: unknown, refs: AwsSecretRef[]): unknown {
  if (isAwsRef(value)) {
    refs.push(value);
    return { env: `${PLACEHOLDER}${refs.length - 1}` };
  }
  if (Array.isArray(value)) return value.map((v) => extractAwsRefs(v, refs));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extractAwsRefs(v, refs)]));
  return value;
}

export interface LoadedAwsConfig {
  config: AwsConfig;
  resolveSecret: ResolveSecret;
}

/** Validates the document (every problem in one error) and builds the secret resolver. */
export function parseAwsConfig(
  text: string,
  source: ParameterSource,
  env: Record<string, string | undefined> = process.env,
): LoadedAwsConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the Vigil configuration is not valid JSON: ${(err as Error).message}`);
  }
  const refs: AwsSecretRef[] = [];
  const parsed = awsConfigSchema.safeParse(extractAwsRefs(doc, refs));
  if (!parsed.success)
    throw new Error(
      `invalid Vigil configuration:\n  ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
        .join('\n  ')}`,
    );
  const c = parsed.data;
  let minSeverity: number;
  try {
    minSeverity = typeof c.minSeverity === 'number' ? c.minSeverity : parseSeverity(c.minSeverity);
  } catch (err) {
    throw new Error(`invalid Vigil configuration:\n  minSeverity: ${(err as Error).message}`);
  }
  if (env.MIN_SEVERITY) minSeverity = parseSeverity(env.MIN_SEVERITY);
  const cache = new Map<number, Promise<string>>();
  const resolveSecret: ResolveSecret = async (ref: SecretRef) => {
    if ('file' in ref)
      throw new Error(
        `secret file ${ref.file}: files are not available in Lambda; use { "ssm" } or { "secretsManager" }`,
      );
    if (!ref.env.startsWith(PLACEHOLDER)) {
      const value = env[ref.env];
      if (!value) throw new Error(`secret env ${ref.env} is missing or empty`);
      return value;
    }
    const n = Number(ref.env.slice(PLACEHOLDER.length));
    const aws = refs[n];
    if (!aws) throw new Error(`unknown secret reference ${ref.env}`);
    let pending = cache.get(n);
    if (!pending) {
      pending = 'ssm' in aws ? source.parameter(aws.ssm) : source.secret(aws.secretsManager);
      // A failed read is retried on the next use rather than remembered.
      pending.catch(() => cache.delete(n));
      cache.set(n, pending);
    }
    const value = await pending;
    if (!value)
      throw new Error(
        `secret ${'ssm' in aws ? `ssm ${aws.ssm}` : `secretsManager ${aws.secretsManager}`} is empty`,
      );
    return value;
  };
  return {
    config: {
      minSeverity,
      realertWindowMs: parseDuration(c.realertWindow)!,
      channels: c.channels as Record<string, unknown>[],
      routes: c.routes as AwsConfig['routes'],
      respond: c.respond,
      baselines: c.detections.baselines,
    },
    resolveSecret,
  };
}

/**
 * Reads CONFIG_PARAMETER once per cold start (the promise is kept, so concurrent first records share
 * one read; a failed read is not kept, so the next invocation tries again).
 */
export function configLoader(
  source: ParameterSource,
  env: Record<string, string | undefined> = process.env,
): () => Promise<LoadedAwsConfig> {
  let loading: Promise<LoadedAwsConfig> | undefined;
  return () => {
    if (!loading) {
      const name = env.CONFIG_PARAMETER || '/vigil/config';
      loading = source.parameter(name).then((text) => parseAwsConfig(text, source, env));
      loading.catch(() => (loading = undefined));
    }
    return loading;
  };
}
