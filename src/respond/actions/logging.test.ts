import {
  CloudTrailClient,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type FlowLog,
} from '@aws-sdk/client-ec2';
import {
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListTagsForResourceCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../types.js';
import type { ActionContext } from '../types.js';
import { awsError, testContext } from '../testing.js';
import { createFlowLogs, enableDetector, loggingActions, startLogging } from './logging.js';

const cloudtrail = mockClient(CloudTrailClient);
const guardduty = mockClient(GuardDutyClient);
const ec2 = mockClient(EC2Client);
afterEach(() => {
  cloudtrail.reset();
  guardduty.reset();
  ec2.reset();
});

async function failure(p: Promise<unknown>): Promise<ActionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

function expectDeclared(action: { permissions: readonly string[] }, ctx: ActionContext) {
  for (const c of ctx.calls) expect(action.permissions).toContain(c.api);
}

describe('cloudtrail.start-logging', () => {
  it('starts logging exactly once across a run repeated after a crash, with no undo', async () => {
    let logging = false;
    cloudtrail.on(GetTrailStatusCommand).callsFake(() => ({ IsLogging: logging }));
    cloudtrail.on(StartLoggingCommand).callsFake(() => {
      logging = true;
      return { $metadata: { requestId: 'req-start' } };
    });
    const ctx = testContext();
    const out = await startLogging.run(startLogging.params.parse({ trailName: 'org-trail' }), ctx);
    expect(out).toEqual({ status: 'changed', summary: 'Restarted logging of CloudTrail trail org-trail.' });
    expect(cloudtrail.commandCalls(GetTrailStatusCommand)[0]!.args[0].input).toEqual({ Name: 'org-trail' });
    expect(cloudtrail.commandCalls(StartLoggingCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'org-trail' },
    ]);
    expect(ctx.calls.at(-1)).toMatchObject({ api: 'cloudtrail:StartLogging', requestId: 'req-start' });
    expectDeclared(startLogging, ctx);

    const again = await startLogging.run({ trailName: 'org-trail' }, testContext());
    expect(again).toEqual({
      status: 'unchanged',
      summary: 'CloudTrail trail org-trail was already logging.',
    });
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(1);
    expect(startLogging.reversible).toBe(false);
    expect(startLogging.description).toMatch(/stopping logging is what an attacker does/);
  });

  it('calls the home region of a trail ARN and refuses a trail of another account', async () => {
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    cloudtrail.on(StartLoggingCommand).resolves({});
    const arn = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail';
    await startLogging.run({ trailName: arn }, testContext());
    const call = cloudtrail.commandCalls(StartLoggingCommand)[0]!;
    expect(call.args[0].input).toEqual({ Name: arn });
    expect(await call.thisValue.config.region()).toBe('eu-west-1');

    const foreign = 'arn:aws:cloudtrail:eu-west-1:999988887777:trail/org-trail';
    expect((await failure(startLogging.run({ trailName: foreign }, testContext()))).kind).toBe('invalid');
    expect(cloudtrail.commandCalls(StartLoggingCommand)).toHaveLength(1);
    expect(startLogging.params.safeParse({ trailName: 'a b' }).success).toBe(false);
  });

  it('retries throttling and reports AccessDenied naming the API', async () => {
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    cloudtrail
      .on(StartLoggingCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({});
    const ctx = testContext();
    expect((await startLogging.run({ trailName: 'org-trail' }, ctx)).status).toBe('changed');
    expect(ctx.calls.at(-1)).toMatchObject({ api: 'cloudtrail:StartLogging', attempts: 2 });

    cloudtrail.on(StartLoggingCommand).rejects(awsError('AccessDeniedException', 'no'));
    const err = await failure(startLogging.run({ trailName: 'org-trail' }, testContext()));
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/cloudtrail:StartLogging was denied in account 111122223333/);
  });

  it('reads the trail tags by ARN', async () => {
    cloudtrail.on(ListTagsCommand).resolves({
      ResourceTagList: [{ ResourceId: 'x', TagsList: [{ Key: 'vigil:protected', Value: 'true' }] }],
    });
    expect(await startLogging.tags!({ trailName: 'org-trail' }, testContext())).toEqual({
      'vigil:protected': 'true',
    });
    expect(cloudtrail.commandCalls(ListTagsCommand)[0]!.args[0].input).toEqual({
      ResourceIdList: ['arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail'],
    });
  });
});

