import {
  DIGEST_TYPES_SHOWN,
  digestFacts,
  itemDetails,
  moreText,
  type DigestFacts,
  type DigestItem,
} from './digest.js';
import { alertFacts, type AlertFacts, type Fact } from './message.js';
import { postJson, type HttpDeps } from './http.js';
import { truncateEscaped, truncateText } from './truncate.js';
import type { Alert, Channel, Digest } from './types.js';

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

function slackLink(link: string, text: string): string {
  return `<${escapeSlack(link).replace(/\|/g, '%7C')}|${text}>`;
}

/**
 * `• *[LOW]* <title> — <type> · <principal> · account … · 3× · <link|view>`, every value escaped and cut
 * (an escaped line is at most about 2,300 characters, so one always fits a section).
 */
function digestItemLine(item: DigestItem): string {
  const details = [item.type, ...itemDetails(item)].filter((p) => p !== '').join(' · ');
  const anchor = item.link ? slackLink(item.link, 'view') : '';
  const link = anchor && anchor.length <= 1000 ? ` · ${anchor}` : '';
  return (
    `• *[${slackText(item.severityLabel, 40)}]* ${slackText(item.title, 300)}` +
    (details ? ` — ${slackText(details, 900)}` : '') +
    link
  );
}

/**
 * The digest as Block Kit: a header, the summary, then the findings one per line, packed into sections
 * of at most 3000 characters and 50 blocks in all; what does not fit is counted ("…and N more").
 */
export function formatSlackDigest(
  digest: Digest,
  facts: DigestFacts = digestFacts(digest),
): Record<string, unknown> {
  const types = facts.byType.slice(0, DIGEST_TYPES_SHOWN);
  const summary = [
    facts.bySeverity.map((s) => `${s.label}: ${s.count}`).join(' · '),
    ...types.map((t) => `${t.type}: ${t.count}`),
    ...(facts.byType.length > types.length ? [`${moreText(facts.byType.length - types.length)} types`] : []),
  ].join('\n');
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncateText(facts.headline, SLACK_LIMITS.headerText), emoji: false },
    },
    section(`Held from ${facts.since} to ${facts.until}`, summary),
  ];
  // Room for the findings: every block but the header, the summary and one for "…and N more".
  const maxSections = SLACK_LIMITS.blocks - blocks.length - 1;
  const sections: string[] = [];
  let shown = 0;
  for (const item of facts.items) {
    const line = digestItemLine(item);
    const last = sections.length - 1;
    if (last >= 0 && sections[last]!.length + 1 + line.length <= SLACK_LIMITS.sectionText) {
      sections[last] += `\n${line}`;
    } else if (sections.length < maxSections) {
      sections.push(line);
    } else break;
    shown++;
  }
  for (const text of sections) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  if (shown < facts.count) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: moreText(facts.count - shown) }] });
  }
  return { text: slackText(facts.headline, SLACK_LIMITS.fallbackText), blocks };
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
    sendDigest: (digest, { signal }) =>
      postJson(deps, options.webhookUrl, JSON.stringify(formatSlackDigest(digest)), { signal }),
  };
}
