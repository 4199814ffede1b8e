/** Window and learning durations in detection files: a whole number and a unit, `30s`, `10m`, `1h`, `7d`. */
const UNITS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNITS;

const DURATION = /^(\d{1,9})(s|m|h|d)$/;

/** Parses a duration to milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2] as Unit];
}

/** Formats milliseconds back in the largest unit that divides them exactly (`600000` → `10m`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNITS[unit] && ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
