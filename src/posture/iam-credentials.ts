import type { CredentialReportRow } from './types.js';

/**
 * Reading the IAM credential report. Every cell is a string: ISO 8601 times, `true`/`false`, or one of
 * AWS's placeholders — `N/A` (no such credential, or a key never used), `no_information` (a password never
 * used, or used before IAM tracked it in October 2014), `not_supported` (the root row's password fields).
 * Placeholders and unparsable cells read as "no date", never as a date. Ages are measured from the
 * snapshot's collection time, not the wall clock, so a stored snapshot gives the same answers tomorrow.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const ROOT_USER = '<root_account>';

const PLACEHOLDERS = new Set(['', 'n/a', 'no_information', 'not_supported']);

/** A report cell as a date, or undefined for placeholders and unparsable text. */
export function reportDate(value: string | undefined): Date | undefined {
  if (typeof value !== 'string' || PLACEHOLDERS.has(value.trim().toLowerCase())) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function isTrue(value: string | undefined): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'true';
}

export function isRootRow(row: CredentialReportRow): boolean {
  return row.user === ROOT_USER;
}

/** Whole days from `date` to `now` (negative when the date is in the future). */
export function ageInDays(date: Date, now: Date): number {
  return Math.floor((now.getTime() - date.getTime()) / DAY_MS);
}

/** `2024-03-01` for messages. */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** An active credential of a user: its password or one of its access keys. */
export interface Credential {
  name: 'password' | 'access key 1' | 'access key 2';
  /** Last use, when it was ever used. */
  lastUsed?: Date;
  /** When it was set: password last changed (or the user created), key created or rotated. */
  since?: Date;
}

/** The user's enabled password and active access keys. */
export function activeCredentials(row: CredentialReportRow): Credential[] {
  const out: Credential[] = [];
  const put = (c: Credential, lastUsed: Date | undefined, since: Date | undefined) => {
    if (lastUsed) c.lastUsed = lastUsed;
    if (since) c.since = since;
    out.push(c);
  };
  if (isTrue(row.password_enabled))
    put(
      { name: 'password' },
      reportDate(row.password_last_used),
      reportDate(row.password_last_changed) ?? reportDate(row.user_creation_time),
    );
  for (const n of [1, 2] as const) {
    if (!isTrue(row[`access_key_${n}_active`])) continue;
    put(
      { name: `access key ${n}` },
      reportDate(row[`access_key_${n}_last_used_date`]),
      reportDate(row[`access_key_${n}_last_rotated`]),
    );
  }
  return out;
}

/**
 * Active credentials unused for `days` days or more: last used that long ago, or never used and set that
 * long ago. A credential never used and set recently is fine (a new user); one with no date at all is
 * reported, because nothing shows it is in use.
 */
export function unusedCredentials(row: CredentialReportRow, now: Date, days: number): string[] {
  const out: string[] = [];
  for (const c of activeCredentials(row)) {
    if (c.lastUsed) {
      const age = ageInDays(c.lastUsed, now);
      if (age >= days) out.push(`${c.name} last used ${age} days ago (${day(c.lastUsed)})`);
    } else if (!c.since) {
      out.push(`${c.name} never used, with no creation date in the report`);
    } else {
      const age = ageInDays(c.since, now);
      if (age >= days) out.push(`${c.name} never used since it was set ${age} days ago (${day(c.since)})`);
    }
  }
  return out;
}

/** Active access keys older than `days` days (by `access_key_N_last_rotated`). */
export function staleKeys(row: CredentialReportRow, now: Date, days: number): string[] {
  return activeCredentials(row)
    .filter((c) => c.name !== 'password')
    .flatMap((c) => {
      if (!c.since) return [`${c.name} has no rotation date in the report`];
      const age = ageInDays(c.since, now);
      return age > days ? [`${c.name} was last rotated ${age} days ago (${day(c.since)})`] : [];
    });
}
