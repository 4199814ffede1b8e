import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
  type DescribeKeyResponse,
  type GetKeyPolicyResponse,
  type GetKeyRotationStatusResponse,
  type ListKeysResponse,
} from '@aws-sdk/client-kms';
import type { RegionSnapshot } from '../types.js';
import { regionScope, type RegionContext } from './context.js';
import { parsePolicy, PolicyParseError, plain } from './plain.js';

type Key = NonNullable<RegionSnapshot['kms']>['keys'][number];

/**
 * KMS keys of the region. Every key is described; customer managed keys also get their key policy, and
 * those whose rotation AWS supports (symmetric encryption keys with AWS-generated material, not pending
 * deletion) their rotation status. AWS managed keys rotate every year by themselves and their policies
 * are AWS's, so neither is read for them.
 */
export async function collectKms(ctx: RegionContext): Promise<RegionSnapshot['kms']> {
  const client = await ctx.clients.get(KMSClient, ctx);
  const pages = await ctx.caller.pages<ListKeysResponse>(
    client,
    (Marker) => new ListKeysCommand({ Marker, Limit: 1000 }),
    (p) => (p.Truncated ? p.NextMarker : undefined),
    'kms:ListKeys',
    regionScope(ctx, 'kms'),
  );
  if (!pages) return undefined;
  const ids = pages.flatMap((p) => p.Keys ?? []).flatMap((k) => (k.KeyId ? [k] : []));
  const keys = await Promise.all(
    ids.map(async ({ KeyId, KeyArn }): Promise<Key | undefined> => {
      const scope = regionScope(ctx, 'kms', KeyArn ?? KeyId);
      const described = await ctx.caller.call<DescribeKeyResponse>(
        client,
        new DescribeKeyCommand({ KeyId }),
        'kms:DescribeKey',
        scope,
      );
      const m = described?.KeyMetadata;
      if (!m) return undefined;
      const key: Key = plain<Key>({
        KeyId: m.KeyId ?? KeyId,
        Arn: m.Arn ?? KeyArn ?? '',
        KeyManager: m.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER',
        KeyState: m.KeyState ?? 'Unknown',
        KeySpec: m.KeySpec,
        KeyUsage: m.KeyUsage,
        DeletionDate: m.DeletionDate,
      });
      if (key.KeyManager !== 'CUSTOMER') return key;
      const rotates =
        m.KeySpec === 'SYMMETRIC_DEFAULT' && m.Origin === 'AWS_KMS' && m.KeyState !== 'PendingDeletion';
      const [rotation, policy] = await Promise.all([
        rotates
          ? ctx.caller.call<GetKeyRotationStatusResponse>(
              client,
              new GetKeyRotationStatusCommand({ KeyId }),
              'kms:GetKeyRotationStatus',
              scope,
            )
          : undefined,
        ctx.caller.call<GetKeyPolicyResponse>(
          client,
          new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }),
          'kms:GetKeyPolicy',
          scope,
        ),
      ]);
      if (rotation) key.KeyRotationEnabled = rotation.KeyRotationEnabled ?? false;
      if (policy?.Policy) {
        try {
          key.Policy = parsePolicy(policy.Policy);
        } catch (err) {
          if (!(err instanceof PolicyParseError)) throw err;
          ctx.caller.record({
            ...scope,
            api: 'kms:GetKeyPolicy',
            code: 'MalformedPolicyDocument',
            message: err.message,
          });
        }
      }
      return key;
    }),
  );
  return { keys: keys.filter((k): k is Key => k !== undefined) };
}
