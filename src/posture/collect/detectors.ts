import {
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  type GetDetectorResponse,
  type ListDetectorsResponse,
} from '@aws-sdk/client-guardduty';
import {
  DescribeHubCommand,
  GetEnabledStandardsCommand,
  SecurityHubClient,
  type GetEnabledStandardsResponse,
} from '@aws-sdk/client-securityhub';
import type { RegionSnapshot } from '../types.js';
import { regionScope, type RegionContext } from './context.js';

type Detector = NonNullable<RegionSnapshot['guardduty']>['detectors'][number];
type FeatureStatus = 'ENABLED' | 'DISABLED';

/**
 * Protection plans of a detector by name. Detectors report `Features`; when a response has only the
 * older `DataSources`, those are mapped to the feature names they became.
 */
export function detectorFeatures(d: GetDetectorResponse): Record<string, FeatureStatus> {
  const out: Record<string, FeatureStatus> = {};
  const set = (name: string, status: string | undefined) => {
    if (status === 'ENABLED' || status === 'DISABLED') out[name] = status;
  };
  for (const f of d.Features ?? []) if (f.Name) set(f.Name, f.Status);
  if (d.Features?.length) return out;
  const ds = d.DataSources;
  set('S3_DATA_EVENTS', ds?.S3Logs?.Status);
  set('EKS_AUDIT_LOGS', ds?.Kubernetes?.AuditLogs?.Status);
  set('EBS_MALWARE_PROTECTION', ds?.MalwareProtection?.ScanEc2InstanceWithFindings?.EbsVolumes?.Status);
  return out;
}

/** GuardDuty detectors of the region (at most one per account and region), with their protection plans. */
export async function collectGuardDuty(ctx: RegionContext): Promise<RegionSnapshot['guardduty']> {
  const client = await ctx.clients.get(GuardDutyClient, ctx);
  const pages = await ctx.caller.pages<ListDetectorsResponse>(
    client,
    (NextToken) => new ListDetectorsCommand({ NextToken }),
    (p) => p.NextToken,
    'guardduty:ListDetectors',
    regionScope(ctx, 'guardduty'),
  );
  if (!pages) return undefined;
  const ids = pages.flatMap((p) => p.DetectorIds ?? []);
  const detectors = await Promise.all(
    ids.map(async (DetectorId): Promise<Detector | undefined> => {
      const d = await ctx.caller.call<GetDetectorResponse>(
        client,
        new GetDetectorCommand({ DetectorId }),
        'guardduty:GetDetector',
        regionScope(ctx, 'guardduty', DetectorId),
      );
      if (!d) return undefined;
      return {
        DetectorId,
        Status: d.Status === 'ENABLED' ? 'ENABLED' : 'DISABLED',
        ...(d.FindingPublishingFrequency ? { FindingPublishingFrequency: d.FindingPublishingFrequency } : {}),
        Features: detectorFeatures(d),
      };
    }),
  );
  // A detector that could not be read is left out of an otherwise complete list: the error names it.
  return { detectors: detectors.filter((d): d is Detector => d !== undefined) };
}

/** AWS's answers to DescribeHub in a region where Security Hub is not enabled. */
const HUB_OFF = ['InvalidAccessException', 'ResourceNotFoundException'];

/** Security Hub: enabled or not, and the standards enabled. */
export async function collectSecurityHub(ctx: RegionContext): Promise<RegionSnapshot['securityhub']> {
  const client = await ctx.clients.get(SecurityHubClient, ctx);
  const scope = regionScope(ctx, 'securityhub');
  const hub = await ctx.caller.call<object>(
    client,
    new DescribeHubCommand({}),
    'securityhub:DescribeHub',
    scope,
    HUB_OFF,
  );
  if (hub === undefined) return undefined;
  if (hub === null) return { enabled: false };
  const pages = await ctx.caller.pages<GetEnabledStandardsResponse>(
    client,
    (NextToken) => new GetEnabledStandardsCommand({ NextToken }),
    (p) => p.NextToken,
    'securityhub:GetEnabledStandards',
    scope,
  );
  if (!pages) return { enabled: true };
  return {
    enabled: true,
    standards: pages.flatMap((p) =>
      (p.StandardsSubscriptions ?? []).map((s) => ({
        StandardsArn: s.StandardsArn ?? '',
        StandardsStatus: s.StandardsStatus ?? '',
      })),
    ),
  };
}
