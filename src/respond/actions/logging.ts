import {
  CloudTrailClient,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
  type GetTrailStatusCommandOutput,
  type ListTagsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type CreateFlowLogsCommandOutput,
  type DescribeFlowLogsCommandOutput,
  type DescribeVpcsCommandOutput,
  type FlowLog,
} from '@aws-sdk/client-ec2';
import {
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListTagsForResourceCommand,
  UpdateDetectorCommand,
  type GetDetectorCommandOutput,
  type ListDetectorsCommandOutput,
  type ListTagsForResourceCommandOutput,
} from '@aws-sdk/client-guardduty';
import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, ActionTarget, AnyAction } from '../types.js';
import { detectorId, iamRoleArn, logGroupName, s3DestinationArn, trailName, vpcId } from '../params.js';

/**
 * Logging response actions: turn back on what an attacker turns off to go unseen (CloudTrail logging, the
 * GuardDuty detector, VPC flow logs). None records an undo: turning logging off again is the attack itself,
 * so no playbook or dashboard button should be able to do it.
 */

const where = (t: ActionTarget) => `account ${t.accountId} in ${t.region}`;

// ---------------------------------------------------------------------------------------------------
// CloudTrail

const trailParams = z.object({ trailName }).strict();
type TrailParams = z.infer<typeof trailParams>;

/**
 * The trail's ARN and the region to call: a trail ARN names its home region (StartLogging must be called
 * there), a bare name is a trail of the target region.
 */
function trailLocation(name: string, t: ActionTarget): { arn: string; region: string; label: string } {
  const m = /^arn:aws[\w-]*:cloudtrail:([a-z0-9-]+):\d{12}:trail\/(.+)$/.exec(name);
  if (!m)
    return {
      arn: `arn:aws:cloudtrail:${t.region}:${t.accountId}:trail/${name}`,
      region: t.region,
      label: name,
    };
  return { arn: name, region: m[1]!, label: m[2]! };
}

/** A trail ARN of another account is refused: the credentials are the target account's. */
function checkTrail(name: string, t: ActionTarget) {
  const m = /^arn:aws[\w-]*:cloudtrail:[a-z0-9-]+:(\d{12}):/.exec(name);
  if (m && m[1] !== t.accountId)
    throw new ActionError('invalid', `trail ${name} is not in account ${t.accountId}, where the action runs`);
  return trailLocation(name, t);
}

const cloudtrail = (ctx: ActionContext, region: string) =>
  ctx.clients.get(CloudTrailClient, { ...ctx.target, region });

async function trailTags(p: TrailParams, ctx: ActionContext): Promise<Record<string, string>> {
  const loc = checkTrail(p.trailName, ctx.target);
  const client = await cloudtrail(ctx, loc.region);
  const tags: Record<string, string> = {};
  let token: string | undefined;
  do {
    const out = await ctx.call<ListTagsCommandOutput>(
      client,
      new ListTagsCommand({ ResourceIdList: [loc.arn], ...(token ? { NextToken: token } : {}) }),
      'cloudtrail:ListTags',
    );
    for (const r of out.ResourceTagList ?? [])
      for (const t of r.TagsList ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    token = out.NextToken;
  } while (token);
  return tags;
}

export const startLogging: ActionDefinition<TrailParams> = {
  name: 'cloudtrail.start-logging',
  title: 'Restart CloudTrail logging',
  description:
    'Starts logging on a CloudTrail trail that was stopped (StartLogging) after checking it is not logging (GetTrailStatus). ' +
    'Not reversible by design: stopping logging is what an attacker does to hide, so no action stops it.',
  destructive: false,
  reversible: false,
  permissions: ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging', 'cloudtrail:ListTags'],
  params: trailParams,
  resource: (p, t) => ({ type: 'AwsCloudTrailTrail', id: trailLocation(p.trailName, t).arn }),
  tags: trailTags,
  describe: (p, t) => `Restart logging of CloudTrail trail ${p.trailName} in ${where(t)}.`,
  async run(p, ctx) {
    const loc = checkTrail(p.trailName, ctx.target);
    const client = await cloudtrail(ctx, loc.region);
    const status = await ctx.call<GetTrailStatusCommandOutput>(
      client,
      new GetTrailStatusCommand({ Name: p.trailName }),
      'cloudtrail:GetTrailStatus',
    );
    if (status.IsLogging)
      return { status: 'unchanged', summary: `CloudTrail trail ${loc.label} was already logging.` };
    await ctx.call(client, new StartLoggingCommand({ Name: p.trailName }), 'cloudtrail:StartLogging');
    return { status: 'changed', summary: `Restarted logging of CloudTrail trail ${loc.label}.` };
  },
};

// ---------------------------------------------------------------------------------------------------
// GuardDuty

const detectorParams = z.object({ detectorId: detectorId.optional() }).strict();
type DetectorParams = z.infer<typeof detectorParams>;

const guardduty = (ctx: ActionContext) => ctx.clients.get(GuardDutyClient, ctx.target);
const detectorArn = (t: ActionTarget, id: string) =>
  `arn:aws:guardduty:${t.region}:${t.accountId}:detector/${id}`;

/** The given detector, or the region's one (a region has at most one detector per account). */
async function resolveDetector(p: DetectorParams, ctx: ActionContext): Promise<string> {
  if (p.detectorId) return p.detectorId;
  const client = await guardduty(ctx);
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.call<ListDetectorsCommandOutput>(
      client,
      new ListDetectorsCommand(token ? { NextToken: token } : {}),
      'guardduty:ListDetectors',
    );
    ids.push(...(out.DetectorIds ?? []));
    token = out.NextToken;
  } while (token);
  const [id] = ids;
  if (!id)
    throw new ActionError(
      'not-found',
      `GuardDuty has no detector in ${where(ctx.target)} (it was deleted, not disabled: re-create it with CreateDetector)`,
    );
  return id;
}

