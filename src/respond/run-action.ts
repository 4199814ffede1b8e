import type { RespondConfig } from './config.js';
import type { Safety } from './safety.js';
import { ActionError, type ActionContext, type ActionOutcome, type AnyAction } from './types.js';
import type { ResolveSecret } from '../notify/secrets.js';

/**
 * Runs one action the way every host must (`vigil serve`'s responder, the Lambda respond function): the
 * resource's tags are read first and a protected resource — or one whose tags cannot be read — is refused;
 * then the action runs, bounded by `timeoutMs`. Throws `ActionError` (kind `refused`, `timeout`, or the
 * action's own).
 */
export async function runGuarded(
  definition: AnyAction,
  params: unknown,
  ctx: ActionContext,
  safety: Pick<Safety, 'protectedTag' | 'isProtected'>,
  timeoutMs: number,
): Promise<ActionOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    if (definition.tags) {
      let tags: Record<string, string>;
      try {
        tags = await definition.tags(params, ctx);
      } catch (err) {
        throw new ActionError(
          'refused',
          `cannot read the resource's tags to check ${safety.protectedTag.key}, so Vigil does not act: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (safety.isProtected(tags))
        throw new ActionError('refused', `the resource is protected by its tag ${safety.protectedTag.key}`);
    }
    return definition.run(params, ctx);
  })();
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ActionError(
                'timeout',
                `no answer within ${Math.round(timeoutMs / 1000)} s (the change may still happen in AWS; re-running is safe)`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * POSTs `body` as JSON to a webhook of `respond.webhooks`: its URL and headers (secret references resolved)
 * come from the configuration only, never from a finding; no redirects; the webhook's own timeout.
 */
export async function postToWebhook(
  hook: RespondConfig['webhooks'][number],
  body: unknown,
  resolveSecret: ResolveSecret,
  doFetch: typeof fetch = fetch,
): Promise<{ status: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(hook.headers))
    headers[k] = typeof v === 'string' ? v : await resolveSecret(v);
  const res = await doFetch(hook.url, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(hook.timeoutMs),
    redirect: 'error',
  });
  await res.arrayBuffer().catch(() => undefined);
  return { status: res.status };
}
