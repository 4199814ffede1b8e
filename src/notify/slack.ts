import { alertFacts, type AlertFacts, type Fact } from './message.js';
import { postJson, type HttpDeps } from './http.js';
import { truncateEscaped, truncateText } from './truncate.js';
import type { Alert, Channel } from './types.js';

/** Block Kit limits (Slack's reference for blocks and composition objects). */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  blocks: 50,
  /** Top-level `text` is truncated by Slack past 40,000 characters; the fallback stays far shorter. */
  fallbackText: 3000,
} as const;

/**
 * Slack's mrkdwn escaping: `&`, `<`, `>` are the only control characters, and escaping them makes
 * `<!channel>`, `<@U123>` and `<http://evil|click>` render as plain text.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes and cuts to `max` characters without splitting an entity. */
export function slackText(text: string, max: number): string {
  return truncateEscaped(text, max, escapeSlack);
}

function field(f: Fact): { type: 'mrkdwn'; text: string } {
  const label = `*${f.label}*\n`;
  return { type: 'mrkdwn', text: label + slackText(f.value, SLACK_LIMITS.fieldText - label.length) };
}

function section(heading: string, body: string): Record<string, unknown> {
  const head = `*${heading}*\n`;
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: head + slackText(body, SLACK_LIMITS.sectionText - head.length) },
  };
}

function fieldsSection(facts: Fact[]): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  for (let i = 0; i < facts.length; i += SLACK_LIMITS.fields) {
    blocks.push({ type: 'section', fields: facts.slice(i, i + SLACK_LIMITS.fields).map(field) });
  }
  return blocks;
}

/** The incoming-webhook payload: a mrkdwn `text` fallback (notifications, old clients) plus Block Kit blocks. */
export function formatSlack(alert: Alert, facts: AlertFacts = alertFacts(alert)): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncateText(facts.headline, SLACK_LIMITS.headerText), emoji: false },
    },
    section(facts.reasonText, facts.description || facts.title),
    ...fieldsSection([
      { label: 'Severity', value: facts.severityText },
      { label: 'Finding type', value: facts.type },
      ...facts.who,
      ...facts.where,
    ]),
    ...fieldsSection([...facts.when, ...facts.mitre]),
  ];
  if (facts.remediation) blocks.push(section('Recommended next steps', facts.remediation));
  if (facts.link) {
    // The link comes from the server's own config (validated http(s)); its text is fixed.
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `<${escapeSlack(facts.link).replace(/\|/g, '%7C')}|View the finding in Vigil>`,
      },
    });
  }
  const context = [`Detector: ${facts.detector}`, `Finding id: ${facts.findingId}`];
  blocks.push({
    type: 'context',
    elements: context.slice(0, SLACK_LIMITS.contextElements).map((text) => ({
      type: 'mrkdwn',
      text: slackText(text, SLACK_LIMITS.fieldText),
    })),
  });
  return {
    text: slackText(
      `${facts.headline} (account ${facts.accountId}, ${facts.region})`,
      SLACK_LIMITS.fallbackText,
    ),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

export interface SlackChannelOptions {
  id: string;
  /** The incoming-webhook URL, from config (a secret); never taken from a finding. */
  webhookUrl: string;
}

export function createSlackChannel(options: SlackChannelOptions, deps: HttpDeps): Channel {
  return {
    id: options.id,
    kind: 'slack',
    send: (alert, { signal }) =>
      postJson(deps, options.webhookUrl, JSON.stringify(formatSlack(alert)), { signal }),
  };
}
