import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type DescribeTrailsResponse,
  type GetEventSelectorsResponse,
  type GetTrailStatusResponse,
} from '@aws-sdk/client-cloudtrail';
import type { RegionSnapshot, TrailSnapshot } from '../types.js';
import { regionScope, type RegionContext } from './context.js';
import { plain } from './plain.js';

/**
 * CloudTrail trails whose home is this region (shadow copies of multi-region trails are left out, so each
 * trail is read once, in its home region), each with its status and event selectors.
 */
export async function collectCloudTrail(ctx: RegionContext): Promise<RegionSnapshot['cloudtrail']> {
  const client = await ctx.clients.get(CloudTrailClient, ctx);
  const described = await ctx.caller.call<DescribeTrailsResponse>(
    client,
    new DescribeTrailsCommand({ includeShadowTrails: false }),
    'cloudtrail:DescribeTrails',
    regionScope(ctx, 'cloudtrail'),
  );
  if (!described) return undefined;
  const trails = await Promise.all(
    (described.trailList ?? [])
      .filter((t) => t.TrailARN && t.Name)
      .map(async (t): Promise<TrailSnapshot> => {
        const scope = regionScope(ctx, 'cloudtrail', t.TrailARN);
        const [status, selectors] = await Promise.all([
          ctx.caller.call<GetTrailStatusResponse>(
            client,
            new GetTrailStatusCommand({ Name: t.TrailARN }),
            'cloudtrail:GetTrailStatus',
            scope,
          ),
          ctx.caller.call<GetEventSelectorsResponse>(
            client,
            new GetEventSelectorsCommand({ TrailName: t.TrailARN }),
            'cloudtrail:GetEventSelectors',
            scope,
          ),
        ]);
        const trail = plain<TrailSnapshot>({
          Name: t.Name,
          TrailARN: t.TrailARN,
          HomeRegion: t.HomeRegion ?? ctx.region,
          S3BucketName: t.S3BucketName,
          S3KeyPrefix: t.S3KeyPrefix,
          IsMultiRegionTrail: t.IsMultiRegionTrail,
          IsOrganizationTrail: t.IsOrganizationTrail,
          IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
          LogFileValidationEnabled: t.LogFileValidationEnabled,
          KmsKeyId: t.KmsKeyId,
          CloudWatchLogsLogGroupArn: t.CloudWatchLogsLogGroupArn,
          CloudWatchLogsRoleArn: t.CloudWatchLogsRoleArn,
        });
        if (status)
          trail.Status = plain({
            IsLogging: status.IsLogging ?? false,
            LatestDeliveryTime: status.LatestDeliveryTime,
            LatestDeliveryError: status.LatestDeliveryError,
            LatestCloudWatchLogsDeliveryTime: status.LatestCloudWatchLogsDeliveryTime,
          });
        if (selectors) {
          // A trail has either basic or advanced selectors; the other list is absent.
          if (selectors.EventSelectors) trail.EventSelectors = plain(selectors.EventSelectors);
          if (selectors.AdvancedEventSelectors)
            trail.AdvancedEventSelectors = plain(selectors.AdvancedEventSelectors);
          if (!selectors.EventSelectors && !selectors.AdvancedEventSelectors) trail.EventSelectors = [];
        }
        return trail;
      }),
  );
  return { trails };
}
