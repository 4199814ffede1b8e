import { describe, expect, it } from 'vitest';
import { compilePattern, MAX_ALTERNATIVES } from './pattern.js';
import { PatternError } from './pattern-error.js';

const m = (pattern: string | object, event: unknown) => compilePattern(pattern).matches(event);
const problem = (pattern: string | object) => {
  try {
    compilePattern(pattern);
  } catch (err) {
    expect(err).toBeInstanceOf(PatternError);
    return (err as Error).message;
  }
  throw new Error('pattern was accepted');
};

describe('exact values', () => {
  it('matches strings case-sensitively, character by character', () => {
    expect(m({ source: ['aws.ec2'] }, { source: 'aws.ec2' })).toBe(true);
    expect(m({ source: ['aws.ec2'] }, { source: 'AWS.EC2' })).toBe(false);
    expect(m({ source: ['aws.ec2'] }, { source: 'aws.ec2 ' })).toBe(false);
  });
  it('ORs the values of one field and ANDs fields', () => {
    const p = { source: ['a', 'b'], region: ['r'] };
    expect(m(p, { source: 'b', region: 'r' })).toBe(true);
    expect(m(p, { source: 'b', region: 'x' })).toBe(false);
    expect(m(p, { source: 'c', region: 'r' })).toBe(false);
  });
  it('keeps null, the empty string and a missing field apart', () => {
    expect(m({ a: [null] }, { a: null })).toBe(true);
    expect(m({ a: [null] }, { a: '' })).toBe(false);
    expect(m({ a: [null] }, {})).toBe(false);
    expect(m({ a: [''] }, { a: '' })).toBe(true);
    expect(m({ a: [''] }, { a: null })).toBe(false);
  });
  it('matches booleans and never confuses a number with its string', () => {
    expect(m({ a: [true] }, { a: true })).toBe(true);
    expect(m({ a: [true] }, { a: 'true' })).toBe(false);
    expect(m({ a: [5] }, { a: '5' })).toBe(false);
    expect(m({ a: ['5'] }, { a: 5 })).toBe(false);
  });
  it('compares numbers by value, and huge integers by their digits', () => {
    expect(m('{"a":[300]}', '{"a":300.0}')).toBe(true);
    expect(m('{"a":[3e2]}', '{"a":300}')).toBe(true);
    expect(m('{"a":[123456789012345678901]}', '{"a":123456789012345678902}')).toBe(false);
    expect(m('{"a":[123456789012345678901]}', '{"a":123456789012345678901}')).toBe(true);
  });
  it('matches any element of an array in the event', () => {
    expect(m({ tags: ['admin'] }, { tags: ['user', 'admin'] })).toBe(true);
    expect(m({ tags: ['root'] }, { tags: ['user', 'admin'] })).toBe(false);
  });
  it('compares IP addresses by address, not spelling', () => {
    expect(m({ ip: ['2001:db8::1'] }, { ip: '2001:0db8:0:0:0:0:0:1' })).toBe(true);
    expect(m({ ip: ['10.0.0.1'] }, { ip: '10.0.0.2' })).toBe(false);
  });
  it('reads dotted keys as paths, in patterns and events', () => {
    expect(m({ 'detail.state': ['on'] }, { detail: { state: 'on' } })).toBe(true);
    expect(m({ detail: { state: ['on'] } }, { 'detail.state': 'on' })).toBe(true);
  });
  it('lets the last of duplicated keys win', () => {
    expect(m('{"x":["y"],"x":["z"]}', { x: 'z' })).toBe(true);
    expect(m('{"x":["y"],"x":["z"]}', { x: 'y' })).toBe(false);
  });
  it('sees every value of a key repeated in the event text', () => {
    expect(m({ x: ['b'] }, '{"x":"a","x":"b"}')).toBe(true);
  });
});

