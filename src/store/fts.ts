import type { Finding } from '../core/finding.js';

/** Words longer than this are cut: nobody searches for a 200-character token, and FTS5 gains nothing. */
const MAX_TERM = 128;
const MAX_TERMS = 16;

/**
 * Turns what a user typed into a safe FTS5 query that matches it literally: each whitespace-separated word
 * becomes a quoted phrase (its own quotes doubled), so FTS5 operators the text contains — `NEAR`, `OR`,
 * `*`, `^`, parentheses, column filters — are plain words. The phrases must all occur (AND); the last one
 * also matches as a prefix, so a half-typed word finds its completions. A word with no letter or digit
 * (only punctuation, which the tokenizer drops) is left out. Undefined when nothing searchable is left.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text
    .split(/\s+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, MAX_TERMS)
    .map((w) => `"${w.slice(0, MAX_TERM).replaceAll('"', '""')}"`);
  if (!words.length) return undefined;
  words[words.length - 1] += '*';
  return words.join(' ');
}

/** The text a finding is found by, one entry per column of findings_fts (same order). */
export function ftsColumns(f: Finding): [string, string, string, string, string, string] {
  return [
    f.title,
    f.description,
    f.type,
    f.actor.principal ?? '',
    f.resources.map((r) => `${r.type} ${r.id}`).join(' '),
    f.actor.ip ?? '',
  ];
}
