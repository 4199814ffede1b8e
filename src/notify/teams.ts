import {
  DIGEST_TYPES_SHOWN,
  digestFacts,
  fitCount,
  itemDetails,
  moreText,
  type DigestFacts,
  type DigestItem,
} from './digest.js';
import { alertFacts, type AlertFacts, type Fact } from './message.js';
import { postJson, type HttpDeps } from './http.js';
import { truncateEscaped } from './truncate.js';
import type { Alert, Channel, Digest } from './types.js';

/** Teams rejects messages over about 28 KB; the card is built to stay well under it. */
export const TEAMS_LIMITS = {
  messageBytes: 28_000,
  title: 200,
  factValue: 600,
  description: 4000,
  remediation: 3000,
  facts: 20,
} as const;

/**
 * Adaptive Cards render a CommonMark subset in TextBlock and FactSet text (bold, italic, lists, links) and
 * expand `{{DATE(…)}}` / `{{TIME(…)}}`. Every ASCII punctuation character CommonMark gives a meaning to is
 * backslash-escaped (a CommonMark backslash escape always renders the character itself), so
 * `[text](url)`, `**`, `_`, `#`, `- ` and `1. ` stay literal and `{{` never forms a function call.
 * Line breaks become a hard break (two spaces, newline) so a line cannot open a list or heading either.
 */
export function escapeTeams(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~"'&:=^$@%]/g, '\\$&').replace(/\n/g, '  \n');
}

function teamsText(text: string, max: number): string {
  return truncateEscaped(text, max, escapeTeams);
}

function textBlock(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

function factSet(facts: Fact[], scale: number): Record<string, unknown> {
  return {
    type: 'FactSet',
    facts: facts.slice(0, TEAMS_LIMITS.facts).map((f) => ({
      title: f.label,
      value: teamsText(f.value, Math.floor(TEAMS_LIMITS.factValue * scale)),
    })),
  };
}

/**
 * The Adaptive Card (schema version 1.4) describing the alert. `scale` shrinks every length limit, so
 * `formatTeams` can fit a card made of long, multi-byte text into the message size limit.
 */
export function teamsCard(facts: AlertFacts, scale = 1): Record<string, unknown> {
  const max = (limit: number): number => Math.floor(limit * scale);
  const color =
    facts.severityLabel === 'CRITICAL' || facts.severityLabel === 'HIGH' ? 'Attention' : 'Warning';
  const body: Record<string, unknown>[] = [
    textBlock(teamsText(facts.headline, max(TEAMS_LIMITS.title)), {
      size: 'Large',
      weight: 'Bolder',
      color: facts.reason === 'resolved' ? 'Good' : color,
    }),
    textBlock(`${facts.reasonText} · ${teamsText(facts.type, max(TEAMS_LIMITS.factValue))}`, {
      isSubtle: true,
      spacing: 'None',
    }),
    textBlock(teamsText(facts.description || facts.title, max(TEAMS_LIMITS.description))),
    factSet(
      [
        { label: 'Severity', value: facts.severityText },
        ...facts.who,
        ...facts.where,
        ...facts.when,
        ...facts.mitre,
      ],
      scale,
    ),
  ];
  if (facts.remediation) {
    body.push(textBlock('Recommended next steps', { weight: 'Bolder', separator: true }));
    body.push(textBlock(teamsText(facts.remediation, max(TEAMS_LIMITS.remediation))));
  }
  body.push(
    textBlock(
      `Detector ${teamsText(facts.detector, max(200))} · finding ${teamsText(facts.findingId, max(200))}`,
      {
        isSubtle: true,
        size: 'Small',
      },
    ),
  );
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(facts.link
      ? { actions: [{ type: 'Action.OpenUrl', title: 'View the finding', url: facts.link }] }
      : {}),
    msteams: { width: 'Full' },
  };
}