describe('string operators', () => {
  it('prefix and suffix', () => {
    expect(m({ t: [{ prefix: '2022-07' }] }, { t: '2022-07-01' })).toBe(true);
    expect(m({ t: [{ prefix: '2022-07' }] }, { t: '2022-08-01' })).toBe(false);
    expect(m({ k: [{ suffix: '.png' }] }, { k: 'a/b.png' })).toBe(true);
    expect(m({ k: [{ suffix: '.png' }] }, { k: 'a/b.PNG' })).toBe(false);
    expect(m({ k: [{ prefix: '1' }] }, { k: 123 })).toBe(false);
  });
  it('equals-ignore-case, alone and inside prefix and suffix', () => {
    expect(m({ n: [{ 'equals-ignore-case': 'alice' }] }, { n: 'ALICE' })).toBe(true);
    expect(m({ n: [{ 'equals-ignore-case': 'alice' }] }, { n: 'alicia' })).toBe(false);
    expect(m({ n: [{ 'equals-ignore-case': 'straße' }] }, { n: 'STRASSE' })).toBe(true);
    expect(m({ n: [{ prefix: { 'equals-ignore-case': 'EventBridge' } }] }, { n: 'eventbridge-rule' })).toBe(
      true,
    );
    expect(m({ n: [{ suffix: { 'equals-ignore-case': '.PNG' } }] }, { n: 'x.png' })).toBe(true);
    expect(m({ n: [{ suffix: { 'equals-ignore-case': '.PNG' } }] }, { n: 'x.gif' })).toBe(false);
  });
  it('wildcard: * is any run, \\* a literal star, other characters literal', () => {
    const p = { arn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(m(p, { arn: 'arn:aws:events:us-east-1:123:event-bus/default' })).toBe(true);
    expect(m(p, { arn: 'arn:aws:events:us-west-2:123:event-bus/default' })).toBe(false);
    expect(m({ a: [{ wildcard: 'a\\*b' }] }, { a: 'a*b' })).toBe(true);
    expect(m({ a: [{ wildcard: 'a\\*b' }] }, { a: 'axb' })).toBe(false);
    expect(m({ a: [{ wildcard: 'a.c' }] }, { a: 'abc' })).toBe(false);
    expect(m({ a: [{ wildcard: '' }] }, { a: '' })).toBe(true);
  });
});

describe('anything-but', () => {
  it('a value or a list', () => {
    expect(m({ s: [{ 'anything-but': 'init' }] }, { s: 'running' })).toBe(true);
    expect(m({ s: [{ 'anything-but': 'init' }] }, { s: 'init' })).toBe(false);
    expect(m({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'b' })).toBe(false);
    expect(m({ s: [{ 'anything-but': [100, 200] }] }, { s: 100.0 })).toBe(false);
    expect(m({ s: [{ 'anything-but': 100 }] }, { s: 101 })).toBe(true);
  });
  it('prefix, suffix, equals-ignore-case and wildcard forms', () => {
    expect(m({ s: [{ 'anything-but': { prefix: 'init' } }] }, { s: 'initializing' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { prefix: ['a', 'b'] } }] }, { s: 'cat' })).toBe(true);
    expect(m({ s: [{ 'anything-but': { suffix: '.txt' } }] }, { s: 'a.txt' })).toBe(false);
    expect(
      m({ s: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Overloaded'] } }] }, { s: 'STOPPED' }),
    ).toBe(false);
    expect(m({ s: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] }, { s: 'running' })).toBe(true);
    expect(m({ s: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { s: '/usr/lib/x' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { wildcard: ['*/lib/*', '*.so'] } }] }, { s: '/bin/sh' })).toBe(true);
  });
  it('forms with an operator exclude only strings of that shape, so other values pass', () => {
    expect(m({ s: [{ 'anything-but': { prefix: 'init' } }] }, { s: 5 })).toBe(true);
    expect(m({ s: [{ 'anything-but': { wildcard: '*' } }] }, { s: 'anything' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { wildcard: '*' } }] }, { s: null })).toBe(true);
  });
  it('needs the field to be present', () => {
    expect(m({ s: [{ 'anything-but': 'x' }] }, {})).toBe(false);
  });
});

