import { describe, expect, it } from 'vitest';
import { sampleFindings } from '../findings/testing.js';
import type { Finding } from '../core/finding.js';
import { shouldAlert } from './suppress.js';

const HOUR = 60 * 60_000;
const finding = (overrides: Partial<Finding>): Finding => ({ ...sampleFindings()[0]!, ...overrides });

describe('shouldAlert', () => {
  const f = finding({ severity: 7.5, lastSeen: '2026-11-20T12:00:00Z' });

  it('alerts on a new finding', () => {
    expect(shouldAlert(undefined, f, HOUR)).toBe(true);
  });

  it('alerts on a severity rise, even inside the window', () => {
    expect(shouldAlert({ severity: 5, lastAlertAt: '2026-11-20T11:59:00Z' }, f, HOUR)).toBe(true);
  });

  it('stays quiet for a recurrence inside the window, or the same or a lower severity', () => {
    expect(shouldAlert({ severity: 7.5, lastAlertAt: '2026-11-20T11:30:00Z' }, f, HOUR)).toBe(false);
    expect(shouldAlert({ severity: 8, lastAlertAt: '2026-11-20T11:30:00Z' }, f, HOUR)).toBe(false);
    expect(shouldAlert({ severity: 7.5, lastAlertAt: '2026-11-20T12:00:00Z' }, f, 0)).toBe(false);
  });

  it('alerts again for a recurrence after the window', () => {
    expect(shouldAlert({ severity: 7.5, lastAlertAt: '2026-11-20T11:00:00Z' }, f, HOUR)).toBe(true);
    expect(shouldAlert({ severity: 7.5, lastAlertAt: '2026-11-20T11:00:00.001Z' }, f, HOUR)).toBe(false);
  });

  it('alerts for a known finding never alerted, or an unreadable time', () => {
    expect(shouldAlert({ severity: 7.5 }, f, HOUR)).toBe(true);
    expect(shouldAlert({ severity: 7.5, lastAlertAt: 'yesterday-ish' }, f, HOUR)).toBe(true);
  });
});
