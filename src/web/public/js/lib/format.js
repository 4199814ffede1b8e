/** Small formatting helpers; all return plain strings for text nodes. */

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
export const STATUSES = ['NEW', 'ACKNOWLEDGED', 'RESOLVED', 'SUPPRESSED'];

export function fmtTime(value) {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function fmtNumber(n) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return '—';
  return Number(n).toLocaleString('en-US');
}

export function fmtPercent(ratio) {
  if (ratio === undefined || ratio === null || Number.isNaN(Number(ratio))) return '—';
  return `${(Number(ratio) * 100).toFixed(1)}%`;
}

export function fmtMs(ms) {
  if (ms === undefined || ms === null || Number.isNaN(Number(ms))) return '—';
  const n = Number(ms);
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`;
}

/** The CSS class for a severity label (only known labels make a class). */
export function sevClass(label) {
  const l = String(label ?? '').toUpperCase();
  return SEVERITIES.includes(l) ? `sev sev-${l.toLowerCase()}` : 'sev';
}

/** `2026-01-01T10:00` for <input type=datetime-local> → ISO, or '' when empty. */
export function localToIso(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