describe('numeric', () => {
  it('compares by value, not by text', () => {
    expect(m({ n: [{ numeric: ['=', 300] }] }, '{"n":300.0}')).toBe(true);
    expect(m({ n: [{ numeric: ['=', 301.8] }] }, { n: 301.8 })).toBe(true);
    expect(m({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 5 })).toBe(true);
    expect(m({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 0 })).toBe(false);
    expect(m({ n: [{ numeric: ['>=', 0, '<', 5] }] }, { n: 0 })).toBe(true);
    expect(m({ n: [{ numeric: ['<', 10] }] }, { n: -1e9 })).toBe(true);
    expect(m({ n: [{ numeric: ['<', 10] }] }, { n: '5' })).toBe(false);
  });
});

describe('cidr', () => {
  it('IPv4 blocks', () => {
    const p = { ip: [{ cidr: '10.0.0.0/24' }] };
    expect(m(p, { ip: '10.0.0.255' })).toBe(true);
    expect(m(p, { ip: '10.0.1.0' })).toBe(false);
    expect(m(p, { ip: 'not an ip' })).toBe(false);
    expect(m({ ip: [{ cidr: '10.0.0.77/24' }] }, { ip: '10.0.0.1' })).toBe(true);
  });
  it('IPv6 blocks', () => {
    const p = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(m(p, { ip: '2001:db8:ffff::1' })).toBe(true);
    expect(m(p, { ip: '2001:db9::1' })).toBe(false);
    expect(m(p, { ip: '32.1.13.184' })).toBe(false);
  });
});

describe('exists', () => {
  it('true needs a leaf value; false needs none (an object is not a leaf)', () => {
    expect(m({ a: [{ exists: true }] }, { a: null })).toBe(true);
    expect(m({ a: [{ exists: true }] }, {})).toBe(false);
    expect(m({ a: [{ exists: true }] }, { a: { b: 1 } })).toBe(false);
    expect(m({ a: [{ exists: true }] }, { a: [] })).toBe(false);
    expect(m({ a: [{ exists: false }] }, {})).toBe(true);
    expect(m({ a: [{ exists: false }] }, { a: { b: 1 } })).toBe(true);
    expect(m({ a: [{ exists: false }] }, { a: 0 })).toBe(false);
    expect(m({ a: { b: [{ exists: false }] } }, {})).toBe(true);
  });
});

describe('arrays of objects', () => {
  it('matches the fields of one level inside the same element', () => {
    const p = { d: { name: ['alice'], status: ['active'] } };
    expect(
      m(p, {
        d: [
          { name: 'bob', status: 'active' },
          { name: 'alice', status: 'active' },
        ],
      }),
    ).toBe(true);
    expect(m(p, { d: [{ name: 'alice' }, { status: 'active' }] })).toBe(false);
  });
  it('an absence-only level must hold in every element', () => {
    expect(m({ d: { b: [{ exists: false }] } }, { d: [{ a: 1 }, { b: 2 }] })).toBe(false);
    expect(m({ d: { b: [{ exists: false }] } }, { d: [{ a: 1 }, { a: 2 }] })).toBe(true);
  });
});

