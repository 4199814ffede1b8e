import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import {
  DIGEST_TYPES_SHOWN,
  digestFacts,
  itemDetails,
  moreText,
  plainTextDigest,
  type DigestFacts,
} from './digest.js';
import { alertFacts, plainTextReport, type AlertFacts, type Fact } from './message.js';
import { describe } from './http.js';
import { oneLine, truncateText } from './truncate.js';
import type { Alert, Channel, DeliveryResult, Digest } from './types.js';

export const EMAIL_SUBJECT_MAX = 200;
/** Long attacker text is cut so a message stays readable and small. */
const EMAIL_FIELD_MAX = 10_000;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function html(text: string): string {
  return escapeHtml(truncateText(text, EMAIL_FIELD_MAX)).replace(/\n/g, '<br>');
}

function rows(heading: string, facts: Fact[]): string {
  if (!facts.length) return '';
  const cells = facts
    .map(
      (f) =>
        `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0;white-space:nowrap">${escapeHtml(f.label)}</th>` +
        `<td style="padding:2px 0;word-break:break-all">${html(f.value)}</td></tr>`,
    )
    .join('');
  return `<h3 style="margin:16px 0 4px">${escapeHtml(heading)}</h3><table cellspacing="0">${cells}</table>`;
}

function htmlReport(facts: AlertFacts): string {
  const parts = [
    '<!doctype html><html><body style="font-family:sans-serif;font-size:14px">',
    `<h2 style="margin:0 0 4px">${html(facts.headline)}</h2>`,
    `<p style="color:#555;margin:0">${escapeHtml(facts.reasonText)} · severity ${html(facts.severityText)} · ${html(facts.type)}</p>`,
    '<h3 style="margin:16px 0 4px">What happened</h3>',
    `<p>${html(facts.description || facts.title)}</p>`,
    rows('Finding', [
      { label: 'Finding type', value: facts.type },
      { label: 'Detector', value: facts.detector },
      { label: 'Finding id', value: facts.findingId },
    ]),
    rows('Who', facts.who),
    rows('Where', facts.where),
    rows('When', facts.when),
    rows('MITRE ATT&CK', facts.mitre),
  ];
  if (facts.remediation)
    parts.push(
      '<h3 style="margin:16px 0 4px">Recommended next steps</h3>',
      `<p>${html(facts.remediation)}</p>`,
    );
  if (facts.references.length) {
    // References are shown as text, not links: a detection's content should not choose where a click goes.
    parts.push(
      '<h3 style="margin:16px 0 4px">References</h3><ul>',
      ...facts.references.map((r) => `<li>${html(r)}</li>`),
      '</ul>',
    );
  }
  if (facts.link) parts.push(`<p><a href="${escapeHtml(facts.link)}">View the finding in Vigil</a></p>`);
  parts.push('</body></html>');
  return parts.join('\n');
}

/** Subject (one line, no CR/LF, at most 200 characters), plain-text and HTML bodies. */
export function formatEmail(
  alert: Alert,
  facts: AlertFacts = alertFacts(alert),
): { subject: string; text: string; html: string } {
  return {
    subject: truncateText(
      oneLine(`Vigil: ${facts.headline} (${facts.accountId} ${facts.region})`),
      EMAIL_SUBJECT_MAX,
    ),
    text: plainTextReport({
      ...facts,
      description: truncateText(facts.description, EMAIL_FIELD_MAX),
      remediation: truncateText(facts.remediation, EMAIL_FIELD_MAX),
    }),
    html: htmlReport(facts),
  };
}

/** Findings listed in a digest mail; the rest are counted ("…and N more"). */
export const EMAIL_DIGEST_ITEMS = 500;

