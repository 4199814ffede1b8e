const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a `--since`/`--until` value: an ISO-8601 date or time (`2026-11-20`, `2026-11-20T10:00:00Z`),
 * or a duration before now (`30m`, `24h`, `7d`). Returns epoch milliseconds.
 */
export function parseTime(input: string, now: number): number {
  const text = input.trim();
  const rel = /^(\d+)([smhdw])$/.exec(text);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    // A date or time without a zone is UTC, like CloudTrail's own times.
    const iso = /T|\s/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
    const t = Date.parse(iso.replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  throw new Error(
    `"${input}" is not a time: use an ISO date or time (2026-11-20, 2026-11-20T10:00:00Z) or a duration before now (30m, 24h, 7d)`,
  );
}
