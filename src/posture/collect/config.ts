import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
  type DescribeConfigurationRecordersResponse,
  type DescribeConfigurationRecorderStatusResponse,
  type DescribeDeliveryChannelsResponse,
} from '@aws-sdk/client-config-service';
import type { RegionSnapshot } from '../types.js';
import { regionScope, type RegionContext } from './context.js';
import { plain } from './plain.js';

type ConfigSnapshot = NonNullable<RegionSnapshot['config']>;

/** AWS Config recorders of the region, whether each is recording, and the delivery channels. */
export async function collectConfig(ctx: RegionContext): Promise<RegionSnapshot['config']> {
  const client = await ctx.clients.get(ConfigServiceClient, ctx);
  const scope = regionScope(ctx, 'config');
  const [recorders, status, channels] = await Promise.all([
    ctx.caller.call<DescribeConfigurationRecordersResponse>(
      client,
      new DescribeConfigurationRecordersCommand({}),
      'config:DescribeConfigurationRecorders',
      scope,
    ),
    ctx.caller.call<DescribeConfigurationRecorderStatusResponse>(
      client,
      new DescribeConfigurationRecorderStatusCommand({}),
      'config:DescribeConfigurationRecorderStatus',
      scope,
    ),
    ctx.caller.call<DescribeDeliveryChannelsResponse>(
      client,
      new DescribeDeliveryChannelsCommand({}),
      'config:DescribeDeliveryChannels',
      scope,
    ),
  ]);
  // Recorders without their status (or the reverse) cannot say whether anything is recorded.
  if (!recorders || !status) return undefined;
  const out: ConfigSnapshot = {
    recorders: (recorders.ConfigurationRecorders ?? []).map((r) =>
      plain({
        name: r.name ?? '',
        roleARN: r.roleARN,
        recordingGroup: r.recordingGroup,
      }),
    ),
    status: (status.ConfigurationRecordersStatus ?? []).map((s) =>
      plain({ name: s.name ?? '', recording: s.recording ?? false, lastStatus: s.lastStatus }),
    ),
  };
  if (channels)
    out.deliveryChannels = (channels.DeliveryChannels ?? []).map((c) =>
      plain({ name: c.name ?? '', s3BucketName: c.s3BucketName }),
    );
  return out;
}
