import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../testing/shared-data.js';
import { PatternError } from './pattern-error.js';
import { compilePattern } from './pattern.js';

/**
 * Every case recorded from aws/event-ruler's own test suite (see ../shared/DATA.md): 1,036 pattern/event
 * pairs, 51 array-consistency cases and 156 patterns to accept or reject. No case is skipped.
 */
const base = sharedDir();
const dir = base && join(base, 'conformance', 'eventbridge');
const present = dir !== undefined && existsSync(join(dir, 'matching.jsonl'));

function cases<T>(file: string): T[] {
  return readFileSync(join(dir!, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

interface MatchingCase {
  id: string;
  test: string;
  pattern: object;
  event: object;
  matches: boolean;
  pattern_raw?: string;
  event_raw?: string;
}
interface NamedCase {
  name: string;
  pattern: object;
  event: object;
  matches: boolean;
}
interface ValidityCase {
  id: string;
  test: string;
  pattern_raw: string;
  valid: boolean;
  rule_overriding?: boolean;
}

describe.runIf(present)('EventBridge conformance (aws/event-ruler cases)', () => {
  const matching = present ? cases<MatchingCase>('matching.jsonl') : [];
  const named = present ? cases<NamedCase>('named.jsonl') : [];
  const validity = present ? cases<ValidityCase>('validity.jsonl') : [];

  it('has the full case files', () => {
    expect(matching).toHaveLength(1036);
    expect(named).toHaveLength(51);
    expect(validity).toHaveLength(156);
  });

  // Raw texts are used where JSON.parse would lose duplicate keys or exact numbers.
  it.each(matching.map((c) => [`${c.id} ${c.test}`, c] as const))('matching %s', (_, c) => {
    expect(compilePattern(c.pattern_raw ?? c.pattern).matches(c.event_raw ?? c.event)).toBe(c.matches);
  });

  it.each(named.map((c) => [c.name, c] as const))('named: %s', (_, c) => {
    expect(compilePattern(c.pattern).matches(c.event)).toBe(c.matches);
  });

  it.each(validity.map((c) => [`${c.id} ${c.test}`, c] as const))('validity %s', (_, c) => {
    const compile = () => compilePattern(c.pattern_raw, { ruleOverriding: c.rule_overriding !== false });
    if (c.valid) expect(compile).not.toThrow();
    else expect(compile).toThrow(PatternError);
  });
});
