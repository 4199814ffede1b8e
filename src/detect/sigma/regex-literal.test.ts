import { describe, expect, it } from 'vitest';
import { requiredLiteral } from './regex-literal.js';

describe('requiredLiteral', () => {
  it('finds the literal every match must contain', () => {
    expect(requiredLiteral('.+:assumed-role\\/aws:.+')).toBe(':assumed-role/aws:');
    expect(requiredLiteral('^arn:aws:iam::\\d+:root$')).toBe('arn:aws:iam::');
    expect(requiredLiteral('kali[0-9]+-amd64')).toBe('-amd64');
  });

  it('drops characters a quantifier makes optional and skips groups', () => {
    expect(requiredLiteral('abcd?ef')).toBe('abc');
    expect(requiredLiteral('(optional)?required-text')).toBe('required-text');
    expect(requiredLiteral('ab{0,3}cdef')).toBe('cdef');
  });

  it('gives up on alternation and on patterns without a literal of three characters', () => {
    expect(requiredLiteral('foo|bar')).toBeUndefined();
    expect(requiredLiteral('.*')).toBeUndefined();
    expect(requiredLiteral('\\d+\\w+')).toBeUndefined();
    expect(requiredLiteral('[|]literal')).toBe('literal');
  });

  it('never claims a literal the regex does not require', () => {
    const cases: [string, string[]][] = [
      [
        '.+:assumed-role\\/aws:.+',
        ['arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1', 'x:assumed-role/aws:y'],
      ],
      ['a(bc)*defg', ['adefg', 'abcbcdefg']],
      ['x+yz{1,2}abc', ['xyzabc', 'xxyzzabc']],
    ];
    for (const [source, matching] of cases) {
      const literal = requiredLiteral(source);
      for (const text of matching) {
        expect(new RegExp(source).test(text)).toBe(true);
        if (literal) expect(text.includes(literal), `${source} / ${literal} / ${text}`).toBe(true);
      }
    }
  });
});
