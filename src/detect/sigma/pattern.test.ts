import { describe, it, expect } from 'vitest';
import { compilePattern, hasWildcard, literalOf, tokenize } from './pattern.js';

const t = (
  pattern: string,
  value: string,
  anchor: 'exact' | 'contains' | 'startswith' | 'endswith' = 'exact',
) => compilePattern(pattern, anchor, false).test(value.toLowerCase());

describe('Sigma string patterns', () => {
  it('matches exact values case-insensitively', () => {
    expect(t('StopLogging', 'stoplogging')).toBe(true);
    expect(t('StopLogging', 'StopLoggingX')).toBe(false);
    expect(compilePattern('StopLogging', 'exact', false).literal).toBe('stoplogging');
  });

  it('keeps case when cased', () => {
    const p = compilePattern('StopLogging', 'exact', true);
    expect(p.test('StopLogging')).toBe(true);
    expect(p.test('stoplogging')).toBe(false);
  });

  it('expands * to any run, including an empty one', () => {
    expect(t('Put*Policy', 'PutUserPolicy')).toBe(true);
    expect(t('Put*Policy', 'PutPolicy')).toBe(true);
    expect(t('Put*Policy', 'PutUserPolicyX')).toBe(false);
    expect(t('*', '')).toBe(true);
    expect(t('a*b*c', 'aXXbYYc')).toBe(true);
    expect(t('a*b*c', 'acb')).toBe(false);
    expect(t('ab*ba', 'aba')).toBe(false);
    expect(t('*Get*Object*', 's3:GetObject')).toBe(true);
  });

  it('expands ? to exactly one character', () => {
    expect(t('Get?bject', 'GetObject')).toBe(true);
    expect(t('Get?bject', 'Getbject')).toBe(false);
    expect(t('Get?bject', 'GetOObject')).toBe(false);
    expect(t('a.?', 'a.b')).toBe(true);
    expect(t('a.?', 'axb')).toBe(false);
  });

  it('treats escaped wildcards and backslashes literally', () => {
    expect(t('a\\*b', 'a*b')).toBe(true);
    expect(t('a\\*b', 'axxb')).toBe(false);
    expect(t('a\\?b', 'a?b')).toBe(true);
    expect(t('a\\?b', 'axb')).toBe(false);
    expect(t('c:\\\\*', 'c:\\windows')).toBe(true);
    expect(t('c:\\temp', 'c:\\temp')).toBe(true);
    expect(tokenize('x\\\\*')).toEqual(['x\\', 0]);
    expect(literalOf('a\\*b')).toBe('a*b');
    expect(literalOf('a*b')).toBeUndefined();
    expect(hasWildcard('a\\?b')).toBe(false);
  });

  it('anchors contains, startswith and endswith', () => {
    expect(t('Browser', 'S3 Browser 9.5', 'contains')).toBe(true);
    expect(t('Browser', 'S3 Brows', 'contains')).toBe(false);
    expect(t('Update', 'UpdateFunctionConfiguration20150331v2', 'startswith')).toBe(true);
    expect(t('Update', 'xUpdate', 'startswith')).toBe(false);
    expect(t('v2', 'UpdateFunctionConfiguration20150331v2', 'endswith')).toBe(true);
    expect(t('v2', 'v2x', 'endswith')).toBe(false);
    expect(t('*', '', 'contains')).toBe(true);
    expect(t('a?c', 'xxabcxx', 'contains')).toBe(true);
  });

  it('matches the empty string only when the pattern is empty', () => {
    expect(t('', '')).toBe(true);
    expect(t('', 'x')).toBe(false);
  });
});
