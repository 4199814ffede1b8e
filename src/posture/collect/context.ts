import type { ClientFactory } from '../../respond/types.js';
import type { Caller } from './call.js';

/** What a service collector needs for one account. */
export interface AccountContext {
  accountId: string;
  clients: ClientFactory;
  caller: Caller;
  /** Region for the global APIs (IAM, the S3 bucket list, S3 Control). */
  globalRegion: string;
}

/** What a regional collector needs: the account's context and the region it reads. */
export interface RegionContext extends AccountContext {
  region: string;
}

/** The scope of a regional call, for the collection error if it fails. */
export function regionScope(ctx: RegionContext, service: string, resource?: string) {
  return {
    accountId: ctx.accountId,
    region: ctx.region,
    service,
    ...(resource ? { resource } : {}),
  };
}
