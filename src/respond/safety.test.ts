import { describe, expect, it } from 'vitest';
import { respondConfigSchema } from './config.js';
import { createSafety, globToRegExp, principalOf } from './safety.js';
import type { AnyAction } from './types.js';

const action = (type: string, id: string): AnyAction =>
  ({ name: 'x', resource: () => ({ type, id }) }) as unknown as AnyAction;
const here = { accountId: '111122223333', region: 'eu-west-1' };

function safety(over: Record<string, unknown> = {}, ownRoles: string[] = []) {
  const c = respondConfigSchema.parse({ homeAccountId: '111122223333', accounts: {}, safety: over });
  return createSafety({ ...c.safety, homeAccountId: c.homeAccountId, accounts: ['444455556666'], ownRoles });
}

describe('safety rails', () => {
  it('globs match whole ARNs, * spanning any characters, everything else literal', () => {
    expect(
      globToRegExp('arn:aws:iam::*:user/break-glass*').test('arn:aws:iam::111122223333:user/break-glass-1'),
    ).toBe(true);
    expect(globToRegExp('arn:aws:iam::*:user/admin').test('arn:aws:iam::1:user/admin2')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('finds the principal behind access keys and login profiles', () => {
    expect(
      principalOf({
        type: 'AwsIamAccessKey',
        id: 'arn:aws:iam::111122223333:user/ops/alice/AKIAIOSFODNN7EXAMPLE',
      }),
    ).toBe('arn:aws:iam::111122223333:user/ops/alice');
    expect(principalOf({ type: 'AwsIamRole', id: 'arn:aws:iam::111122223333:role/app' })).toBe(
      'arn:aws:iam::111122223333:role/app',
    );
    expect(principalOf({ type: 'AwsEc2Instance', id: 'i-0123456789abcdef0' })).toBeUndefined();
  });

  it('refuses other accounts, deny-listed principals and resources, Vigil’s own roles, and off-allow-list resources', () => {
    const s = safety(
      { denyPrincipals: ['arn:aws:iam::*:user/break-glass*'], denyResources: ['i-0badc0ffee*'] },
      ['arn:aws:iam::444455556666:role/VigilResponder'],
    );
    expect(s.refuse(action('AwsIamUser', 'arn:aws:iam::111122223333:user/alice'), {}, here)).toBeUndefined();
    expect(
      s.refuse(
        action('AwsIamUser', 'arn:aws:iam::111122223333:user/alice'),
        {},
        { ...here, accountId: '999999999999' },
      ),
    ).toMatch(/not one Vigil may act in/);
    expect(
      s.refuse(
        action('AwsIamAccessKey', 'arn:aws:iam::111122223333:user/break-glass-2/AKIAIOSFODNN7EXAMPLE'),
        {},
        here,
      ),
    ).toMatch(/deny list/);
    expect(s.refuse(action('AwsEc2Instance', 'i-0badc0ffee0000000'), {}, here)).toMatch(/deny list/);
    expect(
      s.refuse(
        action('AwsIamRole', 'arn:aws:iam::444455556666:role/VigilResponder'),
        {},
        { ...here, accountId: '444455556666' },
      ),
    ).toMatch(/Vigil itself uses/);
    const allow = safety({ allowResources: ['arn:aws:iam::*:user/contractor-*'] });
    expect(allow.refuse(action('AwsIamUser', 'arn:aws:iam::111122223333:user/alice'), {}, here)).toMatch(
      /not on the allow list/,
    );
    expect(
      allow.refuse(action('AwsIamUser', 'arn:aws:iam::111122223333:user/contractor-7'), {}, here),
    ).toBeUndefined();
  });

  it('protected tag: the key alone, or key and value', () => {
    expect(safety().isProtected({ 'vigil:protected': 'anything' })).toBe(true);
    expect(safety().isProtected({ other: 'x' })).toBe(false);
    const v = safety({ protectedTag: { key: 'critical', value: 'yes' } });
    expect(v.isProtected({ critical: 'no' })).toBe(false);
    expect(v.isProtected({ critical: 'yes' })).toBe(true);
  });
});
