import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../check-ids.js';
import { ALL_CHECKS, checkRegistry } from './index.js';

describe('posture check catalogue', () => {
  it('implements every catalogue id exactly once, at least 50 checks, each fully described', () => {
    const registry = checkRegistry();
    expect(registry.size).toBeGreaterThanOrEqual(50);
    expect([...registry.keys()].sort()).toEqual([...CHECK_IDS].sort());
    for (const c of ALL_CHECKS) {
      expect(c.title.length, c.id).toBeGreaterThan(10);
      expect(c.rationale.length, c.id).toBeGreaterThan(20);
      expect(c.remediation.text.length, c.id).toBeGreaterThan(10);
      expect(c.remediation.cli ?? c.remediation.console, c.id).toBeTruthy();
      expect(c.findingType, c.id).toMatch(/^Policy:[A-Za-z0-9]+\/[A-Za-z0-9.]+$/);
      expect(
        (c.references.cis?.length ?? 0) + (c.references.fsbp?.length ?? 0) + (c.references.urls?.length ?? 0),
        c.id,
      ).toBeGreaterThan(0);
    }
    // Infrastructure-as-code snippets wherever the setting can be managed that way (root credentials and
    // credential hygiene cannot).
    const withCode = ALL_CHECKS.filter((c) => c.remediation.cdk ?? c.remediation.cloudformation);
    expect(withCode.length / ALL_CHECKS.length).toBeGreaterThan(0.6);
  });
});