describe('$or (EventBridge user guide forms)', () => {
  it('combines sub-patterns across fields', () => {
    const p = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(m(p, { detail: { 'c-count': 3 } })).toBe(true);
    expect(m(p, { detail: { 'd-count': 9 } })).toBe(true);
    expect(m(p, { detail: { 'x-limit': 301.8 } })).toBe(true);
    expect(m(p, { detail: { 'c-count': 6, 'd-count': 10, 'x-limit': 300 } })).toBe(false);
  });
  it('ANDs with the other fields, at top level and nested', () => {
    const p = {
      source: ['aws.ec2'],
      $or: [
        { 'detail-type': ['EC2 Instance State-change Notification'] },
        { detail: { state: ['stopped'] } },
      ],
    };
    expect(m(p, { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' })).toBe(true);
    expect(m(p, { source: 'aws.ec2', detail: { state: 'stopped' } })).toBe(true);
    expect(m(p, { source: 'aws.s3', detail: { state: 'stopped' } })).toBe(false);
    expect(m(p, { source: 'aws.ec2', detail: { state: 'running' } })).toBe(false);
  });
  it('nests, and merges a branch with the outer fields of the same object', () => {
    const p = {
      detail: { a: ['1'] },
      $or: [{ detail: { b: ['2'] } }, { $or: [{ source: ['s'] }, { region: ['r'] }] }],
    };
    expect(m(p, { detail: { a: '1', b: '2' } })).toBe(true);
    expect(m(p, { detail: { b: '2' } })).toBe(false);
    expect(m(p, { detail: { a: '1' }, region: 'r' })).toBe(true);
    expect(m(p, { detail: { a: '1' } })).toBe(false);
  });
  it('a branch repeating an outer field overrides it unless overriding is off', () => {
    const p = '{"name":["a","b"],"$or":[{"name":[{"anything-but":"a"}]},{"c":["x"]}]}';
    expect(m(p, { name: 'z' })).toBe(true);
    expect(() => compilePattern(p, { ruleOverriding: false })).toThrow(
      'name: this field is given more than once',
    );
  });
});

describe('pattern errors name the path and the problem', () => {
  it.each([
    ['[1,2]', 'a pattern must be a JSON object, found a array'],
    ['{"a": "x"}', 'a: a leaf must be an array of values, found a string'],
    ['{"a": []}', 'a: a leaf array must not be empty'],
    ['{"d": {"a": [{"foo": "x"}]}}', 'd.a[0]: unknown operator "foo"'],
    ['{"a": [{"prefix": 3}]}', 'a[0].prefix: "prefix" takes a string'],
    ['{"a": [{"prefix": "x", "suffix": "y"}]}', 'a[0]: an operator object has exactly one key, found 2'],
    [
      '{"a": [{"numeric": [">", 30, "<", 1]}]}',
      "a[0].numeric: the range's low bound 30 must be below its high bound 1",
    ],
    ['{"a": [{"numeric": ["<", 1, ">", 0]}]}', 'a[0].numeric: a range is'],
    ['{"a": [{"numeric": ["=", "5"]}]}', 'a[0].numeric: "=" needs a JSON number, not a string'],
    ['{"a": [{"numeric": ["=", 1E309]}]}', 'a[0].numeric: 1E309 is out of range'],
    ['{"a": [{"cidr": "10.0.0.1/32"}]}', 'a[0].cidr: IPv4 mask bits must be < 32'],
    ['{"a": [{"cidr": "::1/128"}]}', 'a[0].cidr: IPv6 mask bits must be < 128'],
    ['{"a": [{"cidr": "10.0.0.1"}]}', 'a[0].cidr: malformed CIDR'],
    ['{"a": [{"wildcard": "a**b"}]}', 'a[0].wildcard: wildcard "a**b": consecutive "**" is not allowed'],
    [
      '{"a": [{"anything-but": {"prefix": ""}}]}',
      'a[0].anything-but.prefix: "prefix" must not be an empty string',
    ],
    ['{"a": [{"anything-but": ["x", 1]}]}', 'a[0].anything-but: takes a string, a number'],
    ['{"a": [{"exists": "yes"}]}', 'a[0].exists: takes true or false'],
    ['{"$or": [{"a": ["x"]}]}', '$or: "$or" needs at least two objects, found 1'],
    ['{"$or": []}', '$or: "$or" needs at least two objects, found 0'],
    ['{"a": ["x"', 'the pattern is not valid JSON'],
  ])('%s', (pattern, message) => {
    expect(problem(pattern)).toContain(message);
  });

  it('refuses $or that expands past the limit', () => {
    const branches = (k: string) => ({
      $or: [{ [`${k}1`]: ['a'] }, { [`${k}2`]: ['b'] }, { [`${k}3`]: ['c'] }],
    });
    const p = {
      a: branches('a'),
      b: branches('b'),
      c: branches('c'),
      d: branches('d'),
      e: branches('e'),
      f: branches('f'),
      g: branches('g'),
    };
    expect(3 ** 7).toBeGreaterThan(MAX_ALTERNATIVES);
    expect(problem(p)).toContain('expands to more than');
  });
});
