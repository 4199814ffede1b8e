import Database from 'better-sqlite3';
import type { Finding } from '../core/finding.js';
import { parseDuration } from '../detect/duration.js';
import type { Alert } from '../notify/types.js';
import type { ResolveSecret } from '../notify/secrets.js';
import { findingEvent } from '../router/index.js';
import { createClientFactory } from './clients.js';
import type { RespondConfig } from './config.js';
import { compilePlaybooks, type Playbook } from './playbook.js';
import { actionRegistry } from './registry.js';
import { createResponder, type AuditSink, type Responder } from './responder.js';
import { createSafety } from './safety.js';
import { responseStats } from './stats.js';
import { openResponseStore } from './store.js';
import { postToWebhook } from './run-action.js';
import type { ActionEffects, ClientFactory } from './types.js';

export { respondConfigSchema, type RespondConfig } from './config.js';
export { compilePlaybooks, type Playbook } from './playbook.js';
export { actionRegistry, ALL_ACTIONS } from './registry.js';
export { createResponder, ResponseError, type Responder, type RunView, type AuditSink } from './responder.js';
export { openResponseStore, type ResponseStore } from './store.js';

/** The prefix of router routes that stand for a playbook's own trigger pattern. */
export const PLAYBOOK_ROUTE_PREFIX = 'playbook:';

export interface ResponseSystemDeps {
  /** Route names of `routes` (playbooks may be bound to them). */
  routeNames: ReadonlySet<string>;
  audit: AuditSink;
  /** Enqueues a notification for a channel (serve: the outbox); returns how many deliveries were added. */
  enqueue?: (alert: Alert, channelIds: string[]) => number;
  resolveSecret?: ResolveSecret;
  fetch?: typeof fetch;
  clients?: ClientFactory;
  now?: () => number;
  log?: (line: string) => void;
  onChange?: Parameters<typeof createResponder>[0]['onChange'];
}

/**
 * The response side of `vigil serve` (and of `vigil respond` on the same files): playbooks compiled, the
 * response store at `file`, the executor, and the effects that reach outside AWS (notify through the
 * outbox, webhooks named in the config). `route` says which playbooks a routed finding triggers.
 */
export function createResponseSystem(config: RespondConfig, file: string, deps: ResponseSystemDeps) {
  const actions = actionRegistry();
  const compiled = compilePlaybooks(config, actions, deps.routeNames);
  if (compiled.problems.length) throw new Error(`respond: ${compiled.problems.join('; ')}`);
  const db = new Database(file);
  const store = openResponseStore(db);
  const hooks = new Map(config.webhooks.map((w) => [w.name, w]));
  const doFetch = deps.fetch ?? fetch;
  const effects: ActionEffects = {
    async notify(channel, message, about) {
      if (!deps.enqueue) throw new Error('notifications are not available here');
      const base = about.finding ?? ({} as Finding);
      const finding = { ...base, title: message.subject, description: message.text } as Finding;
      // The action id makes the delivery idempotent: a re-run of the step enqueues nothing new.
      const event = { ...findingEvent(finding), id: `response-${about.actionId}` };
      const n = deps.enqueue({ finding, event, reason: 'new', receivedAt: Date.now() }, [channel]);
      return { id: `${event.id}${n ? '' : ' (already queued)'}` };
    },
    async webhook(name, body) {
      const hook = hooks.get(name);
      if (!hook) throw new Error(`no webhook named ${name} in respond.webhooks`);
      return postToWebhook(hook, body, deps.resolveSecret!, doFetch);
    },
  };
  const responder: Responder = createResponder({
    store,
    playbooks: compiled.playbooks,
    actions,
    clients:
      deps.clients ??
      createClientFactory({
        ...(config.homeAccountId ? { homeAccountId: config.homeAccountId } : {}),
        accounts: config.accounts,
      }),
    safety: createSafety({
      ...config.safety,
      homeAccountId: config.homeAccountId,
      accounts: Object.keys(config.accounts),
      ownRoles: Object.values(config.accounts).map((a) => a.roleArn),
    }),
    audit: deps.audit,
    effects,
    enabled: config.enabled,
    approvalTimeoutMs: parseDuration(config.safety.approvalTimeout)!,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
  });
  const byRoute = new Map<string, string[]>();
  for (const p of compiled.playbooks) {
    const name = 'route' in p.trigger ? p.trigger.route : `${PLAYBOOK_ROUTE_PREFIX}${p.id}`;
    byRoute.set(name, [...(byRoute.get(name) ?? []), p.id]);
  }
  return {
    responder,
    store,
    stats: responseStats(store),
    playbooks: compiled.playbooks as readonly Playbook[],
    /** Router routes for playbooks with their own pattern. */
    routeSpecs: compiled.playbooks.flatMap((p) =>
      'pattern' in p.trigger ? [{ name: `${PLAYBOOK_ROUTE_PREFIX}${p.id}`, pattern: p.trigger.pattern }] : [],
    ),
    /** Playbook ids triggered by these matched route names. */
    playbooksFor(routes: Iterable<string>): string[] {
      const ids = new Set<string>();
      for (const r of routes) for (const id of byRoute.get(r) ?? []) ids.add(id);
      return [...ids];
    },
    close(): void {
      db.close();
    },
  };
}

export type ResponseSystem = ReturnType<typeof createResponseSystem>;
