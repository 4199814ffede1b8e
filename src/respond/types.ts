import type { z } from 'zod';
import type { Finding } from '../core/finding.js';

/**
 * The contract every response action implements (src/respond/actions/*). An action is a small, idempotent
 * change in one AWS account and region, made with the AWS SDK v3 through `ctx.call`, which retries
 * throttling, turns AWS errors into clear messages and records request IDs for the audit log.
 */

/** Where an action acts: the account (its own or one reached with AssumeRole) and region. */
export interface ActionTarget {
  accountId: string;
  region: string;
}

/** An AWS SDK v3 client: anything with `send(command)`. */
export interface SdkClient {
  send(command: never): Promise<unknown>;
}

/** Builds SDK clients for a target: local credentials for the home account, AssumeRole for others. */
export interface ClientFactory {
  get<C extends SdkClient>(
    Client: new (config: {
      region: string;
      maxAttempts?: number;
      credentials?: {
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken?: string;
        expiration?: Date;
      };
    }) => C,
    target: ActionTarget,
  ): Promise<C>;
}

/** One AWS API call made by an action, for the audit log. */
export interface AwsCallRecord {
  /** `service:Operation`, as in IAM policies, e.g. `iam:UpdateAccessKey`. */
  api: string;
  requestId?: string;
  /** Attempts made (> 1 when throttled). */
  attempts: number;
  /** The AWS error code when the call failed (and the action treated it as an outcome). */
  errorCode?: string;
}

/** What running an action came to. Failures throw `ActionError` instead. */
export interface ActionOutcome {
  /** `changed`: the action changed AWS; `unchanged`: it was already in the wanted state. */
  status: 'changed' | 'unchanged';
  /** One sentence naming the resource, e.g. `Deactivated access key AKIA… of IAM user alice.` */
  summary: string;
  /**
   * How to reverse this change: another action and its parameters. Absent when AWS cannot undo it (a
   * deleted login profile's password is gone) or nothing was changed.
   */
  undo?: { action: string; params: Record<string, unknown> };
  /** Identifiers produced (snapshot ids, the isolation group id, …), shown and audited. */
  data?: Record<string, unknown>;
}

export interface ActionContext {
  target: ActionTarget;
  clients: ClientFactory;
  /**
   * Sends `command` with `client`, retrying throttling with backoff, recording the request ID, and
   * throwing `ActionError` with a clear message for every other AWS error. `api` is `service:Operation`.
   * `accept` lists AWS error codes that mean "already in the wanted state": those resolve to
   * `{ errorCode }` instead of throwing.
   */
  call<O>(
    client: SdkClient,
    command: unknown,
    api: string,
    accept?: readonly string[],
  ): Promise<O & { errorCode?: string }>;
  /** Every call made so far by this action. */
  readonly calls: AwsCallRecord[];
  /** Id of this action run: use it for idempotency tokens and names of things the action creates. */
  actionId: string;
  /** The finding the playbook runs for, when there is one (undo has none). */
  finding?: Finding;
  now(): Date;
  /** Non-AWS effects (notify a channel, call a webhook); absent in contexts that cannot do them. */
  effects?: ActionEffects;
}

export interface ActionEffects {
  /** Sends a message through a configured notification channel (src/notify). */
  notify(
    channel: string,
    message: { subject: string; text: string },
    about: { actionId: string; finding?: Finding },
  ): Promise<{ id?: string }>;
  /** POSTs JSON to a configured webhook by name (its URL comes from config, never from a finding). */
  webhook(name: string, body: unknown): Promise<{ status: number }>;
}

/** What an action acts upon: checked against allow/deny lists and protection tags before it runs. */
export interface ActionResource {
  /** e.g. `AwsIamUser`, `AwsEc2Instance`, `AwsS3Bucket` (Security Hub resource types). */
  type: string;
  /** ARN or id as AWS names it. */
  id: string;
}

export interface ActionDefinition<P = Record<string, unknown>> {
  /** `area.verb-noun`, e.g. `iam.deactivate-access-key`; the name playbooks use. */
  name: string;
  title: string;
  /** What it does in AWS, for the README and the dashboard. */
  description: string;
  /**
   * Cuts off access or destroys something (stop an instance, quarantine a user): needs an approval
   * unless the playbook step says otherwise explicitly.
   */
  destructive: boolean;
  /** Whether `run` records an undo. */
  reversible: boolean;
  /** The IAM permissions it needs, for the README and `vigil respond list`. */
  permissions: readonly string[];
  /** Parameters, validated before anything runs; values from findings are attacker-controlled. */
  params: z.ZodType<P, z.ZodTypeDef, unknown>;
  /** The resource it acts on (for allow/deny lists and protection tags), when there is one. */
  resource?(params: P, target: ActionTarget): ActionResource | undefined;
  /** The resource's tags, read with `ctx` (for the `protectedTag` check); absent = cannot tell. */
  tags?(params: P, ctx: ActionContext): Promise<Record<string, string>>;
  /** The plan shown in dry-run: one sentence of what it would do. */
  describe(params: P, target: ActionTarget): string;
  run(params: P, ctx: ActionContext): Promise<ActionOutcome>;
}

/** Any action, whatever its parameters (the registry's element type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDefinition<any>;

/** Why an action failed: a stable kind for statistics and a message a responder can act on. */
export class ActionError extends Error {
  constructor(
    readonly kind: 'access-denied' | 'not-found' | 'invalid' | 'throttled' | 'aws' | 'timeout' | 'refused',
    message: string,
    readonly awsCode?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}
