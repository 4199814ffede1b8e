import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ActionError } from './types.js';
import type { ActionTarget, ClientFactory, SdkClient } from './types.js';
import { awsErrorInfo } from './context.js';

/** How Vigil reaches another account: a role it may assume there, with the external ID the role requires. */
export interface AccountAccess {
  roleArn: string;
  externalId?: string;
  /** Session name seen in that account's CloudTrail (default `vigil-response`). */
  sessionName?: string;
}

export interface ClientFactoryOptions {
  /** The account Vigil's own credentials belong to; actions there use them directly. */
  homeAccountId?: string;
  /** Other accounts, by account id. */
  accounts?: Record<string, AccountAccess>;
  /** STS client for AssumeRole (tests pass one under aws-sdk-client-mock). */
  sts?: (region: string) => STSClient;
  now?: () => number;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Renew assumed-role credentials this long before they expire. */
const RENEW_MS = 5 * 60_000;

/**
 * SDK clients per (client class, account, region). The home account (or any account when no home account
 * is configured and no role is listed for it) uses the default credential chain; listed accounts use
 * credentials from STS AssumeRole with the account's external ID, cached until five minutes before they
 * expire. An account that is neither home nor listed is refused: acting there with the wrong credentials
 * would fail confusingly or, worse, act in the wrong account.
 */
export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const accounts = options.accounts ?? {};
  const now = options.now ?? Date.now;
  const sts = options.sts ?? ((region: string) => new STSClient({ region }));
  /** Per account: the AssumeRole in flight or done, and when its credentials expire once known. */
  const creds = new Map<string, { promise: Promise<Credentials>; expires?: number }>();
  const clients = new Map<string, { client: SdkClient; expires?: number }>();

  const assumeRole = async (
    accountId: string,
    access: AccountAccess,
    region: string,
  ): Promise<Credentials> => {
    try {
      const out = await sts(region).send(
        new AssumeRoleCommand({
          RoleArn: access.roleArn,
          RoleSessionName: access.sessionName ?? 'vigil-response',
          ...(access.externalId ? { ExternalId: access.externalId } : {}),
          DurationSeconds: 3600,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
        throw new Error('AssumeRole returned no credentials');
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration ?? new Date(now() + 3600_000),
      };
    } catch (err) {
      const info = awsErrorInfo(err);
      throw new ActionError(
        info.code.startsWith('AccessDenied') ? 'access-denied' : 'aws',
        `cannot assume ${access.roleArn} for account ${accountId} (${info.code}: ${info.message}); ` +
          `check the role's trust policy allows Vigil's principal with external ID ${access.externalId ? 'as configured' : '(none configured)'}`,
        info.code,
        info.requestId,
      );
    }
  };

  /**
   * One AssumeRole per account at a time, shared by every client and region; the credentials are reused
   * until five minutes before they expire (checked against `now` at each use, so no timer is left behind)
   * and a failure is forgotten, so the next use tries again.
   */
  const assume = (accountId: string, access: AccountAccess, region: string): Promise<Credentials> => {
    const cached = creds.get(accountId);
    if (cached && (cached.expires === undefined || cached.expires - RENEW_MS > now())) return cached.promise;
    const entry: { promise: Promise<Credentials>; expires?: number } = {
      promise: assumeRole(accountId, access, region),
    };
    creds.set(accountId, entry);
    entry.promise.then(
      (c) => {
        entry.expires = c.expiration.getTime();
      },
      () => {
        if (creds.get(accountId) === entry) creds.delete(accountId);
      },
    );
    return entry.promise;
  };

  return {
    async get(Client, target: ActionTarget) {
      const access = accounts[target.accountId];
      const home = options.homeAccountId;
      if (!access && home !== undefined && target.accountId !== home)
        throw new ActionError(
          'refused',
          `no role is configured for account ${target.accountId} (respond.accounts); Vigil acts only in ${home} and the accounts listed there`,
        );
      const key = `${Client.name}\u0000${target.accountId}\u0000${target.region}`;
      const hit = clients.get(key);
      if (hit && (hit.expires === undefined || hit.expires - RENEW_MS > now())) return hit.client as never;
      if (!access) {
        const client = new Client({ region: target.region, maxAttempts: 1 });
        clients.set(key, { client });
        return client;
      }
      const c = await assume(target.accountId, access, target.region);
      const client = new Client({ region: target.region, credentials: c, maxAttempts: 1 });
      clients.set(key, { client, expires: c.expiration.getTime() });
      return client;
    },
  };
}