const DETECTOR = '4ac9b3f2e1d07a6c5b8e9f0a1d2c3b4e';

describe('guardduty.enable-detector', () => {
  it("finds the region's detector over every page and enables it once", async () => {
    let status = 'DISABLED';
    guardduty
      .on(ListDetectorsCommand)
      .resolvesOnce({ DetectorIds: [], NextToken: 'p2' })
      .resolves({ DetectorIds: [DETECTOR] });
    guardduty.on(GetDetectorCommand).callsFake(() => ({ Status: status }));
    guardduty.on(UpdateDetectorCommand).callsFake(() => {
      status = 'ENABLED';
      return {};
    });
    const ctx = testContext();
    const out = await enableDetector.run(enableDetector.params.parse({}), ctx);
    expect(out).toEqual({
      status: 'changed',
      summary: `Re-enabled GuardDuty detector ${DETECTOR}.`,
      data: { detectorId: DETECTOR },
    });
    expect(guardduty.commandCalls(ListDetectorsCommand).map((c) => c.args[0].input)).toEqual([
      {},
      { NextToken: 'p2' },
    ]);
    expect(guardduty.commandCalls(GetDetectorCommand)[0]!.args[0].input).toEqual({ DetectorId: DETECTOR });
    expect(guardduty.commandCalls(UpdateDetectorCommand).map((c) => c.args[0].input)).toEqual([
      { DetectorId: DETECTOR, Enable: true },
    ]);
    expectDeclared(enableDetector, ctx);

    const again = await enableDetector.run({ detectorId: DETECTOR }, testContext());
    expect(again.status).toBe('unchanged');
    expect(guardduty.commandCalls(UpdateDetectorCommand)).toHaveLength(1);
    // With an id, no listing.
    expect(guardduty.commandCalls(ListDetectorsCommand)).toHaveLength(2);
  });

  it('says so when the region has no detector at all', async () => {
    guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const err = await failure(enableDetector.run({}, testContext()));
    expect(err.kind).toBe('not-found');
    expect(err.message).toMatch(/no detector in account 111122223333 in us-east-1/);
  });

  it('retries throttling and reports AccessDenied', async () => {
    guardduty.on(GetDetectorCommand).resolves({ Status: 'DISABLED' });
    guardduty
      .on(UpdateDetectorCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 'slow down', 429))
      .rejects(awsError('AccessDeniedException', 'not authorized'));
    const err = await failure(enableDetector.run({ detectorId: DETECTOR }, testContext()));
    expect(guardduty.commandCalls(UpdateDetectorCommand)).toHaveLength(2);
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/guardduty:UpdateDetector was denied/);
  });

  it('reads the detector tags and validates the id', async () => {
    guardduty.on(ListTagsForResourceCommand).resolves({ Tags: { team: 'sec' } });
    expect(await enableDetector.tags!({ detectorId: DETECTOR }, testContext())).toEqual({ team: 'sec' });
    expect(guardduty.commandCalls(ListTagsForResourceCommand)[0]!.args[0].input).toEqual({
      ResourceArn: `arn:aws:guardduty:us-east-1:111122223333:detector/${DETECTOR}`,
    });
    expect(enableDetector.params.safeParse({ detectorId: '../x' }).success).toBe(false);
  });
});

