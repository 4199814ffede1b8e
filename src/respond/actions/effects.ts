import { z } from 'zod';
import { ActionError } from '../types.js';
import type { ActionContext, ActionDefinition, AnyAction } from '../types.js';

/** Non-AWS steps: tell people, open a ticket, wait for a human. */

const channelId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a channel id from `channels`');

function effects(ctx: ActionContext) {
  if (!ctx.effects) throw new ActionError('refused', 'notifications and webhooks are not available here');
  return ctx.effects;
}

const notifyParams = z
  .object({
    channel: channelId,
    subject: z.string().min(1).max(200),
    text: z.string().min(1).max(4000),
  })
  .strict();

export const notifyAction: ActionDefinition<z.infer<typeof notifyParams>> = {
  name: 'notify',
  title: 'Notify a channel',
  description:
    'Sends a message through one of the configured notification channels (email, Slack, Teams, SNS, webhook…), escaped for it like any alert.',
  destructive: false,
  reversible: false,
  permissions: [],
  params: notifyParams,
  describe: (p) => `Send "${p.subject}" to channel ${p.channel}.`,
  async run(p, ctx) {
    const out = await effects(ctx).notify(
      p.channel,
      { subject: p.subject, text: p.text },
      { actionId: ctx.actionId, ...(ctx.finding ? { finding: ctx.finding } : {}) },
    );
    return {
      status: 'changed',
      summary: `Sent "${p.subject}" to channel ${p.channel}.`,
      ...(out.id ? { data: { deliveryId: out.id } } : {}),
    };
  },
};

const webhookParams = z
  .object({
    /** A webhook named in `respond.webhooks`: its URL and headers come from the config. */
    webhook: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    /** The JSON body; templates fill it from the finding. */
    body: z.unknown().default({}),
  })
  .strict();

export const webhookAction: ActionDefinition<z.infer<typeof webhookParams>> = {
  name: 'webhook',
  title: 'Call a webhook',
  description:
    'POSTs JSON to a webhook configured under respond.webhooks (for example to open a ticket). The URL is fixed by the configuration; findings only fill the body.',
  destructive: false,
  reversible: false,
  permissions: [],
  params: webhookParams,
  describe: (p) => `POST the finding summary to webhook ${p.webhook}.`,
  async run(p, ctx) {
    const out = await effects(ctx).webhook(p.webhook, p.body);
    if (out.status < 200 || out.status >= 300)
      throw new ActionError('aws', `webhook ${p.webhook} answered HTTP ${out.status}`);
    return { status: 'changed', summary: `Called webhook ${p.webhook} (HTTP ${out.status}).` };
  },
};

const waitParams = z.object({ reason: z.string().max(500).default('') }).strict();

/** A gate: the playbook stops here until a responder approves (always needs approval). */
export const waitForApprovalAction: ActionDefinition<z.infer<typeof waitParams>> = {
  name: 'wait-for-approval',
  title: 'Wait for approval',
  description:
    'Holds the playbook until a responder approves in the dashboard or with `vigil respond approve`; later steps run only then.',
  destructive: true,
  reversible: false,
  permissions: [],
  params: waitParams,
  describe: (p) => `Wait for a responder's approval${p.reason ? `: ${p.reason}` : ''}.`,
  async run() {
    return { status: 'unchanged', summary: 'Approved: the playbook continues.' };
  },
};

export const effectActions: AnyAction[] = [notifyAction, webhookAction, waitForApprovalAction];
