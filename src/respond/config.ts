import { z } from 'zod';
import { secretRefSchema } from '../notify/config.js';

/**
 * The `respond` section of vigil.yaml: playbooks, the accounts Vigil may act in, and the safety rails.
 * Validated with the rest of the config; playbooks are then compiled (src/respond/playbook.ts), which
 * checks action names, parameters and templates, so every problem is reported at start-up.
 */
const duration = z.string().regex(/^\d{1,9}(s|m|h|d)$/, 'a duration such as 30s, 10m, 24h or 7d');
const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const pattern = z.union([z.record(z.unknown()), z.string()]);

export const stepSchema = z
  .object({
    /** Names the step in plans, approvals and the audit log (default: its position). */
    id: id.optional(),
    /** An action name: `iam.deactivate-access-key`, `notify`, … (`vigil respond list`). */
    action: z.string().min(1),
    /** The action's parameters; strings may hold templates such as `{{ finding.actor.accessKeyId }}`. */
    params: z.record(z.unknown()).default({}),
    /** Run the step only when the finding's routed event matches this EventBridge pattern. */
    when: pattern.optional(),
    /** `required`: a responder approves first; `auto`: runs at once. Default: required for destructive actions. */
    approval: z.enum(['required', 'auto']).optional(),
    /** Where it acts; default: the finding's account and region. Templates allowed. */
    target: z.object({ accountId: z.string().optional(), region: z.string().optional() }).strict().optional(),
    /** How long the action may take. */
    timeout: duration.default('60s'),
    /** What a failure does to the rest of the playbook. */
    onError: z.enum(['stop', 'continue']).default('stop'),
  })
  .strict();

export const playbookSchema = z
  .object({
    id,
    description: z.string().default(''),
    /** Plans only, changes nothing: on unless the playbook says `dryRun: false`. */
    dryRun: z.boolean().default(true),
    /** Findings it runs for: a route's name (its pattern) or an EventBridge pattern of its own. */
    trigger: z.union([z.object({ route: id }).strict(), z.object({ pattern }).strict()]),
    /** At most `max` live runs per `per`: a storm of findings cannot quarantine a whole account. */
    rateLimit: z
      .object({ max: z.number().int().min(1).max(10_000), per: duration })
      .strict()
      .default({ max: 5, per: '1h' }),
    steps: z.array(stepSchema).min(1).max(50),
  })
  .strict();

export const respondConfigSchema = z
  .object({
    /** false stops every live action (the configured kill switch; the dashboard has a runtime one). */
    enabled: z.boolean().default(true),
    /** The account Vigil's own credentials belong to; others need an entry in `accounts`. */
    homeAccountId: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    /** Other accounts: the role to assume there, with its external ID. */
    accounts: z
      .record(
        z.string().regex(/^\d{12}$/, 'an account id (12 digits)'),
        z
          .object({
            roleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN'),
            externalId: z.string().min(2).max(1224).optional(),
            sessionName: z
              .string()
              .regex(/^[\w+=,.@-]{2,64}$/)
              .optional(),
          })
          .strict(),
      )
      .default({}),
    safety: z
      .object({
        /** Principals never acted upon (break-glass users, admin roles): ARNs with * wildcards. */
        denyPrincipals: z.array(z.string().min(1)).default([]),
        /** Any other resource never acted upon: ARNs or ids with * wildcards. */
        denyResources: z.array(z.string().min(1)).default([]),
        /** If set, only resources matching one of these may be acted upon. */
        allowResources: z.array(z.string().min(1)).optional(),
        /** Accounts actions may run in (default: the home account and `accounts`). */
        allowAccounts: z.array(z.string().regex(/^\d{12}$/)).optional(),
        /** Resources carrying this tag are never acted upon. */
        protectedTag: z
          .object({ key: z.string().min(1).max(128), value: z.string().max(256).optional() })
          .strict()
          .default({ key: 'vigil:protected' }),
        /** How long a proposed action waits for approval before it expires. */
        approvalTimeout: duration.default('1h'),
      })
      .strict()
      .default({}),
    /** Webhooks the `webhook` action may call, by name: the URL comes from here, never from a finding. */
    webhooks: z
      .array(
        z
          .object({
            name: id,
            url: z.string().url(),
            headers: z.record(z.union([z.string(), secretRefSchema])).default({}),
            timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
          })
          .strict(),
      )
      .default([]),
    /** Playbooks written here… */
    playbooks: z.array(playbookSchema).default([]),
    /** …and in these YAML files or folders of them (one playbook, or a list, per file). */
    playbookFiles: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type RespondConfig = z.infer<typeof respondConfigSchema>;
export type PlaybookConfig = z.infer<typeof playbookSchema>;
export type StepConfig = z.infer<typeof stepSchema>;