const VPC = 'vpc-0a1b2c3d4e5f60718';
const BUCKET_ARN = 'arn:aws:s3:::flow-logs-bucket/vpc';
const s3Params = { resourceId: VPC, logDestination: BUCKET_ARN };
const cwlParams = {
  resourceId: VPC,
  trafficType: 'REJECT',
  logGroupName: '/vpc/flow-logs',
  deliverLogsPermissionArn: 'arn:aws:iam::111122223333:role/flow-logs',
};

describe('ec2.create-flow-logs', () => {
  it('creates an S3 flow log once, idempotent by the action id, across a repeated run', async () => {
    const logs: FlowLog[] = [
      // An inactive one and one of other traffic to the same place do not count.
      {
        FlowLogId: 'fl-old',
        FlowLogStatus: 'INACTIVE',
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        LogDestination: BUCKET_ARN,
      },
      {
        FlowLogId: 'fl-acc',
        FlowLogStatus: 'ACTIVE',
        TrafficType: 'ACCEPT',
        LogDestinationType: 's3',
        LogDestination: BUCKET_ARN,
      },
    ];
    ec2
      .on(DescribeFlowLogsCommand)
      .callsFake((input: { NextToken?: string }) =>
        input.NextToken ? { FlowLogs: logs.slice(1) } : { FlowLogs: logs.slice(0, 1), NextToken: 'p2' },
      );
    ec2.on(CreateFlowLogsCommand).callsFake(() => {
      logs.push({
        FlowLogId: 'fl-new',
        FlowLogStatus: 'ACTIVE',
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        LogDestination: `${BUCKET_ARN}/`,
      });
      return { FlowLogIds: ['fl-new'], Unsuccessful: [] };
    });
    const ctx = testContext({ actionId: 'act-flow-1' });
    const out = await createFlowLogs.run(createFlowLogs.params.parse(s3Params), ctx);
    expect(out).toEqual({
      status: 'changed',
      summary: `Created flow log fl-new for VPC ${VPC} to S3 ${BUCKET_ARN}.`,
      data: { flowLogIds: ['fl-new'] },
    });
    expect(ec2.commandCalls(DescribeFlowLogsCommand).map((c) => c.args[0].input)).toEqual([
      { Filter: [{ Name: 'resource-id', Values: [VPC] }] },
      { Filter: [{ Name: 'resource-id', Values: [VPC] }], NextToken: 'p2' },
    ]);
    expect(ec2.commandCalls(CreateFlowLogsCommand).map((c) => c.args[0].input)).toEqual([
      {
        ResourceIds: [VPC],
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        ClientToken: 'act-flow-1',
        LogDestinationType: 's3',
        LogDestination: BUCKET_ARN,
      },
    ]);
    expectDeclared(createFlowLogs, ctx);
    expect(createFlowLogs.reversible).toBe(false);

    const again = await createFlowLogs.run(createFlowLogs.params.parse(s3Params), testContext());
    expect(again).toMatchObject({ status: 'unchanged', data: { flowLogId: 'fl-new' } });
    expect(ec2.commandCalls(CreateFlowLogsCommand)).toHaveLength(1);
  });

  it('creates a CloudWatch Logs flow log with its role, unless an ALL one exists', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    ec2.on(CreateFlowLogsCommand).resolves({ FlowLogIds: ['fl-1'] });
    await createFlowLogs.run(createFlowLogs.params.parse(cwlParams), testContext());
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0]!.args[0].input).toEqual({
      ResourceIds: [VPC],
      ResourceType: 'VPC',
      TrafficType: 'REJECT',
      ClientToken: 'act-test-0001',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: '/vpc/flow-logs',
      DeliverLogsPermissionArn: 'arn:aws:iam::111122223333:role/flow-logs',
    });
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        {
          FlowLogStatus: 'ACTIVE',
          TrafficType: 'ALL',
          LogDestinationType: 'cloud-watch-logs',
          LogGroupName: '/vpc/flow-logs',
        },
      ],
    });
    const out = await createFlowLogs.run(createFlowLogs.params.parse(cwlParams), testContext());
    expect(out.status).toBe('unchanged');
    expect(ec2.commandCalls(CreateFlowLogsCommand)).toHaveLength(1);
  });

  it('fails clearly when AWS reports the flow log as unsuccessful', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    ec2.on(CreateFlowLogsCommand).resolves({
      FlowLogIds: [],
      Unsuccessful: [
        {
          ResourceId: VPC,
          Error: { Code: 'AccessDenied', Message: 'Access Denied for LogDestination: flow-logs-bucket' },
        },
      ],
    });
    const err = await failure(createFlowLogs.run(createFlowLogs.params.parse(s3Params), testContext()));
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(
      /created no flow log for VPC vpc-0a1b2c3d4e5f60718 \(AccessDenied: Access Denied for LogDestination/,
    );
  });

  it('retries throttling and reports AccessDenied on CreateFlowLogs', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    ec2
      .on(CreateFlowLogsCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({ FlowLogIds: ['fl-1'] });
    const ctx = testContext();
    expect((await createFlowLogs.run(createFlowLogs.params.parse(s3Params), ctx)).status).toBe('changed');
    expect(ctx.calls.at(-1)).toMatchObject({ api: 'ec2:CreateFlowLogs', attempts: 2 });

    ec2.on(CreateFlowLogsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized'));
    const err = await failure(createFlowLogs.run(createFlowLogs.params.parse(s3Params), testContext()));
    expect(err.kind).toBe('access-denied');
    expect(err.message).toMatch(/ec2:CreateFlowLogs was denied/);
  });

  it('validates the destination strictly', () => {
    const ok = (p: object) => createFlowLogs.params.safeParse(p).success;
    expect(ok(s3Params)).toBe(true);
    expect(ok({ resourceId: VPC, logDestination: 'arn:aws:s3:::flow-logs-bucket' })).toBe(true);
    expect(ok(cwlParams)).toBe(true);
    expect(ok({ resourceId: VPC })).toBe(false);
    expect(ok({ ...cwlParams, logDestination: BUCKET_ARN })).toBe(false);
    expect(ok({ resourceId: VPC, logGroupName: '/vpc/flow-logs' })).toBe(false);
    for (const bad of [
      'arn:aws:s3:::Flow_Logs',
      'arn:aws:s3:::bucket/../other',
      'arn:aws:s3:::bucket//x',
      'arn:aws:s3:::bucket/AWSLogs',
      'arn:aws:s3:::bucket/x y',
      'arn:aws:logs:us-east-1:111122223333:log-group:x',
      's3://bucket',
    ])
      expect(ok({ resourceId: VPC, logDestination: bad })).toBe(false);
    expect(ok({ ...cwlParams, deliverLogsPermissionArn: 'arn:aws:iam::111122223333:user/alice' })).toBe(
      false,
    );
    expect(ok({ ...cwlParams, logGroupName: 'a"b' })).toBe(false);
    expect(ok({ ...s3Params, resourceId: 'subnet-0a1b2c3d' })).toBe(false);
    expect(ok({ ...s3Params, trafficType: 'SOME' })).toBe(false);
  });

  it('reads the VPC tags', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: VPC, Tags: [{ Key: 'env', Value: 'prod' }] }] });
    expect(await createFlowLogs.tags!(createFlowLogs.params.parse(s3Params), testContext())).toEqual({
      env: 'prod',
    });
    expect(ec2.commandCalls(DescribeVpcsCommand)[0]!.args[0].input).toEqual({ VpcIds: [VPC] });
  });
});

describe('loggingActions', () => {
  it('exports the three logging actions, none with an undo', () => {
    expect(loggingActions.map((a) => a.name)).toEqual([
      'cloudtrail.start-logging',
      'guardduty.enable-detector',
      'ec2.create-flow-logs',
    ]);
    for (const a of loggingActions) expect([a.reversible, a.destructive]).toEqual([false, false]);
  });
});