export const enableDetector: ActionDefinition<DetectorParams> = {
  name: 'guardduty.enable-detector',
  title: 'Re-enable a GuardDuty detector',
  description:
    "Re-enables a suspended GuardDuty detector (UpdateDetector Enable=true) after checking its status (GetDetector); without a detector id, the region's detector (ListDetectors). " +
    'Not reversible by design: suspending GuardDuty is what an attacker does to go unseen, so no action does it.',
  destructive: false,
  reversible: false,
  permissions: [
    'guardduty:ListDetectors',
    'guardduty:GetDetector',
    'guardduty:UpdateDetector',
    'guardduty:ListTagsForResource',
  ],
  params: detectorParams,
  resource: (p, t) => ({
    type: 'AwsGuardDutyDetector',
    id: p.detectorId ? detectorArn(t, p.detectorId) : `arn:aws:guardduty:${t.region}:${t.accountId}:detector`,
  }),
  async tags(p, ctx) {
    const id = await resolveDetector(p, ctx);
    const out = await ctx.call<ListTagsForResourceCommandOutput>(
      await guardduty(ctx),
      new ListTagsForResourceCommand({ ResourceArn: detectorArn(ctx.target, id) }),
      'guardduty:ListTagsForResource',
    );
    return { ...out.Tags };
  },
  describe: (p, t) =>
    `Re-enable GuardDuty detector ${p.detectorId ?? '(the region’s detector)'} in ${where(t)}.`,
  async run(p, ctx) {
    const id = await resolveDetector(p, ctx);
    const client = await guardduty(ctx);
    const detector = await ctx.call<GetDetectorCommandOutput>(
      client,
      new GetDetectorCommand({ DetectorId: id }),
      'guardduty:GetDetector',
    );
    if (detector.Status === 'ENABLED')
      return {
        status: 'unchanged',
        summary: `GuardDuty detector ${id} was already enabled.`,
        data: { detectorId: id },
      };
    await ctx.call(
      client,
      new UpdateDetectorCommand({ DetectorId: id, Enable: true }),
      'guardduty:UpdateDetector',
    );
    return { status: 'changed', summary: `Re-enabled GuardDuty detector ${id}.`, data: { detectorId: id } };
  },
};

// ---------------------------------------------------------------------------------------------------
// VPC flow logs

const flowLogParams = z
  .object({
    resourceId: vpcId,
    trafficType: z.enum(['ALL', 'ACCEPT', 'REJECT']).default('ALL'),
    logDestination: s3DestinationArn.optional(),
    logGroupName: logGroupName.optional(),
    deliverLogsPermissionArn: iamRoleArn.optional(),
  })
  .strict()
  .superRefine((p, issue) => {
    const s3 = p.logDestination !== undefined;
    const logs = p.logGroupName !== undefined || p.deliverLogsPermissionArn !== undefined;
    if (s3 === logs)
      issue.addIssue({
        code: 'custom',
        message:
          'give either logDestination (an S3 bucket ARN) or logGroupName with deliverLogsPermissionArn (CloudWatch Logs)',
      });
    else if (logs && (p.logGroupName === undefined || p.deliverLogsPermissionArn === undefined))
      issue.addIssue({
        code: 'custom',
        message: 'CloudWatch Logs flow logs need both logGroupName and deliverLogsPermissionArn',
      });
  });
type FlowLogParams = z.infer<typeof flowLogParams>;

const ec2 = (ctx: ActionContext) => ctx.clients.get(EC2Client, ctx.target);
const destinationLabel = (p: FlowLogParams) =>
  p.logDestination ? `S3 ${p.logDestination}` : `CloudWatch Logs group ${p.logGroupName}`;

