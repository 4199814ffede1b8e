import { z } from 'zod';
import { digestConfigSchema, PAGERDUTY_DIGEST_PROBLEM } from '../notify/config.js';
import { INTEL_FORMATS } from '../intel/lists/load.js';
import { respondConfigSchema } from '../respond/config.js';
import { parseFlowLogFormat } from '../sources/vpcflow/fields.js';

/** A threat or trusted list: a path, or `{ path, format?, name?, kind? }` (src/intel/lists). */
const intelList = z.union([
  z.string().min(1),
  z
    .object({
      path: z.string().min(1),
      format: z.enum(INTEL_FORMATS).optional(),
      name: z.string().min(1).optional(),
      kind: z.enum(['threat', 'trusted']).optional(),
    })
    .strict(),
]);

/** A secret is referenced, never written into the config: an environment variable or a file. */
export const secretRef = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretRef>;

// A regex rather than a refinement, so it is reported together with every other problem.
const duration = z.string().regex(/^\d{1,9}(s|m|h|d)$/, 'a duration such as 30s, 10m, 24h or 7d');

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

const source = z.discriminatedUnion('kind', [
  z
    .object({
      id,
      kind: z.literal('folder'),
      path: z.string().min(1),
      pollSeconds: z.number().positive().default(2),
    })
    .strict(),
  z
    .object({
      id,
      kind: z.literal('s3'),
      bucket: z.string().min(3),
      prefix: z.string().default(''),
      region: z.string().default('us-east-1'),
      endpoint: z.string().url().optional(),
      pollSeconds: z.number().positive().default(30),
      sqsQueueUrl: z.string().url().optional(),
      sqsRegion: z.string().optional(),
      sqsEndpoint: z.string().url().optional(),
      forcePathStyle: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      id,
      kind: z.literal('demo'),
      speed: z.number().positive().default(60),
      loop: z.boolean().default(true),
    })
    .strict(),
]);

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        publicUrl: z.string().url().optional(),
        ingestToken: secretRef.optional(),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(10 * 1024 * 1024),
        auth: z
          .object({
            secureCookies: z.union([z.boolean(), z.literal('auto')]).default('auto'),
            sessionIdleMinutes: z.number().int().min(1).max(10_080).default(60),
            sessionMaxHours: z.number().int().min(1).max(720).default(12),
            loginFailuresPerUser: z.number().int().min(1).max(1000).default(5),
            loginFailuresPerIp: z.number().int().min(1).max(10_000).default(20),
            loginWindowMinutes: z.number().int().min(1).max(1440).default(15),
          })
          .strict()
          .default({}),
        dashboard: z.boolean().default(true),
        /** HTTP ingest of log lines (src/server: /ingest/firehose, /ingest/logs). */
        ingest: z
          .object({
            /** Format of header-less VPC flow log lines (CloudWatch Logs delivery): `${version} ${account-id} …`. */
            flowLogFormat: z
              .string()
              .superRefine((v, ctx) => {
                const parsed = parseFlowLogFormat(v);
                if ('error' in parsed) ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error });
              })
              .optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    store: z
      .object({
        sqlite: z.string().min(1).default('./data/vigil.db'),
        events: z
          .object({
            enabled: z.boolean().default(true),
            retentionDays: z.number().int().min(1).max(3650).default(30),
            maxEvents: z.number().int().min(1000).default(5_000_000),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    detections: z
      .object({
        rules: z.array(z.string().min(1)).default([]),
        builtin: z.boolean().default(true),
        experimental: z.boolean().default(false),
        threatIntel: z.array(intelList).default([]),
        awsIpRanges: z.string().min(1).optional(),
        torExits: z.string().min(1).optional(),
        /** Attack sequences (src/findings/sequence.ts): findings of one actor chained across tactics. */
        sequences: z
          .object({
            enabled: z.boolean().default(true),
            window: duration.default('24h'),
            minTactics: z.number().int().min(2).max(10).default(3),
          })
          .strict()
          .default({}),
        /** Behavioural baselines (src/baseline): on in serve, which has the history they need. */
        baselines: z
          .object({
            enabled: z.boolean().default(true),
            learningDays: z.number().min(0).max(365).default(7),
            minEvents: z.number().int().min(1).default(50),
            sensitivity: z.number().min(0).max(1).default(0.5),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    /** Posture (src/posture): snapshots from `vigil posture collect`, checked when they change. */
    posture: z
      .object({
        snapshots: z.array(z.string().min(1)).default([]),
        /** Evidence notes for manual controls (`vigil posture evidence`, the dashboard). */
        evidence: z.string().min(1).optional(),
        pollSeconds: z.number().positive().default(60),
      })
      .strict()
      .default({}),
    /** Location and AS of addresses (src/enrich): the bundled databases unless the user names files. */
    geo: z
      .object({
        enabled: z.boolean().default(true),
        countryDb: z.string().min(1).optional(),
        asnDb: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    sources: z.array(source).default([]),
    /**
     * Channel options are validated by the channel's own schema (src/notify) once the kind is known; the
     * digest here already, so that a bad one is reported with every other problem of the file.
     */
    channels: z
      .array(
        z
          .object({ id, kind: z.string().min(1), digest: digestConfigSchema.optional() })
          .passthrough()
          .superRefine((c, ctx) => {
            if (c.kind === 'pagerduty' && c.digest !== undefined)
              ctx.addIssue({ code: 'custom', path: ['digest'], message: PAGERDUTY_DIGEST_PROBLEM });
          }),
      )
      .default([]),
    routes: z
      .array(
        z
          .object({
            name: id,
            pattern: z.union([z.record(z.unknown()), z.string()]),
            targets: z.array(id).min(1),
          })
          .strict(),
      )
      .default([]),
    /** Automated response: playbooks, accounts, safety rails (src/respond/config.ts). */
    respond: respondConfigSchema.default({}),
    alerting: z
      .object({
        realertWindow: duration.default('24h'),
        digest: z
          .unknown()
          .refine((v) => v === undefined, 'digests are set per channel now: channels[].digest')
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type VigilConfig = z.infer<typeof configSchema>;
