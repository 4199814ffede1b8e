import { describe, it, expect, vi } from 'vitest';
import { createFieldGetter } from '../fields/index.js';
import { compileSigma } from './compile.js';
import { createJsonText } from './json-text.js';
import { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';
import { eventOf } from './test-event.js';

const getField = createFieldGetter();

/** Selections a..d each test one flag field; records say which flags are set. */
const flags = {
  a: { a: 'yes' },
  b: { b: 'yes' },
  c: { c: 'yes' },
  sel_x: { x: 'yes' },
  sel_y: { y: 'yes' },
  _hidden: { h: 'yes' },
};
const rec = (...set: string[]) => eventOf(Object.fromEntries(set.map((k) => [k, 'yes'])));
const cond = (condition: string, ...set: string[]) =>
  compileSigma({ ...flags, condition }, getField).matches(rec(...set));

describe('conditions', () => {
  it('and, or, not', () => {
    expect(cond('a and b', 'a', 'b')).toBe(true);
    expect(cond('a and b', 'a')).toBe(false);
    expect(cond('a or b', 'b')).toBe(true);
    expect(cond('a or b', 'c')).toBe(false);
    expect(cond('not a', 'b')).toBe(true);
    expect(cond('not a', 'a')).toBe(false);
    expect(cond('not not a', 'a')).toBe(true);
    expect(cond('a AND NOT b', 'a')).toBe(true);
  });

  it('binds not tighter than and, and tighter than or', () => {
    // a or b and c  ==  a or (b and c)
    expect(cond('a or b and c', 'a')).toBe(true);
    expect(cond('a or b and c', 'b')).toBe(false);
    // not a and b  ==  (not a) and b
    expect(cond('not a and b', 'b')).toBe(true);
    expect(cond('not a and b')).toBe(false);
    // not a or b  ==  (not a) or b
    expect(cond('not a or b', 'a', 'b')).toBe(true);
    expect(cond('not a or b', 'a')).toBe(false);
  });

  it('parentheses override precedence', () => {
    expect(cond('(a or b) and c', 'a')).toBe(false);
    expect(cond('(a or b) and c', 'a', 'c')).toBe(true);
    expect(cond('not (a or b)', 'b')).toBe(false);
    expect(cond('not (a or b)', 'c')).toBe(true);
    expect(cond('((a))', 'a')).toBe(true);
  });

  it('1 of / any of / all of over names and wildcards', () => {
    expect(cond('1 of sel_*', 'y')).toBe(true);
    expect(cond('any of sel_*', 'x')).toBe(true);
    expect(cond('1 of sel_*', 'a')).toBe(false);
    expect(cond('all of sel_*', 'x')).toBe(false);
    expect(cond('all of sel_*', 'x', 'y')).toBe(true);
    expect(cond('1 of a', 'a')).toBe(true);
    expect(cond('a and not 1 of sel_*', 'a', 'x')).toBe(false);
    expect(cond('a and not 1 of sel_*', 'a')).toBe(true);
    expect(cond('all of sel_* or a', 'a')).toBe(true);
  });

  it('them covers every selection except names starting with _', () => {
    expect(cond('1 of them', 'h')).toBe(false);
    expect(cond('1 of them', 'c')).toBe(true);
    expect(cond('all of them', 'a', 'b', 'c', 'x', 'y')).toBe(true);
    expect(cond('all of them', 'a', 'b', 'c', 'x')).toBe(false);
    expect(cond('_hidden', 'h')).toBe(true);
  });

  it('a list of conditions matches when any does', () => {
    const d = compileSigma({ ...flags, condition: ['a and b', 'c'] }, getField);
    expect(d.matches(rec('c'))).toBe(true);
    expect(d.matches(rec('a'))).toBe(false);
  });

  it('compileCondition evaluates another expression over the same selections', () => {
    const d = compileSigma({ ...flags, condition: 'a' }, getField);
    const other = d.compileCondition('b and not c');
    expect(other(rec('b'))).toBe(true);
    expect(other(rec('b', 'c'))).toBe(false);
    expect(d.matches(rec('b'))).toBe(false);
    expect(() => d.compileCondition('b and zzz')).toThrow(/unknown selection "zzz"/);
  });
});

describe('syntax errors', () => {
  const err = (detection: unknown) => {
    try {
      compileSigma(detection, getField);
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected an error');
  };

  it('name the condition position', () => {
    const e = err({ ...flags, condition: 'a and' });
    expect(e).toBeInstanceOf(SigmaSyntaxError);
    expect(e.message).toMatch(/position 6 \(end of condition\)/);
    expect(err({ ...flags, condition: 'a b' }).message).toMatch(/unexpected text at position 3 \("b"\)/);
    expect(err({ ...flags, condition: '(a or b' }).message).toMatch(/expected "\)"/);
    expect(err({ ...flags, condition: 'a or missing' }).message).toMatch(
      /unknown selection "missing" at position 6/,
    );
    expect(err({ ...flags, condition: '1 of nope_*' }).message).toMatch(/"nope_\*" matches no selection/);
    expect(err({ ...flags, condition: 'sel_*' }).message).toMatch(/wildcard name needs "1 of"/);
    expect(err({ ...flags, condition: '' }).message).toMatch(/empty condition/);
    expect(err({ ...flags }).message).toMatch(/no "condition"/);
  });

  it('name the selection and field', () => {
    const e = err({ sel: { 'eventName|re': '(' }, condition: 'sel' });
    expect(e).toBeInstanceOf(SigmaSyntaxError);
    expect(e.message).toMatch(/selection "sel", field "eventName\|re": invalid regular expression/);
    expect(err({ sel: { eventName: { nested: 1 } }, condition: 'sel' }).message).toMatch(
      /selection "sel".*not a map/,
    );
    expect(err({ sel: { eventName: [] }, condition: 'sel' }).message).toMatch(/empty list of values/);
    expect(err({ sel: {}, condition: 'sel' }).message).toMatch(/selection "sel": empty map/);
    expect(err({ sel: [{ a: 1 }, 'x'], condition: 'sel' }).message).toMatch(/only maps .* or only strings/);
    expect(err({ sel: { 'ip|cidr': '10.0.0.0/33' }, condition: 'sel' }).message).toMatch(/not a CIDR range/);
    expect(err({ sel: { 'x|gt': 'ten' }, condition: 'sel' }).message).toMatch(/"gt" takes one number/);
    expect(err({ sel: { 'x|exists': 'yes' }, condition: 'sel' }).message).toMatch(
      /"exists" takes true or false/,
    );
    expect(err({ sel: { 'x|contains|startswith': 'a' }, condition: 'sel' }).message).toMatch(
      /cannot be combined/,
    );
    expect(err({ sel: { 'x|re|contains': 'a' }, condition: 'sel' }).message).toMatch(/cannot be combined/);
    expect(err({ sel: { 'x|i': 'a' }, condition: 'sel' }).message).toMatch(/only valid after "re"/);
    expect(err('selection: x').message).toMatch(/detection must be a map/);
  });
});

describe('unsupported features', () => {
  const reason = (detection: unknown) => {
    try {
      compileSigma(detection, getField);
    } catch (e) {
      expect(e).toBeInstanceOf(SigmaUnsupportedError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  it('aggregations and near in the condition', () => {
    expect(reason({ sel: { a: 1 }, condition: 'sel | count() > 5' })).toMatch(
      /aggregation "\| count\(\) > 5"/,
    );
    expect(reason({ sel: { a: 1 }, condition: 'sel | count(eventName) by sourceIPAddress > 5' })).toMatch(
      /aggregation "\| count\(eventName\) by sourceIPAddress > 5"/,
    );
    expect(reason({ s1: { a: 1 }, s2: { b: 1 }, condition: 's1 | near s2' })).toMatch(/"near"/);
  });

  it('timeframe', () => {
    expect(reason({ sel: { a: 1 }, timeframe: '5m', condition: 'sel' })).toMatch(
      /"timeframe: 5m" is not supported/,
    );
  });

  it('placeholders and expand', () => {
    expect(reason({ sel: { 'ip|expand': '%office_ips%' }, condition: 'sel' })).toMatch(
      /placeholder modifier "expand"/,
    );
    expect(reason({ sel: { ip: '%office_ips%' }, condition: 'sel' })).toMatch(
      /placeholder value "%office_ips%"/,
    );
  });

  it('unknown and unimplemented modifiers, by name', () => {
    expect(reason({ sel: { 'x|frobnicate': 'a' }, condition: 'sel' })).toMatch(
      /field "x\|frobnicate": unknown modifier "frobnicate"/,
    );
    expect(reason({ sel: { 'x|base64offset|contains': 'a' }, condition: 'sel' })).toMatch(
      /modifier "base64offset" is not supported/,
    );
    expect(reason({ sel: { 'x|windash': 'a' }, condition: 'sel' })).toMatch(/"windash"/);
  });

  it('counts other than 1 before "of"', () => {
    expect(reason({ sel_a: { a: 1 }, sel_b: { b: 1 }, condition: '2 of sel_*' })).toMatch(
      /"2 of" is not supported/,
    );
  });
});

describe('eventNames index', () => {
  const names = (detection: Record<string, unknown>) => {
    const s = compileSigma(detection, getField).eventNames;
    return s ? [...s].sort() : undefined;
  };

  it('is the lower-cased set when every match requires an exact eventName', () => {
    expect(
      names({
        sel: { eventSource: 'cloudtrail.amazonaws.com', eventName: ['StopLogging', 'DeleteTrail'] },
        condition: 'sel',
      }),
    ).toEqual(['deletetrail', 'stoplogging']);
    expect(names({ sel: { eventName: 'A' }, f: { userAgent: 'x' }, condition: 'sel and not f' })).toEqual([
      'a',
    ]);
    expect(names({ s1: { eventName: 'A' }, s2: { eventName: 'B' }, condition: '1 of s*' })).toEqual([
      'a',
      'b',
    ]);
    expect(names({ s: [{ eventName: 'A' }, { eventName: 'B', x: 1 }], condition: 's' })).toEqual(['a', 'b']);
    expect(
      names({ s1: { eventName: ['A', 'B'] }, s2: { eventName: ['B', 'C'] }, condition: 's1 and s2' }),
    ).toEqual(['b']);
    expect(names({ s: { eventName: 'Put\\*' }, condition: 's' })).toEqual(['put*']);
    expect(names({ s: { 'vigil.eventName': 'A' }, condition: 's' })).toEqual(['a']);
  });

  it('is undefined when a match is possible without a fixed eventName', () => {
    expect(names({ s: { eventSource: 'iam.amazonaws.com' }, condition: 's' })).toBeUndefined();
    expect(names({ s: { eventName: 'Put*' }, condition: 's' })).toBeUndefined();
    expect(names({ s: { 'eventName|startswith': 'Put' }, condition: 's' })).toBeUndefined();
    expect(names({ s: { 'eventName|re': '^Put' }, condition: 's' })).toBeUndefined();
    expect(names({ s: { eventName: 'A' }, condition: 'not s' })).toBeUndefined();
    expect(names({ s: { eventName: 'A' }, t: { x: 1 }, condition: 's or t' })).toBeUndefined();
    expect(names({ s: [{ eventName: 'A' }, { x: 1 }], condition: 's' })).toBeUndefined();
    expect(names({ s: ['keyword'], condition: 's' })).toBeUndefined();
    expect(names({ s: { 'eventName|all': ['A', 'B'] }, condition: 's' })).toBeUndefined();
    expect(names({ s: { eventName: [null, 'A'] }, condition: 's' })).toBeUndefined();
  });

  it('agrees with matching: an indexed detection never matches another eventName', () => {
    const d = compileSigma({ sel: { eventName: ['StopLogging'] }, condition: 'sel' }, getField);
    expect(d.eventNames?.has('StopLogging'.toLowerCase())).toBe(true);
    expect(d.matches(eventOf({ eventName: 'STOPLOGGING' }))).toBe(true);
    expect(d.matches(eventOf({ eventName: 'StartLogging' }))).toBe(false);
  });
});

describe('eventNames and eventSources with prefixes', () => {
  const names = (detection: Record<string, unknown>) => {
    const s = compileSigma(detection, getField).eventNames;
    return s ? [...s].sort() : undefined;
  };

  it('narrow an exact eventName set by a startswith the same match requires', () => {
    expect(
      names({
        a: { 'eventName|startswith': 'Get' },
        b: { eventName: ['GetUser', 'ListUsers'] },
        condition: 'a and b',
      }),
    ).toEqual(['getuser']);
    expect(
      names({
        a: { 'eventName|startswith': 'Get' },
        b: { 'eventName|startswith': 'List' },
        condition: 'a and b',
      }),
    ).toEqual([]);
    expect(
      names({
        a: { 'eventName|startswith': 'Get' },
        b: { 'eventName|startswith': 'GetUser' },
        condition: 'a and b',
      }),
    ).toBeUndefined();
  });
});

describe('couldMatchEventName', () => {
  const could = (detection: Record<string, unknown>) => compileSigma(detection, getField).couldMatchEventName;

  it('admits exact names and names with a required prefix, case-insensitively', () => {
    const f = could({
      lambda: { eventSource: 'lambda.amazonaws.com' },
      create: { 'eventName|startswith': 'CreateFunction' },
      code: { eventName: 'UpdateFunctionCode20150331v2' },
      condition: 'lambda and (create or code)',
    })!;
    expect(f('CreateFunction20150331')).toBe(true);
    expect(f('createfunction')).toBe(true);
    expect(f('UpdateFunctionCode20150331v2')).toBe(true);
    expect(f('UpdateFunctionCode')).toBe(false);
    expect(f('DeleteFunction')).toBe(false);
  });

  it('is undefined when any eventName could match', () => {
    expect(could({ s: { eventSource: 'iam.amazonaws.com' }, condition: 's' })).toBeUndefined();
    expect(could({ s: { 'eventName|contains': 'Create' }, condition: 's' })).toBeUndefined();
    expect(could({ s: { 'eventName|startswith': 'Create' }, condition: 'not s' })).toBeUndefined();
    expect(could({ s: { 'eventName|startswith': 'Cre*te' }, condition: 's' })).toBeUndefined();
    expect(could({ s: { 'eventName|startswith|all': ['A', 'B'] }, condition: 's' })).toBeUndefined();
  });
});

describe('eventSources index', () => {
  const sources = (detection: Record<string, unknown>) => {
    const s = compileSigma(detection, getField).eventSources;
    return s ? [...s].sort() : undefined;
  };

  it('is the lower-cased set when every match requires an exact eventSource', () => {
    expect(
      sources({ sel: { eventSource: 'IAM.amazonaws.com', 'eventName|startswith': 'Get' }, condition: 'sel' }),
    ).toEqual(['iam.amazonaws.com']);
    expect(
      sources({
        a: { eventSource: 's3.amazonaws.com' },
        b: { 'vigil.eventSource': ['sts.amazonaws.com', 'iam.amazonaws.com'] },
        f: { errorCode: 'x' },
        condition: '(a or b) and not f',
      }),
    ).toEqual(['iam.amazonaws.com', 's3.amazonaws.com', 'sts.amazonaws.com']);
    expect(
      sources({
        a: { eventSource: ['s3.amazonaws.com', 'iam.amazonaws.com'] },
        b: { eventSource: 'iam.amazonaws.com' },
        condition: 'a and b',
      }),
    ).toEqual(['iam.amazonaws.com']);
  });

  it('is undefined when a match is possible without a fixed eventSource', () => {
    expect(sources({ s: { eventName: 'CreateUser' }, condition: 's' })).toBeUndefined();
    expect(sources({ s: { 'eventSource|contains': 'iam' }, condition: 's' })).toBeUndefined();
    expect(sources({ s: { 'eventSource|startswith': 'iam' }, condition: 's' })).toBeUndefined();
    expect(sources({ s: { eventSource: 'iam.*' }, condition: 's' })).toBeUndefined();
    expect(sources({ s: { eventSource: 'iam.amazonaws.com' }, condition: 'not s' })).toBeUndefined();
    expect(
      sources({ s: { eventSource: 'iam.amazonaws.com' }, t: { x: 1 }, condition: 's or t' }),
    ).toBeUndefined();
    expect(sources({ s: { eventSource: [null, 'iam.amazonaws.com'] }, condition: 's' })).toBeUndefined();
  });

  it('agrees with matching: an indexed detection never matches another eventSource', () => {
    const d = compileSigma({ sel: { eventSource: 'iam.amazonaws.com' }, condition: 'sel' }, getField);
    expect(d.eventSources?.has('iam.amazonaws.com')).toBe(true);
    expect(d.matches(eventOf({ eventSource: 'IAM.amazonaws.com' }))).toBe(true);
    expect(d.matches(eventOf({ eventSource: 's3.amazonaws.com' }))).toBe(false);
  });
});

describe('shared JSON text', () => {
  it('serializes an object field once per event across rules', () => {
    const jsonText = createJsonText();
    const stringify = vi.spyOn(JSON, 'stringify');
    const one = compileSigma({ s: { 'requestParameters|contains': 'alice' }, condition: 's' }, getField, {
      jsonText,
    });
    const two = compileSigma({ s: { 'requestParameters|contains': 'bob' }, condition: 's' }, getField, {
      jsonText,
    });
    const event = eventOf({ requestParameters: { userName: 'alice' } });
    expect(one.matches(event)).toBe(true);
    expect(two.matches(event)).toBe(false);
    expect(one.matches(event)).toBe(true);
    const calls = stringify.mock.calls.length;
    stringify.mockRestore();
    expect(calls).toBe(1);
  });
});
