import { alertFacts, type AlertFacts } from './message.js';
import { postJson, type HttpDeps } from './http.js';
import { truncateText, truncateUtf8 } from './truncate.js';
import type { Alert, Channel } from './types.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Events API v2 limits: summary 1024 characters; a whole event at most 512 KB. */
export const PAGERDUTY_LIMITS = { summary: 1024, detail: 4096, eventBytes: 512 * 1024 } as const;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** CRITICAL → critical, HIGH → error, MEDIUM → warning, LOW (and anything else) → info. */
export function pagerDutySeverity(label: string): PagerDutySeverity {
  switch (label) {
    case 'CRITICAL':
      return 'critical';
    case 'HIGH':
      return 'error';
    case 'MEDIUM':
      return 'warning';
    default:
      return 'info';
  }
}

function details(facts: AlertFacts): Record<string, unknown> {
  const cut = (s: string): string => truncateText(s, PAGERDUTY_LIMITS.detail);
  const out: Record<string, unknown> = {
    title: cut(facts.title),
    description: cut(facts.description),
    reason: facts.reasonText,
    severity: facts.severity,
    severity_label: facts.severityLabel,
    finding_type: cut(facts.type),
    detector: cut(facts.detector),
    finding_id: cut(facts.findingId),
  };
  for (const f of [...facts.who, ...facts.where, ...facts.when, ...facts.mitre]) {
    out[f.label.toLowerCase().replace(/\W+/g, '_')] = cut(f.value);
  }
  if (facts.remediation) out.recommended_next_steps = cut(facts.remediation);
  if (facts.references.length) out.references = facts.references.slice(0, 20).map(cut);
  return out;
}

function timestamp(value: string): string | undefined {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * The Events API v2 body. A `resolved` alert resolves the incident opened by the trigger with the same
 * `dedup_key` (the finding id); every other reason triggers (PagerDuty merges triggers with one key).
 */
export function formatPagerDuty(
  alert: Alert,
  routingKey: string,
  facts: AlertFacts = alertFacts(alert),
): Record<string, unknown> {
  const dedupKey = truncateUtf8(alert.finding.id, 255);
  if (alert.reason === 'resolved') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  const ts = timestamp(alert.finding.lastSeen);
  const event: Record<string, unknown> = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncateText(facts.headline, PAGERDUTY_LIMITS.summary),
      source: truncateText(`aws:${facts.accountId}:${facts.region}`, 255),
      severity: pagerDutySeverity(facts.severityLabel),
      ...(ts ? { timestamp: ts } : {}),
      component: truncateText(facts.resources[0] ?? facts.detector, 255),
      group: truncateText(facts.accountId, 255),
      class: truncateText(facts.type, 255),
      custom_details: details(facts),
    },
    client: 'Vigil',
    ...(facts.link
      ? { client_url: facts.link, links: [{ href: facts.link, text: 'View the finding in Vigil' }] }
      : {}),
  };
  return event;
}

export interface PagerDutyChannelOptions {
  id: string;
  /** The integration's routing key (a secret from config). */
  routingKey: string;
  /** Default https://events.pagerduty.com/v2/enqueue (EU accounts use events.eu.pagerduty.com). */
  url?: string;
}

/** 202 is delivered; 429 and 5xx are retried; 400 (invalid event) and other 4xx are not. */
export function createPagerDutyChannel(options: PagerDutyChannelOptions, deps: HttpDeps): Channel {
  return {
    id: options.id,
    kind: 'pagerduty',
    send: (alert, { signal }) =>
      postJson(
        deps,
        options.url ?? PAGERDUTY_EVENTS_URL,
        JSON.stringify(formatPagerDuty(alert, options.routingKey)),
        {
          signal,
          providerId: (text) => {
            try {
              const key = (JSON.parse(text) as { dedup_key?: unknown }).dedup_key;
              return typeof key === 'string' ? key : undefined;
            } catch {
              return undefined;
            }
          },
        },
      ),
  };
}
