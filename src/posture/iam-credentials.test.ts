import { describe, expect, it } from 'vitest';
import { activeCredentials, reportDate, staleKeys, unusedCredentials } from './iam-credentials.js';
import { COLLECTED_AT, daysAgo, reportRow } from './iam-testing.js';

const now = new Date(COLLECTED_AT);

describe('reportDate', () => {
  it('reads AWS placeholders and garbage as no date', () => {
    for (const v of ['N/A', 'n/a', 'no_information', 'not_supported', '', 'yesterday', undefined])
      expect(reportDate(v)).toBeUndefined();
    expect(reportDate('2024-05-01T10:20:30+00:00')?.toISOString()).toBe('2024-05-01T10:20:30.000Z');
  });
});

describe('unusedCredentials', () => {
  it('reports a password last used long ago and a key never used since created long ago', () => {
    const row = reportRow('bob', {
      password_enabled: 'true',
      password_last_used: daysAgo(50),
      access_key_1_active: 'true',
      access_key_1_last_rotated: daysAgo(100),
      access_key_1_last_used_date: 'N/A',
    });
    expect(unusedCredentials(row, now, 45)).toEqual([
      `password last used 50 days ago (${daysAgo(50).slice(0, 10)})`,
      `access key 1 never used since it was set 100 days ago (${daysAgo(100).slice(0, 10)})`,
    ]);
    expect(unusedCredentials(row, now, 90)).toEqual([expect.stringContaining('access key 1')]);
  });

  it('does not report a new user that has not used its credentials yet, nor inactive keys', () => {
    const row = reportRow('new', {
      user_creation_time: daysAgo(3),
      password_enabled: 'true',
      password_last_used: 'no_information',
      password_last_changed: daysAgo(3),
      access_key_2_active: 'false',
      access_key_2_last_rotated: daysAgo(400),
    });
    expect(activeCredentials(row).map((c) => c.name)).toEqual(['password']);
    expect(unusedCredentials(row, now, 45)).toEqual([]);
  });

  it('falls back on the user creation time for a never-used password with no change date', () => {
    const row = reportRow('old', { password_enabled: 'true', password_last_used: 'no_information' });
    expect(unusedCredentials(row, now, 90)[0]).toMatch(/^password never used since it was set \d+ days ago/);
  });
});

describe('staleKeys', () => {
  it('flags active keys rotated more than 90 days ago, measured from the snapshot time', () => {
    const row = reportRow('k', {
      access_key_1_active: 'true',
      access_key_1_last_rotated: daysAgo(91),
      access_key_2_active: 'true',
      access_key_2_last_rotated: daysAgo(90),
    });
    expect(staleKeys(row, now, 90)).toEqual([
      `access key 1 was last rotated 91 days ago (${daysAgo(91).slice(0, 10)})`,
    ]);
  });
});
