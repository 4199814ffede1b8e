import type { RespondConfig } from './config.js';
import type { ActionResource, ActionTarget, AnyAction } from './types.js';

/**
 * The safety rails checked before any action runs (and shown in dry-run plans): the account must be one
 * Vigil may act in, the resource must not be on a deny list (break-glass principals, critical resources)
 * and must be on the allow list when there is one. The protected-tag check needs AWS (the resource's
 * tags) and is made just before the action runs.
 */
export type SafetyConfig = RespondConfig['safety'] & {
  homeAccountId?: string | undefined;
  accounts: readonly string[];
  /**
   * The roles Vigil itself assumes (respond.accounts): never quarantined or revoked by a playbook, which
   * would lock Vigil out of that account until its credentials expire.
   */
  ownRoles?: readonly string[];
};

/** `*` matches any run of characters (including `/` and `:`); everything else literally. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** The IAM principal a resource belongs to: a user or role ARN (access keys, login profiles are the user's). */
export function principalOf(resource: ActionResource): string | undefined {
  const m = /^(arn:aws[\w-]*:iam::\d{12}:(?:user|role)\/[^]*?)(?:\/AKIA[A-Z0-9]{16})?$/.exec(resource.id);
  return m && resource.type.startsWith('AwsIam') ? m[1] : undefined;
}

export function createSafety(config: SafetyConfig) {
  const denyPrincipals = config.denyPrincipals.map(globToRegExp);
  const ownRoles = new Set(config.ownRoles ?? []);
  const denyResources = config.denyResources.map(globToRegExp);
  const allowResources = config.allowResources?.map(globToRegExp);
  const allowAccounts = config.allowAccounts
    ? new Set(config.allowAccounts)
    : config.homeAccountId !== undefined || config.accounts.length
      ? new Set([...(config.homeAccountId ? [config.homeAccountId] : []), ...config.accounts])
      : undefined;

  return {
    protectedTag: config.protectedTag,
    /** Why the action must not run here, or undefined when it may. */
    refuse(action: AnyAction, params: unknown, target: ActionTarget): string | undefined {
      if (allowAccounts && !allowAccounts.has(target.accountId))
        return `account ${target.accountId} is not one Vigil may act in (respond.homeAccountId, respond.accounts, safety.allowAccounts)`;
      const resource = action.resource?.(params, target);
      if (!resource) return undefined;
      const principal = principalOf(resource);
      if (principal && ownRoles.has(principal))
        return `${principal} is the role Vigil itself uses to respond in that account`;
      if (principal && denyPrincipals.some((r) => r.test(principal)))
        return `${principal} is on the deny list (respond.safety.denyPrincipals)`;
      if (denyResources.some((r) => r.test(resource.id)))
        return `${resource.id} is on the deny list (respond.safety.denyResources)`;
      if (allowResources && !allowResources.some((r) => r.test(resource.id)))
        return `${resource.id} is not on the allow list (respond.safety.allowResources)`;
      return undefined;
    },
    /** Whether tags mark the resource protected. */
    isProtected(tags: Record<string, string>): boolean {
      const v = tags[config.protectedTag.key];
      return v !== undefined && (config.protectedTag.value === undefined || v === config.protectedTag.value);
    },
  };
}

export type Safety = ReturnType<typeof createSafety>;
