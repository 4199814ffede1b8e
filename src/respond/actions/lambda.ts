import {
  AddPermissionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  GetPolicyCommand,
  LambdaClient,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  type GetFunctionConcurrencyCommandOutput,
  type GetPolicyCommandOutput,
  type ListTagsCommandOutput,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, ActionOutcome, ActionTarget, AnyAction } from '../types.js';
import { accountId, lambdaFunction } from '../params.js';
import { isPublicPrincipal, parsePolicy, restrictsBy, type PolicyStatement } from './resource-policy.js';

/**
 * Lambda response actions: freeze a backdoored function (reserved concurrency 0: every invocation is
 * throttled, the code and configuration stay for forensics) and remove public invoke permissions from its
 * resource policy.
 */

const lambda = (ctx: ActionContext) => ctx.clients.get(LambdaClient, ctx.target);

function functionArn(name: string, t: ActionTarget): string {
  return name.startsWith('arn:') ? name : `arn:aws:lambda:${t.region}:${t.accountId}:function:${name}`;
}

/** A function ARN of another account or region is refused: the client and credentials are the target's. */
function checkFunction(name: string, t: ActionTarget): void {
  const m = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):/.exec(name);
  if (m && (m[1] !== t.region || m[2] !== t.accountId))
    throw new ActionError(
      'invalid',
      `Lambda function ${name} is not in account ${t.accountId} in ${t.region}, where the action runs`,
    );
}

const functionResource = (p: { functionName: string }, t: ActionTarget) => ({
  type: 'AwsLambdaFunction',
  id: functionArn(p.functionName, t),
});

async function functionTags(
  p: { functionName: string },
  ctx: ActionContext,
): Promise<Record<string, string>> {
  checkFunction(p.functionName, ctx.target);
  const out = await ctx.call<ListTagsCommandOutput>(
    await lambda(ctx),
    new ListTagsCommand({ Resource: functionArn(p.functionName, ctx.target) }),
    'lambda:ListTags',
  );
  return { ...out.Tags };
}

// ---------------------------------------------------------------------------------------------------
// Reserved concurrency

async function reservedConcurrency(name: string, ctx: ActionContext): Promise<number | undefined> {
  checkFunction(name, ctx.target);
  const out = await ctx.call<GetFunctionConcurrencyCommandOutput>(
    await lambda(ctx),
    new GetFunctionConcurrencyCommand({ FunctionName: name }),
    'lambda:GetFunctionConcurrency',
  );
  return out.ReservedConcurrentExecutions;
}

/** How to return to `previous`: 0 is the frozen state, a number a restored limit, none a deleted one. */
function concurrencyUndo(name: string, previous: number | undefined): ActionOutcome['undo'] {
  if (previous === 0) return { action: 'lambda.freeze-function', params: { functionName: name } };
  return {
    action: 'lambda.restore-concurrency',
    params: {
      functionName: name,
      ...(previous !== undefined ? { reservedConcurrentExecutions: previous } : {}),
    },
  };
}

const functionParams = z.object({ functionName: lambdaFunction }).strict();
type FunctionParams = z.infer<typeof functionParams>;

export const freezeFunction: ActionDefinition<FunctionParams> = {
  name: 'lambda.freeze-function',
  title: 'Freeze a Lambda function',
  description:
    'Sets the reserved concurrency of a Lambda function to 0 (PutFunctionConcurrency): every invocation is throttled, while its code and configuration stay for forensics. ' +
    'Destructive because legitimate callers fail too; the undo restores the previous reserved concurrency, or removes the limit if there was none.',
  destructive: true,
  reversible: true,
  permissions: ['lambda:GetFunctionConcurrency', 'lambda:PutFunctionConcurrency', 'lambda:ListTags'],
  params: functionParams,
  resource: functionResource,
  tags: functionTags,
  describe: (p, t) =>
    `Freeze Lambda function ${p.functionName} in account ${t.accountId} in ${t.region} (reserved concurrency 0).`,
  async run(p, ctx) {
    const previous = await reservedConcurrency(p.functionName, ctx);
    if (previous === 0)
      return { status: 'unchanged', summary: `Lambda function ${p.functionName} was already frozen.` };
    await ctx.call(
      await lambda(ctx),
      new PutFunctionConcurrencyCommand({ FunctionName: p.functionName, ReservedConcurrentExecutions: 0 }),
      'lambda:PutFunctionConcurrency',
    );
    return {
      status: 'changed',
      summary: `Froze Lambda function ${p.functionName}: reserved concurrency 0 (was ${previous ?? 'unreserved'}).`,
      undo: concurrencyUndo(p.functionName, previous),
    };
  },
};