/** The Workflows (Power Automate) webhook payload: one message with the card as its attachment. */
export function formatTeams(alert: Alert, facts: AlertFacts = alertFacts(alert)): Record<string, unknown> {
  const message = (scale: number): Record<string, unknown> => ({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: teamsCard(facts, scale),
      },
    ],
  });
  for (const scale of [1, 0.5, 0.25]) {
    const candidate = message(scale);
    if (Buffer.byteLength(JSON.stringify(candidate), 'utf8') <= TEAMS_LIMITS.messageBytes) return candidate;
  }
  return message(0.1);
}

/** A Markdown link whose URL cannot close the link early: brackets, parentheses and spaces are encoded. */
function teamsLink(url: string, text: string): string {
  const safe = url.replace(
    /[()[\]<>\s\\]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `[${text}](${safe})`;
}

function digestItemBlock(item: DigestItem): Record<string, unknown> {
  const details = [item.type, ...itemDetails(item)].filter((p) => p !== '').join(' · ');
  const link = item.link && item.link.length <= 1000 ? ` · ${teamsLink(item.link, 'View')}` : '';
  return textBlock(
    `**${teamsText(`[${item.severityLabel}] ${item.title}`, 400)}**  \n${teamsText(details, 1200)}${link}`,
    { spacing: 'Small' },
  );
}

function digestMessage(card: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}

/**
 * The digest as one Adaptive Card: headline, summary facts, then one text block per finding while the
 * message stays under Teams' size limit; the findings left out are counted ("…and N more").
 */
export function formatTeamsDigest(
  digest: Digest,
  facts: DigestFacts = digestFacts(digest),
): Record<string, unknown> {
  const types = facts.byType.slice(0, DIGEST_TYPES_SHOWN);
  const body: Record<string, unknown>[] = [
    textBlock(teamsText(facts.headline, TEAMS_LIMITS.title), { size: 'Large', weight: 'Bolder' }),
    textBlock(teamsText(`Held from ${facts.since} to ${facts.until}`, TEAMS_LIMITS.title), {
      isSubtle: true,
      spacing: 'None',
    }),
    {
      // Severity labels and finding types are data too: escaped like every other value.
      type: 'FactSet',
      facts: [
        ...facts.bySeverity.map((s) => ({ title: teamsText(s.label, 40), value: String(s.count) })),
        ...types.map((t) => ({ title: teamsText(t.type, 200), value: String(t.count) })),
        ...(facts.byType.length > types.length
          ? [{ title: teamsText('Other types', 40), value: String(facts.byType.length - types.length) }]
          : []),
      ],
    },
  ];
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: { width: 'Full' },
  };
  const blocks = facts.items.map(digestItemBlock);
  const sizes = blocks.map((b) => Buffer.byteLength(JSON.stringify(b), 'utf8') + 1);
  const more = textBlock(teamsText(moreText(facts.count), 100), { isSubtle: true });
  const budget = TEAMS_LIMITS.messageBytes - Buffer.byteLength(JSON.stringify(digestMessage(card)), 'utf8');
  const shown = fitCount(sizes, budget, Buffer.byteLength(JSON.stringify(more), 'utf8') + 1);
  body.push(...blocks.slice(0, shown));
  if (shown < facts.count)
    body.push(textBlock(teamsText(moreText(facts.count - shown), 100), { isSubtle: true }));
  return digestMessage(card);
}

export interface TeamsChannelOptions {
  id: string;
  /** The workflow's HTTP trigger URL, from config (a secret); never taken from a finding. */
  webhookUrl: string;
}

export function createTeamsChannel(options: TeamsChannelOptions, deps: HttpDeps): Channel {
  return {
    id: options.id,
    kind: 'teams',
    send: (alert, { signal }) =>
      postJson(deps, options.webhookUrl, JSON.stringify(formatTeams(alert)), { signal }),
    sendDigest: (digest, { signal }) =>
      postJson(deps, options.webhookUrl, JSON.stringify(formatTeamsDigest(digest)), { signal }),
  };
}
