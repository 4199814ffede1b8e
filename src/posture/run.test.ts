import { describe, expect, it } from 'vitest';
import { fixtureSnapshot, publicCheck, throwingCheck, versioningCheck } from './report/test-support.js';
import { countStatuses, runChecks } from './run.js';

describe('runChecks', () => {
  it('turns a throwing check into one ERROR result and runs the others', () => {
    const snap = fixtureSnapshot([{ name: 'a', public: true }, { name: 'b' }]);
    const results = runChecks(snap, [publicCheck, throwingCheck, versioningCheck]);
    expect(results.map((r) => `${r.checkId}:${r.status}`)).toEqual([
      's3-bucket-public:FAIL',
      's3-bucket-public:PASS',
      's3-bucket-mfa-delete:ERROR',
      's3-bucket-versioning:PASS',
      's3-bucket-versioning:PASS',
    ]);
    const error = results.find((r) => r.status === 'ERROR')!;
    expect(error.message).toBe('Check s3-bucket-mfa-delete failed to run: boom');
    expect(countStatuses(results)).toEqual({ PASS: 3, FAIL: 1, UNKNOWN: 0, ERROR: 1 });
  });

  it('reports a check that returns something other than a list as an ERROR', () => {
    const bad = { ...publicCheck, run: () => undefined as never };
    const [r] = runChecks(fixtureSnapshot([]), [bad]);
    expect(r).toMatchObject({ status: 'ERROR', checkId: 's3-bucket-public' });
  });
});