const restoreConcurrencyParams = z
  .object({
    functionName: lambdaFunction,
    reservedConcurrentExecutions: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
type RestoreConcurrencyParams = z.infer<typeof restoreConcurrencyParams>;

/** The undo of `lambda.freeze-function`. */
export const restoreConcurrency: ActionDefinition<RestoreConcurrencyParams> = {
  name: 'lambda.restore-concurrency',
  title: "Restore a Lambda function's concurrency",
  description:
    'Puts back the reserved concurrency a function had (PutFunctionConcurrency), or removes the limit if it had none (DeleteFunctionConcurrency): the undo of freeze-function.',
  destructive: false,
  reversible: true,
  permissions: [
    'lambda:GetFunctionConcurrency',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
    'lambda:ListTags',
  ],
  params: restoreConcurrencyParams,
  resource: functionResource,
  tags: functionTags,
  describe: (p, t) =>
    `Restore the concurrency of Lambda function ${p.functionName} in account ${t.accountId} in ${t.region} to ${p.reservedConcurrentExecutions ?? 'unreserved'}.`,
  async run(p, ctx) {
    const wanted = p.reservedConcurrentExecutions;
    const previous = await reservedConcurrency(p.functionName, ctx);
    if (previous === wanted)
      return {
        status: 'unchanged',
        summary: `Lambda function ${p.functionName} already had ${wanted === undefined ? 'no reserved concurrency' : `reserved concurrency ${wanted}`}.`,
      };
    const client = await lambda(ctx);
    if (wanted === undefined)
      await ctx.call(
        client,
        new DeleteFunctionConcurrencyCommand({ FunctionName: p.functionName }),
        'lambda:DeleteFunctionConcurrency',
      );
    else
      await ctx.call(
        client,
        new PutFunctionConcurrencyCommand({
          FunctionName: p.functionName,
          ReservedConcurrentExecutions: wanted,
        }),
        'lambda:PutFunctionConcurrency',
      );
    return {
      status: 'changed',
      summary: `Restored the concurrency of Lambda function ${p.functionName} to ${wanted ?? 'unreserved'}.`,
      undo: concurrencyUndo(p.functionName, previous),
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Resource policy

/** Conditions that confine a service or everyone-principal to one source, account or organization. */
const CONFINING_KEYS = ['aws:SourceAccount', 'aws:SourceArn', 'aws:PrincipalOrgID'];

/**
 * Whether a statement lets anyone invoke: principal "*" (or AWS "*") or an AWS service principal, with no
 * condition confining it to a source ARN, a source account or an organization (a bare service principal
 * lets any customer's resource of that service — another account's S3 bucket, SNS topic — invoke).
 */
export function isPublicLambdaStatement(s: PolicyStatement): boolean {
  if (s.Effect !== 'Allow') return false;
  const principal = s.Principal;
  const service = typeof principal === 'object' && principal !== null && 'Service' in principal;
  if (!isPublicPrincipal(principal) && !service) return false;
  return !restrictsBy(s.Condition, CONFINING_KEYS);
}

const permission = z
  .object({
    statementId: z.string().regex(/^[\w-]{1,100}$/, 'not a Lambda statement id'),
    action: z.string().regex(/^lambda:[A-Za-z]{1,64}$/, 'not a Lambda action'),
    principal: z
      .string()
      .regex(/^(\*|[a-z0-9.-]{1,100}\.amazonaws\.com(\.cn)?)$/, 'not "*" or an AWS service principal'),
    sourceArn: z
      .string()
      .max(1024)
      .regex(/^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-*]*:(\d{12}|\*)?:[\w+=,.@\-/:*]+$/, 'not an ARN')
      .optional(),
    sourceAccount: accountId.optional(),
    principalOrgId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, 'not an organization id')
      .optional(),
    functionUrlAuthType: z.enum(['NONE', 'AWS_IAM']).optional(),
    invokedViaFunctionUrl: z.literal(true).optional(),
  })
  .strict();
type Permission = z.infer<typeof permission>;

/** The keys AddPermission writes into a Condition block, and the parameter each comes from. */
const CONDITION_PARAMS: Record<string, { operators: string[]; param: keyof Permission; value?: string }> = {
  'aws:sourcearn': { operators: ['arnlike', 'arnequals'], param: 'sourceArn' },
  'aws:sourceaccount': { operators: ['stringequals'], param: 'sourceAccount' },
  'aws:principalorgid': { operators: ['stringequals'], param: 'principalOrgId' },
  'lambda:functionurlauthtype': { operators: ['stringequals'], param: 'functionUrlAuthType' },
  'lambda:invokedviafunctionurl': { operators: ['bool'], param: 'invokedViaFunctionUrl', value: 'true' },
};

/**
 * The AddPermission parameters that re-create a statement, or why none can: AddPermission writes one
 * action, one principal and a fixed set of conditions, so anything else would come back different.
 */
export function permissionOf(s: PolicyStatement): { permission: Permission } | { reason: string } {
  const raw: Record<string, unknown> = { statementId: s.Sid, action: s.Action };
  const p = s.Principal;
  if (isPublicPrincipal(p)) raw.principal = '*';
  else if (typeof p === 'object' && p !== null && Object.keys(p).length === 1 && 'Service' in p)
    raw.principal = (p as { Service: unknown }).Service;
  else return { reason: 'its principal is not "*" or a single service' };
  const condition = s.Condition ?? {};
  if (typeof condition !== 'object' || condition === null) return { reason: 'its condition is malformed' };
  for (const [operator, block] of Object.entries(condition)) {
    if (typeof block !== 'object' || block === null) return { reason: 'its condition is malformed' };
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const known = CONDITION_PARAMS[key.toLowerCase()];
      const single = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
      if (!known || !known.operators.includes(operator.toLowerCase()) || typeof single !== 'string')
        return { reason: `AddPermission cannot express its condition ${operator} ${key}` };
      if (known.value !== undefined && single !== known.value)
        return { reason: `AddPermission cannot express its condition ${key} ${single}` };
      raw[known.param] = known.value !== undefined ? true : single;
    }
  }
  const parsed = permission.safeParse(raw);
  return parsed.success
    ? { permission: parsed.data }
    : { reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

/** The function's policy statements, or undefined when it has no resource policy. */
async function policyStatements(name: string, ctx: ActionContext): Promise<PolicyStatement[] | undefined> {
  checkFunction(name, ctx.target);
  const out = await ctx.call<GetPolicyCommandOutput>(
    await lambda(ctx),
    new GetPolicyCommand({ FunctionName: name }),
    'lambda:GetPolicy',
    ['ResourceNotFoundException'],
  );
  if (out.errorCode || out.Policy === undefined) return undefined;
  const parsed = parsePolicy(out.Policy);
  if ('error' in parsed)
    throw new ActionError(
      'invalid',
      `the resource policy of Lambda function ${name} could not be read: ${parsed.error}`,
    );
  const st = parsed.policy.Statement;
  return Array.isArray(st) ? st : [st];
}

export const removePublicPermission: ActionDefinition<FunctionParams> = {
  name: 'lambda.remove-public-permission',
  title: 'Remove public permissions from a Lambda function',
  description:
    'Removes (RemovePermission, by statement id) every resource-policy statement that lets anyone invoke the function: principal "*", or an AWS service principal, without an AWS:SourceAccount, AWS:SourceArn or aws:PrincipalOrgID condition. ' +
    'The undo adds back (AddPermission) each removed statement AddPermission can express; a statement it cannot (several actions, other conditions) is kept in the audit data for a person to restore.',
  destructive: true,
  reversible: true,
  permissions: ['lambda:GetPolicy', 'lambda:RemovePermission', 'lambda:ListTags'],
  params: functionParams,
  resource: functionResource,
  tags: functionTags,
  describe: (p, t) =>
    `Remove the public invoke permissions of Lambda function ${p.functionName} in account ${t.accountId} in ${t.region}.`,
  async run(p, ctx) {
    const statements = (await policyStatements(p.functionName, ctx)) ?? [];
    const open = statements.filter(isPublicLambdaStatement);
    const unchanged = {
      status: 'unchanged',
      summary: `Lambda function ${p.functionName} had no public permission.`,
    } as const;
    if (open.length === 0) return unchanged;
    const client = await lambda(ctx);
    const restorable: Permission[] = [];
    const notRestorable: { statement: PolicyStatement; reason: string }[] = [];
    const removed: string[] = [];
    for (const s of open) {
      if (typeof s.Sid !== 'string' || !/^[\w-]{1,100}$/.test(s.Sid))
        throw new ActionError(
          'invalid',
          `a public statement of Lambda function ${p.functionName} has no usable statement id, so RemovePermission cannot remove it`,
        );
      const out = await ctx.call<object>(
        client,
        new RemovePermissionCommand({ FunctionName: p.functionName, StatementId: s.Sid }),
        'lambda:RemovePermission',
        ['ResourceNotFoundException'],
      );
      if (out.errorCode) continue;
      removed.push(s.Sid);
      const r = permissionOf(s);
      if ('permission' in r) restorable.push(r.permission);
      else notRestorable.push({ statement: s, reason: r.reason });
    }
    if (removed.length === 0) return unchanged;
    return {
      status: 'changed',
      summary:
        `Removed ${removed.length} public permission(s) (${removed.join(', ')}) from Lambda function ${p.functionName}.` +
        (notRestorable.length
          ? ` ${notRestorable.length} cannot be restored by undo: ${notRestorable.map((n) => n.reason).join('; ')}.`
          : ''),
      ...(restorable.length
        ? {
            undo: {
              action: 'lambda.restore-permission',
              params: { functionName: p.functionName, permissions: restorable },
            },
          }
        : {}),
      data: { removed, ...(notRestorable.length ? { notRestorable } : {}) },
    };
  },
};

const restorePermissionParams = z
  .object({ functionName: lambdaFunction, permissions: z.array(permission).min(1).max(50) })
  .strict();
type RestorePermissionParams = z.infer<typeof restorePermissionParams>;

/**
 * The undo of `lambda.remove-public-permission`. It grants invoke access to whoever its parameters name,
 * so it needs an approval like a destructive action.
 */
export const restorePermission: ActionDefinition<RestorePermissionParams> = {
  name: 'lambda.restore-permission',
  title: 'Restore Lambda function permissions',
  description:
    'Adds back resource-policy statements of a Lambda function (AddPermission), each unless its statement id exists: the undo of remove-public-permission. ' +
    'It grants invoke access, so it needs an approval like a destructive action.',
  destructive: true,
  reversible: true,
  permissions: ['lambda:GetPolicy', 'lambda:AddPermission', 'lambda:ListTags'],
  params: restorePermissionParams,
  resource: functionResource,
  tags: functionTags,
  describe: (p, t) =>
    `Add back ${p.permissions.length} permission(s) (${p.permissions.map((x) => x.statementId).join(', ')}) to Lambda function ${p.functionName} in account ${t.accountId} in ${t.region}.`,
  async run(p, ctx) {
    const existing = new Set((await policyStatements(p.functionName, ctx))?.map((s) => s.Sid) ?? []);
    const missing = p.permissions.filter((x) => !existing.has(x.statementId));
    if (missing.length === 0)
      return {
        status: 'unchanged',
        summary: `Lambda function ${p.functionName} already had those permissions.`,
      };
    const client = await lambda(ctx);
    for (const x of missing)
      await ctx.call(
        client,
        new AddPermissionCommand({
          FunctionName: p.functionName,
          StatementId: x.statementId,
          Action: x.action,
          Principal: x.principal,
          ...(x.sourceArn ? { SourceArn: x.sourceArn } : {}),
          ...(x.sourceAccount ? { SourceAccount: x.sourceAccount } : {}),
          ...(x.principalOrgId ? { PrincipalOrgID: x.principalOrgId } : {}),
          ...(x.functionUrlAuthType ? { FunctionUrlAuthType: x.functionUrlAuthType } : {}),
          ...(x.invokedViaFunctionUrl ? { InvokedViaFunctionUrl: true } : {}),
        }),
        'lambda:AddPermission',
      );
    return {
      status: 'changed',
      summary: `Added back ${missing.length} permission(s) (${missing.map((x) => x.statementId).join(', ')}) to Lambda function ${p.functionName}.`,
      undo: { action: 'lambda.remove-public-permission', params: { functionName: p.functionName } },
    };
  },
};

export const lambdaActions: AnyAction[] = [
  freezeFunction,
  restoreConcurrency,
  removePublicPermission,
  restorePermission,
];
