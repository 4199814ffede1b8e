import { terminalSafe } from '../core/text.js';
import { alertFacts } from './message.js';
import type { Alert, Channel } from './types.js';

function quote(value: string): string {
  // Backslashes and quotes first, so the escapes terminalSafe adds stay unambiguous.
  return `"${terminalSafe(value.replace(/\\/g, '\\\\').replace(/"/g, '\\"'))}"`;
}

/**
 * One line per alert, `key=value` pairs with every value quoted and terminal-safe, so a log field can
 * neither start a new line nor send escape sequences to the reader's terminal.
 */
export function formatLogLine(alert: Alert): string {
  const facts = alertFacts(alert);
  const a = alert.finding.actor ?? {};
  const pairs: [string, unknown][] = [
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
  const fields = pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${quote(String(v))}`);
  return `vigil alert ${fields.join(' ')}`;
}

export interface LogChannelOptions {
  id: string;
}

/** Writes each alert as one line to the injected writer (stderr, a file, a test buffer). */
export function createLogChannel(
  options: LogChannelOptions,
  deps: { write: (line: string) => void },
): Channel {
  return {
    id: options.id,
    kind: 'log',
    async send(alert) {
      try {
        deps.write(formatLogLine(alert) + '\n');
        return { ok: true };
      } catch (err) {
        return { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
