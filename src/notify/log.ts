import { terminalSafe } from '../core/text.js';
import { alertFacts } from './message.js';
import type { Alert, Channel, DeliveryResult, Digest } from './types.js';

function quote(value: string): string {
  // Backslashes and quotes first, so the escapes terminalSafe adds stay unambiguous.
  return `"${terminalSafe(value.replace(/\\/g, '\\\\').replace(/"/g, '\\"'))}"`;
}

/**
 * One line per alert, `key=value` pairs with every value quoted and terminal-safe, so a log field can
 * neither start a new line nor send escape sequences to the reader's terminal.
 */
export function formatLogLine(alert: Alert, before: [string, unknown][] = []): string {
  const facts = alertFacts(alert);
  const a = alert.finding.actor ?? {};
  const pairs: [string, unknown][] = [
    ...before,
    ['reason', alert.reason],
    ['severity', facts.severityLabel],
    ['score', facts.severity],
    ['type', alert.finding.type],
    ['account', alert.finding.accountId],
    ['region', alert.finding.region],
    ['principal', a.principal],
    ['ip', a.ip],
    ['count', alert.finding.count],
    ['lastSeen', alert.finding.lastSeen],
    ['id', alert.finding.id],
    ['title', alert.finding.title],
  ];
  return `vigil alert ${fields(pairs)}`;
}

function fields(pairs: [string, unknown][]): string {
  return pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${quote(String(v))}`)
    .join(' ');
}

/** A digest as lines: one `vigil digest …` line, then one `vigil alert digest="<id>" …` line per alert. */
export function formatLogDigest(digest: Digest): string[] {
  const head = fields([
    ['id', digest.id],
    ['count', digest.alerts.length],
    ['since', digest.since],
    ['until', digest.until],
  ]);
  return [`vigil digest ${head}`, ...digest.alerts.map((a) => formatLogLine(a, [['digest', digest.id]]))];
}

export interface LogChannelOptions {
  id: string;
}

/** Writes each alert as one line to the injected writer (stderr, a file, a test buffer). */
export function createLogChannel(
  options: LogChannelOptions,
  deps: { write: (line: string) => void },
): Channel {
  function write(lines: string[]): DeliveryResult {
    try {
      // One write: the digest's lines stay together in the log.
      deps.write(lines.map((l) => `${l}\n`).join(''));
      return { ok: true };
    } catch (err) {
      return { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
    }
  }
  return {
    id: options.id,
    kind: 'log',
    send: async (alert) => write([formatLogLine(alert)]),
    sendDigest: async (digest) => write(formatLogDigest(digest)),
  };
}
