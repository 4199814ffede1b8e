import { describe, expect, it } from 'vitest';
import { authProblem, presentedTokens, tokensEqual } from './auth.js';

describe('tokensEqual', () => {
  it('is true only for the same string', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
  });
});

describe('presentedTokens', () => {
  it('reads a Bearer token (any case, extra spaces) and the Firehose access key', () => {
    expect(presentedTokens({ authorization: 'Bearer t1' })).toEqual(['t1']);
    expect(presentedTokens({ authorization: 'BEARER \t t2 ' })).toEqual(['t2']);
    expect(presentedTokens({ 'x-amz-firehose-access-key': 'k' })).toEqual(['k']);
    expect(presentedTokens({ authorization: 'Basic dTpw' })).toEqual([]);
    expect(presentedTokens({ authorization: 'Bearer' })).toEqual([]);
  });
});

describe('authProblem', () => {
  it('names what is missing or wrong', () => {
    expect(authProblem({}, 't')).toMatch(/^missing credentials/);
    expect(authProblem({ authorization: 'Bearer x' }, 't')).toBe('invalid ingest token');
    expect(authProblem({ authorization: 'Bearer x', 'x-amz-firehose-access-key': 't' }, 't')).toBeUndefined();
    expect(authProblem({}, undefined)).toBeUndefined();
  });
});