/** S3 destinations compare without a trailing slash (AWS may store `bucket/prefix/`). */
const sameS3 = (a: string | undefined, b: string) => a !== undefined && a.replace(/\/+$/, '') === b;

/** An active flow log of the VPC that covers `p`: same destination, and all traffic or the same kind. */
function covers(f: FlowLog, p: FlowLogParams): boolean {
  if (f.FlowLogStatus !== 'ACTIVE') return false;
  if (f.TrafficType !== 'ALL' && f.TrafficType !== p.trafficType) return false;
  if (p.logDestination) return f.LogDestinationType === 's3' && sameS3(f.LogDestination, p.logDestination);
  return (
    (f.LogDestinationType ?? 'cloud-watch-logs') === 'cloud-watch-logs' && f.LogGroupName === p.logGroupName
  );
}

async function vpcFlowLogs(vpc: string, ctx: ActionContext): Promise<FlowLog[]> {
  const client = await ec2(ctx);
  const logs: FlowLog[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.call<DescribeFlowLogsCommandOutput>(
      client,
      new DescribeFlowLogsCommand({
        Filter: [{ Name: 'resource-id', Values: [vpc] }],
        ...(token ? { NextToken: token } : {}),
      }),
      'ec2:DescribeFlowLogs',
    );
    logs.push(...(out.FlowLogs ?? []));
    token = out.NextToken;
  } while (token);
  return logs;
}

export const createFlowLogs: ActionDefinition<FlowLogParams> = {
  name: 'ec2.create-flow-logs',
  title: 'Re-create VPC flow logs',
  description:
    'Creates a flow log for a VPC (CreateFlowLogs, idempotent by the action id) to S3 or CloudWatch Logs unless an active one to the same destination exists (DescribeFlowLogs). ' +
    'No undo is needed: it only adds logging, and deleting flow logs is what an attacker does.',
  destructive: false,
  reversible: false,
  permissions: [
    'ec2:DescribeFlowLogs',
    'ec2:CreateFlowLogs',
    'ec2:DescribeVpcs',
    'logs:CreateLogDelivery',
    'logs:DeleteLogDelivery',
    'iam:PassRole',
  ],
  params: flowLogParams,
  resource: (p, t) => ({
    type: 'AwsEc2Vpc',
    id: `arn:aws:ec2:${t.region}:${t.accountId}:vpc/${p.resourceId}`,
  }),
  async tags(p, ctx) {
    const out = await ctx.call<DescribeVpcsCommandOutput>(
      await ec2(ctx),
      new DescribeVpcsCommand({ VpcIds: [p.resourceId] }),
      'ec2:DescribeVpcs',
    );
    const tags: Record<string, string> = {};
    for (const t of out.Vpcs?.[0]?.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    return tags;
  },
  describe: (p, t) =>
    `Create a flow log (${p.trafficType} traffic) for VPC ${p.resourceId} in ${where(t)} to ${destinationLabel(p)}.`,
  async run(p, ctx) {
    const existing = (await vpcFlowLogs(p.resourceId, ctx)).find((f) => covers(f, p));
    if (existing)
      return {
        status: 'unchanged',
        summary: `VPC ${p.resourceId} already had an active flow log to ${destinationLabel(p)}.`,
        ...(existing.FlowLogId ? { data: { flowLogId: existing.FlowLogId } } : {}),
      };
    const out = await ctx.call<CreateFlowLogsCommandOutput>(
      await ec2(ctx),
      new CreateFlowLogsCommand({
        ResourceIds: [p.resourceId],
        ResourceType: 'VPC',
        TrafficType: p.trafficType,
        ClientToken: ctx.actionId,
        ...(p.logDestination
          ? { LogDestinationType: 's3', LogDestination: p.logDestination }
          : {
              LogDestinationType: 'cloud-watch-logs',
              LogGroupName: p.logGroupName,
              DeliverLogsPermissionArn: p.deliverLogsPermissionArn,
            }),
      }),
      'ec2:CreateFlowLogs',
    );
    const failed = out.Unsuccessful?.[0];
    if (failed || !out.FlowLogIds?.length) {
      const code = failed?.Error?.Code ?? 'NoFlowLogCreated';
      throw new ActionError(
        code.includes('Denied') || code.includes('Unauthorized') ? 'access-denied' : 'aws',
        `ec2:CreateFlowLogs in ${where(ctx.target)} created no flow log for VPC ${p.resourceId} (${code}: ${failed?.Error?.Message ?? 'no flow log id returned'})`,
        code,
      );
    }
    return {
      status: 'changed',
      summary: `Created flow log ${out.FlowLogIds.join(', ')} for VPC ${p.resourceId} to ${destinationLabel(p)}.`,
      data: { flowLogIds: out.FlowLogIds },
    };
  },
};

export const loggingActions: AnyAction[] = [startLogging, enableDetector, createFlowLogs];