function digestHtml(facts: DigestFacts, shown: number): string {
  const cell = (text: string) => `<td style="padding:2px 8px;vertical-align:top">${html(text)}</td>`;
  const rows = facts.items.slice(0, shown).map((i) => {
    const link = i.link ? `<a href="${escapeHtml(i.link)}">View</a>` : '';
    return `<tr>${cell(i.severityLabel)}${cell(i.title)}${cell(i.type)}${cell(itemDetails(i).join(' · '))}<td style="padding:2px 8px">${link}</td></tr>`;
  });
  const types = facts.byType.slice(0, DIGEST_TYPES_SHOWN);
  const more = facts.count - shown;
  return [
    '<!doctype html><html><body style="font-family:sans-serif;font-size:14px">',
    `<h2 style="margin:0 0 4px">${html(facts.headline)}</h2>`,
    `<p style="color:#555;margin:0">Held from ${html(facts.since)} to ${html(facts.until)}</p>`,
    '<h3 style="margin:16px 0 4px">Summary</h3><ul>',
    ...facts.bySeverity.map((s) => `<li>${html(s.label)}: ${s.count}</li>`),
    ...types.map((t) => `<li>${html(t.type)}: ${t.count}</li>`),
    facts.byType.length > types.length
      ? `<li>${html(moreText(facts.byType.length - types.length))} types</li>`
      : '',
    '</ul><h3 style="margin:16px 0 4px">Findings</h3>',
    '<table cellspacing="0"><tr><th align="left">Severity</th><th align="left">Title</th><th align="left">Type</th>' +
      '<th align="left">Principal, account, count</th><th></th></tr>',
    ...rows,
    '</table>',
    more > 0 ? `<p>${html(moreText(more))}</p>` : '',
    '</body></html>',
  ].join('\n');
}

/** One mail for a digest: the summary, then one line (text) or table row (HTML) per finding. */
export function formatEmailDigest(
  digest: Digest,
  facts: DigestFacts = digestFacts(digest),
): { subject: string; text: string; html: string } {
  const shown = Math.min(facts.count, EMAIL_DIGEST_ITEMS);
  const listed = { ...facts, items: facts.items.slice(0, shown) };
  let text = plainTextDigest(listed);
  if (facts.count > shown) text += `  ${moreText(facts.count - shown)}\n`;
  return {
    subject: truncateText(oneLine(facts.headline), EMAIL_SUBJECT_MAX),
    text,
    html: digestHtml(facts, shown),
  };
}

export interface EmailChannelOptions {
  id: string;
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
  from: string;
  to: string[];
  /** Refuse to send unless the connection is encrypted (STARTTLS required). Default false. */
  requireTLS?: boolean;
}

export interface EmailDeps {
  /** Connection, greeting and socket timeout; default 10 s. */
  timeoutMs?: number;
  /** Default nodemailer.createTransport. */
  createTransport?: (options: Record<string, unknown>) => Transporter;
}

/** SMTP errors: 4xx replies and connection problems are transient; 5xx replies and auth failures are not. */
export function classifySmtpError(err: unknown): DeliveryResult {
  const e = err as { code?: string; responseCode?: number };
  const error = describe(err);
  if (typeof e.responseCode === 'number') {
    return { ok: false, retryable: e.responseCode < 500, error };
  }
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE')
    return { ok: false, retryable: false, error };
  return { ok: false, retryable: true, error };
}

export function createEmailChannel(options: EmailChannelOptions, deps: EmailDeps = {}): Channel {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const create = deps.createTransport ?? ((o: Record<string, unknown>) => nodemailer.createTransport(o));
  const transport = create({
    host: options.host,
    port: options.port,
    secure: options.secure,
    requireTLS: options.requireTLS ?? false,
    ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  async function sendMail(
    message: { subject: string; text: string; html: string },
    signal: AbortSignal,
  ): Promise<DeliveryResult> {
    if (signal.aborted) return { ok: false, retryable: true, error: 'aborted' };
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<DeliveryResult>((resolve) => {
      onAbort = () => resolve({ ok: false, retryable: true, error: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const sent = transport
      .sendMail({
        from: options.from,
        to: options.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      })
      .then(
        (info): DeliveryResult =>
          info.messageId ? { ok: true, providerId: String(info.messageId) } : { ok: true },
        classifySmtpError,
      );
    try {
      return await Promise.race([sent, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    id: options.id,
    kind: 'email',
    send: (alert, { signal }) => sendMail(formatEmail(alert), signal),
    sendDigest: (digest, { signal }) => sendMail(formatEmailDigest(digest), signal),
  };
}
